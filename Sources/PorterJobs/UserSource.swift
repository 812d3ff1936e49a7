import Foundation
import PorterFormats
import PorterJSON
import PorterQuery
import PorterTenant

/// Every user a query selects, in sort order, with no cap, from any tenant. The local tenant
/// runs the query in SQL. A remote tenant pages through its search API when the answer fits
/// the API's 1,000-result window; past it, an export job fetches the connection's users,
/// the query engine filters them here and an external merge sort orders them.
public struct UserSource {
    public var tenant: any Tenant
    public var query: Query
    public var connectionName: String?
    public var sort: SortSpec?
    /// Profiles also carry password hashes where the tenant has them (the `import` format).
    public var includeHashes = false
    /// Where downloads and sort runs go (deleted at the end).
    public var scratchDirectory = NSTemporaryDirectory()
    /// Bytes of rows held in memory before a sorted run is written to disk.
    public var sortMemoryBudget = 64 << 20
    public var isCancelled: () -> Bool = { false }
    /// Told what a long step is doing (export job status, download).
    public var onStatus: (String) -> Void = { _ in }

    public init(tenant: any Tenant, query: Query, connectionName: String?, sort: SortSpec?) {
        self.tenant = tenant
        self.query = query
        self.connectionName = connectionName
        self.sort = sort
    }

    /// The search API's window: no page beyond the first 1,000 results.
    public static let searchWindow = 1000
    /// Root attributes an export job asks for: everything a column or the query may read.
    public static let exportFields = ["user_id", "email", "email_verified", "username", "phone_number", "phone_verified", "given_name", "family_name",
                                      "name", "nickname", "picture", "identities", "created_at", "updated_at", "last_login", "last_ip",
                                      "logins_count", "blocked", "app_metadata", "user_metadata"]

    public func forEach(_ body: (JSON) throws -> Void) throws {
        if let local = tenant as? LocalTenant {
            try local.forEachUser(query: query, connectionName: connectionName, sort: sort, includeHashes: includeHashes, body)
            return
        }
        let total = try tenant.count(query: query, connectionName: connectionName)
        if total <= Self.searchWindow {
            try page(total: total, body)
        } else {
            try exportJob(query, body)
        }
    }

    /// Every selected user as compact JSON text (what `JSONWriter` writes), for callers that
    /// read a few attributes of each with `JSONProjection`: a remote export job's lines go
    /// through unparsed, the query reading only the attributes it needs (`TextQueryMatcher`).
    /// False, having called nothing, where users come only parsed (the local tenant, which has
    /// its own text path, and sorted exports, which sort parsed users).
    public func forEachText(_ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        if tenant is LocalTenant || sort != nil { return false }
        // Whether the answer fits the search window, without counting it (a count reads every
        // match): the window's last page is full only when it may not.
        let perPage = 100
        let last = try tenant.search(SearchRequest(query: query, connectionName: connectionName, page: Self.searchWindow / perPage - 1, perPage: perPage))
        if last.users.count < perPage {
            try page(total: Self.searchWindow) { user in try Array(user.serialized().utf8).withUnsafeBytes { try body($0) } }
            return true
        }
        let reader = try downloadExport()
        defer { unlink(reader.path) }
        var matcher = TextQueryMatcher(query)
        var n = 0
        while try reader.stream.nextLineText({ text in
            n += 1
            if n & 1023 == 0 && isCancelled() { throw Cancelled() }
            if try matcher.matches(text) { try body(text) }
        }) {}
        return true
    }

    func page(total: Int, _ body: (JSON) throws -> Void) throws {
        var seen = 0, page = 0
        while seen < total {
            if isCancelled() { throw Cancelled() }
            let result = try tenant.search(SearchRequest(query: query, connectionName: connectionName, sort: sort, page: page, perPage: 100))
            if result.users.isEmpty { break }
            for u in result.users { try body(u) }
            seen += result.users.count
            page += 1
        }
    }

    func exportJob(_ parsed: Query, _ body: (JSON) throws -> Void) throws {
        let download = try downloadExport()
        defer { unlink(download.path) }
        let reader = download.stream
        var sorter = sort.map { ExternalSorter(sort: $0, directory: scratchDirectory, memoryBudget: sortMemoryBudget) }
        defer { sorter?.removeRuns() }
        var n = 0
        while let e = try reader.next() {
            n += 1
            if n & 1023 == 0 && isCancelled() { throw Cancelled() }
            guard parsed.matches(user: e.value) else { continue }
            if sorter != nil { try sorter!.add(e.value) } else { try body(e.value) }
        }
        try sorter?.finish(isCancelled: isCancelled, body)
    }

    /// Runs an export job of the connection's users (every attribute a column or the query may
    /// read), waits for it, downloads its file and opens it, gunzipped as it is read: the plain
    /// NDJSON never lands on disk. The caller unlinks `path`.
    func downloadExport() throws -> (path: String, stream: JSONStreamReader) {
        let connectionID = try connectionName.map { try tenant.connection(named: $0).id }
        var job = try tenant.startExport(ExportJobRequest(connectionID: connectionID, format: "json", fields: Self.exportFields.map { .init(name: $0) }))
        onStatus("export job \(job.id) \(job.status)")
        var wait = 0.5
        while job.status != "completed" {
            if job.status == "failed" { throw TenantError("export job \(job.id) failed: \(job.statusDetails ?? "no details")", status: 500) }
            try Cancelled.wait(wait, isCancelled: isCancelled)
            // At most 2 s between polls: one job, well inside Auth0's rate limits, and a finished
            // export is seen soon after it ends.
            wait = min(wait * 1.5, 2)
            job = try tenant.job(id: job.id)
            onStatus("export job \(job.id) \(job.status) \(job.percentageDone)%")
        }
        guard let location = job.location else { throw TenantError("export job \(job.id) completed without a file location", status: 502) }
        let gz = scratchDirectory + "/porter-export-\(job.id)-\(getpid()).json.gz"
        onStatus("downloading the export of job \(job.id)")
        do {
            try tenant.download(location: location, to: gz)
            return (gz, JSONStreamReader(source: try GunzipSource(path: gz), name: "the export of job \(job.id)", layout: .ndjson))
        } catch {
            unlink(gz)
            throw error
        }
    }
}

/// Orders users by one root attribute as the local tenant's SQL does (SQLite's order: null,
/// then numbers and booleans, then text by bytes; ties keep arrival order), in sorted runs of
/// at most `memoryBudget` bytes on disk merged at the end: memory stays bounded.
public struct ExternalSorter {
    /// The sort attribute's path, worked out once.
    let steps: [JSONPathStep]
    let descending: Bool
    let directory: String
    let memoryBudget: Int
    var rows: [(key: JSON?, seq: Int, user: JSON)] = []
    var bytes = 0
    var seq = 0
    public private(set) var runs: [String] = []

    public init(sort: SortSpec, directory: String, memoryBudget: Int) {
        steps = FieldPath.steps(sort.attribute)
        self.descending = !sort.ascending
        self.directory = directory
        self.memoryBudget = memoryBudget
    }

    public mutating func add(_ user: JSON) throws {
        let key = FieldPath.value(user, steps: steps)
        rows.append((key, seq, user))
        seq += 1
        bytes += 64 + Self.estimate(user)
        if bytes >= memoryBudget { try spill() }
    }

    static func estimate(_ v: JSON) -> Int {
        switch v {
        case .string(let s): return 16 + s.utf8.count
        case .array(let a): return a.reduce(16) { $0 + estimate($1) }
        case .object(let o): return o.reduce(16) { $0 + 16 + $1.0.utf8.count + estimate($1.1) }
        default: return 16
        }
    }

    /// Sort order; ties keep arrival order.
    static func precedes(_ a: (key: JSON?, seq: Int), _ b: (key: JSON?, seq: Int), descending: Bool) -> Bool {
        let c = compare(a.key, b.key)
        if c != 0 { return descending ? c > 0 : c < 0 }
        return a.seq < b.seq
    }

    mutating func sortRows() {
        let descending = descending
        rows.sort { Self.precedes(($0.key, $0.seq), ($1.key, $1.seq), descending: descending) }
    }

    mutating func spill() throws {
        sortRows()
        let path = directory + "/porter-sort-\(getpid())-\(UUID().uuidString).ndjson"
        let writer = try TableWriter(path: path, format: .ndjson, columns: [], force: true)
        for r in rows { try writer.writeObject(["s": .int(Int64(r.seq)), "u": r.user]) }
        try writer.finish()
        runs.append(path)
        rows.removeAll(keepingCapacity: true)
        bytes = 0
    }

    public func removeRuns() { for r in runs { unlink(r) } }

    /// Hands every row over in order.
    public mutating func finish(isCancelled: () -> Bool = { false }, _ body: (JSON) throws -> Void) throws {
        if runs.isEmpty {
            sortRows()
            for r in rows { try body(r.user) }
            return
        }
        if !rows.isEmpty { try spill() }
        let readers = try runs.map { try JSONStreamReader(path: $0, layout: .ndjson) }
        var heads: [(key: JSON?, seq: Int, user: JSON)?] = try readers.map { try Self.head($0, steps) }
        var n = 0
        while true {
            var best = -1
            for (i, h) in heads.enumerated() {
                guard let h else { continue }
                if best < 0 || Self.precedes((h.key, h.seq), (heads[best]!.key, heads[best]!.seq), descending: descending) { best = i }
            }
            if best < 0 { break }
            try body(heads[best]!.user)
            heads[best] = try Self.head(readers[best], steps)
            n += 1
            if n & 1023 == 0 && isCancelled() { throw Cancelled() }
        }
    }

    static func head(_ r: JSONStreamReader, _ steps: [JSONPathStep]) throws -> (key: JSON?, seq: Int, user: JSON)? {
        guard let e = try r.next(), let user = e.value["u"] else { return nil }
        return (FieldPath.value(user, steps: steps), Int(e.value["s"]?.intValue ?? 0), user)
    }

    /// SQLite's order of the values `json_extract` gives.
    public static func compare(_ a: JSON?, _ b: JSON?) -> Int {
        func rank(_ v: JSON?) -> Int {
            switch v {
            case nil, .null?: return 0
            case .bool?, .int?, .double?: return 1
            default: return 2
            }
        }
        let ra = rank(a), rb = rank(b)
        if ra != rb { return ra < rb ? -1 : 1 }
        switch ra {
        case 0: return 0
        case 1:
            let x = number(a!), y = number(b!)
            return x < y ? -1 : (x > y ? 1 : 0)
        default: return Text.compare(text(a!), text(b!))
        }
    }

    static func number(_ v: JSON) -> Double {
        switch v {
        case .bool(let b): return b ? 1 : 0
        default: return v.doubleValue ?? 0
        }
    }

    static func text(_ v: JSON) -> String {
        if case .string(let s) = v { return s }
        return v.serialized()
    }
}
