import Foundation
import PorterJSON

/// A JavaScript value. Arrays and objects from the user stay as JSON (`.json`) and are read in
/// place; values an expression builds are `.array` / `.object`.
public enum Value: Sendable {
    case undefined
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([Value])
    case object(ObjectValue)
    /// An array or object of the user, as parsed.
    case json(JSON)
    /// Milliseconds since the epoch (NaN for an invalid date).
    case date(Double)
    case function(FunctionValue)

    public init(_ json: JSON) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .number(Double(i))
        case .double(let d): self = .number(d)
        case .string(let s): self = .string(s)
        case .array, .object: self = .json(json)
        }
    }
}

/// An ordered object built by an expression.
public struct ObjectValue: Sendable {
    public var keys: [String] = []
    public var values: [Value] = []

    subscript(key: String) -> Value? {
        get { keys.firstIndex(of: key).map { values[$0] } }
        set {
            if let i = keys.firstIndex(of: key) {
                if let newValue { values[i] = newValue } else { keys.remove(at: i); values.remove(at: i) }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
            }
        }
    }
}

public struct FunctionValue: Sendable {
    enum Kind: Sendable {
        case arrow(params: [Int], body: Compiled)
        case builtin(String)
    }
    let kind: Kind
}

// MARK: - Conversions (ECMA-262 abstract operations)

extension Value {
    var isNullish: Bool {
        switch self {
        case .undefined, .null: return true
        default: return false
        }
    }

    /// Elements of an array value, whatever its representation.
    var arrayElements: [Value]? {
        switch self {
        case .array(let a): return a
        case .json(.array(let a)): return a.map(Value.init)
        default: return nil
        }
    }

    var isArray: Bool {
        switch self {
        case .array, .json(.array): return true
        default: return false
        }
    }

    /// ToBoolean.
    var truthy: Bool {
        switch self {
        case .undefined, .null: return false
        case .bool(let b): return b
        case .number(let d): return !(d == 0 || d.isNaN)
        case .string(let s): return !s.isEmpty
        default: return true
        }
    }

    var typeofName: String {
        switch self {
        case .undefined: return "undefined"
        case .null: return "object"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .function: return "function"
        default: return "object"
        }
    }

    /// ToPrimitive with hint "default"/"number" (dates: "string" for default, as JS).
    func toPrimitive(preferString: Bool = false) -> Value {
        switch self {
        case .array, .json(.array): return .string(jsString)
        case .object, .json(.object): return .string("[object Object]")
        case .date(let t): return preferString ? .string(DateFormat.toString(t)) : .number(t)
        case .function: return .string("function () { [native code] }")
        default: return self
        }
    }

    /// ToNumber.
    var toNumber: Double {
        switch self {
        case .undefined: return .nan
        case .null: return 0
        case .bool(let b): return b ? 1 : 0
        case .number(let d): return d
        case .string(let s): return NumberParse.stringToNumber(s)
        case .date(let t): return t
        default: return toPrimitive().toNumber
        }
    }

    /// ToString.
    var jsString: String {
        switch self {
        case .undefined: return "undefined"
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let d): return JSON.formatNumber(d)
        case .string(let s): return s
        case .array(let a): return a.map { $0.isNullish ? "" : $0.jsString }.joined(separator: ",")
        case .json(.array(let a)): return a.map { Value($0) }.map { $0.isNullish ? "" : $0.jsString }.joined(separator: ",")
        case .object, .json: return "[object Object]"
        case .date(let t): return DateFormat.toString(t)
        case .function: return "function () { [native code] }"
        }
    }

    /// The member `name` of this value (property get), or nil when reading it from
    /// undefined/null is a TypeError.
    func property(_ name: String) -> Value? {
        switch self {
        case .undefined, .null: return nil
        case .string(let s):
            if name == "length" { return .number(Double(s.utf16.count)) }
            if let i = Int(name), i >= 0, String(i) == name {
                let u = Array(s.utf16)
                return i < u.count ? .string(String(utf16CodeUnits: [u[i]], count: 1)) : .undefined
            }
            return .undefined
        case .array(let a):
            if name == "length" { return .number(Double(a.count)) }
            if let i = Int(name), i >= 0, String(i) == name { return i < a.count ? a[i] : .undefined }
            return .undefined
        case .json(.array(let a)):
            if name == "length" { return .number(Double(a.count)) }
            if let i = Int(name), i >= 0, String(i) == name { return i < a.count ? Value(a[i]) : .undefined }
            return .undefined
        case .json(.object(let o)):
            return o[name].map(Value.init) ?? .undefined
        case .object(let o):
            return o[name] ?? .undefined
        default:
            return .undefined
        }
    }

    /// The property key a value is converted to for `obj[key]`.
    var propertyKey: String {
        if case .number(let d) = self { return JSON.formatNumber(d) }
        return jsString
    }
}

// MARK: - Equality and comparison

enum Compare {
    static func strictEquals(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.undefined, .undefined), (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y && x.utf16.count == y.utf16.count
        default: return false // objects: identity, and every evaluation builds or reads a distinct one
        }
    }

    static func sameValueZero(_ a: Value, _ b: Value) -> Bool {
        if case .number(let x) = a, case .number(let y) = b, x.isNaN && y.isNaN { return true }
        return strictEquals(a, b)
    }

    /// IsLooselyEqual (==).
    static func looseEquals(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.undefined, .undefined), (.null, .null), (.undefined, .null), (.null, .undefined): return true
        case (.undefined, _), (.null, _), (_, .undefined), (_, .null): return false
        case (.number, .number), (.string, .string), (.bool, .bool): return strictEquals(a, b)
        case (.number(let x), .string): return x == b.toNumber
        case (.string, .number(let y)): return a.toNumber == y
        case (.bool, _): return looseEquals(.number(a.toNumber), b)
        case (_, .bool): return looseEquals(a, .number(b.toNumber))
        case (.number, _), (.string, _):
            if isObject(b) { return looseEquals(a, b.toPrimitive()) }
            return false
        case (_, .number), (_, .string):
            if isObject(a) { return looseEquals(a.toPrimitive(), b) }
            return false
        default: return false
        }
    }

    static func isObject(_ v: Value) -> Bool {
        switch v {
        case .array, .object, .json, .date, .function: return true
        default: return false
        }
    }

    /// IsLessThan: nil means undefined (a NaN was involved).
    static func lessThan(_ a: Value, _ b: Value) -> Bool? {
        let pa = a.toPrimitive(), pb = b.toPrimitive()
        if case .string(let x) = pa, case .string(let y) = pb {
            return utf16Less(x, y)
        }
        let x = pa.toNumber, y = pb.toNumber
        if x.isNaN || y.isNaN { return nil }
        return x < y
    }

    static func utf16Less(_ x: String, _ y: String) -> Bool {
        var a = x.utf16.makeIterator(), b = y.utf16.makeIterator()
        while true {
            switch (a.next(), b.next()) {
            case (nil, nil): return false
            case (nil, _): return true
            case (_, nil): return false
            case (let p?, let q?): if p != q { return p < q }
            }
        }
    }
}

// MARK: - Number parsing (ToNumber on strings, parseInt, parseFloat)

enum NumberParse {
    static let whitespace: Set<Character> = [" ", "\t", "\n", "\r", "\u{0B}", "\u{0C}", "\u{A0}", "\u{FEFF}", "\u{2028}", "\u{2029}",
                                             "\u{1680}", "\u{2000}", "\u{2001}", "\u{2002}", "\u{2003}", "\u{2004}", "\u{2005}",
                                             "\u{2006}", "\u{2007}", "\u{2008}", "\u{2009}", "\u{200A}", "\u{202F}", "\u{205F}", "\u{3000}"]

    static func trim(_ s: String) -> Substring {
        var sub = Substring(s)
        while let f = sub.first, whitespace.contains(f) { sub.removeFirst() }
        while let l = sub.last, whitespace.contains(l) { sub.removeLast() }
        return sub
    }

    static func trimStart(_ s: String) -> Substring {
        var sub = Substring(s)
        while let f = sub.first, whitespace.contains(f) { sub.removeFirst() }
        return sub
    }

    static func stringToNumber(_ s: String) -> Double {
        let t = trim(s)
        if t.isEmpty { return 0 }
        var body = t
        var sign = 1.0
        if body.hasPrefix("0x") || body.hasPrefix("0X") || body.hasPrefix("0o") || body.hasPrefix("0O") || body.hasPrefix("0b") || body.hasPrefix("0B") {
            let radix = "xX".contains(body[body.index(after: body.startIndex)]) ? 16 : ("oO".contains(body[body.index(after: body.startIndex)]) ? 8 : 2)
            let digits = body.dropFirst(2)
            guard !digits.isEmpty else { return .nan }
            var v = 0.0
            for c in digits {
                guard let d = c.hexDigitValue, d < radix else { return .nan }
                v = v * Double(radix) + Double(d)
            }
            return v
        }
        if body.first == "+" || body.first == "-" {
            if body.first == "-" { sign = -1 }
            body = body.dropFirst()
        }
        if body == "Infinity" { return sign * .infinity }
        // StrDecimalLiteral: digits [. digits] [e[+-]digits] or . digits …
        guard isDecimalLiteral(body) else { return .nan }
        return sign * (Double(String(body)) ?? .nan)
    }

    static func isDecimalLiteral(_ s: Substring) -> Bool {
        var it = Array(s.utf8)[...]
        var digits = 0
        while let c = it.first, c >= 48 && c <= 57 { digits += 1; it = it.dropFirst() }
        if it.first == UInt8(ascii: ".") {
            it = it.dropFirst()
            while let c = it.first, c >= 48 && c <= 57 { digits += 1; it = it.dropFirst() }
        }
        guard digits > 0 else { return false }
        if it.first == UInt8(ascii: "e") || it.first == UInt8(ascii: "E") {
            it = it.dropFirst()
            if it.first == UInt8(ascii: "+") || it.first == UInt8(ascii: "-") { it = it.dropFirst() }
            var expDigits = 0
            while let c = it.first, c >= 48 && c <= 57 { expDigits += 1; it = it.dropFirst() }
            guard expDigits > 0 else { return false }
        }
        return it.isEmpty
    }

    static func parseFloat(_ s: String) -> Double {
        var t = trimStart(s)
        var sign = 1.0
        if t.first == "+" || t.first == "-" {
            if t.first == "-" { sign = -1 }
            t = t.dropFirst()
        }
        if t.hasPrefix("Infinity") { return sign * .infinity }
        // Longest prefix that is a decimal literal.
        let u = Array(t.utf8)
        var k = 0
        var digits = 0
        while k < u.count, u[k] >= 48 && u[k] <= 57 { k += 1; digits += 1 }
        if k < u.count, u[k] == UInt8(ascii: ".") {
            k += 1
            while k < u.count, u[k] >= 48 && u[k] <= 57 { k += 1; digits += 1 }
        }
        guard digits > 0 else { return .nan }
        var end = k
        if k < u.count, u[k] == UInt8(ascii: "e") || u[k] == UInt8(ascii: "E") {
            var j = k + 1
            if j < u.count, u[j] == UInt8(ascii: "+") || u[j] == UInt8(ascii: "-") { j += 1 }
            let expStart = j
            while j < u.count, u[j] >= 48 && u[j] <= 57 { j += 1 }
            if j > expStart { end = j }
        }
        var text = String(decoding: u[0..<end], as: UTF8.self)
        if text.hasSuffix(".") { text.removeLast() }
        if text.hasPrefix(".") { text = "0" + text }
        return sign * (Double(text) ?? .nan)
    }

    static func parseInt(_ s: String, radix r: Double?) -> Double {
        var t = trimStart(s)
        var sign = 1.0
        if t.first == "+" || t.first == "-" {
            if t.first == "-" { sign = -1 }
            t = t.dropFirst()
        }
        var radix = Int(r.map { $0.isFinite ? $0.rounded(.towardZero) : 0 } ?? 0)
        var stripPrefix = true
        if radix != 0 {
            if radix < 2 || radix > 36 { return .nan }
            if radix != 16 { stripPrefix = false }
        } else {
            radix = 10
        }
        if stripPrefix, t.hasPrefix("0x") || t.hasPrefix("0X") {
            t = t.dropFirst(2)
            radix = 16
        }
        var v = 0.0
        var any = false
        for c in t {
            guard let d = c.hexDigitValue ?? (c.isLetter && c.isASCII ? Int(c.asciiValue! | 0x20) - 87 : nil), d < radix else { break }
            v = v * Double(radix) + Double(d)
            any = true
        }
        return any ? sign * v : .nan
    }
}

// MARK: - Dates (UTC; reproducible whatever the machine's time zone)

enum DateFormat {
    static func parse(_ s: String) -> Double {
        // ISO 8601 forms JavaScript's Date parses: YYYY, YYYY-MM, YYYY-MM-DD (UTC),
        // and date-times with optional seconds, milliseconds and zone.
        let u = Array(s.utf8)
        var k = 0
        func num(_ n: Int) -> Int? {
            guard k + n <= u.count else { return nil }
            var v = 0
            for j in k..<k + n {
                guard u[j] >= 48 && u[j] <= 57 else { return nil }
                v = v * 10 + Int(u[j] - 48)
            }
            k += n
            return v
        }
        func eat(_ c: Character) -> Bool {
            if k < u.count, u[k] == c.asciiValue! { k += 1; return true }
            return false
        }
        guard let year = num(4) else { return .nan }
        var month = 1, day = 1, hour = 0, minute = 0, second = 0, ms = 0.0
        var offset = 0
        if eat("-") {
            guard let m = num(2) else { return .nan }
            month = m
            if eat("-") {
                guard let d = num(2) else { return .nan }
                day = d
            }
        }
        if eat("T") || eat(" ") {
            guard let h = num(2), eat(":"), let mi = num(2) else { return .nan }
            hour = h; minute = mi
            if eat(":") {
                guard let sec = num(2) else { return .nan }
                second = sec
                if eat(".") {
                    let start = k
                    while k < u.count, u[k] >= 48 && u[k] <= 57 { k += 1 }
                    guard k > start else { return .nan }
                    let frac = String(decoding: u[start..<min(k, start + 3)], as: UTF8.self)
                    ms = Double(frac.padding(toLength: 3, withPad: "0", startingAt: 0)) ?? 0
                }
            }
            if eat("Z") {
            } else if k < u.count, u[k] == UInt8(ascii: "+") || u[k] == UInt8(ascii: "-") {
                let neg = u[k] == UInt8(ascii: "-")
                k += 1
                guard let oh = num(2) else { return .nan }
                _ = eat(":")
                guard let om = num(2) else { return .nan }
                offset = (neg ? -1 : 1) * (oh * 60 + om)
            } else if k == u.count {
                // A date-time without a zone is local time in JS; porter runs in UTC.
            }
        }
        guard k == u.count, (1...12).contains(month), (1...31).contains(day), hour <= 24, minute < 60, second < 60 else { return .nan }
        let days = daysFromCivil(year, month, day)
        var t = Double(days) * 86_400_000 + Double(hour * 3_600_000 + minute * 60_000 + second * 1000) + ms
        t -= Double(offset) * 60_000
        return t
    }

    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(_ t: Double) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, ms: Int, weekday: Int) {
        let msTotal = Int64(t)
        var days = Int(msTotal / 86_400_000)
        var rem = Int(msTotal % 86_400_000)
        if rem < 0 { rem += 86_400_000; days -= 1 }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        let weekday = ((days % 7) + 11) % 7 // 1970-01-01 was a Thursday (4)
        return (y, m, d, rem / 3_600_000, rem / 60_000 % 60, rem / 1000 % 60, rem % 1000, weekday)
    }

    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    static func iso(_ t: Double) -> String {
        let c = civil(t)
        let year = c.year >= 0 && c.year <= 9999 ? pad(c.year, 4) : (c.year < 0 ? "-" : "+") + pad(abs(c.year), 6)
        return "\(year)-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2)).\(pad(c.ms, 3))Z"
    }

    static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Date.prototype.toString in UTC.
    static func toString(_ t: Double) -> String {
        guard t.isFinite else { return "Invalid Date" }
        let c = civil(t)
        return "\(days[c.weekday]) \(months[c.month - 1]) \(pad(c.day, 2)) \(pad(c.year, 4)) \(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2)) GMT+0000 (Coordinated Universal Time)"
    }

    static let maxTime = 8.64e15
}
