/// The root attributes of an Auth0 user, in one table: what each is, whether search indexes
/// it (user-search-query-syntax), whether an import file may carry it (bulk-user-import
/// schema), whether an upsert replaces it (bulk-user-imports: "Upsert during import?"),
/// whether `format import` keeps it, whether an export job asks for it by default. The import
/// validator, the import format, the upsert rules, the local store and import reconciliation
/// read it; tests check the search fields and the export-job field list against it.
public struct UserAttribute: Sendable {
    public enum Kind: Sendable { case string, boolean, number, date, object, array }
    public var name: String
    public var kind: Kind
    public var searchable: Bool
    public var importable: Bool
    public var upsertable: Bool
    /// Kept as it is by `format import` (user_id is kept too, without its `auth0|` prefix;
    /// password hashes where the tenant has them).
    public var keptByImportFormat: Bool
    public var exportedByDefault: Bool
    /// A secret: never shown, redacted in job errors.
    public var secret = false
}

public enum UserAttributes {
    // Columns: kind, searchable, importable, upsertable, kept by `format import`, exported by default.
    // The order of the kept rows is the order `format import` writes them in.
    public static let all: [UserAttribute] = [
        row("email", .string, true, true, false, true, true),
        row("email_verified", .boolean, true, true, true, true, true),
        row("username", .string, true, true, false, true, true),
        row("given_name", .string, true, true, true, true, true),
        row("family_name", .string, true, true, true, true, true),
        row("name", .string, true, true, true, true, true),
        row("nickname", .string, true, true, true, true, true),
        row("picture", .string, false, true, true, true, true),
        row("blocked", .boolean, true, true, false, true, true),
        row("phone_number", .string, true, true, false, true, true),
        row("phone_verified", .boolean, true, true, false, true, true),
        row("user_metadata", .object, true, true, true, true, true),
        row("app_metadata", .object, true, true, true, true, true),
        row("user_id", .string, true, true, false, false, true),
        row("password_hash", .string, false, true, false, false, false, secret: true),
        // Upserted only while the user has never logged in (and only over an imported hash).
        row("custom_password_hash", .object, false, true, true, false, false, secret: true),
        row("mfa_factors", .array, false, true, false, false, false, secret: true),
        row("identities", .array, true, false, false, false, true),
        row("created_at", .date, true, false, false, false, true),
        row("updated_at", .date, true, false, false, false, true),
        row("last_login", .date, true, false, false, false, true),
        row("last_ip", .string, true, false, false, false, true),
        row("logins_count", .number, true, false, false, false, true),
        row("last_password_reset", .date, true, false, false, false, false),
    ]

    static func row(_ name: String, _ kind: UserAttribute.Kind, _ searchable: Bool, _ importable: Bool, _ upsertable: Bool,
                    _ kept: Bool, _ exported: Bool, secret: Bool = false) -> UserAttribute {
        UserAttribute(name: name, kind: kind, searchable: searchable, importable: importable, upsertable: upsertable,
                      keptByImportFormat: kept, exportedByDefault: exported, secret: secret)
    }

    public static func named(_ name: String) -> UserAttribute? { all.first { $0.name == name } }

    /// Top-level properties of an import file.
    public static let importable: Set<String> = Set(all.filter(\.importable).map(\.name))
    /// Profile attributes an upsert replaces (custom_password_hash has its own rule).
    public static let upsertableProfile: [String] = all.filter { $0.upsertable && !$0.secret }.map(\.name)
    /// Kept by `format import`, in its order.
    public static let keptByImportFormat: [String] = all.filter(\.keptByImportFormat).map(\.name)
    /// Profile attributes an imported user carries as the file gives them (email, email_verified
    /// and user_id are normalised by the store; secrets are stored apart).
    public static let storedAsGiven: [String] = all.filter { $0.importable && !$0.secret && !["email", "email_verified", "user_id"].contains($0.name) }.map(\.name)
    /// What a re-sent or re-run import compares to tell a user already there (non-secret, importable).
    public static let compared: [String] = all.filter { $0.importable && !$0.secret }.map(\.name)
    /// What `diff` compares, field by field: what an import sets and the Management API shows
    /// (importable, not secret). user_id is the key or, keyed by email, the tenant's own; every
    /// attribute that is not importable (identities, dates, logins) is the tenant's to manage.
    public static let diffed: [String] = compared.filter { $0 != "user_id" }
    /// What `diff` cannot compare: the API never returns password hashes or MFA secrets.
    public static let notComparable: [String] = all.filter(\.secret).map(\.name)
    /// Tenant-managed: set by the tenant, never a difference.
    public static let tenantManaged: [String] = all.filter { !$0.importable }.map(\.name)
}
