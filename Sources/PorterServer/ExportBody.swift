import PorterJSON
import PorterTenant

/// The body of `POST /api/v2/jobs/users-exports`, checked as Auth0's schema does: types,
/// no unknown properties, `format` json|csv, `limit` ≥ 1, fields `{name, export_as}` of at
/// most 100 characters. Errors name the property.
enum ExportBody {
    static func request(_ body: JSON) throws -> ExportJobRequest {
        guard case .object(let o) = body else { throw APIError.badBody("Expected type object but found type \(body.typeName)") }
        let known: Set<String> = ["connection_id", "format", "limit", "fields"]
        if let extra = o.keys.first(where: { !known.contains($0) }) {
            throw APIError.badBody("Additional properties not allowed: \(extra)")
        }
        var connectionID: String?
        if let v = o["connection_id"] {
            guard let s = v.stringValue else { throw typeError("string", v, "connection_id") }
            guard s.hasPrefix("con_"), s.count == 20, s.dropFirst(4).allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                throw APIError.badBody("String does not match pattern ^con_[A-Za-z0-9]{16}$: \(s)", on: "connection_id")
            }
            connectionID = s
        }
        var format = "json"
        if let v = o["format"] {
            guard let s = v.stringValue else { throw typeError("string", v, "format") }
            guard s == "json" || s == "csv" else { throw APIError.badBody("No enum match for: \"\(s)\"", on: "format") }
            format = s
        }
        var limit: Int?
        if let v = o["limit"] {
            guard case .int(let n) = v else { throw typeError("integer", v, "limit") }
            guard n >= 1 else { throw APIError.badBody("Number is less than minimum 1", on: "limit") }
            limit = n > Int64(Int.max) ? Int.max : Int(n)
        }
        var fields: [ExportJobRequest.Field] = []
        if let v = o["fields"] {
            guard case .array(let items) = v else { throw typeError("array", v, "fields") }
            for (i, item) in items.enumerated() {
                let at = "fields[\(i)]"
                guard case .object(let f) = item else { throw typeError("object", item, at) }
                if let extra = f.keys.first(where: { $0 != "name" && $0 != "export_as" }) {
                    throw APIError.badBody("Additional properties not allowed: \(extra)", on: at)
                }
                guard let nameValue = f["name"] else { throw APIError.badBody("Missing required property: name", on: at) }
                guard let name = nameValue.stringValue else { throw typeError("string", nameValue, at + ".name") }
                guard (1...100).contains(name.count) else { throw APIError.badBody("String length must be between 1 and 100", on: at + ".name") }
                var exportAs: String?
                if let a = f["export_as"] {
                    guard let s = a.stringValue else { throw typeError("string", a, at + ".export_as") }
                    guard (1...100).contains(s.count) else { throw APIError.badBody("String length must be between 1 and 100", on: at + ".export_as") }
                    exportAs = s
                }
                fields.append(.init(name: name, exportAs: exportAs))
            }
        }
        return ExportJobRequest(connectionID: connectionID, format: format, limit: limit, fields: fields)
    }

    static func typeError(_ expected: String, _ v: JSON, _ path: String) -> APIError {
        APIError.badBody("Expected type \(expected) but found type \(v.typeName)", on: path)
    }
}
