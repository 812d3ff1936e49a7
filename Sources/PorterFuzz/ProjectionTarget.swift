import PorterJSON

/// Wherever the parser accepts a document, every answer the projection gives (other than
/// "don't know") equals parse-then-lookup.
enum ProjectionTarget {
    static let paths: [[JSONPathStep]] = [
        [.key("a")], [.key("a"), .key("b")], [.key("a"), .index(0)], [.index(0)], [.index(1), .key("a")],
        [.key("")], [.key("email")], [.key("app_metadata"), .key("plan")],
    ]
    static let projection = JSONProjection(paths: paths)

    static func check(_ bytes: [UInt8]) {
        guard let document = try? JSON.parse(bytes: bytes) else { return }
        var values: [ProjectedValue] = []
        bytes.withUnsafeBytes { buffer in
            guard projection.project(buffer, into: &values) else { return }
            for (path, projected) in zip(paths, values) {
                let found = lookup(document, path)
                func parsed(_ b: UnsafeRawBufferPointer) -> JSON? { try? JSON.parse(bytes: Array(b)) }
                switch projected {
                case .other: continue
                case .missing: FuzzTargets.require(found == nil, "\(path): projected missing, parsed \(String(describing: found))")
                case .null: FuzzTargets.require(found == .null, "\(path): projected null, parsed \(String(describing: found))")
                case .bool(let b): FuzzTargets.require(found == .bool(b), "\(path): projected \(b), parsed \(String(describing: found))")
                case .string(let b):
                    FuzzTargets.require(found == .string(String(decoding: b, as: UTF8.self)), "\(path): projected string differs from \(String(describing: found))")
                case .number(let b), .container(let b):
                    FuzzTargets.require(found != nil && parsed(b) == found, "\(path): projected \(String(decoding: b, as: UTF8.self).prefix(100)), parsed \(String(describing: found))")
                }
            }
        }
    }

    static func lookup(_ value: JSON, _ path: [JSONPathStep]) -> JSON? {
        var at: JSON? = value
        for step in path {
            switch step {
            case .key(let k): at = at?[k]
            case .index(let i): at = at?[i]
            }
        }
        return at
    }
}
