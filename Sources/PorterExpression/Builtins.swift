import Foundation
import PorterJSON

/// The built-in functions and methods, with JavaScript's semantics (strings are UTF-16).
enum Builtins {
    static let many = Int.max

    static let staticArity: [String: ClosedRange<Int>] = [
        "Math.min": 0...many, "Math.max": 0...many, "Math.round": 1...1, "Math.floor": 1...1, "Math.ceil": 1...1,
        "Math.abs": 1...1, "Math.trunc": 1...1, "Math.sign": 1...1, "Math.pow": 2...2, "Math.sqrt": 1...1,
        "Object.keys": 1...1, "Object.values": 1...1, "Object.entries": 1...1,
        "JSON.stringify": 1...3, "JSON.parse": 1...1, "Array.isArray": 1...1,
        "Number.isInteger": 1...1, "Number.isFinite": 1...1, "Number.isNaN": 1...1, "Number.parseFloat": 1...1, "Number.parseInt": 1...2,
        "Date.parse": 1...1, "Date.UTC": 1...7,
        "Number": 0...1, "String": 0...1, "Boolean": 0...1, "parseInt": 1...2, "parseFloat": 1...1, "isNaN": 1...1, "isFinite": 1...1,
    ]

    static let methodArity: [String: ClosedRange<Int>] = [
        // String
        "toLowerCase": 0...0, "toUpperCase": 0...0, "trim": 0...0, "trimStart": 0...0, "trimEnd": 0...0,
        "split": 0...2, "slice": 0...2, "substring": 1...2, "indexOf": 1...2, "lastIndexOf": 1...2, "includes": 1...2,
        "startsWith": 1...2, "endsWith": 1...2, "replace": 2...2, "replaceAll": 2...2, "padStart": 1...2, "padEnd": 1...2,
        "repeat": 1...1, "charAt": 0...1, "charCodeAt": 0...1, "at": 1...1, "concat": 0...many, "toString": 0...1,
        "localeCompare": 1...1, "normalize": 0...1,
        // Array
        "join": 0...1, "map": 1...1, "filter": 1...1, "find": 1...1, "findIndex": 1...1, "some": 1...1, "every": 1...1,
        "flat": 0...1, "flatMap": 1...1, "reduce": 1...2,
        // Date
        "toISOString": 0...0, "toJSON": 0...0, "getTime": 0...0, "valueOf": 0...0,
        "getUTCFullYear": 0...0, "getUTCMonth": 0...0, "getUTCDate": 0...0, "getUTCDay": 0...0,
        "getUTCHours": 0...0, "getUTCMinutes": 0...0, "getUTCSeconds": 0...0, "getUTCMilliseconds": 0...0,
        "getFullYear": 0...0, "getMonth": 0...0, "getDate": 0...0, "getDay": 0...0, "getHours": 0...0,
        "getMinutes": 0...0, "getSeconds": 0...0,
        // Number
        "toFixed": 0...1,
    ]

    static func constant(_ g: String, _ name: String) -> Value? {
        switch (g, name) {
        case ("Math", "PI"): return .number(Double.pi)
        case ("Math", "E"): return .number(M_E)
        case ("Number", "MAX_SAFE_INTEGER"): return .number(9007199254740991)
        case ("Number", "MIN_SAFE_INTEGER"): return .number(-9007199254740991)
        case ("Number", "EPSILON"): return .number(Double.ulpOfOne)
        default: return nil
        }
    }

    static func hasMethod(_ v: Value, _ name: String) -> Bool {
        switch v {
        case .string: return stringMethods.contains(name)
        case .array, .json(.array): return arrayMethods.contains(name)
        case .date: return name.hasPrefix("get") || ["toISOString", "toJSON", "valueOf", "toString"].contains(name)
        case .number: return ["toFixed", "toString"].contains(name)
        case .bool: return name == "toString"
        default: return false
        }
    }

    static let stringMethods: Set<String> = ["toLowerCase", "toUpperCase", "trim", "trimStart", "trimEnd", "split", "slice", "substring",
        "indexOf", "lastIndexOf", "includes", "startsWith", "endsWith", "replace", "replaceAll", "padStart", "padEnd", "repeat",
        "charAt", "charCodeAt", "at", "concat", "toString", "localeCompare", "normalize"]
    static let arrayMethods: Set<String> = ["join", "includes", "indexOf", "lastIndexOf", "slice", "map", "filter", "find", "findIndex",
        "some", "every", "concat", "at", "flat", "flatMap", "reduce", "toString"]

    // MARK: Calls

    static func callMethod(_ base: Value, _ name: String, _ args: [Value], _ ctx: Context, _ range: Range<Int>) throws(Failure) -> Value {
        switch base {
        case .string(let s):
            guard stringMethods.contains(name) else { break }
            return try StringMethods.call(s, name, args, ctx, range)
        case .array, .json(.array):
            guard arrayMethods.contains(name) else { break }
            return try ArrayMethods.call(base.arrayElements!, name, args, ctx, range)
        case .date(let t):
            return try dateMethod(t, name, range)
        case .number(let d):
            if name == "toString" {
                let radix = args.first.map { Int($0.toNumber) } ?? 10
                if radix == 10 { return .string(JSON.formatNumber(d)) }
                guard (2...36).contains(radix) else { throw Failure.error("RangeError: toString() radix must be between 2 and 36", range) }
                if d == d.rounded(), abs(d) < 9.007199254740992e15 { return .string(String(Int64(d), radix: radix)) }
                return .string(JSON.formatNumber(d))
            }
            if name == "toFixed" {
                let digits = args.first.map { Int($0.toNumber) } ?? 0
                guard (0...100).contains(digits) else { throw Failure.error("RangeError: toFixed() digits argument must be between 0 and 100", range) }
                if !d.isFinite || abs(d) >= 1e21 { return .string(JSON.formatNumber(d)) }
                return .string(toFixed(d, digits))
            }
        case .bool(let b):
            if name == "toString" { return .string(b ? "true" : "false") }
        case .object, .json(.object):
            if name == "toString" { return .string("[object Object]") }
        default: break
        }
        throw Failure.error("TypeError: \(describe(base)).\(name) is not a function", range)
    }

    static func describe(_ v: Value) -> String {
        switch v {
        case .string: return "string"
        case .number: return "number"
        case .bool: return "boolean"
        case .array, .json(.array): return "array"
        case .date: return "date"
        default: return "object"
        }
    }

    /// Number.prototype.toFixed: exact decimal rounding of the double's value (half up on the exact value).
    static func toFixed(_ d: Double, _ digits: Int) -> String {
        let s = String(format: "%.\(digits)f", d)
        return s == "-0" || s.hasPrefix("-0") && Double(s) == 0 ? String(s.dropFirst()) : s
    }

    static func dateMethod(_ t: Double, _ name: String, _ range: Range<Int>) throws(Failure) -> Value {
        switch name {
        case "getTime", "valueOf": return .number(t)
        case "toISOString":
            guard t.isFinite else { throw Failure.error("RangeError: Invalid time value", range) }
            return .string(DateFormat.iso(t))
        case "toJSON": return t.isFinite ? .string(DateFormat.iso(t)) : .null
        case "toString": return .string(DateFormat.toString(t))
        default: break
        }
        guard t.isFinite else { return .number(.nan) }
        let c = DateFormat.civil(t)
        switch name {
        case "getUTCFullYear", "getFullYear": return .number(Double(c.year))
        case "getUTCMonth", "getMonth": return .number(Double(c.month - 1))
        case "getUTCDate", "getDate": return .number(Double(c.day))
        case "getUTCDay", "getDay": return .number(Double(c.weekday))
        case "getUTCHours", "getHours": return .number(Double(c.hour))
        case "getUTCMinutes", "getMinutes": return .number(Double(c.minute))
        case "getUTCSeconds", "getSeconds": return .number(Double(c.second))
        case "getUTCMilliseconds": return .number(Double(c.ms))
        default: throw Failure.error("TypeError: date.\(name) is not a function", range)
        }
    }

    static func makeDate(_ v: Value) -> Double {
        let t: Double
        switch v {
        case .date(let d): t = d
        case .string(let s): t = DateFormat.parse(s)
        default:
            let p = v.toPrimitive(preferString: false)
            if case .string(let s) = p { t = DateFormat.parse(s) } else { t = p.toNumber }
        }
        guard t.isFinite, abs(t) <= DateFormat.maxTime else { return .nan }
        return t.rounded(.towardZero) + 0
    }

    static func callStatic(_ key: String, _ a: [Value], _ ctx: Context, _ range: Range<Int>) throws(Failure) -> Value {
        func n(_ i: Int) -> Double { i < a.count ? a[i].toNumber : .nan }
        switch key {
        case "Math.min": return .number(a.reduce(Double.infinity) { r, v in let x = v.toNumber; return r.isNaN || x.isNaN ? .nan : (x < r || (x == 0 && r == 0 && x.sign == .minus) ? x : r) })
        case "Math.max": return .number(a.reduce(-Double.infinity) { r, v in let x = v.toNumber; return r.isNaN || x.isNaN ? .nan : (x > r || (x == 0 && r == 0 && r.sign == .minus) ? x : r) })
        case "Math.round":
            let x = n(0)
            if !x.isFinite || x == 0 { return .number(x) }
            if x > 0 && x < 0.5 { return .number(0) }
            if x < 0 && x >= -0.5 { return .number(-0.0) }
            return .number((x + 0.5).rounded(.down))
        case "Math.floor": return .number(n(0).rounded(.down))
        case "Math.ceil": return .number(n(0).rounded(.up))
        case "Math.abs": return .number(abs(n(0)))
        case "Math.trunc": return .number(n(0).rounded(.towardZero))
        case "Math.sign": let x = n(0); return .number(x.isNaN ? .nan : (x > 0 ? 1 : (x < 0 ? -1 : x)))
        case "Math.pow": return .number(Operators.jsPow(n(0), n(1)))
        case "Math.sqrt": return .number(n(0).squareRoot())
        case "Object.keys", "Object.values", "Object.entries":
            let pairs = try entries(a[0], range)
            try ctx.step(pairs.count, range)
            switch key {
            case "Object.keys": return .array(pairs.map { .string($0.0) })
            case "Object.values": return .array(pairs.map { $0.1 })
            default: return .array(pairs.map { .array([.string($0.0), $0.1]) })
            }
        case "JSON.stringify":
            var indent = ""
            if a.count > 2 {
                if case .number(let d) = a[2] { indent = String(repeating: " ", count: max(0, min(10, Int(d)))) }
                if case .string(let s) = a[2] { indent = String(s.prefix(10)) }
            }
            guard let text = Stringify.stringify(a[0], indent: indent) else { return .undefined }
            try ctx.checkString(text.utf16.count, range)
            return .string(text)
        case "JSON.parse":
            do {
                return Value(try JSON.parse(a[0].jsString))
            } catch {
                throw Failure.error("SyntaxError: \(error.message) in JSON", range)
            }
        case "Array.isArray": return .bool(a[0].isArray)
        case "Number.isInteger": if case .number(let d) = a[0] { return .bool(d.isFinite && d == d.rounded()) }; return .bool(false)
        case "Number.isFinite": if case .number(let d) = a[0] { return .bool(d.isFinite) }; return .bool(false)
        case "Number.isNaN": if case .number(let d) = a[0] { return .bool(d.isNaN) }; return .bool(false)
        case "Number.parseFloat", "parseFloat": return .number(NumberParse.parseFloat(a[0].jsString))
        case "Number.parseInt", "parseInt": return .number(NumberParse.parseInt(a[0].jsString, radix: a.count > 1 && !a[1].isNullish ? a[1].toNumber : nil))
        case "Date.parse": return .number(makeDate(.string(a[0].jsString)))
        case "Date.UTC":
            let y = n(0), m = a.count > 1 ? n(1) : 0, d = a.count > 2 ? n(2) : 1
            let h = a.count > 3 ? n(3) : 0, mi = a.count > 4 ? n(4) : 0, s = a.count > 5 ? n(5) : 0, ms = a.count > 6 ? n(6) : 0
            guard [y, m, d, h, mi, s, ms].allSatisfy(\.isFinite) else { return .number(.nan) }
            var yy = Int(y), mm = Int(m)
            if (0...99).contains(yy) { yy += 1900 }
            yy += mm >= 0 ? mm / 12 : -((11 - mm) / 12)
            mm = ((mm % 12) + 12) % 12
            let days = Double(DateFormat.daysFromCivil(yy, mm + 1, 1)) + d.rounded(.towardZero) - 1
            return .number(days * 86_400_000 + h.rounded(.towardZero) * 3_600_000 + mi.rounded(.towardZero) * 60_000 + s.rounded(.towardZero) * 1000 + ms.rounded(.towardZero))
        case "Number": return .number(a.isEmpty ? 0 : a[0].toNumber)
        case "String": return .string(a.isEmpty ? "" : a[0].jsString)
        case "Boolean": return .bool(a.first?.truthy ?? false)
        case "isNaN": return .bool(n(0).isNaN)
        case "isFinite": return .bool(n(0).isFinite)
        default: throw Failure.error("TypeError: \(key) is not a function", range)
        }
    }

    static func entries(_ v: Value, _ range: Range<Int>) throws(Failure) -> [(String, Value)] {
        switch v {
        case .undefined, .null: throw Failure.error("TypeError: Cannot convert undefined or null to object", range)
        case .json(.object(let o)):
            // JavaScript lists integer-like keys first, in ascending order.
            let pairs = o.map { ($0.0, Value($0.1)) }
            return orderKeys(pairs)
        case .object(let o): return orderKeys(Array(zip(o.keys, o.values)))
        case .json(.array), .array:
            return (v.arrayElements ?? []).enumerated().map { (String($0.offset), $0.element) }
        case .string(let s):
            return Array(s.utf16).enumerated().map { (String($0.offset), .string(String(utf16CodeUnits: [$0.element], count: 1))) }
        default: return []
        }
    }

    static func orderKeys(_ pairs: [(String, Value)]) -> [(String, Value)] {
        func index(_ k: String) -> UInt32? {
            guard let i = UInt32(k), String(i) == k, i != UInt32.max else { return nil }
            return i
        }
        let numeric = pairs.filter { index($0.0) != nil }.sorted { index($0.0)! < index($1.0)! }
        if numeric.isEmpty { return pairs }
        return numeric + pairs.filter { index($0.0) == nil }
    }

    /// Calls a callback value (arrow function or built-in function) with arguments.
    static func invoke(_ f: Value, _ args: [Value], _ ctx: Context, _ range: Range<Int>) throws(Failure) -> Value {
        guard case .function(let fn) = f else {
            throw Failure.error("TypeError: \(f.jsString) is not a function", range)
        }
        try ctx.step(1, range)
        switch fn.kind {
        case .arrow(let params, let body):
            for (i, slot) in params.enumerated() { ctx.slots[slot] = i < args.count ? args[i] : .undefined }
            return try body(ctx)
        case .builtin(let name):
            return try callStatic(name, Array(args.prefix(name == "parseInt" ? 2 : 1)), ctx, range)
        }
    }
}

/// JSON.stringify, as JavaScript prints it.
enum Stringify {
    static func stringify(_ v: Value, indent: String = "", current: String = "") -> String? {
        switch v {
        case .undefined, .function: return nil
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let d): return d.isFinite ? JSON.formatNumber(d) : "null"
        case .string(let s): return quote(s)
        case .date(let t): return t.isFinite ? quote(DateFormat.iso(t)) : "null"
        case .json(let j): return json(j, indent: indent, current: current)
        case .array(let a):
            if a.isEmpty { return "[]" }
            let inner = current + indent
            let items = a.map { stringify($0, indent: indent, current: inner) ?? "null" }
            return wrap("[", "]", items, indent: indent, current: current)
        case .object(let o):
            let inner = current + indent
            var items: [String] = []
            for (k, val) in zip(o.keys, o.values) {
                if let s = stringify(val, indent: indent, current: inner) { items.append(quote(k) + (indent.isEmpty ? ":" : ": ") + s) }
            }
            if items.isEmpty { return "{}" }
            return wrap("{", "}", items, indent: indent, current: current)
        }
    }

    static func json(_ j: JSON, indent: String, current: String) -> String {
        switch j {
        case .array(let a):
            if a.isEmpty { return "[]" }
            let inner = current + indent
            return wrap("[", "]", a.map { json($0, indent: indent, current: inner) }, indent: indent, current: current)
        case .object(let o):
            if o.isEmpty { return "{}" }
            let inner = current + indent
            let ordered = Builtins.orderKeys(o.map { ($0.0, Value($0.1)) })
            return wrap("{", "}", ordered.map { quote($0.0) + (indent.isEmpty ? ":" : ": ") + (stringify($0.1, indent: indent, current: inner) ?? "null") }, indent: indent, current: current)
        default:
            return stringify(Value(j)) ?? "null"
        }
    }

    static func wrap(_ open: String, _ close: String, _ items: [String], indent: String, current: String) -> String {
        if indent.isEmpty { return open + items.joined(separator: ",") + close }
        let inner = current + indent
        return open + "\n" + inner + items.joined(separator: ",\n" + inner) + "\n" + current + close
    }

    /// JavaScript's QuoteJSONString (U+2028/2029 are not escaped; lone surrogates are).
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    out += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
