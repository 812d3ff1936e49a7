import PorterJSON

/// Random well-typed expressions of the documented subset (LANGUAGE.md), and random users with
/// values at the edges (NaN-producing strings, -0, 1e21, 2^53, astral and combining characters,
/// CRLF, missing fields), for the differential test against node. Deterministic for a seed.
struct ExpressionGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }

    mutating func next(_ n: Int) -> Int {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return Int(truncatingIfNeeded: state % UInt64(n))
    }

    mutating func pick<T>(_ xs: [T]) -> T { xs[next(xs.count)] }

    static let edgeNumbers: [JSON] = [0, 1, -1, 2, 3, 7, 10, 16, 36, 100, .double(-0.0), .double(0.5), .double(2.5), .double(-2.5), .double(0.1),
                                      .double(0.125), .double(1.005), .double(-0.0001), .double(1e21), .double(1e-7), .double(123.456),
                                      .double(9007199254740992), .double(9007199254740994), .double(4503599627370497), .double(1.7976931348623157e308),
                                      .double(.leastNonzeroMagnitude), .double(-1e300), .double(4294967296), .double(2147483648), .double(-2147483649), .double(1e15 + 0.3),
                                      .double(255.75), .double(0.000001), .double(1234.5678)]
    static let edgeStrings: [String] = ["", "a", "abc", "Ada Lovelace", " x ", "\r\nx\r\n", "a\r\nb", "\u{A0}\u{2028}y\u{FEFF}", "😀", "a😀b", "e\u{301}",
                                        "\u{E9}", "\u{212B}", "\u{C5}", "ΣΑΣ", "ΌΣΟΣ Σ", "ß", "İ", "12", " 12 ", "0x1f", "0b101", "1e3", "-0", "Infinity",
                                        "1_000", "3.14abc", "abc123", "010", "2024-03-05T10:20:30.000Z", "2024-03-05", "+002024-03-05T00:00:00Z",
                                        "-000001-01-01T00:00:00Z", "2024-13-01", "a,b,,c", "$&$$", "ﬀ", "Ǆ", "\u{1F600}\u{301}", "x\ty"]

    mutating func user() -> JSON {
        var u = JSONObject()
        if next(5) > 0 { u["n"] = pick(Self.edgeNumbers) }
        if next(5) > 0 { u["m"] = pick(Self.edgeNumbers) }
        if next(5) > 0 { u["s"] = .string(pick(Self.edgeStrings)) }
        if next(5) > 0 { u["t"] = .string(pick(Self.edgeStrings)) }
        if next(4) > 0 { u["b"] = .bool(next(2) == 0) }
        if next(6) == 0 { u["z"] = .null }
        if next(4) > 0 { u["arr"] = .array((0..<next(4)).map { _ in .string(pick(Self.edgeStrings)) }) }
        if next(4) > 0 { u["nums"] = .array((0..<next(4)).map { _ in pick(Self.edgeNumbers) }) }
        if next(3) > 0 {
            var o = JSONObject()
            for k in ["b", "2", "a", "10", "1"] where next(2) == 0 { o[k] = next(2) == 0 ? pick(Self.edgeNumbers) : .string(pick(Self.edgeStrings)) }
            u["o"] = .object(o)
        }
        return .object(u)
    }

    // MARK: Literals

    static let numberLiterals = ["0", "1", "-1", "2", "3", "10", "16", "36", "-0", "0.5", "2.5", "-2.5", "0.1", "0.125", "1.005", "-0.0001", "1e21", "1e-7",
                                 "123.456", "(2**53)", "(2**53 + 2)", "(2**52 + 1)", "(2**31)", "(2**32)", "(-(2**31) - 1)", "1e300", "5e-324", "NaN", "Infinity",
                                 "-Infinity", "0x1f", "0o17", "0b101", "1_000", "1e1_0", ".5", "255.75", "0.000001", "1e15 + 0.3", "4.35", "1.45"]
    static let stringLiterals = ["''", "'a'", "'abc'", "' x '", "'\\r\\nx\\r\\n'", "'a\\r\\nb'", "'😀'", "'a😀b'", "'e\\u0301'", "'\\u00e9'",
                                 "'\\u212B'", "'\\u00C5'", "'ΣΑΣ'", "'ß'", "'12'", "' 12 '", "'0x1f'", "'1e3'", "'-0'", "'Infinity'", "','", "'b'",
                                 "'$&'", "'$$'", "'\\u{1F600}'", "'\\x41'", "'2024-03-05T10:20:30Z'", "'2024-03-05'", "'+275760-09-13T00:00:00Z'",
                                 "'x\\ty'", "'ﬀ'", "'İ'", "'3.14abc'", "'  -12.5e1xyz'", "'123456789012345678901234567890'",
                                 // Unpaired surrogates (alone, at either end, two that pair when joined), astral and combining characters.
                                 "'\\uD800'", "'\\uDC00'", "'a\\uD83D'", "'\\uDE00b'", "('\\uD83D' + '\\uDE00')", "'😀'.slice(0, 1)", "'😀'[1]",
                                 "'\\u0301'", "'a\\u0301\\u0302'", "'\\u{10FFFF}'", "'𝒳y'",
                                 "(({'\\uD800': 'hi', a: 'A'})[user.s ?? 'a'] ?? '-')"]
    static let dateStrings = ["'2024-03-05T10:20:30.000Z'", "'2024-03-05'", "'2024-03'", "'2024'", "'2024-03-05T10:20Z'", "'2024-03-05T10:20:30+02:00'",
                              "'2024-03-05T10:20:30.1234Z'", "'+002024-03-05T00:00:00Z'", "'-000001-01-01T00:00:00Z'", "'-000000-01-01T00:00:00Z'",
                              "'+275760-09-13T00:00:00Z'", "'+275760-09-13T00:00:00.001Z'", "'2024-13-01'", "'2024-00-10'", "'2024-03-05T24:00:00Z'",
                              "'2024-03-05T24:00:01Z'", "'2024-03-05T10:60:00Z'", "'1970-01-01T00:00:00.000Z'", "'1969-12-31T23:59:59.999Z'",
                              "user.created ?? '2020-01-01'", "''", "'x'"]
    static let smallCounts = ["0", "1", "2", "3", "-1", "NaN", "2.7", "undefined", "1e20", "Infinity", "-Infinity", "5", "8"]
    static let precisions = ["", "0", "1", "2", "3", "5", "7", "10", "16", "17", "21", "25", "100", "101", "-1", "NaN", "undefined",
                             "Infinity", "2.9", "1e21", "'3'", "null"]
    static let exponents = ["2", "0.5", "-0.5", "-1", "3", "NaN", "0", "-0", "1", "Infinity", "-Infinity", "1.5", "-2", "10", "53", "0.1",
                            "1e-7", "-1074", "1024", "1e300", "(2**31 + 1)", "user.n", "user.m"]
    static let indexes = ["0", "1", "-1", "2", "-2", "5", "NaN", "Infinity", "-Infinity", "1e300", "-1e300", "undefined", "0.5", "-0", "(2**32 + 1)", "'1'"]

    // MARK: Typed expressions

    mutating func expression() -> String {
        switch next(6) {
        case 0: return number(0)
        case 1, 2: return string(0)
        case 3: return boolean(0)
        case 4: return array(0)
        default: return any(0)
        }
    }

    mutating func any(_ d: Int) -> String {
        switch next(7) {
        case 0: return number(d + 1)
        case 1: return string(d + 1)
        case 2: return boolean(d + 1)
        case 3: return array(d + 1)
        case 4: return pick(["user.n", "user.s", "user.b", "user.z", "user.missing", "user.arr", "user.o", "user.nums", "null", "undefined"])
        case 5: return "(\(boolean(d + 1)) ? \(number(d + 1)) : \(string(d + 1)))"
        default: return pick(["user.o", "({b: \(number(d + 1)), 2: \(string(d + 1)), 1: \(any(d + 1))})", "new Date(Number(\(number(d + 1))))",
                              "new Date(\(pick(Self.dateStrings)))", "user.arr?.[\(pick(Self.indexes))]", "user.o?.[\(pick(["'a'", "'2'", "'10'", "1"]))]"])
        }
    }

    mutating func number(_ d: Int) -> String {
        if d > 3 { return pick(Self.numberLiterals + ["user.n", "user.m"]) }
        let n = d + 1
        switch next(32) {
        case 0, 1: return pick(Self.numberLiterals)
        case 30: return "(\(pick(["user.n", "user.m", "(user.n ?? 1.45)", "1.45", "1.1", "(-3)", "0.1", "7", "1.0000001", "2.5", "10", "1e-5", "123.456"])) ** \(pick(Self.exponents)))"
        case 31: return "Math.pow(\(number(n)), \(number(n)))"
        case 2, 3: return pick(["user.n", "user.m", "(user.n ?? 7)", "user.nums?.[0]", "user.o?.a"])
        case 4: return "(\(number(n)) \(pick(["+", "-", "*", "/", "%"])) \(number(n)))"
        case 5: return "((\(number(n))) ** \(next(3) == 0 ? number(n) : pick(Self.exponents)))"
        case 6: return "(\(number(n)) \(pick(["<<", ">>", ">>>", "&", "|", "^"])) \(number(n)))"
        case 7: return "\(pick(["-", "+", "~"]))(\(any(n)))"
        case 8: return "Math.\(pick(["round", "floor", "ceil", "trunc", "abs", "sign", "sqrt"]))(\(number(n)))"
        case 9: return "Math.\(pick(["min", "max"]))(\(number(n)), \(number(n)))"
        case 10: return "Math.pow(\(number(n)), \(next(3) == 0 ? number(n) : pick(Self.exponents)))"
        case 11: return "Number(\(any(n)))"
        case 12: return "parseInt(\(string(n))\(pick(["", ", 16", ", 2", ", 36", ", 10", ", 7", ", 1e21", ", 0", ", 37", ", -1", ", 2**32 + 8"])))"
        case 13: return "parseFloat(\(string(n)))"
        case 14: return "(\(string(n))).length"
        case 15: return "(\(string(n))).\(pick(["indexOf", "lastIndexOf"]))(\(string(n))\(next(2) == 0 ? ", \(pick(Self.indexes))" : ""))"
        case 16: return "(\(string(n))).charCodeAt(\(pick(Self.indexes)))"
        case 17: return "(\(array(n))).length"
        case 18: return "(\(array(n))).\(pick(["indexOf", "lastIndexOf", "findIndex"]) == "findIndex" ? "findIndex(x => x === \(any(n)))" : "indexOf(\(any(n)))")"
        case 19: return "Date.UTC(\(number(n))\(next(2) == 0 ? ", \(number(n))" : "")\(next(2) == 0 ? ", \(pick(Self.indexes))" : ""))"
        case 20: return "new Date(\(next(2) == 0 ? "Number(\(number(n)))" : pick(Self.dateStrings))).\(pick(["getTime", "getUTCFullYear", "getUTCMonth", "getUTCDate", "getUTCDay", "getUTCHours", "getUTCMilliseconds", "valueOf"]))()"
        case 21: return "Date.parse(\(pick(Self.dateStrings)))"
        case 22: return "(\(array(n))).reduce((a, x) => a + \(pick(["x.length", "1", "Number(x)"])), \(number(n)))"
        case 23: return "(\(string(n)).localeCompare(\(string(n))) > 0 ? 1 : 0)"
        case 24: return "(\(boolean(n)) ? \(number(n)) : \(number(n)))"
        case 25: return "Object.keys(\(pick(["user.o", "{b: 1, 2: 2, 1: 3}", "[1, 2]", "'ab'"]))).length"
        case 26: return "(\(any(n)) ?? \(number(n)))"
        case 27: return "Math.round(\(number(n)) * 100) / 100"
        case 28: return "+\(string(n))"
        default: return "(\(number(n)) - \(number(n)))"
        }
    }

    mutating func string(_ d: Int) -> String {
        if d > 3 { return pick(Self.stringLiterals + ["user.s", "user.t", "String(user.s)"]) }
        let n = d + 1
        switch next(36) {
        case 0, 1, 2: return pick(Self.stringLiterals)
        case 3, 4: return pick(["String(user.s)", "(user.s ?? '')", "(user.t || 'none')", "String(user.t)", "String(user.arr?.[0])"])
        case 5: return "(\(number(n))).toFixed(\(pick(["0", "1", "2", "3", "5", "10", "20", "NaN", "undefined", "100", "101", "-1", "Infinity", "2.9"])))"
        case 6: return "(\(number(n))).toString(\(pick(["", "2", "3", "7", "8", "16", "36", "10", "undefined", "1", "37", "1e21"])))"
        case 7: return "String(\(any(n)))"
        case 8: return "`\(pick(["", "x", "<"]))${\(any(n))}\(pick(["", "-", " "]))${\(any(n))}`"
        case 9: return "(\(string(n))).\(pick(["slice", "substring"]))(\(pick(Self.indexes))\(next(2) == 0 ? ", \(pick(Self.indexes))" : ""))"
        case 10: return "(\(string(n))).charAt(\(pick(Self.indexes)))"
        case 11: return "String(\(string(n)).at(\(pick(Self.indexes))))"
        case 12: return "(\(string(n))).\(pick(["padStart", "padEnd"]))(\(pick(Self.smallCounts))\(next(2) == 0 ? ", \(string(n))" : ""))"
        case 13: return "(\(string(n))).repeat(\(pick(["0", "1", "2", "3", "-1", "NaN", "2.7", "undefined", "1e20", "Infinity"])))"
        case 14: return "(\(string(n))).\(pick(["toLowerCase", "toUpperCase", "trim", "trimStart", "trimEnd"]))()"
        case 15: return "(\(string(n))).\(pick(["replace", "replaceAll"]))(\(string(n)), \(next(3) == 0 ? "m => m + '!'" : string(n)))"
        case 16: return "(\(string(n))).split(\(string(n))\(next(3) == 0 ? ", \(pick(Self.smallCounts))" : "")).join(\(pick(["'|'", "undefined", "''", "','"])))"
        case 17: return "(\(string(n))).concat(\(any(n)), \(any(n)))"
        case 18: return "JSON.stringify(\(any(n))\(next(3) == 0 ? ", null, \(pick(["2", "'--'", "0", "1e21", "-5", "'abcdefghijklmno'", "undefined"]))" : ""))"
        case 19: return "(\(string(n)) + \(any(n)))"
        case 20: return "(\(any(n)) + \(string(n)))"
        case 21: return "(\(array(n))).join(\(pick(["", "'-'", "undefined", "', '"])))"
        case 22: return "new Date(Number(\(number(n)))).toISOString()"
        case 23: return "(\(string(n))).normalize(\(pick(["", "'NFC'", "'NFD'", "'NFKC'", "'NFKD'"])))"
        case 24: return "(typeof \(any(n)))"
        case 25: return "(\(boolean(n)) ? \(string(n)) : \(string(n)))"
        case 26: return "(\(string(n))[\(pick(Self.indexes))] ?? '∅')"
        case 27: return "String(\(array(n)))"
        case 28: return "Object.entries(\(pick(["user.o ?? {}", "{b: 1, 2: 'x', 1: null}", "['p', 'q']"]))).map(e => e[0] + '=' + e[1]).join()"
        case 29: return "(\(string(n))).split('').join('.')"
        case 30: return "(\(number(n))).toFixed(\(pick(["0", "2", "4"])))"
        case 31: return "String(\(number(n)))"
        case 32: return "(user.s ?? '').\(pick(["toLowerCase", "toUpperCase", "trim"]))()"
        case 33: return "(\(number(n))).toPrecision(\(pick(Self.precisions)))"
        case 34: return "(\(number(n))).toExponential(\(pick(Self.precisions)))"
        default: return "`${\(number(n))}`"
        }
    }

    mutating func boolean(_ d: Int) -> String {
        if d > 3 { return pick(["true", "false", "user.b", "!!user.s"]) }
        let n = d + 1
        switch next(16) {
        case 0: return pick(["true", "false", "user.b", "!user.b", "!!user.z"])
        case 1: return "(\(any(n)) \(pick(["===", "!==", "==", "!="])) \(any(n)))"
        case 2: return "(\(number(n)) \(pick(["<", "<=", ">", ">="])) \(number(n)))"
        case 3: return "(\(string(n)) \(pick(["<", "<=", ">", ">=", "===", "=="])) \(string(n)))"
        case 4: return "(\(string(n))).\(pick(["includes", "startsWith", "endsWith"]))(\(string(n))\(next(3) == 0 ? ", \(pick(Self.indexes))" : ""))"
        case 5: return "\(pick(["isNaN", "isFinite", "Number.isInteger", "Number.isFinite", "Number.isNaN"]))(\(any(n)))"
        case 6: return "Array.isArray(\(any(n)))"
        case 7: return "(\(pick(["'a'", "'2'", "'10'", "'length'", "0", "'toString'"])) in \(pick(["user.o ?? {}", "{a: 1, 2: 3}", "[1, 2, 3]"])))"
        case 8: return "(\(array(n))).\(pick(["includes", "some", "every"]) == "includes" ? "includes(\(any(n)))" : pick(["some", "every"]) + "(x => \(pick(["x", "x === 'a'", "x > 1", "!x"])))")"
        case 9: return "!(\(any(n)))"
        case 10: return "(\(boolean(n)) \(pick(["&&", "||"])) \(boolean(n)))"
        case 11: return "Boolean(\(any(n)))"
        case 12: return "(\(any(n)) == null)"
        case 13: return "(new Date(\(pick(Self.dateStrings))).getTime() < new Date(\(pick(Self.dateStrings))).getTime())"
        case 14: return "(\(any(n)) === \(any(n)))"
        default: return "(\(number(n)) === \(number(n)))"
        }
    }

    mutating func array(_ d: Int) -> String {
        if d > 3 { return pick(["[]", "[1, 'a']", "(user.arr ?? [])", "(user.nums ?? [])"]) }
        let n = d + 1
        switch next(14) {
        case 0: return pick(["[]", "[1, 'a', null]", "(user.arr ?? [])", "(user.nums ?? [])", "['b', 'a', 'c']", "[NaN, -0, 0]"])
        case 1: return "(\(string(n))).split(\(pick(["''", "','", "'a'", "' '", "undefined", "'\\r\\n'"]))\(next(3) == 0 ? ", \(pick(Self.smallCounts))" : ""))"
        case 2: return "[\(any(n)), \(any(n))]"
        case 3: return "(\(array(n))).map(x => \(pick(["x", "String(x)", "typeof x", "[x]", "x + 1", "Number(x) * 2"])))"
        case 4: return "(\(array(n))).filter(x => \(pick(["x", "!x", "typeof x === 'string'", "x > 0"])))"
        case 5: return "(\(array(n))).slice(\(pick(Self.indexes))\(next(2) == 0 ? ", \(pick(Self.indexes))" : ""))"
        case 6: return "(\(array(n))).concat(\(any(n)))"
        case 7: return "(\(array(n))).flat(\(pick(["", "1", "Infinity", "0", "-1", "NaN"])))"
        case 8: return "Object.\(pick(["keys", "values"]))(\(pick(["user.o ?? {}", "{b: 1, 2: 2, 1: 3, a: 4}", "['x', 'y']", "'ab'"])))"
        case 9: return "[\(array(n)), \(array(n))]"
        case 10: return "(\(array(n))).flatMap(x => [x, x])"
        case 11: return "JSON.parse(\(pick(["'[1, 2.5, \"a\"]'", "'{\"b\": 1, \"1\": 2}'", "'[]'", "'[1e400]'", "'nope'"])))"
        case 12: return "Object.entries(\(pick(["user.o ?? {}", "{b: 1, 2: 2}"])))"
        default: return "[\(number(n))]"
        }
    }
}
