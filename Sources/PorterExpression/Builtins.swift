import Foundation
import PorterJSON

/// The built-in functions and methods, with JavaScript's semantics (strings are UTF-16).
enum Builtins {
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

    /// Number.prototype methods (the registry dispatches here).
    static func numberMethod(_ d: Double, _ name: String, _ args: [Value], _ range: Range<Int>) throws(Failure) -> Value {
        switch name {
        case "toString":
            var radix = 10
            if !isAbsent(args.first) {
                guard let r = JSInteger.inRange(args[0].toNumber, 2, 36) else {
                    throw Failure.error("RangeError: toString() radix must be between 2 and 36", range)
                }
                radix = r
            }
            return .text(radix == 10 ? NumberFormat.string(d) : NumberFormat.radix(d, radix))
        case "toFixed":
            let f = JSInteger.integerOrInfinity(args.first?.toNumber ?? 0)
            guard f.isFinite, let digits = JSInteger.inRange(f, 0, 100) else {
                throw Failure.error("RangeError: toFixed() digits argument must be between 0 and 100", range)
            }
            if !d.isFinite || abs(d) >= 1e21 { return .text(NumberFormat.string(d)) }
            return .text(NumberFormat.fixed(d, digits))
        case "toPrecision":
            // The order of the spec's steps: undefined, then non-finite, then the range.
            if isAbsent(args.first) { return .text(NumberFormat.string(d)) }
            let p = JSInteger.integerOrInfinity(args[0].toNumber)
            if !d.isFinite { return .text(NumberFormat.string(d)) }
            guard p.isFinite, let precision = JSInteger.inRange(p, 1, 100) else {
                throw Failure.error("RangeError: toPrecision() argument must be between 1 and 100", range)
            }
            return .text(NumberFormat.toPrecision(d, precision))
        case "toExponential":
            let given = !isAbsent(args.first)
            let f = JSInteger.integerOrInfinity(args.first?.toNumber ?? 0)
            if !d.isFinite { return .text(NumberFormat.string(d)) }
            guard f.isFinite, let fraction = JSInteger.inRange(f, 0, 100) else {
                throw Failure.error("RangeError: toExponential() argument must be between 0 and 100", range)
            }
            return .text(NumberFormat.toExponential(d, fraction: given ? fraction : nil))
        case "valueOf": return .number(d)
        default: throw Failure.error("TypeError: number.\(name) is not a function", range)
        }
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

    static func dateMethod(_ t: Double, _ name: String, _ range: Range<Int>) throws(Failure) -> Value {
        switch name {
        case "getTime", "valueOf": return .number(t)
        case "toISOString":
            guard t.isFinite else { throw Failure.error("RangeError: Invalid time value", range) }
            return .text(DateFormat.iso(t))
        case "toJSON": return t.isFinite ? .text(DateFormat.iso(t)) : .null
        case "toString": return .text(DateFormat.toString(t))
        default: break
        }
        guard name.hasPrefix("get") else { throw Failure.error("TypeError: date.\(name) is not a function", range) }
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
        case .string(let s): t = DateFormat.parse(s.text)
        default:
            let p = v.toPrimitive(preferString: false)
            if case .string(let s) = p { t = DateFormat.parse(s.text) } else { t = p.toNumber }
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
            // floor(x + 0.5) on the exact value: x + 0.5 in doubles is wrong near 2^52 and 0.5 - ulp.
            let x = n(0)
            if !x.isFinite || x == x.rounded() { return .number(x) }
            if x < 0 && x >= -0.5 { return .number(-0.0) }
            let f = x.rounded(.down)
            return .number(x - f >= 0.5 ? f + 1 : f)
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
            if a.count > 1, !a[1].isNullish {
                throw Failure.error("TypeError: JSON.stringify's replacer argument is not supported (pass null)", range)
            }
            var indent = ""
            if a.count > 2 {
                switch a[2] {
                case .number(let d): indent = String(repeating: " ", count: JSInteger.clamp(d, 0, 10))
                case .string(let s): indent = String(decoding: s.units.prefix(10), as: UTF16.self)
                default: break
                }
            }
            var out = Stringify.Output(limit: ctx.limits.maxStringLength)
            guard try Stringify.write(a[0], indent: indent, into: &out, range) else { return .undefined }
            try ctx.checkString(out.count, range)
            return .text(out.text)
        case "JSON.parse":
            let parsed: JSON
            do {
                parsed = try JSON.parse(a[0].text)
            } catch {
                throw Failure.error("SyntaxError: \(error.message) in JSON", range)
            }
            try ctx.allocate(Builtins.countElements(parsed, limit: ctx.limits.maxArrayLength, range), range)
            return Value(parsed)
        case "Array.isArray": return .bool(a[0].isArray)
        case "Number.isInteger": if case .number(let d) = a[0] { return .bool(d.isFinite && d == d.rounded()) }; return .bool(false)
        case "Number.isFinite": if case .number(let d) = a[0] { return .bool(d.isFinite) }; return .bool(false)
        case "Number.isNaN": if case .number(let d) = a[0] { return .bool(d.isNaN) }; return .bool(false)
        case "Number.parseFloat", "parseFloat": return .number(NumberParse.parseFloat(a[0].text))
        case "Number.parseInt", "parseInt": return .number(NumberParse.parseInt(a[0].text, radix: a.count > 1 ? a[1].toNumber : nil))
        case "Date.parse": return .number(makeDate(.string(a[0].jsString)))
        case "Date.UTC":
            let y = n(0), m = a.count > 1 ? n(1) : 0, d = a.count > 2 ? n(2) : 1
            let h = a.count > 3 ? n(3) : 0, mi = a.count > 4 ? n(4) : 0, s = a.count > 5 ? n(5) : 0, ms = a.count > 6 ? n(6) : 0
            guard [y, m, d, h, mi, s, ms].allSatisfy(\.isFinite) else { return .number(.nan) }
            var year = JSInteger.integerOrInfinity(y)
            if (0...99).contains(year) { year += 1900 }
            return .number(DateFormat.makeDate(year: year, month: m, day: d, hour: h, minute: mi, second: s, ms: ms))
        case "Number": return .number(a.isEmpty ? 0 : a[0].toNumber)
        case "String": return .string(a.isEmpty ? .empty : a[0].jsString)
        case "Boolean": return .bool(a.first?.truthy ?? false)
        case "isNaN": return .bool(n(0).isNaN)
        case "isFinite": return .bool(n(0).isFinite)
        default:
            if let v = try callBase64(key, a, ctx, range) { return v }
            throw Failure.error("TypeError: \(key) is not a function", range)
        }
    }

    static func entries(_ v: Value, _ range: Range<Int>) throws(Failure) -> [(JSString, Value)] {
        switch v {
        case .undefined, .null: throw Failure.error("TypeError: Cannot convert undefined or null to object", range)
        case .json(.object(let o)):
            // JavaScript lists integer-like keys first, in ascending order.
            return orderKeys(o.map { (JSString($0.0), Value($0.1)) })
        case .object(let o): return orderKeys(Array(zip(o.keys, o.values)))
        case .json(.array), .array:
            return (v.arrayElements ?? []).enumerated().map { (JSString(String($0.offset)), $0.element) }
        case .string(let s):
            return s.units.enumerated().map { (JSString(String($0.offset)), .string(JSString(units: CollectionOfOne($0.element)))) }
        default: return []
        }
    }

    /// Elements (array items and object members) in parsed JSON, checked against the array limit.
    static func countElements(_ j: JSON, limit: Int, _ range: Range<Int>) throws(Failure) -> Int {
        var count = 0
        var stack = [j]
        while let top = stack.popLast() {
            switch top {
            case .array(let a): count += a.count; stack.append(contentsOf: a)
            case .object(let o): count += o.count; for (_, v) in o { stack.append(v) }
            default: break
            }
            if count > limit { throw Failure.error("RangeError: JSON.parse: more than \(limit) elements", range) }
        }
        return count
    }

    static func orderKeys(_ pairs: [(JSString, Value)]) -> [(JSString, Value)] {
        func index(_ k: JSString) -> Int? { k.wellFormedText.flatMap(JSInteger.arrayIndex) }
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

/// JSON.stringify, as JavaScript prints it: integer-like keys first, output size and nesting
/// checked while it is written (shared structure cannot blow it up).
enum Stringify {
    /// Deepest value written (built values are held to `Limits.maxDepth`; user data to the JSON parser's limit).
    static let maxDepth = 1024

    struct Output {
        var text = ""
        var count = 0
        let limit: Int

        init(limit: Int) { self.limit = limit }

        mutating func append(_ s: String, _ range: Range<Int>) throws(Failure) {
            count += s.utf16.count
            if count > limit { throw Failure.error("RangeError: JSON.stringify result longer than \(limit) characters", range) }
            text += s
        }
    }

    /// Writes `v`; false when it is undefined (or a function), which JSON.stringify leaves out.
    static func write(_ v: Value, indent: String, current: String = "", depth: Int = 0, into out: inout Output, _ range: Range<Int>) throws(Failure) -> Bool {
        switch v {
        case .undefined, .function: return false
        case .null: try out.append("null", range)
        case .bool(let b): try out.append(b ? "true" : "false", range)
        case .number(let d): try out.append(d.isFinite ? NumberFormat.string(d) : "null", range)
        case .string(let s): try out.append(quote(s), range)
        case .date(let t): try out.append(t.isFinite ? quote(DateFormat.iso(t)) : "null", range)
        case .json(.array(let a)):
            try writeArray(a.count, { Value(a[$0]) }, indent: indent, current: current, depth: depth, into: &out, range)
        case .array(let a):
            try writeArray(a.count, { a[$0] }, indent: indent, current: current, depth: depth, into: &out, range)
        case .json(.object(let o)):
            try writeObject(Builtins.orderKeys(o.map { (JSString($0.0), Value($0.1)) }), indent: indent, current: current, depth: depth, into: &out, range)
        case .object(let o):
            try writeObject(Builtins.orderKeys(Array(zip(o.keys, o.values))), indent: indent, current: current, depth: depth, into: &out, range)
        case .json(let j):
            return try write(Value(j), indent: indent, current: current, depth: depth, into: &out, range)
        }
        return true
    }

    static func writeArray(_ n: Int, _ element: (Int) -> Value, indent: String, current: String, depth: Int, into out: inout Output, _ range: Range<Int>) throws(Failure) {
        if n == 0 { try out.append("[]", range); return }
        guard depth < maxDepth else { throw Failure.error("RangeError: value nested deeper than \(maxDepth) levels", range) }
        let inner = current + indent
        try out.append(indent.isEmpty ? "[" : "[\n" + inner, range)
        for k in 0..<n {
            if k > 0 { try out.append(indent.isEmpty ? "," : ",\n" + inner, range) }
            if try !write(element(k), indent: indent, current: inner, depth: depth + 1, into: &out, range) { try out.append("null", range) }
        }
        try out.append(indent.isEmpty ? "]" : "\n" + current + "]", range)
    }

    static func writeObject(_ pairs: [(JSString, Value)], indent: String, current: String, depth: Int, into out: inout Output, _ range: Range<Int>) throws(Failure) {
        guard depth < maxDepth else { throw Failure.error("RangeError: value nested deeper than \(maxDepth) levels", range) }
        let inner = current + indent
        var first = true
        for (k, val) in pairs {
            if case .undefined = val { continue }
            if case .function = val { continue }
            try out.append(first ? (indent.isEmpty ? "{" : "{\n" + inner) : (indent.isEmpty ? "," : ",\n" + inner), range)
            first = false
            try out.append(quote(k) + (indent.isEmpty ? ":" : ": "), range)
            _ = try write(val, indent: indent, current: inner, depth: depth + 1, into: &out, range)
        }
        try out.append(first ? "{}" : (indent.isEmpty ? "}" : "\n" + current + "}"), range)
    }

    /// The compact text of a value already checked by `Expression.evaluate` (cells); nil for undefined.
    static func stringify(_ v: Value) -> String? {
        var out = Output(limit: Int.max)
        do {
            return try write(v, indent: "", into: &out, 0..<0) ? out.text : nil
        } catch {
            return nil
        }
    }

    /// JavaScript's QuoteJSONString (U+2028/2029 are not escaped; unpaired surrogates are, as
    /// `\udXXX`, so the text is always well-formed).
    static func quote(_ s: JSString) -> String {
        guard case .units(let u) = s.storage else { return quote(s.text) }
        var well: [UInt16] = []
        var out = "\""
        func flush() {
            let q = quote(String(decoding: well, as: UTF16.self))
            out += q.dropFirst().dropLast()
            well.removeAll(keepingCapacity: true)
        }
        var i = 0
        while i < u.count {
            let c = u[i]
            if c >= 0xD800 && c <= 0xDBFF, i + 1 < u.count, u[i + 1] >= 0xDC00 && u[i + 1] <= 0xDFFF {
                well.append(c); well.append(u[i + 1]); i += 2; continue
            }
            if c >= 0xD800 && c <= 0xDFFF {
                flush()
                out += "\\u" + String(c, radix: 16)
            } else {
                well.append(c)
            }
            i += 1
        }
        flush()
        return out + "\""
    }

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
