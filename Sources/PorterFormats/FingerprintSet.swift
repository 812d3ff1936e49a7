#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A set of 64-bit fingerprints whose memory does not grow with its size: the newest
/// `memoryLimit` in memory, the older ones in sorted runs in temporary files (unlinked at
/// once, so nothing is left behind however porter ends), with a fixed-size Bloom filter in
/// front of them so that a new fingerprint (nearly every one) costs no read. A run is searched
/// by a sparse index (one fingerprint every 4 KB block) and one block read; runs are merged as
/// they come so that there are few. If a file cannot be written (a full disk), the set goes
/// back to memory rather than forget a fingerprint.
public final class FingerprintSet {
    public let memoryLimit: Int
    /// Where the files go (the temporary directory unless told).
    let directory: String
    var recent = Set<UInt64>()
    var runs: [Run] = []
    var filter: BloomFilter?
    /// No file could be made or written: memory it is, from then on.
    var inMemoryOnly = false

    /// `memoryLimit` fingerprints in memory (8 bytes each, plus the hash table's slack); past
    /// the first spill, an 8 MB filter too.
    public init(memoryLimit: Int = 1 << 18, directory: String? = nil) {
        self.memoryLimit = max(1, memoryLimit)
        self.directory = directory ?? NSTemporaryDirectory()
    }

    public var count: Int { recent.count + runs.reduce(0) { $0 + $1.count } }

    /// Whether some fingerprints have moved to files.
    public var isOnDisk: Bool { !runs.isEmpty }

    /// Inserts `fingerprint`; false if it was already there.
    public func insert(_ fingerprint: UInt64) -> Bool {
        if recent.contains(fingerprint) { return false }
        if let filter, filter.mayContain(fingerprint) {
            do {
                for run in runs where try run.contains(fingerprint) { return false }
            } catch {
                fallBack()
                return recent.insert(fingerprint).inserted
            }
        }
        recent.insert(fingerprint)
        if recent.count > memoryLimit && !inMemoryOnly { spill() }
        return true
    }

    func spill() {
        do {
            let run = try Run(directory: directory, sorted: recent.sorted())
            if filter == nil { filter = BloomFilter() }
            for h in recent { filter?.add(h) }
            runs.append(run)
            recent = Set(minimumCapacity: memoryLimit)
            // Runs at least halve in size from the oldest: a new run merges into its elder
            // while that one is less than twice its size (at most log2(count / memoryLimit) + 1 runs).
            while runs.count >= 2, runs[runs.count - 2].count < 2 * runs[runs.count - 1].count {
                let newer = runs.removeLast(), older = runs.removeLast()
                runs.append(try Run(directory: directory, merging: older, newer))
            }
        } catch {
            fallBack()
        }
    }

    func fallBack() {
        inMemoryOnly = true
        for run in runs { try? run.forEach { recent.insert($0) } }
        runs = []
        filter = nil
    }

    /// A fixed 2^26-bit filter, three probes taken from the fingerprint's own bits (it is a hash).
    struct BloomFilter {
        static let bits = 1 << 26
        var words = [UInt64](repeating: 0, count: BloomFilter.bits / 64)

        static func probes(_ h: UInt64) -> (Int, Int, Int) {
            let m = UInt64(bits - 1)
            let g = h &* 0x9E3779B97F4A7C15
            return (Int(h & m), Int((h >> 26) & m), Int((g >> 38) & m))
        }

        mutating func add(_ h: UInt64) {
            let (a, b, c) = Self.probes(h)
            words[a >> 6] |= 1 << UInt64(a & 63)
            words[b >> 6] |= 1 << UInt64(b & 63)
            words[c >> 6] |= 1 << UInt64(c & 63)
        }

        func mayContain(_ h: UInt64) -> Bool {
            let (a, b, c) = Self.probes(h)
            return words[a >> 6] & (1 << UInt64(a & 63)) != 0 && words[b >> 6] & (1 << UInt64(b & 63)) != 0
                && words[c >> 6] & (1 << UInt64(c & 63)) != 0
        }
    }

    struct IOError: Error {}

    /// Sorted fingerprints in an unlinked file, with the first of every block in memory.
    final class Run {
        static let blockSlots = 512
        let fd: Int32
        let count: Int
        var firsts: [UInt64] = []
        var block = [UInt64](repeating: 0, count: Run.blockSlots)

        static func open(_ directory: String) throws -> Int32 {
            var template = Array((directory + "/porter-fingerprints-XXXXXX").utf8CString)
            let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard fd >= 0 else { throw IOError() }
            _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
            return fd
        }

        /// Writes what `produce` emits (ascending fingerprints) in 512 KB writes.
        init(directory: String, produce: ((UInt64) throws -> Void) throws -> Void) throws {
            let file = try Self.open(directory)
            var buffer: [UInt64] = []
            buffer.reserveCapacity(1 << 16)
            var n = 0
            var firsts: [UInt64] = []
            func drain() throws {
                let bytes = buffer.count * 8
                let written = buffer.withUnsafeBytes { write(file, $0.baseAddress, bytes) }
                guard written == bytes else { throw IOError() }
                buffer.removeAll(keepingCapacity: true)
            }
            do {
                try produce { h in
                    if n % Self.blockSlots == 0 { firsts.append(h) }
                    buffer.append(h)
                    n += 1
                    if buffer.count == 1 << 16 { try drain() }
                }
                try drain()
            } catch {
                close(file)
                throw error
            }
            fd = file
            count = n
            self.firsts = firsts
        }

        convenience init(directory: String, sorted: [UInt64]) throws {
            try self.init(directory: directory) { emit in for h in sorted { try emit(h) } }
        }

        /// One run of every fingerprint of `a` and `b` (disjoint), merged in order.
        convenience init(directory: String, merging a: Run, _ b: Run) throws {
            try self.init(directory: directory) { emit in
                var (ra, rb) = (Reader(a), Reader(b))
                var (x, y) = (try ra.next(), try rb.next())
                while let u = x ?? y {
                    if let v = y, x == nil || v < u {
                        try emit(v)
                        y = try rb.next()
                    } else {
                        try emit(u)
                        x = try ra.next()
                    }
                }
            }
        }

        deinit { close(fd) }

        func contains(_ h: UInt64) throws -> Bool {
            // The last block whose first fingerprint is ≤ h.
            var lo = 0, hi = firsts.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if firsts[mid] <= h { lo = mid + 1 } else { hi = mid }
            }
            guard lo > 0 else { return false }
            let start = (lo - 1) * Self.blockSlots
            let n = min(Self.blockSlots, count - start)
            let got = block.withUnsafeMutableBytes { pread(fd, $0.baseAddress, n * 8, off_t(start * 8)) }
            guard got == n * 8 else { throw IOError() }
            var l = 0, r = n
            while l < r {
                let mid = (l + r) / 2
                if block[mid] < h { l = mid + 1 } else { r = mid }
            }
            return l < n && block[l] == h
        }

        func forEach(_ body: (UInt64) -> Void) throws {
            var reader = Reader(self)
            while let h = try reader.next() { body(h) }
        }

        /// The run in order, 512 KB at a time.
        struct Reader {
            let run: Run
            var chunk = [UInt64](repeating: 0, count: 1 << 16)
            var position = 0
            var filled = 0
            var offset = 0

            init(_ run: Run) { self.run = run }

            mutating func next() throws -> UInt64? {
                if position == filled {
                    let want = min(chunk.count, run.count - offset)
                    guard want > 0 else { return nil }
                    let (fd, at) = (run.fd, off_t(offset * 8))
                    let got = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want * 8, at) }
                    guard got == want * 8 else { throw IOError() }
                    offset += want
                    filled = want
                    position = 0
                }
                position += 1
                return chunk[position - 1]
            }
        }
    }
}
