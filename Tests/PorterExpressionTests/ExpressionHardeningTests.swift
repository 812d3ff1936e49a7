import Foundation
import Testing
import PorterJSON
@testable import PorterExpression

/// Every input that once crashed or stalled porter, and the rules that keep that class gone.
@Suite struct ExpressionHardeningTests {
    let user: JSON = ["name": "Ada", "logins_count": 3, "app_metadata": ["seats": .double(1e21)]]

    func eval(_ s: String, limits: ExpressionLimits = .init()) -> String {
        do { return represent(try PorterExpression.Expression.parse(s, limits: limits).evaluate(user: user)) } catch {
            return "parse-error:" + error.message
        }
    }

    func parseError(_ s: String) -> ExpressionError? {
        do { _ = try PorterExpression.Expression.parse(s); return nil } catch { return error }
    }

    @Test func numericArgumentsNeverTrap() {
        #expect(eval("(1).toFixed(Infinity)") == "error:RangeError")
        #expect(eval("(1).toFixed(-1)") == "error:RangeError")
        #expect(eval("(1).toFixed(NaN)") == "string:1")
        #expect(eval("'x'.repeat(1e20)") == "error:RangeError")
        #expect(eval("'x'.repeat(Infinity)") == "error:RangeError")
        #expect(eval("''.repeat(1e20)") == "string:")
        #expect(eval("'*'.repeat(user.app_metadata.seats)") == "error:RangeError")
        #expect(eval("'a,b'.split(',', 1e20)") == "json:[\"a\",\"b\"]")
        #expect(eval("'a,b'.split(',', -1)") == "json:[\"a\",\"b\"]")
        #expect(eval("'a,b'.split(',', 0)") == "json:[]")
        #expect(eval("parseInt('10', 1e21)") == "number:NaN")
        #expect(eval("parseInt('10', 2**32 + 16)") == "number:16")
        #expect(eval("JSON.stringify([1], null, 1e21)") == "string:[\n          1\n]")
        #expect(eval("JSON.stringify([1], null, -Infinity)") == "string:[1]")
        #expect(eval("Date.UTC(1e17)") == "number:NaN")
        #expect(eval("Date.UTC(2020, 1e20)") == "number:NaN")
        #expect(eval("Date.UTC(275760, 8, 13, 0, 0, 0, 1)") == "number:NaN")
        #expect(eval("(10).toString(undefined)") == "string:10")
        #expect(eval("(10).toString(1e21)") == "error:RangeError")
        #expect(eval("'abc'.padStart(1e300)") == "error:RangeError")
        #expect(eval("'abc'.padStart(undefined)") == "string:abc")
        #expect(eval("'abc'.slice(-1e300, 1e300)") == "string:abc")
        #expect(eval("'abc'.substring(NaN, Infinity)") == "string:abc")
        #expect(eval("'abc'.at(-1e300)") == "undefined")
        #expect(eval("'abc'.charAt(1e300)") == "string:")
        #expect(eval("'abc'.charCodeAt(-Infinity)") == "number:NaN")
        #expect(eval("[1,2].at(9e18)") == "undefined")
        #expect(eval("[1,2].lastIndexOf(1, -1e300)") == "number:-1")
        #expect(eval("[1,2].lastIndexOf(1, -3)") == "number:-1")
        #expect(eval("[[1,[2]]].flat(Infinity)") == "json:[1,2]")
        #expect(eval("'abc'.lastIndexOf('a', -5)") == "number:0")
        #expect(eval("new Date(1e300).getTime()") == "number:NaN")
        #expect(eval("user.name[1e300]") == "undefined")
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        for (open, close) in [("(", ")"), ("[", "]"), ("- ", ""), ("!", ""), ("typeof ", ""), ("~", ""), ("{a:", "}"), ("`${", "}`"), ("2**", "")] {
            let deep = String(repeating: open, count: 5000) + "1" + String(repeating: close, count: 5000)
            #expect(parseError(deep)?.message.contains("nested too deeply") == true, "\(open)…\(close): \(String(describing: parseError(deep)))")
        }
        let fine = String(repeating: "(", count: 99) + "1" + String(repeating: ")", count: 99)
        #expect(eval(fine) == "number:1")
        let mixed = String(repeating: "[-(", count: 40) + "1" + String(repeating: ")]", count: 40)
        #expect(eval(mixed) == "json:[1]")
        #expect(parseError("user" + String(repeating: ".a", count: 40_000))?.message.contains("nested too deeply") == true)
        #expect(parseError("user.identities" + String(repeating: ".map(x => x)", count: 5000))?.message.contains("nested too deeply") == true)
        let arrow = "[1].map(" + String(repeating: "x => [x].map(", count: 400) + "x => x" + String(repeating: ")", count: 401)
        #expect(parseError(arrow)?.message.contains("nested too deeply") == true)
    }

    @Test func longOperatorChainsRunWithoutRecursion() {
        #expect(eval("user.logins_count" + String(repeating: " + 1", count: 10_000)) == "number:10003")
        #expect(eval("''" + String(repeating: " + 'a'", count: 2_000) + " + ''").hasPrefix("string:aaaa"))
        #expect(eval("0" + String(repeating: " || 0", count: 5_000) + " || 'last'") == "string:last")
        #expect(eval("1" + String(repeating: " && 1", count: 5_000) + " && 'last'") == "string:last")
        #expect(eval("1" + String(repeating: " - 1 * 2", count: 100)) == "number:-199")
        let e = try? PorterExpression.Expression.parse("user.a" + String(repeating: " + user.b", count: 10_000))
        #expect(e?.attributePaths == ["a", "b"])
    }

    @Test func deepValuesAreErrors() {
        let deep = "'x'.repeat(100000).split('').reduce((a, c) => [a], [])"
        #expect(eval(deep) == "error:RangeError")
        #expect(eval("JSON.stringify(\(deep))") == "error:RangeError")
        #expect(eval("String(\(deep)).length") == "error:RangeError")
        #expect(eval("JSON.stringify('x'.repeat(300).split('').reduce((a, c) => ({a}), 1))").hasPrefix("parse-error"))
        #expect(eval("JSON.stringify('x'.repeat(2000).split('').reduce((a, c) => ({a: a}), 1))") == "error:RangeError")
        #expect(eval("'x'.repeat(300).split('').reduce((a, c) => ({a: a}), 1)") == "error:RangeError")
    }

    @Test func workAndMemoryAreCounted() {
        // Linear search: a worst case for naive search (n·m = 10^11 unit comparisons) on a megabyte string.
        #expect(eval("'a'.repeat(1000000).indexOf('a'.repeat(100000) + 'b')") == "number:-1")
        var small = ExpressionLimits()
        small.maxStringLength = 20_000
        small.maxArrayLength = 5_000
        small.maxAllocation = 200_000
        func run(_ s: String) -> String { eval(s, limits: small) }
        #expect(run("'a'.repeat(20000).includes('a'.repeat(1000) + 'b')") == "boolean:false")
        #expect(run("'a'.repeat(20000).split('a'.repeat(1000) + 'b').length") == "number:1")
        #expect(run("'a'.repeat(20000).replaceAll('a'.repeat(1000) + 'b', '').length") == "number:20000")
        #expect(run("'a'.repeat(20000).lastIndexOf('b' + 'a'.repeat(1000))") == "number:-1")
        // Concatenating arrays in a loop, shared structure doubled 64 times.
        #expect(run("'x'.repeat(2000).split('').reduce((a, c) => a.concat([c, c]), [])") == "error:RangeError")
        let doubled = "'x'.repeat(64).split('').reduce(a => [a, a], 0)"
        #expect(run(doubled) == "error:RangeError")
        #expect(run("JSON.stringify(\(doubled))") == "error:RangeError")
        #expect(run("'' + \(doubled)") == "error:RangeError")
        #expect(eval("JSON.parse('[' + '0,'.repeat(200000) + '0]')") == "error:RangeError")
        #expect(eval("JSON.parse('[' + '0,'.repeat(2000) + '0]').length") == "number:2001")
        #expect(run("'ß'.repeat(15000).toUpperCase()") == "error:RangeError")
        #expect(run("'ß'.repeat(5000).toUpperCase().length") == "number:10000")
        #expect(run("'x'.repeat(10000).split('').length") == "error:RangeError")
        #expect(run("'x'.repeat(10000).padEnd(30000)") == "error:RangeError")
        #expect(run("'x'.repeat(10000) + 'x'.repeat(10001)") == "error:RangeError")
        #expect(run("'x'.repeat(100).split('').map(c => 'y'.repeat(10000)).length") == "error:RangeError")
        #expect(parseError("'" + String(repeating: "a", count: 70_000) + "'")?.message.contains("string literal longer") == true)
        #expect(parseError(String(repeating: "1+", count: 600_000) + "1")?.message.contains("longer than") == true)
        small.maxSteps = 20_000
        #expect(run("'ab'.repeat(4000).split('b').map(x => x).length") == "number:4001")
        #expect(run("'ab'.repeat(4000).split('b').map(x => x).map(x => x).map(x => x).length") == "error:RangeError")
    }

    @Test func numberFormattingFollowsTheSpec() {
        #expect(eval("(2.5).toFixed(0)") == "string:3")
        #expect(eval("(0.125).toFixed(2)") == "string:0.13")
        #expect(eval("(-0.0001).toFixed(2)") == "string:-0.00")
        #expect(eval("(-0).toFixed(2)") == "string:0.00")
        #expect(eval("(1.005).toFixed(2)") == "string:1.00")
        #expect(eval("(1e21).toFixed(2)") == "string:1e+21")
        #expect(eval("(123.456).toFixed(10)") == "string:123.4560000000")
        #expect(eval("(1e-10).toFixed(3)") == "string:0.000")
        #expect(eval("(0.5).toString(2)") == "string:0.1")
        #expect(eval("(1e21).toString(16)") == "string:3635c9adc5dea00000")
        #expect(eval("(2**53).toString(2)") == "string:1" + String(repeating: "0", count: 53))
        #expect(eval("(-255.5).toString(16)") == "string:-ff.8")
        #expect(eval("Math.round(2**52 + 1)") == "number:4503599627370497")
        #expect(eval("Math.round(0.49999999999999994)") == "number:0")
        #expect(eval("Math.round(-2.5)") == "number:-2")
        #expect(eval("parseInt('123456789012345678901234567890')") == "number:1.2345678901234568e+29")
        #expect(eval("Number('0x1fffffffffffff1')") == "number:144115188075855860")
        #expect(eval("1e21") == "number:1e+21")
        #expect(eval("1e-7") == "number:1e-7")
        #expect(eval("0.000001") == "number:0.000001")
    }

    @Test func operatorsAreImplementedOrRejected() {
        #expect(eval("1 << 31") == "number:-2147483648")
        #expect(eval("-1 >>> 0") == "number:4294967295")
        #expect(eval("-16 >> 2") == "number:-4")
        #expect(eval("5 & 3 | 8 ^ 1") == "number:9")
        #expect(eval("~user.logins_count") == "number:-4")
        for bad in ["++user.logins_count", "user.logins_count++", "--user.logins_count", "user.logins_count--"] {
            #expect(parseError(bad)?.message.contains("operator '") == true, "\(bad)")
        }
        for bad in ["user.x = 1", "user.x += 1", "user.x >>>= 1", "user.x ??= 1", "user.x **= 2"] {
            #expect(parseError(bad)?.message.contains("assignment") == true, "\(bad)")
        }
        #expect(parseError("010")?.message.contains("legacy octal") == true)
        #expect(parseError("08")?.message.contains("legacy octal") == true)
        #expect(parseError("1__0")?.message.contains("separator") == true)
        #expect(parseError("1_")?.message.contains("separator") == true)
        #expect(parseError("1._5")?.message.contains("separator") == true)
        #expect(parseError("0x_1")?.message.contains("separator") == true)
        #expect(eval("1e1_0") == "number:10000000000")
        #expect(eval("1_000.5_5") == "number:1000.55")
        #expect(eval("0b1_0") == "number:2")
        #expect(eval("0.5") == "number:0.5")
        #expect(eval(".5") == "number:0.5")
        #expect(eval("1. + 1") == "number:2")
        #expect(eval("1.e1") == "number:10")
        #expect(parseError("10.toFixed(1)")?.message.contains("right after a number") == true)
        #expect(eval("10..toFixed(1)") == "string:10.0")
        #expect(eval("new Date('x').at(1)") == "error:TypeError")
        #expect(parseError("/a+/.test(user.name)")?.message.contains("regular expression") == true)
        #expect(parseError("user.identities.map(({provider}) => provider)")?.message.contains("destructuring") == true)
        #expect(parseError("user.identities.map(([a]) => a)")?.message.contains("destructuring") == true)
        #expect(parseError("user.identities.map((i = 1) => i)")?.message.contains("default parameter") == true)
        #expect(parseError("user.identities.map((...i) => i)")?.message.contains("rest parameters") == true)
        #expect(parseError("user.identities.map(user => user)")?.message.contains("'user' cannot be used") == true)
        #expect(parseError("[1.5].map(Math.round)")?.message.contains("x => Math.round(x)") == true)
        #expect(parseError("[1.5].map(Math.round)")?.range == 10..<20)
    }

    @Test func everyPunctuatorHasAMeaningOrARejection() {
        let known = Set(Punctuators.binaryLevels.joined()).union(Punctuators.assignment).union(Punctuators.update).union(Punctuators.structural)
        for p in Punctuators.all { #expect(known.contains(p), "\(p) is scanned but the parser gives it no meaning") }
        // Longest first, so `>>>=` is never read as `>>` `>=`.
        for (k, p) in Punctuators.all.enumerated() {
            for q in Punctuators.all[(k + 1)...] where q.count > p.count { Issue.record("\(q) comes after the shorter \(p)") }
        }
    }

    @Test func stringsCompareByCodeUnits() {
        #expect(eval("'\\u212B' === '\\u00C5'") == "boolean:false")
        #expect(eval("'\\u212B' == '\\u00C5'") == "boolean:false")
        #expect(eval("'e\\u0301' === '\\u00e9'") == "boolean:false")
        #expect(eval("'e\\u0301'.length") == "number:2")
        #expect(eval("({'\\u00C5': 1})['\\u212B']") == "undefined")
        #expect(eval("user.app_metadata === user.app_metadata") == "boolean:true")
        #expect(eval("[user.app_metadata].indexOf(user.app_metadata)") == "number:0")
        #expect(eval("user.app_metadata == JSON.parse('{\"seats\": 1e21}')") == "boolean:false")
        #expect(eval("[1] === [1]") == "boolean:false")
        #expect(eval("'\\r\\n x \\r\\n'.trim()") == "string:x")
        #expect(eval("Number('\\r\\n5\\r\\n')") == "number:5")
        #expect(eval("'a\\r\\nb'.split('')") == "json:[\"a\",\"\\r\",\"\\n\",\"b\"]")
        #expect(eval("'ΌΣΟΣ Σ'.toLowerCase()") == "string:όσος σ")
        #expect(eval("'\\u00C5'.normalize('NFD').length") == "number:2")
        #expect(eval("'x'.normalize('bad')") == "error:RangeError")
    }

    @Test func cellsFollowOneRule() throws {
        func cell(_ s: String) throws -> (String, JSON?, String) {
            let v = try PorterExpression.Expression.parse(s).evaluate(user: user).get()
            return (Cell.text(v), Cell.json(v), v.display)
        }
        #expect(try cell("NaN") == ("NaN", .string("NaN"), "NaN"))
        #expect(try cell("-Infinity") == ("-Infinity", .string("-Infinity"), "-Infinity"))
        #expect(try cell("new Date('x')") == ("Invalid Date", .string("Invalid Date"), "Invalid Date"))
        #expect(try cell("new Date(0)") == ("1970-01-01T00:00:00.000Z", .string("1970-01-01T00:00:00.000Z"), "1970-01-01T00:00:00.000Z"))
        #expect(try cell("({b: 1, 2: 3, 1: NaN})").0 == "{\"1\":null,\"2\":3,\"b\":1}")
        #expect(try cell("({b: 1, 2: 3})").1?.serialized() == "{\"2\":3,\"b\":1}")
        #expect(try cell("[NaN, undefined]") == ("[null,null]", [.null, .null], "[null,null]"))
        #expect(try cell("''") == ("", .string(""), "\"\""))
        #expect(try cell("user.missing") == ("", nil, "undefined"))
        #expect(try cell("null") == ("", .null, "null"))
        let nested: JSON = ["m": ["b": 1, "10": 2, "2": 3]]
        let v = try PorterExpression.Expression.parse("user.m").evaluate(user: nested).get()
        #expect(Cell.text(v) == "{\"2\":3,\"10\":2,\"b\":1}")
        #expect(Cell.json(v)?.serialized() == "{\"2\":3,\"10\":2,\"b\":1}")
    }

    /// The one checked conversion: no other `Int(…)` of a number in the engine.
    @Test func noUncheckedIntegerConversions() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/PorterExpression")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".swift") && $0 != "JSInteger.swift" }
        #expect(files.count >= 8)
        let pattern = try NSRegularExpression(pattern: #"\b(U?Int(8|16|32|64)?)\((?!truncatingIfNeeded:|bitPattern:|exactly:|ascii:|String\()"#)
        for f in files {
            let text = try String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8)
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let l = String(line)
                if pattern.firstMatch(in: l, range: NSRange(l.startIndex..., in: l)) != nil {
                    Issue.record("\(f):\(n + 1): convert numbers through JSInteger: \(l.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
    }
}
