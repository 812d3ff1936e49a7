import Foundation
import Testing
import PorterRandom
@testable import PorterFormats
import PorterJSON

/// NestedArraySource against the whole-file parser: the elements of the array under a top-level
/// key, each at the file's own line (seeded objects with decoys: the key nested deeper, inside
/// strings, escaped quotes, values before and after).
@Suite struct NestedArraySourceTests {
    let dir: String = {
        let d = NSTemporaryDirectory() + "porter-nested-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    func elements(_ text: String, key: String = "users") throws -> [JSONElement] {
        let path = dir + "/f.json"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let reader = JSONStreamReader(source: try NestedArraySource(path: path, key: key), name: path, layout: .array, bufferSize: 64)
        var out: [JSONElement] = []
        while let e = try reader.next() { out.append(e) }
        return out
    }

    typealias Rng = SplitMix64

    static func value(_ r: inout Rng, _ depth: Int) -> JSON {
        switch depth > 2 ? r.below(3) : r.below(6) {
        case 0: return .int(Int64(r.below(1000)))
        case 1: return .string(["users", "a\"b", "[{]}", "\\", "ü\n", ""][r.below(6)])
        case 2: return r.below(2) == 0 ? .null : .bool(true)
        case 3: return .array((0..<r.below(3)).map { _ in value(&r, depth + 1) })
        default:
            var o = JSONObject()
            for k in 0..<r.below(3) { o[["users", "x\(k)", "u\"sers"][r.below(3)]] = value(&r, depth + 1) }
            return .object(o)
        }
    }

    @Test func matchesTheWholeFileParser() throws {
        var r = Rng(state: 18)
        for round in 0..<200 {
            var o = JSONObject()
            let users = (0..<r.below(5)).map { _ in Self.value(&r, 1) }
            for k in 0..<r.below(4) { o["before\(k)"] = Self.value(&r, 1) }
            o["users"] = .array(users)
            for k in 0..<r.below(3) { o["after\(k)"] = Self.value(&r, 1) }
            let text = JSON.object(o).serialized(pretty: round % 2 == 0)
            let got = try elements(text)
            #expect(got.map(\.value) == users, "round \(round): \(text)")
            // Each element's line is where it stands in the file.
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            for e in got where e.line <= lines.count {
                let line = lines[e.line - 1]
                let start = line.utf8.index(line.utf8.startIndex, offsetBy: e.column - 1)
                #expect(String(line[start...]).hasPrefix(String(e.value.serialized(pretty: round % 2 == 0).prefix(1))))
            }
        }
    }

    @Test func refusesWhatHasNoSuchArray() throws {
        #expect(throws: JSONError.self) { try elements(#"{"realm": "x", "other": {"users": [1]}}"#) }
        #expect(throws: JSONError.self) { try elements(#"{"users": {"a": 1}}"#) }
        #expect(throws: JSONError.self) { try elements(#"[{"users": [1]}]"#) }
        #expect(try elements(#"{"a": "\"users\": [9]", "users": [1, 2]}"#).map(\.value) == [1, 2])
    }
}
