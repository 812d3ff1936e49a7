import PorterJSON

/// The parser accepts what it serializes (compact and pretty) and reads it back equal; the
/// stream reader yields exactly the elements of an array the parser accepts.
enum JSONTarget {
    static func check(_ bytes: [UInt8]) {
        guard let value = try? JSON.parse(bytes: bytes) else { return }
        for pretty in [false, true] {
            let text = value.serialized(pretty: pretty)
            let again = try? JSON.parse(text)
            // The writer writes numbers as JavaScript does: ±Infinity (from 1e400) as null, -0 as 0.
            FuzzTargets.require(again.map(asJavaScriptWrites) == asJavaScriptWrites(value), "serialized(pretty: \(pretty)) does not read back: \(text.prefix(200))")
            FuzzTargets.require(again?.serialized(pretty: pretty) == text, "serialization is not a fixed point: \(text.prefix(200))")
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

/// `v` as JavaScript sees it once written and read back: every number a double (integers
/// included: an integer read back from a double's shortest text may differ from the double's
/// exact value, never from the double), non-finite numbers null, -0 as 0.
func asJavaScriptWrites(_ v: JSON) -> JSON {
    switch v {
    case .int(let i): return .double(Double(i))
    case .double(let d) where !d.isFinite: return .null
    case .double(let d) where d == 0: return .double(0)
    case .array(let a): return .array(a.map(asJavaScriptWrites))
    case .object(let o): return .object(JSONObject(o.map { ($0.0, asJavaScriptWrites($0.1)) }))
    default: return v
    }
}
