import Foundation
import PorterJSON

/// What `diff` matches users on: the email, as an upsert matches (lower case, as Auth0 stores
/// it), or the user_id without the `auth0|` a database connection adds (as an import strips it).
public enum DiffKey: String, Sendable, CaseIterable {
    case email
    case userID = "user_id"

    /// The key of a user as UTF-8 bytes (compared byte by byte), or nil when it has none.
    public func of(_ user: JSON) -> [UInt8]? {
        switch self {
        case .email:
            guard case .string(let e)? = user["email"], !e.isEmpty else { return nil }
            return Array(e.lowercased().utf8)
        case .userID:
            guard case .string(let id)? = user["user_id"], !id.isEmpty else { return nil }
            let bare = id.hasPrefix("auth0|") ? id.dropFirst(6) : Substring(id)
            return bare.isEmpty ? nil : Array(bare.utf8)
        }
    }
}

extension DiffKey {
    /// Byte order (what SQLite's BINARY collation gives for `ORDER BY email`).
    public static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                let n = min(x.count, y.count)
                if n > 0 {
                    let c = memcmp(x.baseAddress!, y.baseAddress!, n)
                    if c != 0 { return c < 0 ? -1 : 1 }
                }
                return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
            }
        }
    }
}

/// Reads a user's key out of its JSON text without parsing it (a projection of one path);
/// parses only when the projection cannot tell.
public struct DiffKeyReader {
    public let key: DiffKey
    let projection: JSONProjection
    var values: [ProjectedValue] = []

    public init(_ key: DiffKey) {
        self.key = key
        projection = JSONProjection(paths: [[.key(key.rawValue)]])
    }

    /// The key, or nil when the user has none.
    public mutating func of(text: UnsafeRawBufferPointer) throws -> [UInt8]? {
        _ = projection.project(text, into: &values)
        switch values[0] {
        case .missing, .null, .bool, .number, .container:
            return nil
        case .string(let s):
            if s.isEmpty { return nil }
            guard key == .email, s.contains(where: { $0 >= 0x80 }) else {
                var k = Array(s)
                if key == .email {
                    for i in k.indices where k[i] >= 65 && k[i] <= 90 { k[i] += 32 }
                    return k
                }
                if k.starts(with: Self.auth0Prefix) { k.removeFirst(Self.auth0Prefix.count) }
                return k.isEmpty ? nil : k
            }
            return Array(String(decoding: s, as: UTF8.self).lowercased().utf8)
        case .other:
            return key.of(try JSON.parse(buffer: text))
        }
    }

    static let auth0Prefix = Array("auth0|".utf8)
}
