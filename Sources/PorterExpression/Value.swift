import Foundation
import PorterJSON

/// A JavaScript value. Arrays and objects from the user stay as JSON (`.json`) and are read in
/// place; values an expression builds are `.array` / `.object`.
public enum Value: Sendable {
    case undefined
    case null
    case bool(Bool)
    case number(Double)
    case string(JSString)
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
        case .string(let s): self = .string(JSString(s))
        case .array, .object: self = .json(json)
        }
    }
}

/// An ordered object built by an expression.
public struct ObjectValue: Sendable {
    public var keys: [JSString] = []
    public var values: [Value] = []

    subscript(key: JSString) -> Value? {
        get { keys.firstIndex { JSString.same($0, key) }.map { values[$0] } }
        set {
            if let i = keys.firstIndex(where: { JSString.same($0, key) }) {
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
    /// ToPrimitive with no hint ("default"), as `+` and `==` use it: a date gives its string.
    var toPrimitiveDefault: Value {
        if case .date(let t) = self { return .text(DateFormat.toString(t)) }
        return toPrimitive()
    }

    func toPrimitive(preferString: Bool = false) -> Value {
        switch self {
        case .array, .json(.array): return .string(jsString)
        case .object, .json(.object): return .text("[object Object]")
        case .date(let t): return preferString ? .text(DateFormat.toString(t)) : .number(t)
        case .function: return .text("function () { [native code] }")
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
        case .string(let s): return NumberParse.stringToNumber(s.text)
        case .date(let t): return t
        default: return toPrimitive().toNumber
        }
    }

    /// A string value of well-formed text.
    static func text(_ s: String) -> Value { .string(JSString(s)) }

    /// ToString.
    var jsString: JSString {
        switch self {
        case .string(let s): return s
        case .array, .json(.array): return Value.joinNested(self)
        default: return JSString(text)
        }
    }

    /// ToString as Swift text (unpaired surrogates as U+FFFD): for messages, and for reading
    /// numbers and dates, where an unpaired surrogate is never part of a valid form anyway.
    var text: String {
        switch self {
        case .undefined: return "undefined"
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let d): return JSON.formatNumber(d)
        case .string(let s): return s.text
        case .array, .json(.array): return Value.joinNested(self).text
        case .object, .json: return "[object Object]"
        case .date(let t): return DateFormat.toString(t)
        case .function: return "function () { [native code] }"
        }
    }

    /// Array.prototype.toString: nested arrays join into the same comma list, so it is written
    /// without recursion; the text stops growing past 2^21 characters (a length check then fails).
    static func joinNested(_ v: Value) -> JSString {
        var out = JSString.empty
        var stack: [(Value, Int)] = [(v, 0)]
        while let (top, k) = stack.popLast() {
            let count: Int
            switch top {
            case .array(let a): count = a.count
            case .json(.array(let a)): count = a.count
            default: count = 0
            }
            guard k < count else { continue }
            if k > 0 { out = out + JSString(",") }
            if out.count > 1 << 21 { break }
            stack.append((top, k + 1))
            let e: Value
            switch top {
            case .array(let a): e = a[k]
            case .json(.array(let a)): e = Value(a[k])
            default: continue
            }
            if e.isArray { stack.append((e, 0)) } else if !e.isNullish { out = out + e.jsString }
        }
        return out
    }

    /// The member `name` of this value (property get), or nil when reading it from
    /// undefined/null is a TypeError.
    func property(_ name: String, asciiName: Bool? = nil, mayBeMethod: Bool = true) -> Value? {
        switch self {
        case .undefined, .null: return nil
        case .string(let s):
            if name == "length" { return .number(Double(s.count)) }
            if let i = JSInteger.arrayIndex(name) {
                return i < s.count ? .string(s.unit(at: i)) : .undefined
            }
        case .array(let a):
            if name == "length" { return .number(Double(a.count)) }
            if let i = JSInteger.arrayIndex(name) { return i < a.count ? a[i] : .undefined }
        case .json(.array(let a)):
            if name == "length" { return .number(Double(a.count)) }
            if let i = JSInteger.arrayIndex(name) { return i < a.count ? Value(a[i]) : .undefined }
        case .json(.object(let o)):
            if let v = Value.member(o, name, ascii: asciiName) { return Value(v) }
        case .object(let o):
            if let v = o[JSString(name)] { return v }
        default: break
        }
        return mayBeMethod ? Prototypes.method(self, name) ?? .undefined : .undefined
    }

    /// The member for a computed key (`obj[key]`): a key holding an unpaired surrogate names
    /// no user attribute, prototype method or index, only a built object's own member.
    func property(key: JSString) -> Value? {
        if let name = key.wellFormedText { return property(name) }
        switch self {
        case .undefined, .null: return nil
        case .object(let o): return o[key] ?? .undefined
        default: return .undefined
        }
    }

    /// A user object's member by its key's UTF-16 code units (JSONObject compares Swift strings,
    /// which treats canonically equivalent keys as equal; ASCII keys have no such twins).
    @inline(__always)
    static func member(_ o: borrowing JSONObject, _ name: String, ascii: Bool? = nil) -> JSON? {
        if ascii ?? name.utf8.allSatisfy({ $0 < 0x80 }) { return o[name] }
        for (k, v) in zip(o.keys, o.values) where Compare.sameUnits(k, name) { return v }
        return nil
    }

    /// The property key a value is converted to for `obj[key]`.
    var propertyKey: JSString {
        if case .number(let d) = self { return JSString(JSON.formatNumber(d)) }
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
        case (.string(let x), .string(let y)): return JSString.same(x, y)
        case (.json(let x), .json(let y)): return sameUserContainer(x, y)
        default: return false // built objects: every evaluation of a literal or method builds a distinct one
        }
    }

    /// Identity for the user's arrays and objects: reading the same attribute twice gives the same
    /// JavaScript object (`user.o === user.o`), and the same Swift storage here; distinct
    /// attributes were parsed into distinct storage (the parser gives an empty array or object
    /// its own too). Swift's one shared empty storage (an empty container built in code, not
    /// parsed) has no capacity: such containers count as distinct.
    static func sameUserContainer(_ x: JSON, _ y: JSON) -> Bool {
        func address(_ a: [JSON]) -> UnsafeRawPointer? { a.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }
        switch (x, y) {
        case (.array(let a), .array(let b)): return a.capacity > 0 && address(a) == address(b)
        case (.object(let a), .object(let b)): return a.values.capacity > 0 && address(a.values) == address(b.values)
        default: return false
        }
    }

    /// String equality by UTF-16 code units (Swift's == is canonical equivalence, JS's is not).
    @inline(__always)
    static func sameUnits(_ x: String, _ y: String) -> Bool {
        x.utf8.count == y.utf8.count && x.utf8.elementsEqual(y.utf8)
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
        case (.number, .number), (.string, .string), (.bool, .bool), (.json, .json): return strictEquals(a, b)
        case (.number(let x), .string): return x == b.toNumber
        case (.string, .number(let y)): return a.toNumber == y
        case (.bool, _): return looseEquals(.number(a.toNumber), b)
        case (_, .bool): return looseEquals(a, .number(b.toNumber))
        case (.number, _), (.string, _):
            if isObject(b) { return looseEquals(a, b.toPrimitiveDefault) }
            return false
        case (_, .number), (_, .string):
            if isObject(a) { return looseEquals(a.toPrimitiveDefault, b) }
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
            return JSString.less(x, y)
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
    /// WhiteSpace and LineTerminator code points (what trim and ToNumber strip), one by one:
    /// "\r\n" is two of them, not one Character.
    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x20, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF: return true
        default: return false
        }
    }

    static func trim(_ s: String) -> Substring { trimEnd(trimStart(s)) }

    static func trimStart(_ s: String) -> Substring { trimStart(Substring(s)) }

    static func trimEnd(_ s: String) -> Substring { trimEnd(Substring(s)) }

    static func trimStart(_ s: Substring) -> Substring {
        let u = s.unicodeScalars
        var i = u.startIndex
        while i < u.endIndex, isSpace(u[i]) { i = u.index(after: i) }
        return Substring(u[i...])
    }

    static func trimEnd(_ s: Substring) -> Substring {
        let u = s.unicodeScalars
        var e = u.endIndex
        while e > u.startIndex, isSpace(u[u.index(before: e)]) { e = u.index(before: e) }
        return Substring(u[..<e])
    }

    static func stringToNumber(_ s: String) -> Double {
        let t = trim(s)
        if t.isEmpty { return 0 }
        var body = t
        var sign = 1.0
        let u = Array(t.utf16)
        if u.count > 2, u[0] == 48, let radix = [120: 16, 88: 16, 111: 8, 79: 8, 98: 2, 66: 2][u[1]] {
            var digits: [Int] = []
            for c in u[2...] {
                guard let d = NumberFormat.digit(c, radix) else { return .nan }
                digits.append(d)
            }
            return NumberFormat.integer(digits, radix: radix)
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
        var t = Array(trimStart(s).utf16)[...]
        var sign = 1.0
        if let f = t.first, f == 43 || f == 45 {
            if f == 45 { sign = -1 }
            t = t.dropFirst()
        }
        var radix = Int(truncatingIfNeeded: JSInteger.int32(r ?? 0))
        var stripPrefix = true
        if radix != 0 {
            if radix < 2 || radix > 36 { return .nan }
            if radix != 16 { stripPrefix = false }
        } else {
            radix = 10
        }
        if stripPrefix, t.count >= 2, t[t.startIndex] == 48, t[t.startIndex + 1] | 0x20 == 120 {
            t = t.dropFirst(2)
            radix = 16
        }
        var digits: [Int] = []
        for c in t {
            guard let d = NumberFormat.digit(c, radix) else { break }
            digits.append(d)
        }
        if digits.isEmpty { return .nan }
        return sign * NumberFormat.integer(digits, radix: radix)
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
                v = v * 10 + Int(truncatingIfNeeded: u[j] &- 48)
            }
            k += n
            return v
        }
        func eat(_ c: Character) -> Bool {
            if k < u.count, u[k] == c.asciiValue! { k += 1; return true }
            return false
        }
        // YYYY, or an extended year ±YYYYYY (-000000 is not a year).
        var year: Int
        if k < u.count, u[k] == UInt8(ascii: "+") || u[k] == UInt8(ascii: "-") {
            let negative = u[k] == UInt8(ascii: "-")
            k += 1
            guard let y = num(6), !(negative && y == 0) else { return .nan }
            year = negative ? -y : y
        } else {
            guard let y = num(4) else { return .nan }
            year = y
        }
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
        guard hour < 24 || (minute == 0 && second == 0 && ms == 0) else { return .nan }
        let days = daysFromCivil(year, month, day)
        var t = Double(days) * 86_400_000 + Double(hour * 3_600_000 + minute * 60_000 + second * 1000) + ms
        t -= Double(offset) * 60_000
        return t
    }

    /// MakeDate(MakeDay(year, month, day), MakeTime(hour, minute, second, ms)), then TimeClip.
    static func makeDate(year: Double, month: Double, day: Double, hour: Double, minute: Double, second: Double, ms: Double) -> Double {
        let i = JSInteger.integerOrInfinity
        let y = i(year), m = i(month), dt = i(day)
        let ym = y + (m / 12).rounded(.down)
        guard ym.isFinite, abs(ym) <= 400_000 else { return .nan }
        let mn = m - (m / 12).rounded(.down) * 12
        let days = Double(daysFromCivil(JSInteger.clamp(ym, -400_000, 400_000), JSInteger.clamp(mn, 0, 11) + 1, 1)) + dt - 1
        let time = i(hour) * 3_600_000 + i(minute) * 60_000 + i(second) * 1000 + i(ms)
        let t = days * 86_400_000 + time
        guard t.isFinite, abs(t) <= maxTime else { return .nan }
        return i(t)
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
        let msTotal = JSInteger.clamp(t, -8_640_000_000_000_000, 8_640_000_000_000_000)
        var days = msTotal / 86_400_000
        var rem = msTotal % 86_400_000
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
        let year = c.year < 0 ? "-" + pad(-c.year, 4) : pad(c.year, 4)
        return "\(days[c.weekday]) \(months[c.month - 1]) \(pad(c.day, 2)) \(year) \(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2)) GMT+0000 (Coordinated Universal Time)"
    }

    static let maxTime = 8.64e15
}
