import PorterExpression
import PorterFormats
import PorterJSON

/// A source record turned into an Auth0 import user, with what went wrong on the way: the
/// record's own problem (a bad CSV row), maps whose expression threw, and (from
/// ``MappedSource``) the validator's problems, each naming the line, the map and the path.
public struct MappedUser: Sendable {
    public var user: JSON
    public var record: SourceRecord
    public var problems: [ImportProblem]
    /// Whether Auth0 would reject the user (any problem that is not a warning).
    public var rejected: Bool { problems.contains { !$0.warning } }
}

/// The ordered maps of an import: applied to a record, they build the user field by field.
/// Without maps, the identity: a JSON record as it is, a CSV row by its header's names (dotted
/// names build nested objects: `app_metadata.plan`), empty cells left out.
public struct ImportMapping: Sendable {
    public private(set) var maps: [ImportMap]

    public init(_ maps: [ImportMap] = []) { self.maps = maps }

    public var isIdentity: Bool { maps.isEmpty }

    /// Adds the map, or replaces the one of the same field where it stands. True if replaced.
    @discardableResult
    public mutating func set(_ map: ImportMap) -> Bool {
        if let i = maps.firstIndex(where: { $0.field == map.field }) {
            maps[i] = map
            return true
        }
        maps.append(map)
        return false
    }

    /// Removes the map of `field`; false if there is none.
    @discardableResult
    public mutating func remove(field: String) -> Bool {
        guard let i = maps.firstIndex(where: { $0.field == field }) else { return false }
        maps.remove(at: i)
        return true
    }

    public mutating func clear() { maps.removeAll() }

    /// The identity written out as maps, one per field of the source (a CSV header's names, or
    /// the top-level keys of the first JSON records) that Auth0's import schema has, so that
    /// it can be edited map by map. Names the schema does not have are returned apart.
    public static func identityMaps(fields: [String], csv: Bool) -> (maps: [ImportMap], skipped: [String]) {
        var maps: [ImportMap] = []
        var skipped: [String] = []
        for name in fields {
            let access = Self.access(name)
            // A CSV's empty cell means "no value", as the identity reads it.
            let source = csv ? "\(access) === '' ? undefined : \(access)" : access
            if let map = try? ImportMap(field: name, expression: source) { maps.append(map) } else { skipped.append(name) }
        }
        return (maps, skipped)
    }

    /// `row.name`, or `row['a.b']` for a name that is not an identifier.
    static func access(_ name: String) -> String {
        let identifier = name.first.map { $0.isLetter || $0 == "_" || $0 == "$" } == true &&
            name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "$") }
        if identifier { return "row.\(name)" }
        var quoted = "'"
        for c in name {
            switch c {
            case "\\": quoted += "\\\\"
            case "'": quoted += "\\'"
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            default: quoted.append(c)
            }
        }
        return "row[\(quoted)']"
    }

    /// The user for one record. `csv`: the identity splits dotted names and leaves out empty cells.
    public func apply(_ record: SourceRecord, csv: Bool) -> MappedUser {
        var problems: [ImportProblem] = []
        func problem(_ code: String, _ message: String, path: String, map: String?) {
            var p = ImportProblem(index: record.index, code: code, message: message, path: path, line: record.line, column: record.column)
            p.map = map
            problems.append(p)
        }
        if let why = record.problem {
            problem("READ_ERROR", why, path: "", map: nil)
            return MappedUser(user: .object([:]), record: record, problems: problems)
        }
        if maps.isEmpty {
            guard csv, case .object(let row) = record.row else { return MappedUser(user: record.row, record: record, problems: []) }
            var user = JSONObject()
            for (name, value) in row {
                if value == .string("") { continue }
                let path = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                if let why = Self.set(value, at: path[...], in: &user) {
                    problem("MAP_ERROR", "column '\(name)': \(why)", path: name, map: nil)
                }
            }
            return MappedUser(user: .object(user), record: record, problems: problems)
        }
        var user = JSONObject()
        for map in maps {
            switch map.expression.evaluate(user: record.row) {
            case .failure(let e):
                problem("MAP_ERROR", e.message, path: map.field, map: map.field)
            case .success(let v):
                guard let value = Cell.json(v) else { continue }
                if let why = Self.set(value, at: map.path[...], in: &user) {
                    problem("MAP_ERROR", why, path: map.field, map: map.field)
                }
            }
        }
        return MappedUser(user: .object(user), record: record, problems: problems)
    }

    /// Sets `value` at `path`, making objects on the way; why not, when a step is taken.
    static func set(_ value: JSON, at path: ArraySlice<String>, in object: inout JSONObject) -> String? {
        guard let key = path.first else { return nil }
        if path.count == 1 {
            object[key] = value
            return nil
        }
        var inner: JSONObject
        switch object[key] {
        case nil: inner = JSONObject()
        case .object(let o)?: inner = o
        case let other?: return "'\(key)' is already \(other.serialized()), not an object: cannot set \(path.dropFirst().joined(separator: ".")) in it"
        }
        // Released in place (keeps the key's position), so `inner` is modified without a copy.
        if object[key] != nil { object[key] = .null }
        let why = set(value, at: path.dropFirst(), in: &inner)
        object[key] = .object(inner)
        return why
    }

    /// The map a validator problem at `path` (`custom_password_hash.hash.value`) is about: the
    /// last map whose field is the path, inside it, or holding it.
    public func map(for path: String) -> String? {
        guard !path.isEmpty else { return nil }
        func within(_ a: String, _ b: String) -> Bool { a == b || a.hasPrefix(b + ".") || a.hasPrefix(b + "[") }
        return maps.last { within(path, $0.field) || within($0.field, path) }?.field
    }
}
