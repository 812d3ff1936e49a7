/// The order of a user search or export: one attribute path and a direction. On the wire it is
/// Auth0's `sort=field:1` (ascending) or `field:-1`.
public struct SortSpec: Sendable, Equatable, CustomStringConvertible {
    public var attribute: String
    public var ascending: Bool

    public init(attribute: String, ascending: Bool = true) {
        self.attribute = attribute
        self.ascending = ascending
    }

    /// Auth0's `field:1` or `field:-1`; a 400 error for anything else.
    public init(parameter: String) throws {
        let parts = parameter.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, let dir = Int(parts[1]), dir == 1 || dir == -1 else {
            throw TenantError("sort must be field:1 or field:-1, not '\(parameter)'", status: 400)
        }
        self.init(attribute: String(parts[0]), ascending: dir == 1)
    }

    /// Auth0's sort parameter.
    public var parameter: String { "\(attribute):\(ascending ? 1 : -1)" }

    /// As the shell's `sort` command takes it.
    public var description: String { "\(attribute) \(ascending ? "asc" : "desc")" }
}
