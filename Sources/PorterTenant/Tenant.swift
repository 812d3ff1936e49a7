import Foundation
import PorterJSON
import PorterQuery

/// Everything the shell and the pipelines do to a tenant. Implemented by ``LocalTenant`` (the
/// embedded SQLite store, the default); an HTTP implementation speaks the same calls to Auth0.
public protocol Tenant: AnyObject {
    /// Shown in the prompt: `local` or the tenant's domain.
    var displayName: String { get }
    func connections(strategy: String?) throws -> [Connection]
    func search(_ request: SearchRequest) throws -> SearchPage
    func count(query: Query, connectionName: String?) throws -> Int
    /// Starts an import of a JSON array or NDJSON file of users in Auth0's import schema.
    func startImport(file: String, options: ImportOptions) throws -> Job
    /// Starts an export job (Auth0's `users-exports`): a gzipped file of every user of a
    /// connection, with the chosen fields, that the completed job's `location` points to.
    func startExport(_ request: ExportJobRequest) throws -> Job
    /// Fetches a completed export's file (gzipped) to `path`.
    func download(location: String, to path: String) throws
    func job(id: String) throws -> Job
    func jobErrors(id: String) throws -> [JobUserError]
    func recentJobs(limit: Int) throws -> [Job]
    func user(id: String) throws -> JSON?
    func users(email: String) throws -> [JSON]
    /// Checks a password against the hash stored for the user with this email.
    func verify(email: String, password: String, connectionName: String?) throws -> PasswordCheck
}

extension Tenant {
    /// The connection of this name; a clear error when there is none.
    public func connection(named name: String) throws -> Connection {
        guard let c = try connections(strategy: nil).first(where: { $0.name == name }) else {
            throw TenantError("no connection named '\(name)'", status: 404)
        }
        return c
    }
}

public struct Connection: Sendable, Equatable {
    public var id: String
    public var name: String
    public var strategy: String
    public init(id: String, name: String, strategy: String) {
        self.id = id
        self.name = name
        self.strategy = strategy
    }
    public var json: JSON { ["id": .string(id), "name": .string(name), "strategy": .string(strategy)] }
}

public struct SearchPage: Sendable {
    public var users: [JSON]
    public var start: Int
    public var limit: Int
    public var total: Int?
    public init(users: [JSON], start: Int, limit: Int, total: Int?) {
        self.users = users
        self.start = start
        self.limit = limit
        self.total = total
    }
}

public struct ImportOptions: Sendable {
    public var connectionID: String
    public var upsert: Bool
    public var externalID: String?
    public var sendCompletionEmail: Bool
    public init(connectionID: String, upsert: Bool = false, externalID: String? = nil, sendCompletionEmail: Bool = true) {
        self.connectionID = connectionID
        self.upsert = upsert
        self.externalID = externalID
        self.sendCompletionEmail = sendCompletionEmail
    }
}

public struct ExportJobRequest: Sendable {
    public struct Field: Sendable, Equatable {
        public var name: String
        public var exportAs: String?
        public init(name: String, exportAs: String? = nil) {
            self.name = name
            self.exportAs = exportAs
        }
    }
    public var connectionID: String?
    /// `json` (NDJSON, as Auth0 means it) or `csv`.
    public var format: String
    public var limit: Int?
    public var fields: [Field]
    public init(connectionID: String?, format: String = "json", limit: Int? = nil, fields: [Field] = []) {
        self.connectionID = connectionID
        self.format = format
        self.limit = limit
        self.fields = fields
    }

    /// The body of `POST /api/v2/jobs/users-exports`.
    public var json: JSON {
        var o: JSONObject = ["format": .string(format)]
        if let connectionID { o["connection_id"] = .string(connectionID) }
        if let limit { o["limit"] = .int(Int64(limit)) }
        if !fields.isEmpty {
            o["fields"] = .array(fields.map { f in
                var e: JSONObject = ["name": .string(f.name)]
                if let a = f.exportAs { e["export_as"] = .string(a) }
                return .object(e)
            })
        }
        return .object(o)
    }

    /// From that body; every field needs a name.
    public init(json o: JSON) throws {
        let fields = try (o["fields"]?.arrayValue ?? []).map { f -> Field in
            guard let name = f["name"]?.stringValue, !name.isEmpty else {
                throw TenantError("Payload validation error: 'Missing required property: name' on property fields", status: 400)
            }
            return Field(name: name, exportAs: f["export_as"]?.stringValue)
        }
        self.init(connectionID: o["connection_id"]?.stringValue, format: o["format"]?.stringValue ?? "json",
                  limit: o["limit"]?.intValue.map(Int.init), fields: fields)
    }
}

public struct JobSummary: Sendable, Equatable {
    public var inserted = 0, updated = 0, failed = 0, total = 0
    public init(inserted: Int = 0, updated: Int = 0, failed: Int = 0, total: Int = 0) {
        self.inserted = inserted
        self.updated = updated
        self.failed = failed
        self.total = total
    }

    /// From Auth0's `summary` object (a missing count is 0).
    public init(json: JSON) {
        func n(_ k: String) -> Int { Int(json[k]?.intValue ?? 0) }
        self.init(inserted: n("inserted"), updated: n("updated"), failed: n("failed"), total: n("total"))
    }

    public var json: JSON {
        ["inserted": .int(Int64(inserted)), "updated": .int(Int64(updated)), "failed": .int(Int64(failed)), "total": .int(Int64(total))]
    }
}

public struct Job: Sendable, Equatable {
    public var id: String
    public var type: String          // users_import | users_export
    public var status: String        // pending | processing | completed | failed
    public var connectionID: String?
    public var createdAt: String
    public var externalID: String?
    public var upsert: Bool
    public var percentageDone: Int
    public var summary: JobSummary?
    public var statusDetails: String?
    /// A completed export's file.
    public var location: String?
    public var format: String?

    public init(id: String, type: String, status: String, connectionID: String?, createdAt: String, externalID: String?, upsert: Bool,
                percentageDone: Int, summary: JobSummary?, statusDetails: String?, location: String? = nil, format: String? = nil) {
        self.id = id
        self.type = type
        self.status = status
        self.connectionID = connectionID
        self.createdAt = createdAt
        self.externalID = externalID
        self.upsert = upsert
        self.percentageDone = percentageDone
        self.summary = summary
        self.statusDetails = statusDetails
        self.location = location
        self.format = format
    }

    /// The job as the Management API returns it.
    public var json: JSON {
        var o: JSONObject = ["id": .string(id), "type": .string(type), "status": .string(status), "created_at": .string(createdAt)]
        if let connectionID { o["connection_id"] = .string(connectionID) }
        if let externalID { o["external_id"] = .string(externalID) }
        if type == "users_import" { o["upsert"] = .bool(upsert) }
        o["percentage_done"] = .int(Int64(percentageDone))
        if let s = summary { o["summary"] = s.json }
        if let statusDetails { o["status_details"] = .string(statusDetails) }
        if let format { o["format"] = .string(format) }
        if let location { o["location"] = .string(location) }
        return .object(o)
    }
}

public struct JobUserError: Sendable, Equatable {
    /// The user as submitted, secrets redacted.
    public var user: JSON
    public var errors: [JSON]   // {code, message, path}
    public var json: JSON { ["user": user, "errors": .array(errors)] }
    public init(user: JSON, errors: [JSON]) {
        self.user = user
        self.errors = errors
    }
}

public enum PasswordCheck: Sendable, Equatable {
    case match
    case mismatch
    case noSuchUser
    case noHash
    case unsupported(String)
    // A remote check is a login through the Authentication API's password-realm grant; it may also answer:
    /// The password is right but the user is blocked.
    case blocked
    /// Brute-force protection: too many failed attempts for this user from this address.
    case tooManyAttempts
    /// The password is right but the login needs a second factor.
    case mfaRequired
}

/// A local import stopped by Ctrl-C: `landed` are the users its committed batches stored
/// (inserted, updated, failed of `total`); nothing after them was stored. The job is `failed`.
public struct ImportCancelled: Error, CustomStringConvertible {
    public var jobID: String
    public var landed: JobSummary
    public init(jobID: String, landed: JobSummary) {
        self.jobID = jobID
        self.landed = landed
    }
    public var description: String {
        "import \(jobID) cancelled after \(landed.total) users: \(landed.inserted) inserted, \(landed.updated) updated, \(landed.failed) failed stayed; nothing after them was stored"
    }
}

/// The user pressed Ctrl-C: a transfer, a wait or a pipeline stopped.
public struct Cancelled: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "cancelled" }

    /// Sleeps `seconds`, looking at `isCancelled` every 20 ms; throws ``Cancelled`` when it says so.
    public static func wait(_ seconds: Double, isCancelled: () -> Bool) throws {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if isCancelled() { throw Cancelled() }
            usleep(20_000)
        }
    }
}

public struct TenantError: Error, CustomStringConvertible, Sendable {
    public var message: String
    /// HTTP-like status, for `porter serve` and clear messages (400, 404, 409, 413, 429…).
    public var status: Int
    public init(_ message: String, status: Int = 400) {
        self.message = message
        self.status = status
    }
    public var description: String { message }
}

/// Auth0's export field names: dotted paths with array indexes (`identities[0].connection`).
public enum FieldPath {
    public static func value(_ root: JSON, _ path: String) -> JSON? { value(root, steps: steps(path)) }

    /// `a.b`, `identities[0].connection`, `a[0][1]` as steps; empty names between dots are skipped.
    public static func steps(_ path: String) -> [JSONPathStep] {
        var out: [JSONPathStep] = []
        for part in path.split(separator: ".") {
            var name = Substring(part)
            var indexes: [Int] = []
            while name.hasSuffix("]"), let open = name.lastIndex(of: "["), let i = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) {
                indexes.insert(i, at: 0)
                name = name[..<open]
            }
            if !name.isEmpty { out.append(.key(String(name))) }
            out += indexes.map { .index($0) }
        }
        return out
    }

    public static func value(_ root: JSON, steps: [JSONPathStep]) -> JSON? {
        var current = root
        for step in steps {
            switch step {
            case .key(let k): guard let next = current[k] else { return nil }; current = next
            case .index(let i): guard let next = current[i] else { return nil }; current = next
            }
        }
        return current
    }
}
