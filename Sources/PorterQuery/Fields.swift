import PorterJSON

/// A field of the user profile, as written in a query (`user_metadata.display.fontSize`).
public struct Field: Sendable, Hashable {
    public let path: String
    /// Path components; array levels are skipped when reading values.
    public let components: [String]
    /// What Auth0's rules say of this field, decided once (translation and matching read them per term).
    let caseInsensitive: Bool
    let isDate: Bool
    let mayBeBoolean: Bool
    /// The JSON path of its list in the search document (`$."a.b"`).
    let documentPath: String

    init(_ path: String) {
        self.path = path
        self.components = Self.split(path)
        let root = components.count == 1
        caseInsensitive = root ? Fields.caseInsensitive.contains(path) : path == "email.domain"
        isDate = root && Fields.dates.contains(path)
        mayBeBoolean = components[0] == "identities" || path == "blocked" || path == "email_verified" || path == "phone_verified"
        documentPath = "$.\"" + path + "\""
    }

    /// The path cut at every dot (empty components kept), reading UTF-8 bytes.
    static func split(_ path: String) -> [String] {
        let u = path.utf8
        guard u.contains(0x2E) else { return [path] }
        var parts: [String] = []
        var start = u.startIndex
        var i = u.startIndex
        while i < u.endIndex {
            if u[i] == 0x2E {
                parts.append(String(path[start..<i]))
                start = u.index(after: i)
            }
            i = u.index(after: i)
        }
        parts.append(String(path[start..<u.endIndex]))
        return parts
    }

    public var isMetadata: Bool { components[0] == "user_metadata" || components[0] == "app_metadata" }

    var describe: String { path }
}

/// What Auth0 says about fields (auth0-api.md, "v3 query syntax"; Auth0 docs
/// user-search-query-syntax and user-profile-structure).
enum Fields {
    /// Searched by a bare term. Auth0: bare terms never match user_metadata; the docs do not
    /// list the rest, so porter uses the profile's text attributes (documented in RULES.md).
    static let defaultFields = ["user_id", "email", "name", "given_name", "family_name", "nickname", "username", "phone_number"]
    static let defaultFieldList = defaultFields.map { rootFields[$0] ?? Field($0) }

    /// Compared case-insensitively (Auth0: email, name, given_name, family_name, nickname).
    static let caseInsensitive: Set<String> = ["email", "name", "given_name", "family_name", "nickname", "email.domain"]

    /// Dates: ranges accept partial dates (`2017-12`).
    static let dates: Set<String> = ["created_at", "updated_at", "last_login", "last_password_reset"]

    /// Top-level attributes Auth0 indexes (user-search-query-syntax, "Searchable fields").
    static let searchableRoots: Set<String> = [
        "app_metadata", "blocked", "created_at", "email", "email_verified", "family_name", "given_name",
        "identities", "last_ip", "last_login", "logins_count", "name", "nickname", "phone_number",
        "phone_verified", "updated_at", "user_id", "user_metadata", "username", "last_password_reset",
    ]

    static func isCaseInsensitive(_ f: Field) -> Bool { f.caseInsensitive }
    static func isDate(_ f: Field) -> Bool { f.isDate }

    /// Fields whose values may be booleans, where ranges compare booleans as text
    /// (metadata takes no ranges).
    static func mayBeBoolean(_ f: Field) -> Bool { f.mayBeBoolean }

    /// The searchable root attributes as fields, built once (most queries name only these).
    static let rootFields: [String: Field] = Dictionary(uniqueKeysWithValues: searchableRoots.map { ($0, Field($0)) })

    /// Checks a field name; the error points at the field.
    static func validate(_ path: String, range: Range<Int>) throws(QueryError) -> Field {
        if let known = rootFields[path] { return known }
        let field = Field(path)
        if field.components.contains(where: \.isEmpty) || path.utf8.contains(0x22) {
            throw QueryError("'\(path)' is not a valid field path", range)
        }
        let root = field.components[0]
        if root == "picture" {
            throw QueryError("'picture' is not searchable in Auth0 user search", range)
        }
        guard searchableRoots.contains(root) else {
            throw QueryError("'\(root)' is not a searchable user field (searchable: \(searchableRoots.sorted().joined(separator: ", ")))", range)
        }
        if field.components.count > 1 && !(field.isMetadata || root == "identities" || path == "email.domain") {
            throw QueryError("'\(root)' has no nested fields; did you mean '\(root)'?", range)
        }
        return field
    }
}

// MARK: - Reading values

/// The indexed values of a field in a user: arrays are flattened at every level, and null,
/// empty arrays and empty objects are not indexed (Auth0 / Elasticsearch behaviour).
enum FieldReader {
    /// Calls `body` for each indexed scalar at `components` under `value`; stops when it returns true.
    @inline(__always)
    static func anyLeaf(_ value: JSON, _ components: ArraySlice<String>, _ body: (JSON) -> Bool) -> Bool {
        guard let first = components.first else { return anyScalar(value, body) }
        switch value {
        case .object(let o):
            if let child = o[first], anyLeaf(child, components.dropFirst(), body) { return true }
            // A key holding dots (`{"a.b": 1}`) is the path a → b, as Elasticsearch maps it and
            // as SearchIndex flattens it.
            if components.count > 1 {
                for (key, child) in o where Self.mayExtend(key, first) {
                    if let rest = Self.remainder(components, after: key),
                       anyLeaf(child, rest, body) { return true }
                }
            }
            return false
        case .array(let a):
            for element in a where anyLeaf(element, components, body) { return true }
            return false
        default:
            return false
        }
    }

    /// Whether `key` is `first` followed by a dot and more (cheap tests first: this runs for
    /// every key of an object that lacks `first`).
    @inline(__always) static func mayExtend(_ key: String, _ first: String) -> Bool {
        let k = key.utf8, f = first.utf8
        guard k.count > f.count, k.first == f.first else { return false }
        return k.starts(with: f) && k[k.index(k.startIndex, offsetBy: f.count)] == 0x2E
    }

    /// The components left after a dotted key, when the key is exactly the next ones.
    static func remainder(_ components: ArraySlice<String>, after key: String) -> ArraySlice<String>? {
        var rest = components
        for part in key.split(separator: ".", omittingEmptySubsequences: false) {
            guard let c = rest.first, c == part else { return nil }
            rest = rest.dropFirst()
        }
        return rest
    }

    /// Whether a dotted key extends past the path: `{"a.b": 1}` under the path `a`.
    static func keyStartsWith(_ key: String, _ components: ArraySlice<String>) -> Bool {
        let parts = key.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count > components.count else { return false }
        return zip(parts, components).allSatisfy { $0 == $1 }
    }

    static func anyScalar(_ value: JSON, _ body: (JSON) -> Bool) -> Bool {
        switch value {
        case .null: return false
        case .array(let a):
            for element in a where anyScalar(element, body) { return true }
            return false
        case .object: return false
        default: return body(value)
        }
    }

    /// Whether anything is indexed at or below the path (objects count when a leaf below does).
    static func exists(_ value: JSON, _ components: ArraySlice<String>) -> Bool {
        guard let first = components.first else { return hasIndexedLeaf(value) }
        switch value {
        case .object(let o):
            if let child = o[first], exists(child, components.dropFirst()) { return true }
            for (key, child) in o where mayExtend(key, first) {
                if let rest = remainder(components, after: key) {
                    if exists(child, rest) { return true }
                } else if keyStartsWith(key, components), hasIndexedLeaf(child) {
                    return true
                }
            }
            return false
        case .array(let a):
            return a.contains { exists($0, components) }
        default:
            return false
        }
    }

    static func hasIndexedLeaf(_ value: JSON) -> Bool {
        switch value {
        case .null: return false
        case .array(let a): return a.contains(where: hasIndexedLeaf)
        case .object(let o): return o.values.contains(where: hasIndexedLeaf)
        default: return true
        }
    }

    /// Values of a field, including the special `email.domain`.
    static func anyValue(_ user: JSON, _ field: Field, _ body: (JSON) -> Bool) -> Bool {
        if field.path == "email.domain" {
            guard case .string(let email)? = user["email"], let at = email.lastIndex(of: "@") else { return false }
            return body(.string(String(email[email.index(after: at)...])))
        }
        return anyLeafOfUser(user, field.components[...], body)
    }

    /// `anyLeaf` from a user: root keys are plain (a root key with a dot is not indexed).
    @inline(__always)
    static func anyLeafOfUser(_ user: JSON, _ components: ArraySlice<String>, _ body: (JSON) -> Bool) -> Bool {
        guard let first = components.first, case .object(let o) = user, let child = o[first] else { return false }
        return anyLeaf(child, components.dropFirst(), body)
    }

    static func fieldExists(_ user: JSON, _ field: Field) -> Bool {
        if field.path == "email.domain" { return anyValue(user, field) { _ in true } }
        guard let first = field.components.first, case .object(let o) = user, let child = o[first] else { return false }
        return exists(child, field.components.dropFirst())
    }
}
