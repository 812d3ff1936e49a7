#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PorterJSON
import PorterTenant

/// The users without the key found while one side is read (perhaps on another thread), kept in
/// arrival order and reported once the side is read: a few thousand in memory, past that in a
/// scratch file, so memory stays flat even when no user has the key.
final class UnkeyedLog {
    let directory: String
    var memory: [(position: Int, note: String)] = []
    var file: UnsafeMutablePointer<FILE>?
    var path: String?
    static let memoryLimit = 4096

    init(directory: String) { self.directory = directory }

    deinit { remove() }

    func add(position: Int, note: String) throws {
        if file == nil && memory.count < Self.memoryLimit {
            memory.append((position, note))
            return
        }
        if file == nil {
            let p = directory + "/porter-diff-unkeyed-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).ndjson"
            guard let f = fopen(p, "wb") else { throw TenantError("cannot write a scratch file in \(directory): \(String(cString: strerror(errno)))", status: 500) }
            file = f
            path = p
            for m in memory { try write(m.position, m.note) }
            memory = []
        }
        try write(position, note)
    }

    func write(_ position: Int, _ note: String) throws {
        guard let file else { return }
        let line = Array((JSON.array([.int(Int64(position)), .string(note)]).serialized() + "\n").utf8)
        guard fwrite(line, 1, line.count, file) == line.count else { throw TenantError("cannot write a scratch file in \(directory) (disk full?)", status: 500) }
    }

    /// Hands every entry over in arrival order.
    func replay(_ body: (Int, String) throws -> Void) throws {
        for m in memory { try body(m.position, m.note) }
        guard let f = file, let path else { return }
        file = nil
        guard fclose(f) == 0 else { throw TenantError("cannot write a scratch file in \(directory) (disk full?)", status: 500) }
        let reader = try JSONStreamReader(path: path, layout: .ndjson)
        while let e = try reader.next() {
            guard case .array(let a) = e.value, a.count == 2, let p = a[0].intValue, let note = a[1].stringValue else { continue }
            try body(Int(p), note)
        }
    }

    func remove() {
        if let f = file { fclose(f); file = nil }
        if let p = path { unlink(p); path = nil }
    }
}
