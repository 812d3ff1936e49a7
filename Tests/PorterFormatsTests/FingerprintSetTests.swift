import Foundation
import Testing
import PorterJSON
@testable import PorterFormats

/// FingerprintSet against Swift's Set: the same answer for every insert, in memory, across the
/// spills to sorted runs and their merges; nothing left in the temporary directory.
@Suite struct FingerprintSetTests {
    /// A fixed-seed generator (SplitMix64): the same inputs every run.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E3779B97F4A7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
            z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
            return z ^ (z >> 31)
        }
    }

    func leftovers() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())) ?? []).filter { $0.hasPrefix("porter-fingerprints-") }
    }

    @Test(arguments: [64, 1000, 5000])
    func sameAnswersAsSet(memoryLimit: Int) {
        var rng = SplitMix(state: UInt64(memoryLimit))
        let set = FingerprintSet(memoryLimit: memoryLimit)
        var reference = Set<UInt64>()
        var issued: [UInt64] = []
        var disagreements = 0
        // 300,000 inserts: a third repeat an earlier value; edge values 0, 1 and UInt64.max.
        for i in 0..<300_000 {
            let v: UInt64
            switch i % 3 {
            case 0 where !issued.isEmpty: v = issued[Int(rng.next() % UInt64(issued.count))]
            default:
                switch rng.next() % 1000 {
                case 0: v = 0
                case 1: v = 1
                case 2: v = .max
                default: v = rng.next() & (i % 2 == 0 ? 0xFFFF_FFFF : .max)  // low bits alike too
                }
            }
            issued.append(v)
            let expected = reference.insert(v).inserted
            if set.insert(v) != expected { disagreements += 1 }
        }
        #expect(disagreements == 0)
        #expect(set.count == reference.count)
        #expect(set.isOnDisk == (reference.count > memoryLimit))
        // Merged as they come: runs at least halve in size, so there are few.
        let bound = Int(log2(Double(max(1, reference.count / memoryLimit)))) + 1
        #expect(set.runs.count <= bound, "\(set.runs.map(\.count))")
    }

    @Test func inMemoryWhenNoFileCanBeMade() {
        // A set that cannot spill (no such directory) stays in memory and still answers.
        let set = FingerprintSet(memoryLimit: 2, directory: "/nonexistent-porter-directory")
        for v in 1...10 as ClosedRange<UInt64> { #expect(set.insert(v)) }
        for v in 1...10 as ClosedRange<UInt64> { #expect(!set.insert(v)) }
        #expect(!set.isOnDisk && set.count == 10)
    }

    @Test func nothingLeftInTheTemporaryDirectory() {
        let before = Set(leftovers())
        do {
            let set = FingerprintSet(memoryLimit: 10)
            for v in 1...1000 as ClosedRange<UInt64> { _ = set.insert(v &* 0x9E3779B97F4A7C15) }
            #expect(set.isOnDisk)
            #expect(Set(leftovers()).subtracting(before).isEmpty)  // unlinked as soon as created
        }
    }

    /// The validator's duplicates past the move to files, in file order, as in memory.
    @Test func validatorFindsDuplicatesPastTheSpill() {
        var small = ImportValidator(memoryLimit: 50)
        var large = ImportValidator()
        var found: [Int] = []
        var foundLarge: [Int] = []
        var expected: [Int] = []
        var emails = Set<String>(), ids = Set<String>()
        for i in 0..<2000 {
            // Every 7th user repeats the email of an earlier one (case changed); every 11th its user_id.
            let email = i % 7 == 6 ? "User\(i / 2)@Example.COM" : "user\(i)@example.com"
            let id = i % 11 == 10 ? "id\(i / 3)" : "id\(i)"
            let user: JSON = ["email": .string(email), "user_id": .string(id)]
            let newEmail = emails.insert(email.lowercased()).inserted, newID = ids.insert(id).inserted
            if !newEmail || !newID { expected.append(i) }
            if small.validate(user, index: i).contains(where: { $0.code == "DUPLICATED_USER" }) { found.append(i) }
            if large.validate(user, index: i).contains(where: { $0.code == "DUPLICATED_USER" }) { foundLarge.append(i) }
        }
        #expect(small.seenEmails.isOnDisk && small.seenIDs.isOnDisk)
        #expect(!large.seenEmails.isOnDisk)
        #expect(found.count > 200)
        #expect(found == expected)
        #expect(foundLarge == expected)
    }
}
