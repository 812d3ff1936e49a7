import Foundation
import Testing
@testable import PorterJSON

@Suite struct JSONParserTests {
    @Test func parsesScalars() throws {
        #expect(try JSON.parse("null") == .null)
        #expect(try JSON.parse(" true ") == .bool(true))
        #expect(try JSON.parse("false") == .bool(false))
        #expect(try JSON.parse("\"a\\u00e9\\n\"") == .string("aé\n"))
        #expect(try JSON.parse("\"\\ud83d\\ude00\"") == .string("😀"))
    }

    @Test func integersStayIntegers() throws {
        #expect(try JSON.parse("9223372036854775807") == .int(Int64.max))
        #expect(try JSON.parse("-9223372036854775808") == .int(Int64.min))
        guard case .int = try JSON.parse("123456789012345678") else { Issue.record("not an int"); return }
        guard case .double(let d) = try JSON.parse("9223372036854775808") else { Issue.record("not a double"); return }
        #expect(d == 9223372036854775808.0)
        guard case .double = try JSON.parse("1.0") else { Issue.record("1.0 must be a double"); return }
    }

    @Test func keepsKeyOrderAndLastDuplicateWins() throws {
        let v = try JSON.parse(#"{"b":1,"a":2,"b":3}"#)
        #expect(v.objectValue?.keys == ["b", "a"])
        #expect(v["b"] == .int(3))
    }

    @Test func largeObjectsUseTheIndex() throws {
        let members = (0..<100).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let v = try JSON.parse("{\(members)}")
        #expect(v["k77"] == .int(77))
        #expect(v.objectValue?.keys.first == "k0")
        var o = v.objectValue!
        o["k5"] = nil
        #expect(o["k5"] == nil && o["k6"] == .int(6) && o.count == 99)
    }

    @Test func errorsCarryLineColumnAndOffset() {
        do {
            _ = try JSON.parse("{\n  \"a\": 1,\n  \"b\" 2\n}")
            Issue.record("should fail")
        } catch {
            #expect(error.line == 3)
            #expect(error.column == 7)
            #expect(error.offset == 18)
            #expect(error.message == "expected ':' after object key, found '2'")
            #expect(error.description == "expected ':' after object key, found '2' at line 3, column 7")
        }
        #expect(throws: JSONError(message: "expected ',' or '}' after object member, found '\"'", offset: 7, line: 1, column: 8)) {
            try JSON.parse(#"{"a":1 "b":2}"#)
        }
    }

    @Test func depthLimit() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONError.self) { try JSON.parse(deep) }
        let ok = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: Never.self) { try JSON.parse(ok) }
    }

    @Test func stringLengthLimit() {
        let long = "\"" + String(repeating: "x", count: 100) + "\""
        #expect(throws: JSONError.self) { try JSON.parse(long, limits: JSONLimits(maxStringBytes: 50)) }
        #expect(throws: Never.self) { try JSON.parse(long, limits: JSONLimits(maxStringBytes: 100)) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONError.self) { try JSON.parse(bytes: [0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func loneSurrogatesBecomeReplacementCharacters() throws {
        #expect(try JSON.parse(#""\ud800x""#) == .string("\u{FFFD}x"))
    }

    /// Import files (JSONLimits.rejectsLoneSurrogates): a lone surrogate is an error at its
    /// escape, high or low, at the end of a string or before another escape; pairs still read.
    @Test func loneSurrogatesAreErrorsWhereAsked() throws {
        let strict = JSONLimits(rejectsLoneSurrogates: true)
        for (text, column) in [(#"{"name":"a\ud800"}"#, 11), (#"{"name":"\udc00b"}"#, 10), (#"{"n":"\ud800\u0041"}"#, 7), (#"["x","\ud83d\ud83d"]"#, 7)] {
            do {
                _ = try JSON.parse(text, limits: strict)
                Issue.record("\(text) parsed")
            } catch {
                #expect(error.message.contains("lone UTF-16 surrogate") && error.message.contains("Auth0 would store U+FFFD"), "\(error.message)")
                #expect(error.line == 1 && error.column == column, "\(text): column \(error.column)")
            }
        }
        #expect(try JSON.parse(#""\ud83d\ude00""#, limits: strict) == .string("😀"))
        #expect(try JSON.parse(#""\u00e9""#, limits: strict) == .string("é"))
    }

    @Test func numbersCompareByValue() {
        #expect(JSON.int(1) == JSON.double(1.0))
        #expect(JSON.int(1).hashValue == JSON.double(1.0).hashValue)
        #expect(JSON.int(1) != JSON.string("1"))
    }
}
