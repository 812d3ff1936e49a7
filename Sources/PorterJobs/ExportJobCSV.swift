import PorterFormats
import PorterJSON
import PorterTenant

/// A row of an Auth0 export job's CSV (`format: csv`) as the profile the NDJSON export would
/// have given. The header's names are the requested fields (`user_id`, `email`,
/// `user_metadata.plan`, `identities[0].connection`; or their `export_as`), rebuilt as nested
/// objects and arrays. Auth0 escapes every string value for OWASP (a leading `'`, then quoted,
/// inner quotes doubled; its own ISO dates exempt), so a cell that starts with `'` is that
/// string without it, and any other cell is a boolean, a number or, failing both, text (a date);
/// an empty cell is a field the user does not have. (porter's own guard prefixes only cells
/// that start with `= + - @`, which the same rule reads back.)
public enum ExportJobCSV {
    /// At most this many steps in a header name and this index in a step: anything deeper or
    /// larger is kept as one literal key (no recursion or allocation driven by a header).
    static let maxSteps = 16
    static let maxIndex = 100

    public static func profile(_ row: JSON) -> JSON {
        guard case .object(let cells) = row else { return row }
        var profile = JSON.object([:])
        for (name, cell) in cells {
            guard let text = cell.stringValue, !text.isEmpty else { continue }
            set(&profile, steps(name)[...], value(text))
        }
        return profile
    }

    /// The value of one cell (see the type's comment).
    static func value(_ text: String) -> JSON {
        if text.hasPrefix("'") { return .string(String(text.dropFirst())) }
        return RecordSource.typedValue(text)
    }

    /// A header name's steps; a name with too many steps or too large an index stays one key.
    static func steps(_ name: String) -> [JSONPathStep] {
        let steps = FieldPath.steps(name)
        let usable = !steps.isEmpty && steps.count <= maxSteps && steps.allSatisfy {
            if case .index(let i) = $0 { return i >= 0 && i <= maxIndex }
            return true
        }
        if case .key = steps.first, usable { return steps }
        return [.key(name)]
    }

    /// Sets `value` at `steps` in `target`, making objects and arrays (padded with null) on the
    /// way; a step that meets a value of another kind replaces it (the later column wins).
    static func set(_ target: inout JSON, _ steps: ArraySlice<JSONPathStep>, _ value: JSON) {
        guard let step = steps.first else {
            target = value
            return
        }
        let rest = steps.dropFirst()
        switch step {
        case .key(let key):
            var object = target.objectValue ?? JSONObject()
            var inner = object[key] ?? .null
            // Released first, so `inner` is changed in place.
            object[key] = .null
            set(&inner, rest, value)
            object[key] = inner
            target = .object(object)
        case .index(let i):
            var array = target.arrayValue ?? []
            while array.count <= i { array.append(.null) }
            var inner = array[i]
            array[i] = .null
            set(&inner, rest, value)
            array[i] = inner
            target = .array(array)
        }
    }
}
