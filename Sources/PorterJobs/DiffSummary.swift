/// What a diff found, counted.
public struct DiffSummary: Sendable, Equatable {
    public var sourceUsers = 0
    public var tenantUsers = 0
    /// Keys on both sides (once each) whose importable fields are the same.
    public var identical = 0
    /// Keys in the source and not in the tenant, and the other way round.
    public var missing = 0
    public var extra = 0
    /// Users that differ, and their differing fields (metadata paths counted one by one).
    public var changed = 0
    public var changedFields = 0
    /// Keys more than once on a side; users without the key.
    public var duplicates = 0
    public var unkeyed = 0
    /// Sort runs written to disk (0 when both sides fit in memory).
    public var runs = 0
    public var seconds = 0.0

    public init() {}

    /// Report lines.
    public var differences: Int { missing + extra + changedFields + duplicates + unkeyed }
    public var isClean: Bool { differences == 0 }
}
