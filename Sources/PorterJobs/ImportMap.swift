import PorterExpression
import PorterFormats
import PorterJSON

/// One import map, `FIELD = EXPR`: FIELD is a path into Auth0's import schema (`email`,
/// `app_metadata.plan`, `custom_password_hash`), EXPR a porter expression over `row` (one
/// record of the source) giving the field's value; `undefined` leaves the field out.
public struct ImportMap: Sendable {
    public let field: String
    public let path: [String]
    public let expression: Expression

    /// Why a map cannot be made: a bad FIELD, or an expression error (its range is in EXPR).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        /// Where in EXPR, for an expression error; nil for a FIELD error.
        public var range: Range<Int>?
        public var description: String { message }
    }

    public init(field: String, expression source: String) throws(Failure) {
        path = try Self.path(field)
        self.field = field
        do { expression = try Expression.parse(source, freeName: "row") } catch {
            throw Failure(message: error.message, range: error.range)
        }
    }

    /// The line `save` writes for it.
    public var scriptLine: String { "map \(field) = \(expression.source)" }

    /// FIELD's steps: names separated by `.`, the first one a top-level property of Auth0's
    /// import schema.
    public static func path(_ field: String) throws(Failure) -> [String] {
        let steps = field.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let first = steps.first, !first.isEmpty else { throw Failure(message: "a map needs a field: map FIELD = EXPR (e.g. map email = row.mail)") }
        if let bad = steps.first(where: { $0.isEmpty }) ?? steps.first(where: { $0.contains(where: { $0 == " " || $0 == "=" || $0 == "\t" }) }) {
            throw Failure(message: bad.isEmpty ? "'\(field)' has an empty step: write names separated by single dots (app_metadata.plan)"
                                               : "'\(bad)' is not a field name (no spaces or '=')")
        }
        guard UserAttributes.importable.contains(first) else {
            let known = UserAttributes.all.filter(\.importable).map(\.name).sorted().joined(separator: ", ")
            throw Failure(message: "'\(first)' is not a field of Auth0's import schema; the fields are: \(known)")
        }
        let kind = UserAttributes.named(first)?.kind
        if steps.count > 1 && kind != .object {
            throw Failure(message: "'\(first)' is not an object: it has no field '\(steps[1])'")
        }
        return steps
    }
}
