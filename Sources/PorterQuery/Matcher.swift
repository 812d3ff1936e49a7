import PorterJSON

typealias UserPredicate = @Sendable (JSON) -> Bool
typealias ValuePredicate = @Sendable (JSON) -> Bool

/// Compiles a tree once into closures: matching a user does no parsing and builds no strings
/// (except lower-casing non-ASCII text of case-insensitive fields).
enum MatcherCompiler {
    static func compile(_ node: QueryNode) -> UserPredicate {
        switch node {
        case .all:
            return { _ in true }
        case .boolean(let clauses, _):
            let must = clauses.filter { $0.occur == .must }.map { compile($0.node) }
            let should = clauses.filter { $0.occur == .should }.map { compile($0.node) }
            let mustNot = clauses.filter { $0.occur == .mustNot }.map { compile($0.node) }
            // With required clauses, optional ones only score; with none, one optional must match;
            // a purely negative group means "everyone except" (Elasticsearch adds a match-all).
            let needShould = must.isEmpty && !should.isEmpty
            return { user in
                for m in must where !m(user) { return false }
                for m in mustNot where m(user) { return false }
                if needShould {
                    for m in should where m(user) { return true }
                    return false
                }
                return true
            }
        case .term(let field, let segments, _):
            return onFields(field) { f in ValueMatch.term(segments, caseInsensitive: Fields.isCaseInsensitive(f)) }
        case .phrase(let field, let text, _), .words(let field, let text, _):
            return onFields(field) { f in ValueMatch.term([text], caseInsensitive: Fields.isCaseInsensitive(f)) }
        case .range(let field, let lower, let upper, _):
            return onFields(field) { f in
                ValueMatch.range(lower: lower, upper: upper, caseInsensitive: Fields.isCaseInsensitive(f), date: Fields.isDate(f), booleans: Fields.mayBeBoolean(f))
            }
        case .exists(let field, _):
            return { user in FieldReader.fieldExists(user, field) }
        }
    }

    /// A value predicate applied to one field, or to any of the default fields for bare terms.
    static func onFields(_ field: Field?, _ make: (Field) -> ValuePredicate) -> UserPredicate {
        if let field {
            let predicate = make(field)
            if field.path == "email.domain" {
                return { user in FieldReader.anyValue(user, field, predicate) }
            }
            let components = field.components
            if components.count == 1 {
                let key = components[0]
                return { user in
                    guard let v = user[key] else { return false }
                    return FieldReader.anyScalar(v, predicate)
                }
            }
            return { user in FieldReader.anyLeafOfUser(user, components[...], predicate) }
        }
        let each = Fields.defaultFieldList.map { (key: $0.path, predicate: make($0)) }
        return { user in
            for (key, predicate) in each {
                if let v = user[key], FieldReader.anyScalar(v, predicate) { return true }
            }
            return false
        }
    }
}

/// Predicates on one indexed scalar.
enum ValueMatch {
    static func term(_ segments: [String], caseInsensitive: Bool) -> ValuePredicate {
        if segments.count == 1 {
            let text = segments[0]
            let lowered = caseInsensitive ? text.lowercased() : text
            let integer = Int64(text)
            let number = Double(text).flatMap { $0.isFinite ? $0 : nil }
            let boolean: Bool? = text == "true" ? true : (text == "false" ? false : nil)
            return { value in
                switch value {
                case .string(let s):
                    return caseInsensitive ? Text.equalsLowered(s, lowered) : s == text
                case .int(let i):
                    if let integer { return i == integer }
                    if let number { return Double(i) == number }
                    return false
                case .double(let d):
                    if let number { return d == number }
                    return false
                case .bool(let b):
                    return boolean == b
                default:
                    return false
                }
            }
        }
        let pattern = Wildcard(segments.map { caseInsensitive ? $0.lowercased() : $0 })
        return { value in
            switch value {
            case .string(let s):
                return caseInsensitive ? pattern.matches(Text.lowered(s)) : pattern.matches(s)
            case .int, .bool:
                // Integers and booleans match by their text; fractional numbers never match a
                // wildcard (their text form differs between engines).
                return pattern.matches(Text.indexed(value))
            default:
                return false
            }
        }
    }

    static func range(lower: Bound?, upper: Bound?, caseInsensitive: Bool, date: Bool, booleans: Bool) -> ValuePredicate {
        let limits = RangeLimits(lower: lower, upper: upper, caseInsensitive: caseInsensitive, date: date)
        return { value in
            switch value {
            case .string(let s):
                return limits.admits(text: caseInsensitive ? Text.lowered(s) : s)
            case .int(let i):
                return limits.admits(number: Double(i))
            case .double(let d):
                return limits.admits(number: d)
            case .bool(let b):
                // On boolean fields booleans compare as their text ("false" < "true"), so
                // `[* TO *]` admits them.
                return booleans && limits.admits(text: b ? "true" : "false")
            default:
                return false
            }
        }
    }
}

/// A range's limits, prepared once: numeric where the bound is a number, text otherwise, and
/// for dates partial bounds widened to their whole period (Elasticsearch date rounding).
struct RangeLimits: Sendable {
    /// Text limits: value >= lowText (or > when !lowInclusive), value < / <= highText.
    var lowText: String?
    var lowInclusive = true
    var highText: String?
    var highInclusive = true
    var lowNumber: Double?
    var highNumber: Double?
    var lowOpen: Bool
    var highOpen: Bool

    init(lower: Bound?, upper: Bound?, caseInsensitive: Bool, date: Bool) {
        lowOpen = lower == nil
        highOpen = upper == nil
        if let lower {
            let v = caseInsensitive ? lower.value.lowercased() : lower.value
            lowNumber = Double(v).flatMap { $0.isFinite ? $0 : nil }
            if date, let next = PartialDate.next(v) {
                // > 2017-12 means from 2018-01 on; >= 2017-12 from 2017-12 on.
                lowText = lower.inclusive ? v : next
                lowInclusive = true
            } else {
                lowText = v
                lowInclusive = lower.inclusive
            }
        }
        if let upper {
            let v = caseInsensitive ? upper.value.lowercased() : upper.value
            highNumber = Double(v).flatMap { $0.isFinite ? $0 : nil }
            if date, let next = PartialDate.next(v) {
                // <= 2017-12 means before 2018-01; < 2017-12 before 2017-12.
                highText = upper.inclusive ? next : v
                highInclusive = false
            } else {
                highText = v
                highInclusive = upper.inclusive
            }
        }
    }

    func admits(text: String) -> Bool {
        if let lowText {
            let c = Text.compare(text, lowText)
            if c < 0 || (c == 0 && !lowInclusive) { return false }
        } else if !lowOpen { return false }
        if let highText {
            let c = Text.compare(text, highText)
            if c > 0 || (c == 0 && !highInclusive) { return false }
        } else if !highOpen { return false }
        return true
    }

    func admits(number: Double) -> Bool {
        if !lowOpen {
            guard let lowNumber else { return false }
            if number < lowNumber || (number == lowNumber && !lowInclusive) { return false }
        }
        if !highOpen {
            guard let highNumber else { return false }
            if number > highNumber || (number == highNumber && !highInclusive) { return false }
        }
        return true
    }
}

/// Partial dates (`2017`, `2017-12`, `2017-12-31`) and the start of the period after them.
enum PartialDate {
    static func next(_ s: String) -> String? {
        // YYYY, YYYY-MM or YYYY-MM-DD in ASCII digits (read as bytes: this runs for every range bound).
        let u = s.utf8
        guard u.count == 4 || u.count == 7 || u.count == 10 else { return nil }
        var digits: [Int] = []
        digits.reserveCapacity(8)
        for (k, c) in u.enumerated() {
            if k == 4 || k == 7 {
                guard c == 0x2D else { return nil }
            } else {
                guard c >= 0x30 && c <= 0x39 else { return nil }
                digits.append(Int(c - 0x30))
            }
        }
        func number(_ r: Range<Int>) -> Int { digits[r].reduce(0) { $0 * 10 + $1 } }
        var year = number(0..<4)
        func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        switch u.count {
        case 4:
            return String(year + 1)
        case 7:
            var month = number(4..<6)
            guard (1...12).contains(month) else { return nil }
            month += 1
            if month == 13 { month = 1; year += 1 }
            return "\(year)-\(pad(month))"
        default:
            var month = number(4..<6), day = number(6..<8)
            guard (1...12).contains(month) else { return nil }
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
            guard (1...days).contains(day) else { return nil }
            day += 1
            if day > days { day = 1; month += 1 }
            if month == 13 { month = 1; year += 1 }
            return "\(year)-\(pad(month))-\(pad(day))"
        }
    }
}

/// A `*` pattern over UTF-8 bytes: segments must appear in order, the first at the start and
/// the last at the end. Inner segments are found leftmost-first (enough for `*`-only patterns)
/// with Knuth–Morris–Pratt, so a match costs time linear in the value plus the pattern.
struct Wildcard: Sendable {
    let segments: [[UInt8]]
    /// KMP failure table of each segment.
    let failure: [[Int]]

    init(_ segments: [String]) {
        self.segments = segments.map { Array($0.utf8) }
        self.failure = self.segments.map(Self.table)
    }

    static func table(_ p: [UInt8]) -> [Int] {
        var f = [Int](repeating: 0, count: p.count)
        var k = 0
        var i = 1
        while i < p.count {
            while k > 0 && p[i] != p[k] { k = f[k - 1] }
            if p[i] == p[k] { k += 1 }
            f[i] = k
            i += 1
        }
        return f
    }

    func matches(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { buf in
            let n = buf.count
            let first = segments[0]
            let last = segments[segments.count - 1]
            guard n >= first.count + last.count else { return false }
            if !first.isEmpty && !Self.equal(buf, 0, first) { return false }
            if !last.isEmpty && !Self.equal(buf, n - last.count, last) { return false }
            var at = first.count
            let limit = n - last.count
            for k in 1..<max(1, segments.count - 1) where !segments[k].isEmpty {
                guard let found = find(buf, k, from: at, to: limit) else { return false }
                at = found + segments[k].count
            }
            return true
        }
    }

    static func equal(_ buf: UnsafeBufferPointer<UInt8>, _ at: Int, _ seg: [UInt8]) -> Bool {
        for k in 0..<seg.count where buf[at + k] != seg[k] { return false }
        return true
    }

    /// Leftmost start of segment `k` in `buf[from..<to]`.
    func find(_ buf: UnsafeBufferPointer<UInt8>, _ k: Int, from: Int, to: Int) -> Int? {
        let p = segments[k], f = failure[k]
        var matched = 0
        var i = from
        while i < to {
            while matched > 0 && buf[i] != p[matched] { matched = f[matched - 1] }
            if buf[i] == p[matched] { matched += 1 }
            if matched == p.count { return i + 1 - p.count }
            i += 1
        }
        return nil
    }
}

/// Text helpers shared by the matcher and the SQL translation.
public enum Text {
    /// Byte-wise (UTF-8) comparison, as Lucene compares terms and SQLite's BINARY collation does.
    public static func compare(_ a: String, _ b: String) -> Int {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let n = min(x.count, y.count)
                for i in 0..<n where x[i] != y[i] { return x[i] < y[i] ? -1 : 1 }
                return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
            }
        }
    }

    /// `s.lowercased() == lowered`, without allocating for ASCII text.
    static func equalsLowered(_ s: String, _ lowered: String) -> Bool {
        var s = s, l = lowered
        let ascii: Bool? = s.withUTF8 { x in
            l.withUTF8 { y -> Bool? in
                if x.count != y.count {
                    // Lower-casing non-ASCII text can change its length: decide below.
                    return x.contains(where: { $0 >= 0x80 }) ? nil : false
                }
                for i in 0..<x.count {
                    var c = x[i]
                    if c >= 0x80 { return nil }
                    if c >= 65 && c <= 90 { c += 32 }
                    if c != y[i] { return false }
                }
                return true
            }
        }
        return ascii ?? (s.lowercased() == lowered)
    }

    static func lowered(_ s: String) -> String {
        s.utf8.contains(where: { $0 >= 65 && $0 <= 90 || $0 >= 0x80 }) ? s.lowercased() : s
    }

    /// The text an indexed scalar is searched as.
    static func indexed(_ v: JSON) -> String {
        switch v {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return JSON.formatNumber(d)
        case .bool(let b): return b ? "true" : "false"
        default: return ""
        }
    }
}
