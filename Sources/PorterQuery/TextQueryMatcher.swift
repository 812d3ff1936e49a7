import PorterJSON

/// A query matched against a user's JSON text without parsing the whole user: only the root
/// attributes the query reads are picked out (with `JSONProjection`) and parsed into a small
/// object the query runs on. A query reads nothing but the roots of its fields (`email.domain`
/// reads `email`, a bare term the default fields), so the answer is the one the whole user
/// gives; where the projection cannot be sure of a value, the whole user is parsed.
public struct TextQueryMatcher {
    let query: Query
    let roots: [String]
    let projection: JSONProjection
    var values: [ProjectedValue] = []

    public init(_ query: Query) {
        self.query = query
        var seen = Set<String>()
        // A field's root is the path up to its first dot, as `Field` splits it.
        roots = query.fields.map { String($0.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)[0]) }
            .filter { seen.insert($0).inserted }
        projection = JSONProjection(paths: roots.map { [.key($0)] })
    }

    public mutating func matches(_ text: UnsafeRawBufferPointer) throws(JSONError) -> Bool {
        if roots.isEmpty { return query.matches(user: .object([:])) }
        _ = projection.project(text, into: &values)
        var o = JSONObject(minimumCapacity: roots.count)
        for (k, v) in values.enumerated() {
            switch v {
            case .missing: continue
            case .null: o[roots[k]] = .null
            case .bool(let b): o[roots[k]] = .bool(b)
            case .string(let bytes): o[roots[k]] = .string(String(decoding: bytes, as: UTF8.self))
            case .number(let t), .container(let t): o[roots[k]] = try JSON.parse(buffer: t)
            case .other: return query.matches(user: try JSON.parse(buffer: text))
            }
        }
        return query.matches(user: .object(o))
    }
}
