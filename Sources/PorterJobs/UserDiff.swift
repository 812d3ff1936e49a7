import Foundation
import PorterJSON
import PorterTenant

/// Compares a source's users with a tenant's by a sorted merge on a key: each side streams,
/// through a ``KeySorter`` (memory, then sorted runs on disk) unless it already comes in key
/// order, so memory does not grow with the user count. Reports, in key order, users missing
/// from the tenant, users only in the tenant, and users whose importable fields differ (by
/// ``UserComparison``'s rules); a key twice on a side and a user without the key are reported,
/// never merged or dropped.
public struct UserDiff {
    public var key: DiffKey
    /// Where sort runs go (deleted at the end).
    public var scratchDirectory = NSTemporaryDirectory()
    /// Bytes of users held in memory for sorting, both sides together (each side sorts with
    /// half, as both may sort at once) before a sorted run goes to disk.
    public var memoryBudget = 32 << 20
    public var isCancelled: () -> Bool = { false }
    /// Where the diff is: users read, then users compared, both sides together (every 1,024,
    /// on the caller's thread), with the total when it is known.
    public var progress: ((DiffProgress) -> Void)?
    /// Two threads: one side read and sorted while the caller reads the other (when a side
    /// allows it), and the other side's sorted users parsed ahead while comparing.
    public var concurrent = true

    public init(key: DiffKey = .email) { self.key = key }

    public func run(source: DiffSide, tenant: DiffSide, report: @escaping (UserDifference) throws -> Void) throws -> DiffSummary {
        let started = Date()
        let sides = [source, tenant]
        let stop = DiffSideReading.Stop()
        let readings = [DiffSideReading(.source, directory: scratchDirectory, stop: stop), DiffSideReading(.tenant, directory: scratchDirectory, stop: stop)]
        let sorters = sides.map { _ in KeySorter(directory: scratchDirectory, memoryBudget: memoryBudget / 2) }
        var prefetched: PrefetchedUsers?
        defer {
            stop.set()
            prefetched?.stop()
            for s in sorters { s.removeRuns() }
            for r in readings { r.unkeyed.remove() }
        }
        // At most one side streams straight into the merge; the others are sorted first.
        let tenantStreams = tenant.inKeyOrder
        let sourceStreams = !tenantStreams && source.inKeyOrder
        let toSort = [0, 1].filter { $0 == 0 ? !sourceStreams : !tenantStreams }
        // Counts known before reading (a tenant counts through its query) give a total while reading.
        let counted: [Int?] = progress == nil ? [nil, nil] : sides.map { s in s.count.flatMap { try? $0() } }
        let readingTotal = counted[0].flatMap { a in counted[1].map { a + $0 } }
        let progress = progress, isCancelled = isCancelled
        let tick: () throws -> Void = {
            if isCancelled() { throw Cancelled() }
            progress?(DiffProgress(phase: .reading, done: readings.reduce(0) { $0 + $1.users.load(ordering: .relaxed) }, total: readingTotal))
        }
        var sortedUsers: [KeySortedUsers?] = [nil, nil]
        // The tenant side goes to the other thread when it can, else the source.
        if concurrent, toSort.count == 2, let b = [1, 0].first(where: { sides[$0].concurrent }) {
            let f = 1 - b
            readings[f].tick = tick
            let (side, reading, sorter) = (sides[b], readings[b], sorters[b])
            let worker = DiffWorker { try self.sort(side, reading, sorter) }
            do {
                sortedUsers[f] = try sort(sides[f], readings[f], sorters[f])
                while true {
                    if let r = worker.wait(seconds: 0.2) { sortedUsers[b] = try r.get(); break }
                    try tick()
                }
            } catch {
                stop.set()
                _ = worker.wait()
                throw error
            }
        } else {
            for i in toSort {
                readings[i].tick = tick
                sortedUsers[i] = try sort(sides[i], readings[i], sorters[i])
            }
        }
        let merge = Merge(key: key, report: report, isCancelled: isCancelled, progress: progress)
        for i in toSort {
            try readings[i].unkeyed.replay { position, note in try merge.unkeyed(note, readings[i].side, position) }
        }
        if let sourceSorted = sortedUsers[0], let tenantSorted = sortedUsers[1] {
            merge.total = readings.reduce(0) { $0 + $1.users.load(ordering: .relaxed) }
            merge.start(driver: .tenant, driverName: tenant.name, other: otherStream(sourceSorted, &prefetched))
            while let (k, u) = try tenantSorted.next() { try merge.take(k, u) }
        } else {
            let d = tenantStreams ? 1 : 0
            let (driver, reading) = (sides[d], readings[d])
            merge.total = counted[d].map { $0 + readings[1 - d].users.load(ordering: .relaxed) }
            // The streaming side is read during the merge: its reading only checks for a Ctrl-C.
            reading.tick = { if isCancelled() { throw Cancelled() } }
            guard let otherSorted = sortedUsers[1 - d] else { throw TenantError("diff: no side to merge with", status: 500) }
            merge.start(driver: reading.side, driverName: driver.name, other: otherStream(otherSorted, &prefetched))
            try driver.forEach { user in
                let position = try reading.count()
                if let k = key.of(user) { try merge.take(k, user) } else { try merge.unkeyed(Merge.unkeyedNote(user, key), reading.side, position) }
            }
        }
        try merge.finish()
        var summary = merge.summary
        summary.sourceUsers = readings[0].users.load(ordering: .relaxed)
        summary.tenantUsers = readings[1].users.load(ordering: .relaxed)
        summary.runs = sorters.reduce(0) { $0 + $1.runs.count }
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// The other side's sorted users, parsed ahead on another thread when concurrent.
    func otherStream(_ sorted: KeySortedUsers, _ prefetched: inout PrefetchedUsers?) -> () throws -> (key: [UInt8], user: JSON)? {
        guard concurrent else { return { try sorted.next() } }
        let p = PrefetchedUsers(sorted)
        prefetched = p
        return { try p.next() }
    }

    /// Reads one side into its sorter (on either thread: it calls none of the caller's closures).
    func sort(_ side: DiffSide, _ reading: DiffSideReading, _ sorter: KeySorter) throws -> KeySortedUsers {
        if let forEachText = side.forEachText {
            var reader = DiffKeyReader(key)
            try forEachText { text in
                let position = try reading.count()
                if let k = try reader.of(text: text) {
                    try sorter.add(key: k, text: text)
                } else {
                    try reading.unkeyed.add(position: position, note: Merge.unkeyedNote(try JSON.parse(buffer: text), key))
                }
            }
        } else {
            try side.forEach { user in
                let position = try reading.count()
                if let k = key.of(user) {
                    try sorter.add(key: k, user: user)
                } else {
                    try reading.unkeyed.add(position: position, note: Merge.unkeyedNote(user, key))
                }
            }
        }
        return try sorter.sorted()
    }
}

/// The merge's state: the driving side's current key group against the other side's stream.
final class Merge {
    struct Group {
        var key: [UInt8]
        var first: JSON
        var count: Int
    }

    let key: DiffKey
    let report: (UserDifference) throws -> Void
    let isCancelled: () -> Bool
    let progress: ((DiffProgress) -> Void)?
    var summary = DiffSummary()
    var driver: UserDifference.Side = .tenant
    var driverName = ""
    var other: (() throws -> (key: [UInt8], user: JSON)?)?
    var otherHead: (key: [UInt8], user: JSON)?
    var current: Group?

    init(key: DiffKey, report: @escaping (UserDifference) throws -> Void, isCancelled: @escaping () -> Bool, progress: ((DiffProgress) -> Void)?) {
        self.key = key
        self.report = report
        self.isCancelled = isCancelled
        self.progress = progress
    }

    /// Users compared so far and, when known, both sides' users together.
    var compared = 0
    var total: Int?

    func comparedOne() throws {
        compared += 1
        if compared & 1023 == 0 {
            if isCancelled() { throw Cancelled() }
            progress?(DiffProgress(phase: .comparing, done: compared, total: total))
        }
    }

    static func unkeyedNote(_ user: JSON, _ key: DiffKey) -> String {
        "no \(key.rawValue)" + (user["email"]?.stringValue.map { " (email \($0))" } ?? user["user_id"]?.stringValue.map { " (user_id \($0))" } ?? "")
    }

    func unkeyed(_ note: String, _ side: UserDifference.Side, _ position: Int) throws {
        summary.unkeyed += 1
        try report(UserDifference(kind: .unkeyed, key: "", side: side, count: position, note: note))
    }

    func start(driver: UserDifference.Side, driverName: String, other: @escaping () throws -> (key: [UInt8], user: JSON)?) {
        self.driver = driver
        self.driverName = driverName
        self.other = other
        otherHead = nil
    }

    var otherSide: UserDifference.Side { driver == .tenant ? .source : .tenant }

    func take(_ k: [UInt8], _ user: JSON) throws {
        try comparedOne()
        guard let g = current else { current = Group(key: k, first: user, count: 1); return }
        let c = DiffKey.compare(k, g.key)
        if c == 0 { current!.count += 1; return }
        if c < 0 {
            throw TenantError("\(driverName) is not in \(key.rawValue) order ('\(text(k))' after '\(text(g.key))'): cannot diff it as a stream", status: 500)
        }
        try flush(g)
        current = Group(key: k, first: user, count: 1)
    }

    func finish() throws {
        if let g = current { try flush(g) }
        current = nil
        while let og = try nextOtherGroup() { try alone(og, otherSide) }
    }

    func peekOther() throws -> [UInt8]? {
        if otherHead == nil, let o = other {
            otherHead = try o()
            if otherHead != nil { try comparedOne() }
        }
        return otherHead?.key
    }

    func nextOtherGroup() throws -> Group? {
        guard try peekOther() != nil, let head = otherHead else { return nil }
        var g = Group(key: head.key, first: head.user, count: 1)
        otherHead = nil
        while let k = try peekOther(), DiffKey.compare(k, g.key) == 0 {
            g.count += 1
            otherHead = nil
        }
        return g
    }

    func flush(_ g: Group) throws {
        while let k = try peekOther(), DiffKey.compare(k, g.key) < 0 {
            try alone(try nextOtherGroup()!, otherSide)
        }
        if let k = try peekOther(), DiffKey.compare(k, g.key) == 0 {
            let og = try nextOtherGroup()!
            try both(driver == .source ? g : og, driver == .tenant ? g : og)
        } else {
            try alone(g, driver)
        }
    }

    func text(_ k: [UInt8]) -> String { String(decoding: k, as: UTF8.self) }

    func duplicates(_ g: Group, _ side: UserDifference.Side) throws {
        guard g.count > 1 else { return }
        summary.duplicates += 1
        try report(UserDifference(kind: .duplicate, key: text(g.key), side: side, count: g.count,
                                  note: "\(g.count) users share this \(key.rawValue) in the \(side.rawValue); they are not compared"))
    }

    func alone(_ g: Group, _ side: UserDifference.Side) throws {
        try duplicates(g, side)
        if side == .source {
            summary.missing += 1
            try report(UserDifference(kind: .missing, key: text(g.key), side: .source))
        } else {
            summary.extra += 1
            try report(UserDifference(kind: .extra, key: text(g.key), side: .tenant))
        }
    }

    func both(_ s: Group, _ t: Group) throws {
        if s.count > 1 || t.count > 1 {
            try duplicates(s, .source)
            try duplicates(t, .tenant)
            return
        }
        let diffs = UserComparison.differences(source: s.first, tenant: t.first)
        if diffs.isEmpty { summary.identical += 1; return }
        summary.changed += 1
        summary.changedFields += diffs.count
        let k = text(s.key)
        for d in diffs {
            try report(UserDifference(kind: .changed, key: k, field: d.field, source: d.source, tenant: d.tenant, note: d.note))
        }
    }
}
