import Foundation
import PorterJSON
import PorterTenant

/// `fields` and `include_fields` as Auth0 reads them: a comma-separated list of root fields to
/// keep (or, with `include_fields=false`, to drop); an empty or missing list keeps everything.
struct FieldSelection {
    var fields: Set<String>
    var include: Bool

    init(_ q: FormParameters) throws {
        fields = Set((q["fields"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        include = try Self.flag(q, "include_fields") ?? true
    }

    func apply(_ value: JSON) -> JSON {
        guard !fields.isEmpty, case .object(let o) = value else { return value }
        return .object(JSONObject(o.filter { fields.contains($0.0) == include }))
    }

    /// A boolean query parameter: `true` or `false`, else 400 as Auth0 answers.
    static func flag(_ q: FormParameters, _ name: String) throws -> Bool? {
        guard let v = q[name] else { return nil }
        switch v {
        case "true": return true
        case "false": return false
        default: throw APIError.badQuery("Expected type boolean but found type string", on: name)
        }
    }

    /// An integer query parameter within bounds, else 400 with Auth0's wording.
    static func integer(_ q: FormParameters, _ name: String, default d: Int, minimum: Int, maximum: Int?) throws -> Int {
        guard let v = q[name] else { return d }
        guard let n = Int(v) else { throw APIError.badQuery("Expected type integer but found type string", on: name) }
        if n < minimum { throw APIError.badQuery("Number is less than minimum \(minimum)", on: name) }
        if let maximum, n > maximum { throw APIError.badQuery("Number is greater than maximum \(maximum)", on: name) }
        return n
    }
}

/// A connection as Auth0's Management API describes one, with the options a migration reads.
enum ConnectionView {
    static func json(_ c: Connection, clients: [String]) -> JSON {
        let options: JSONObject = [
            "import_mode": false, "disable_signup": false, "requires_username": false, "brute_force_protection": true,
            "enabledDatabaseCustomization": false, "passwordPolicy": "good", "strategy_version": 2,
            "authentication_methods": ["password": ["enabled": true], "passkey": ["enabled": false]],
        ]
        return [
            "id": .string(c.id), "name": .string(c.name), "display_name": .string(c.name), "strategy": .string(c.strategy),
            "enabled_clients": .array(clients.map { .string($0) }), "is_domain_connection": false,
            "realms": [.string(c.name)], "options": .object(options), "metadata": .object([:]),
        ]
    }
}

/// A job as Auth0 answers it: with the connection's name, and an export's `limit` and `fields`.
enum JobView {
    static func json(_ job: Job, tenant: LocalTenant, location: String?) throws -> JSON {
        var job = job
        if let location { job.location = location }
        guard case .object(var o) = job.json else { return job.json }
        if let cid = job.connectionID, let c = try tenant.connections(strategy: nil).first(where: { $0.id == cid }) {
            o["connection"] = .string(c.name)
        }
        if job.type == "users_export", let r = try tenant.exportRequest(jobID: job.id) {
            if let limit = r.limit { o["limit"] = .int(Int64(limit)) }
            if !r.fields.isEmpty, let fields = r.json["fields"] { o["fields"] = fields }
        }
        return .object(o)
    }
}
