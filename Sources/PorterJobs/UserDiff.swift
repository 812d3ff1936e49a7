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
    /// Bytes of users each side holds in memory before a sorted run goes to disk.
    public var memoryBudget = 32 << 20
    public var isCancelled: () -> Bool = { false }
    /// Users read so far, both sides together (every 1,024).
    public var progress: ((Int) -> Void)?

    public init(key: DiffKey = .email) { self.key = key }

    public func run(source: DiffSide, tenant: DiffSide, report: @escaping (UserDifference) throws -> Void) throws -> DiffSummary {
        let started = Date()
        let merge = Merge(key: key, report: report, isCancelled: isCancelled, progress: progress)
        // At most one side streams straight into the merge; the others are sorted first.
        let tenantStreams = tenant.inKeyOrder
        let sourceStreams = !tenantStreams && source.inKeyOrder
        var sorters: [KeySorter] = []
        defer { for s in sorters { s.removeRuns() } }
        func sorted(_ side: DiffSide, _ which: UserDifference.Side) throws -> KeySortedUsers {
            let sorter = KeySorter(directory: scratchDirectory, memoryBudget: memoryBudget)
            sorters.append(sorter)
            if let forEachText = side.forEachText {
                var reader = DiffKeyReader(key)
                try forEachText { text in
                    if let k = try merge.keyed(text: text, reader: &reader, which) { try sorter.add(key: k, text: text) }
                }
            } else {
                try side.forEach { user in
                    if let k = try merge.keyed(user, which) { try sorter.add(key: k, user: user) }
                }
            }
            return try sorter.sorted()
        }
        let sourceSorted = sourceStreams ? nil : try sorted(source, .source)
        let tenantSorted = tenantStreams ? nil : try sorted(tenant, .tenant)
        if let sourceSorted, let tenantSorted {
            merge.start(driver: .tenant, driverName: tenant.name, other: sourceSorted)
            while let (k, u) = try tenantSorted.next() { try merge.take(k, u) }
        } else {
            let (driver, which, other) = tenantStreams ? (tenant, UserDifference.Side.tenant, sourceSorted!) : (source, .source, tenantSorted!)
            merge.start(driver: which, driverName: driver.name, other: other)
            try driver.forEach { user in
                if let k = try merge.keyed(user, which) { try merge.take(k, user) }
            }
        }
        try merge.finish()
        var summary = merge.summary
        summary.runs = sorters.reduce(0) { $0 + $1.runs.count }
        summary.seconds = Date().timeIntervalSince(started)
        return summary
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
    let progress: ((Int) -> Void)?
    var summary = DiffSummary()
    var read = 0
    var driver: UserDifference.Side = .tenant
    var driverName = ""
    var other: KeySortedUsers?
    var otherHead: (key: [UInt8], user: JSON)?
    var current: Group?

    init(key: DiffKey, report: @escaping (UserDifference) throws -> Void, isCancelled: @escaping () -> Bool, progress: ((Int) -> Void)?) {
        self.key = key
        self.report = report
        self.isCancelled = isCancelled
        self.progress = progress
    }

    /// Counts a user read from a side and gives its key; a user without one is reported here.
    func keyed(_ user: JSON, _ side: UserDifference.Side) throws -> [UInt8]? {
        let position = try count(side)
        if let k = key.of(user) { return k }
        try unkeyed(user, side, position)
        return nil
    }

    /// The same for a user given as JSON text.
    func keyed(text: UnsafeRawBufferPointer, reader: inout DiffKeyReader, _ side: UserDifference.Side) throws -> [UInt8]? {
        let position = try count(side)
        if let k = try reader.of(text: text) { return k }
        try unkeyed(try JSON.parse(buffer: text), side, position)
        return nil
    }

    func count(_ side: UserDifference.Side) throws -> Int {
        read += 1
        if read & 1023 == 0 {
            if isCancelled() { throw Cancelled() }
            progress?(read)
        }
        if side == .source { summary.sourceUsers += 1; return summary.sourceUsers }
        summary.tenantUsers += 1
        return summary.tenantUsers
    }

    func unkeyed(_ user: JSON, _ side: UserDifference.Side, _ position: Int) throws {
        summary.unkeyed += 1
        try report(UserDifference(kind: .unkeyed, key: "", side: side, count: position,
                                  note: "no \(key.rawValue)" + (user["email"]?.stringValue.map { " (email \($0))" } ?? user["user_id"]?.stringValue.map { " (user_id \($0))" } ?? "")))
    }

    func start(driver: UserDifference.Side, driverName: String, other: KeySortedUsers) {
        self.driver = driver
        self.driverName = driverName
        self.other = other
        otherHead = nil
    }

    var otherSide: UserDifference.Side { driver == .tenant ? .source : .tenant }

    func take(_ k: [UInt8], _ user: JSON) throws {
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
        if otherHead == nil, let o = other { otherHead = try o.next() }
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
