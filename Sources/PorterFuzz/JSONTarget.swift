import PorterJSON

/// The parser accepts what it serializes (compact and pretty) and reads it back equal; the
/// stream reader yields exactly the elements of an array the parser accepts.
enum JSONTarget {
    static func check(_ bytes: [UInt8]) {
        guard let value = try? JSON.parse(bytes: bytes) else { return }
        for pretty in [false, true] {
            let text = value.serialized(pretty: pretty)
            let again = try? JSON.parse(text)
            FuzzTargets.require(again == value, "serialized(pretty: \(pretty)) does not read back: \(text.prefix(200))")
        }
        guard case .array(let elements) = value else { return }
        let reader = JSONStreamReader(source: MemorySource(bytes), name: "fuzz", layout: .array, bufferSize: 64)
        var streamed: [JSON] = []
        do {
            while let e = try reader.next() { streamed.append(e.value) }
        } catch {
            FuzzTargets.require(false, "stream reader rejects an array the parser accepts: \(error)")
        }
        FuzzTargets.require(streamed == elements, "stream reader read \(streamed.count) elements, parser \(elements.count)")
    }
}

/// Bytes in memory, handed out in small reads so buffer boundaries fall everywhere.
final class MemorySource: ByteSource {
    let bytes: [UInt8]
    var at = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - at, 7)
        for i in 0..<n { buffer[i] = bytes[at + i] }
        at += n
        return n
    }
}
