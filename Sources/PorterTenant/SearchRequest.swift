import PorterQuery

/// One page of a user search, as typed values: the wire's `q` and `sort` text is parsed where
/// it arrives (the shell, `porter serve`), never again downstream.
public struct SearchRequest: Sendable {
    /// The parsed Lucene v3 query; ``Query/everyone`` selects everyone.
    public var query: Query
    /// Restricts to one database connection (by name), as `identities.connection:NAME`.
    public var connectionName: String?
    public var sort: SortSpec?
    public var page: Int
    public var perPage: Int
    public var includeTotals: Bool
    /// Only these root fields in each user (`fields` + `include_fields=true`).
    public var fields: [String]?

    public init(query: Query = .everyone, connectionName: String? = nil, sort: SortSpec? = nil, page: Int = 0, perPage: Int = 50,
                includeTotals: Bool = false, fields: [String]? = nil) {
        self.query = query
        self.connectionName = connectionName
        self.sort = sort
        self.page = page
        self.perPage = perPage
        self.includeTotals = includeTotals
        self.fields = fields
    }
}
