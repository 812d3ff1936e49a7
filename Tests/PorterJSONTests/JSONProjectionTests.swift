import Foundation
import Testing
import PorterRandom
@testable import PorterJSON

/// What a projection answers must be what parsing and looking up gives; where it cannot be
/// sure it says `.other`.
@Suite struct JSONProjectionTests {
    enum Seen: Equatable {
        case missing, null, bool(Bool), string(String), container(JSON?), number(JSON?), other
    }

    func project(_ text: String, _ paths: [[JSONPathStep]]) -> (ok: Bool, values: [Seen]) {
        let projection = JSONProjection(paths: paths)
        var values: [ProjectedValue] = []
        var bytes = Array(text.utf8)
        let ok = bytes.withUnsafeMutableBytes { projection.project(UnsafeRawBufferPointer($0), into: &values) }
        return (ok, values.map(Self.seen))
    }

    static func seen(_ v: ProjectedValue) -> Seen {
        switch v {
        case .missing: return .missing
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .string(let s): return .string(String(decoding: s, as: UTF8.self))
        case .container(let t): return .container(try? JSON.parse(buffer: t))
        case .number(let t): return .number(try? JSON.parse(buffer: t))
        case .other: return .other
        }
    }

    @Test func picksRootAndNestedValues() {
        let doc = #"{"user_id":"auth0|1","email_verified":true,"nickname":null,"identities":[{"connection":"db"},{"connection":"x"}],"n":5}"#
        let r = project(doc, [[.key("user_id")], [.key("email_verified")], [.key("nickname")], [.key("identities"), .index(0), .key("connection")],
                              [.key("identities"), .index(1), .key("connection")], [.key("identities"), .index(2), .key("connection")],
                              [.key("identities"), .index(5)], [.key("absent")], [.key("n")], [.key("identities"), .index(1)], [.key("identities")]])
        #expect(r.ok)
        #expect(r.values == [.string("auth0|1"), .bool(true), .null, .string("db"), .string("x"), .other, .missing, .missing, .number(5),
                             .container(["connection": "x"]), .container([["connection": "db"], ["connection": "x"]])])
    }

    @Test func leavesToTheParserWhatItCannotBeSureOf() {
        // Escaped strings, steps through scalars and missing values, array keys; a key with escapes
        // leaves every key of its object to the parser.
        let doc = #"{"a":"x\"y","s":"abc","o":{"k":1},"arr":[1,2],"b\u0063":"?"}"#
        let r = project(doc, [[.key("a")], [.key("s"), .key("length")], [.key("none"), .key("x")], [.key("o")], [.key("arr"), .key("length")],
                              [.key("bc")], [.key("o"), .index(0)]])
        #expect(r.ok)
        #expect(r.values == [.other, .other, .other, .other, .other, .other, .other])
    }

    @Test func lastDuplicateWinsAsInTheParser() {
        let r = project(#"{"a":"1","b":{"c":"x"},"a":"2","b":{"d":true}}"#, [[.key("a")], [.key("b"), .key("c")], [.key("b"), .key("d")]])
        #expect(r.values == [.string("2"), .missing, .bool(true)])
    }

    @Test func unicodeIsCheckedAndWhitespaceSkipped() {
        let r = project("{ \"é\" : \"ça\" ,\n \"x\" : [ \"y\" ] }", [[.key("é")], [.key("x"), .index(0)]])
        #expect(r.ok)
        #expect(r.values == [.string("ça"), .string("y")])
        let projection = JSONProjection(paths: [[.key("a")]])
        var values: [ProjectedValue] = []
        let bad: [UInt8] = Array(#"{"a":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        _ = bad.withUnsafeBytes { projection.project($0, into: &values) }
        #expect(values.map(Self.seen) == [.other])
    }

    @Test func malformedTextAnswersNothing() {
        for doc in [#"{"a":"x""#, #"{"a" "x"}"#, #"{"a":"x"} z"#, "", #"{"a":tru}"#, "{\"a\":\"\u{01}\"}", #"{"a":"x",}"#] {
            let r = project(doc, [[.key("a")]])
            #expect(!r.ok && r.values == [.other], "\(doc)")
        }
        // Well-formed, but not an object: nothing to look a key up in.
        #expect(project(#"["a"]"#, [[.key("a")]]).values == [.other])
    }

    /// Random documents (compact and pretty, with duplicate and escaped keys) and random paths,
    /// against parse-then-look-up.
    @Test func agreesWithTheParserOnRandomDocuments() throws {
        var rng = SplitMix64(seed: 77)
        let keys = ["a", "b", "é", "q\"", "0"]
        func doc(_ depth: Int) -> String {
            switch Int.random(in: 0..<(depth > 2 ? 5 : 8), using: &rng) {
            case 0: return "null"
            case 1: return Bool.random(using: &rng) ? "true" : "false"
            case 2: return String(Int.random(in: -99...99, using: &rng))
            case 3, 4: return JSON.string(randomString(&rng)).serialized()
            case 5: return "[" + (0..<Int.random(in: 0...3, using: &rng)).map { _ in doc(depth + 1) }.joined(separator: ",") + "]"
            default:
                // Members written by hand, so that keys repeat.
                return "{" + (0..<Int.random(in: 0...4, using: &rng)).map { _ in
                    JSON.string(keys.randomElement(using: &rng)!).serialized() + (Bool.random(using: &rng) ? ":" : " : ") + doc(depth + 1)
                }.joined(separator: Bool.random(using: &rng) ? "," : ", ") + "}"
            }
        }
        var answered = 0, total = 0
        for round in 0..<3000 {
            let text = "{\"a\":" + doc(1) + ",\"b\":" + doc(1) + "}"
            let parsed = try JSON.parse(text)
            let paths: [[JSONPathStep]] = (0..<4).map { _ in
                [.key(Bool.random(using: &rng) ? "a" : "b")] + (0..<Int.random(in: 0...2, using: &rng)).map { _ in
                    Bool.random(using: &rng) ? .key(keys.randomElement(using: &rng)!) : .index(Int.random(in: 0...2, using: &rng))
                }
            }
            let r = project(text, paths)
            #expect(r.ok, "round \(round): \(text)")
            for (path, got) in zip(paths, r.values) {
                if Self.lookUp(parsed, path) != .other { total += 1 }
                guard got != .other else { continue }
                answered += 1
                #expect(got == Self.lookUp(parsed, path), "round \(round): \(text) at \(path)")
            }
        }
        // Mutated text: never a crash, and wherever the parser still accepts it, the same answers.
        let alphabet = Array("{}[]\",:\\ 0123456789-.etrufalsn\u{01}".utf8)
        for round in 0..<3000 {
            var bytes = Array(("{\"a\":" + doc(1) + ",\"b\":" + doc(1) + "}").utf8)
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[at] = alphabet.randomElement(using: &rng)!
                case 1: bytes.remove(at: at)
                default: bytes.insert(alphabet.randomElement(using: &rng)!, at: at)
                }
                if bytes.isEmpty { break }
            }
            let paths: [[JSONPathStep]] = [[.key("a")], [.key("b"), .index(0)], [.key("a"), .key("b")], [.key("b"), .key("é")]]
            let projection = JSONProjection(paths: paths)
            var values: [ProjectedValue] = []
            _ = bytes.withUnsafeBytes { projection.project($0, into: &values) }
            guard let parsed = try? JSON.parse(bytes: bytes) else { continue }
            for (path, got) in zip(paths, values.map(Self.seen)) where got != .other {
                #expect(got == Self.lookUp(parsed, path), "mutated round \(round): \(String(decoding: bytes, as: UTF8.self)) at \(path)")
            }
        }
        // The comparison means something only if the projection answers most of what has a
        // plain answer (it declines strings with escapes and objects with escaped keys).
        #expect(answered * 2 > total, "answered \(answered) of \(total)")
    }

    /// Parse-then-look-up as the expression evaluator does it; `.other` where it would not be a
    /// plain value (a step the evaluator judges).
    static func lookUp(_ v: JSON, _ path: [JSONPathStep]) -> Seen {
        var v = v
        for (k, step) in path.enumerated() {
            let last = k == path.count - 1
            switch (v, step) {
            case (.object(let o), .key(let key)):
                guard let next = o[key] else { return last ? .missing : .other }
                v = next
            case (.array(let a), .index(let i)):
                guard i < a.count else { return last ? .missing : .other }
                v = a[i]
            default: return .other
            }
        }
        switch v {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .string(let s): return .string(s)
        case .array, .object: return .container(v)
        case .int, .double: return .number(v)
        }
    }
}
