#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A set of 64-bit fingerprints whose memory does not grow with its size: in memory up to
/// `memoryLimit` entries, past it an open-addressing hash table in a temporary file (unlinked
/// at once, so nothing is left behind however porter ends), read and written a 64-byte block
/// at a time. The file's pages live in the kernel's page cache, which the kernel may evict;
/// the process holds one block. If the file cannot be written (a full disk), the set goes back
/// to memory rather than forget a fingerprint.
public final class FingerprintSet {
    public let memoryLimit: Int
    /// Where the file goes (the temporary directory unless told).
    let directory: String
    var memory = Set<UInt64>()
    var disk: DiskTable?
    /// No file could be made or written: memory it is, from then on.
    var inMemoryOnly = false

    /// `memoryLimit` entries in memory (at 8 bytes each, plus the hash table's slack).
    public init(memoryLimit: Int = 1 << 18, directory: String? = nil) {
        self.memoryLimit = max(1, memoryLimit)
        self.directory = directory ?? NSTemporaryDirectory()
    }

    public var count: Int { disk?.count ?? memory.count }

    /// Whether the table has moved to its file.
    public var isOnDisk: Bool { disk != nil }

    /// Inserts `fingerprint`; false if it was already there.
    public func insert(_ fingerprint: UInt64) -> Bool {
        // 0 marks an empty slot in the file.
        let h = fingerprint == 0 ? 1 : fingerprint
        if let d = disk {
            if let fresh = try? d.insert(h) { return fresh }
            fallBack()
            return memory.insert(h).inserted
        }
        let fresh = memory.insert(h).inserted
        if fresh && memory.count > memoryLimit && !inMemoryOnly { spill() }
        return fresh
    }

    func spill() {
        guard let d = try? DiskTable(directory: directory, capacity: DiskTable.capacity(for: memory.count * 4)) else { inMemoryOnly = true; return }
        do {
            for h in memory { _ = try d.insert(h) }
        } catch { inMemoryOnly = true; return }
        disk = d
        memory = Set()
    }

    func fallBack() {
        guard let d = disk else { return }
        disk = nil
        inMemoryOnly = true
        memory = Set(minimumCapacity: d.count)
        d.forEach { memory.insert($0) }
    }

    /// Linear probing over slots of 8 bytes, kept at most half full (a probe rarely leaves its
    /// block of eight); doubled by reading the old file in order into a new one.
    final class DiskTable {
        static let blockSlots = 8
        var file: File
        private(set) var count = 0

        static func capacity(for entries: Int) -> Int {
            var c = 1 << 16
            while c < entries * 2 { c <<= 1 }
            return c
        }

        struct IOError: Error {}

        /// One sparse, unlinked file of `capacity` slots (its holes read as zeros: empty slots).
        final class File {
            let fd: Int32
            let capacity: Int
            let directory: String
            var block = [UInt64](repeating: 0, count: DiskTable.blockSlots)

            init(directory: String, capacity: Int) throws {
                var template = Array((directory + "/porter-fingerprints-XXXXXX").utf8CString)
                let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
                guard fd >= 0 else { throw IOError() }
                _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
                guard ftruncate(fd, off_t(capacity * 8)) == 0 else { close(fd); throw IOError() }
                self.fd = fd
                self.capacity = capacity
                self.directory = directory
            }

            deinit { close(fd) }

            /// Inserts `h` (not 0); false if it was there.
            func insert(_ h: UInt64) throws -> Bool {
                let mask = capacity - 1
                var slot = Int(truncatingIfNeeded: h) & mask
                while true {
                    let start = slot & ~(DiskTable.blockSlots - 1)
                    let n = block.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(start * 8)) }
                    guard n == 8 * DiskTable.blockSlots else { throw IOError() }
                    for i in (slot - start)..<DiskTable.blockSlots {
                        let v = block[i]
                        if v == h { return false }
                        if v == 0 {
                            var value = h
                            guard pwrite(fd, &value, 8, off_t((start + i) * 8)) == 8 else { throw IOError() }
                            return true
                        }
                    }
                    slot = (start + DiskTable.blockSlots) & mask
                }
            }

            /// Calls `body` with every fingerprint, in file order.
            func forEach(_ body: (UInt64) throws -> Void) throws {
                var chunk = [UInt64](repeating: 0, count: 1 << 16)
                var offset = 0
                while offset < capacity {
                    let want = min(chunk.count, capacity - offset)
                    let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want * 8, off_t(offset * 8)) }
                    guard n == want * 8 else { throw IOError() }
                    for i in 0..<want where chunk[i] != 0 { try body(chunk[i]) }
                    offset += want
                }
            }
        }

        init(directory: String, capacity: Int) throws {
            file = try File(directory: directory, capacity: capacity)
        }

        func insert(_ h: UInt64) throws -> Bool {
            if (count + 1) * 2 > file.capacity {
                let bigger = try File(directory: file.directory, capacity: file.capacity * 2)
                try file.forEach { _ = try bigger.insert($0) }
                file = bigger
            }
            let fresh = try file.insert(h)
            if fresh { count += 1 }
            return fresh
        }

        func forEach(_ body: (UInt64) -> Void) { try? file.forEach(body) }
    }
}
