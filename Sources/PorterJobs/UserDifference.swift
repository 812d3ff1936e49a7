import PorterFormats
import PorterJSON

/// One line of a diff: a user on one side only, a field that differs, a key found twice on a
/// side, or a user without the key.
public struct UserDifference: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// In the source, not in the tenant.
        case missing
        /// In the tenant only.
        case extra
        /// In both, with this field different.
        case changed
        /// The key more than once on one side (those users are not compared).
        case duplicate
        /// A user without the key (no email, or no user_id), on one side.
        case unkeyed
    }
    public enum Side: String, Sendable { case source, tenant }

    public var kind: Kind
    /// The key as text (empty for `unkeyed`).
    public var key: String
    public var side: Side?
    /// `changed`: the attribute, or a path inside metadata (`user_metadata.plan`).
    public var field: String?
    /// `changed`: the source's and the tenant's values (nil: absent).
    public var source: JSON?
    public var tenant: JSON?
    /// `duplicate`: how many users share the key; `unkeyed`: the user's position on its side (from 1).
    public var count: Int?
    public var note: String?

    public init(kind: Kind, key: String, side: Side? = nil, field: String? = nil, source: JSON? = nil, tenant: JSON? = nil,
                count: Int? = nil, note: String? = nil) {
        self.kind = kind
        self.key = key
        self.side = side
        self.field = field
        self.source = source
        self.tenant = tenant
        self.count = count
        self.note = note
    }

    /// Whether `import --upsert` of the source would set the tenant's value (Auth0's upsert
    /// replaces only some attributes).
    public var upsertFixes: Bool? {
        guard kind == .changed, let field else { return nil }
        let root = field.split(separator: ".", maxSplits: 1).first.map(String.init) ?? field
        return UserAttributes.named(root)?.upsertable
    }

    /// The report's columns, in order.
    public static let columns = ["kind", "key", "side", "field", "source", "tenant", "count", "upsert_fixes", "note"]

    /// As an object for a JSON report (absent values left out).
    public var json: JSON {
        var o: JSONObject = ["kind": .string(kind.rawValue), "key": .string(key)]
        if let side { o["side"] = .string(side.rawValue) }
        if let field { o["field"] = .string(field) }
        if kind == .changed {
            if let source { o["source"] = source }
            if let tenant { o["tenant"] = tenant }
        }
        if let count { o["count"] = .int(Int64(count)) }
        if let f = upsertFixes { o["upsert_fixes"] = .bool(f) }
        if let note { o["note"] = .string(note) }
        return .object(o)
    }

    /// The cells of a CSV report: values as JSON text (a string keeps its quotes, so `"true"`
    /// and `true` differ); empty when absent.
    public var cells: [JSON?] {
        [.string(kind.rawValue), .string(key), side.map { .string($0.rawValue) }, field.map { .string($0) },
         source.map { .string($0.serialized()) }, tenant.map { .string($0.serialized()) }, count.map { .int(Int64($0)) },
         upsertFixes.map { .bool($0) }, note.map { .string($0) }]
    }
}
