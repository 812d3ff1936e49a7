#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import PorterJSON
import PorterTenant

/// Users ordered by a diff key (bytes; ties keep arrival order), held as their compact JSON
/// text: in memory up to `memoryBudget` bytes, past it in sorted run files merged at the end,
/// so memory stays flat however many users there are.
public final class KeySorter {
    struct Record {
        var key: [UInt8]
        var seq: Int
        var text: [UInt8]
    }
    let directory: String
    let memoryBudget: Int
    var records: [Record] = []
    var bytes = 0
    var seq = 0
    public private(set) var runs: [String] = []
    var scratch: [UInt8] = []

    public init(directory: String, memoryBudget: Int) {
        self.directory = directory
        self.memoryBudget = max(memoryBudget, 1)
    }

    deinit { removeRuns() }

    public var count: Int { seq }

    public func add(key: [UInt8], user: JSON) throws {
        scratch.removeAll(keepingCapacity: true)
        JSONWriter.write(user, into: &scratch)
        records.append(Record(key: key, seq: seq, text: scratch))
        seq += 1
        bytes += 96 + key.count + scratch.count
        if bytes >= memoryBudget { try spill() }
    }

    /// A user given as its compact JSON text (copied).
    public func add(key: [UInt8], text: UnsafeRawBufferPointer) throws {
        let bytes = Array(text.assumingMemoryBound(to: UInt8.self))
        records.append(Record(key: key, seq: seq, text: bytes))
        seq += 1
        self.bytes += 96 + key.count + bytes.count
        if self.bytes >= memoryBudget { try spill() }
    }

    func sortRecords() {
        records.sort { a, b in
            let c = DiffKey.compare(a.key, b.key)
            return c != 0 ? c < 0 : a.seq < b.seq
        }
    }

    func spill() throws {
        sortRecords()
        let path = directory + "/porter-diff-\(getpid())-\(UUID().uuidString).run"
        guard let f = fopen(path, "wb") else { throw TenantError("cannot write a sort run in \(directory): \(String(cString: strerror(errno)))", status: 500) }
        runs.append(path)
        var ok = true
        var header = [UInt8](repeating: 0, count: 8)
        for r in records where ok {
            Self.put(UInt32(r.key.count), &header, at: 0)
            Self.put(UInt32(r.text.count), &header, at: 4)
            ok = fwrite(header, 1, 8, f) == 8 && fwrite(r.key, 1, r.key.count, f) == r.key.count && fwrite(r.text, 1, r.text.count, f) == r.text.count
        }
        if fclose(f) != 0 { ok = false }
        guard ok else { throw TenantError("cannot write a sort run in \(directory) (disk full?)", status: 500) }
        records.removeAll(keepingCapacity: false)
        bytes = 0
    }

    static func put(_ v: UInt32, _ b: inout [UInt8], at i: Int) {
        b[i] = UInt8(v & 0xFF); b[i + 1] = UInt8((v >> 8) & 0xFF); b[i + 2] = UInt8((v >> 16) & 0xFF); b[i + 3] = UInt8(v >> 24)
    }

    public func removeRuns() {
        for r in runs { unlink(r) }
        runs.removeAll()
    }

    /// The users in key order; the sorter takes no more users after this.
    public func sorted() throws -> KeySortedUsers {
        if runs.isEmpty {
            sortRecords()
            let all = records
            records = []
            return KeySortedUsers(memory: all)
        }
        if !records.isEmpty { try spill() }
        return try KeySortedUsers(runs: runs)
    }
}

/// A pull iterator over users in key order: from memory, or merging run files with a heap.
public final class KeySortedUsers {
    var memory: [KeySorter.Record] = []
    var position = 0
    var readers: [RunReader] = []
    /// Run indexes ordered as a binary min-heap by (head key, run index).
    var heap: [Int] = []
    var heads: [(key: [UInt8], text: [UInt8])?] = []

    init(memory: [KeySorter.Record]) { self.memory = memory }

    init(runs: [String]) throws {
        readers = try runs.map { try RunReader(path: $0) }
        heads = try readers.map { try $0.next() }
        for i in heads.indices where heads[i] != nil { push(i) }
    }

    public func next() throws -> (key: [UInt8], user: JSON)? {
        if readers.isEmpty {
            guard position < memory.count else { return nil }
            // Each record is handed over once: its text is released as it goes.
            let r = memory[position]
            memory[position].text = []
            position += 1
            return (r.key, try parse(r.text))
        }
        guard let top = heap.first, let head = heads[top] else { return nil }
        heads[top] = try readers[top].next()
        if heads[top] == nil {
            heap[0] = heap[heap.count - 1]
            heap.removeLast()
        }
        if !heap.isEmpty { siftDown(0) }
        return (head.key, try parse(head.text))
    }

    func parse(_ text: [UInt8]) throws -> JSON {
        try text.withUnsafeBytes { try JSON.parse(buffer: $0) }
    }

    func less(_ a: Int, _ b: Int) -> Bool {
        let c = DiffKey.compare(heads[a]!.key, heads[b]!.key)
        return c != 0 ? c < 0 : a < b
    }

    func push(_ i: Int) {
        heap.append(i)
        var c = heap.count - 1
        while c > 0 {
            let p = (c - 1) / 2
            guard less(heap[c], heap[p]) else { break }
            heap.swapAt(c, p)
            c = p
        }
    }

    func siftDown(_ start: Int) {
        var p = start
        while true {
            let l = 2 * p + 1, r = l + 1
            var m = p
            if l < heap.count && less(heap[l], heap[m]) { m = l }
            if r < heap.count && less(heap[r], heap[m]) { m = r }
            if m == p { return }
            heap.swapAt(p, m)
            p = m
        }
    }
}

/// Reads the records of one sort run.
final class RunReader {
    let file: UnsafeMutablePointer<FILE>
    let path: String

    init(path: String) throws {
        guard let f = fopen(path, "rb") else { throw TenantError("cannot read the sort run \(path)", status: 500) }
        file = f
        self.path = path
    }

    deinit { fclose(file) }

    func next() throws -> (key: [UInt8], text: [UInt8])? {
        var header = [UInt8](repeating: 0, count: 8)
        let got = fread(&header, 1, 8, file)
        if got == 0 { return nil }
        guard got == 8 else { throw TenantError("the sort run \(path) is truncated", status: 500) }
        func u32(_ i: Int) -> Int { Int(header[i]) | Int(header[i + 1]) << 8 | Int(header[i + 2]) << 16 | Int(header[i + 3]) << 24 }
        let k = u32(0), t = u32(4)
        var key = [UInt8](repeating: 0, count: k), text = [UInt8](repeating: 0, count: t)
        guard (k == 0 || fread(&key, 1, k, file) == k), (t == 0 || fread(&text, 1, t, file) == t) else {
            throw TenantError("the sort run \(path) is truncated", status: 500)
        }
        return (key, text)
    }
}
