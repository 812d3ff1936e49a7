import Foundation
import PorterJSON

/// Whether an argument is absent or undefined (both mean "use the default" for optional arguments).
@inline(__always)
func isAbsent(_ v: Value?) -> Bool {
    guard let v else { return true }
    if case .undefined = v { return true }
    return false
}

/// ToIntegerOrInfinity, then the relative index String/Array methods use (negative counts from the end).
func relativeIndex(_ v: Value?, _ length: Int, default d: Int) -> Int {
    guard let v, !isAbsent(v) else { return d }
    let i = JSInteger.clamp(v.toNumber, -length, length)
    return i < 0 ? length + i : i
}

/// ToIntegerOrInfinity clamped into 0...length.
func clampIndex(_ v: Value?, _ length: Int, default d: Int) -> Int {
    guard let v, !isAbsent(v) else { return d }
    return JSInteger.clamp(v.toNumber, 0, length)
}

func utf16String(_ u: ArraySlice<UInt16>) -> JSString { JSString(units: u) }

/// Substring search in UTF-16 code units, linear in the haystack (Knuth–Morris–Pratt), with the
/// units it reads counted against the sandbox's step budget.
struct Finder {
    let needle: [UInt16]
    let failure: [Int]

    init(_ needle: [UInt16]) {
        self.needle = needle
        var f = Array(repeating: 0, count: needle.count)
        var k = 0
        var i = 1
        while i < needle.count {
            while k > 0 && needle[i] != needle[k] { k = f[k - 1] }
            if needle[i] == needle[k] { k += 1 }
            f[i] = k
            i += 1
        }
        failure = f
    }

    /// The first index ≥ from where the needle occurs.
    func first(in hay: [UInt16], from: Int, _ ctx: Context, _ range: Range<Int>) throws(Failure) -> Int? {
        try ctx.step(1, range)
        let m = needle.count
        if m == 0 { return min(max(from, 0), hay.count) }
        var k = 0
        var i = max(from, 0)
        defer { ctx.scanned(i - from, range) }
        while i < hay.count {
            while k > 0 && hay[i] != needle[k] { k = failure[k - 1] }
            if hay[i] == needle[k] { k += 1 }
            i += 1
            if k == m { return i - m }
        }
        return nil
    }
}

enum Search {
    static func index(_ hay: [UInt16], _ needle: [UInt16], from: Int, _ ctx: Context, _ range: Range<Int>) throws(Failure) -> Int? {
        try Finder(needle).first(in: hay, from: from, ctx, range)
    }

    /// The last index ≤ atMost where the needle occurs (reading backwards, counted).
    static func lastIndex(_ u: [UInt16], _ needle: [UInt16], atMost: Int, _ ctx: Context, _ range: Range<Int>) throws(Failure) -> Int? {
        try ctx.step(1, range)
        var i = min(atMost, u.count - needle.count)
        let start = i
        defer { ctx.scanned((start - i) * max(1, needle.count), range) }
        while i >= 0 {
            if u[i..<i + needle.count].elementsEqual(needle) { return i }
            i -= 1
        }
        return nil
    }
}

enum CaseMapping {
    /// String.prototype.toLowerCase: the full default mapping, with Σ as final ς at the end of
    /// a word (cased letter before it, none after), as the Unicode context rule says.
    static func lower(_ s: String) -> String {
        guard s.unicodeScalars.contains("\u{03A3}") else { return s.lowercased() }
        let scalars = Array(s.unicodeScalars)
        var out = ""
        for (k, c) in scalars.enumerated() {
            if c == "\u{03A3}" {
                func cased(_ x: Unicode.Scalar) -> Bool { x.properties.isCased }
                func ignorable(_ x: Unicode.Scalar) -> Bool { x.properties.isCaseIgnorable }
                var before = false
                var j = k - 1
                while j >= 0 { if ignorable(scalars[j]) { j -= 1; continue }; before = cased(scalars[j]); break }
                var after = false
                j = k + 1
                while j < scalars.count { if ignorable(scalars[j]) { j += 1; continue }; after = cased(scalars[j]); break }
                out.unicodeScalars.append(before && !after ? "\u{03C2}" : "\u{03C3}")
            } else {
                out += String(c).lowercased()
            }
        }
        return out
    }
}

enum StringMethods {
    /// `f` applied to each well-formed run of the string, unpaired surrogates kept as they are
    /// (what case mapping and normalization do with them in JavaScript).
    static func mapText(_ s: JSString, _ f: (String) -> String) -> JSString {
        if let t = s.wellFormedText { return JSString(f(t)) }
        var out: [UInt16] = []
        var run: [UInt16] = []
        let u = s.units
        var i = 0
        while i < u.count {
            let c = u[i]
            if c >= 0xD800 && c <= 0xDBFF, i + 1 < u.count, u[i + 1] >= 0xDC00 && u[i + 1] <= 0xDFFF {
                run.append(c); run.append(u[i + 1]); i += 2; continue
            }
            if c >= 0xD800 && c <= 0xDFFF {
                out.append(contentsOf: f(String(decoding: run, as: UTF16.self)).utf16)
                run.removeAll(keepingCapacity: true)
                out.append(c)
            } else {
                run.append(c)
            }
            i += 1
        }
        out.append(contentsOf: f(String(decoding: run, as: UTF16.self)).utf16)
        return JSString(units: out)
    }

    /// Trims WhiteSpace and LineTerminator code units at the ends (all of them are single units).
    static func trim(_ s: JSString, start: Bool, end: Bool) -> JSString {
        if let t = s.wellFormedText {
            let r = start && end ? NumberParse.trim(t) : (start ? NumberParse.trimStart(t) : NumberParse.trimEnd(t))
            return JSString(String(r))
        }
        let u = s.units
        var lo = 0, hi = u.count
        func space(_ c: UInt16) -> Bool { Unicode.Scalar(c).map(NumberParse.isSpace) ?? false }
        if start { while lo < hi, space(u[lo]) { lo += 1 } }
        if end { while hi > lo, space(u[hi - 1]) { hi -= 1 } }
        return JSString(units: u[lo..<hi])
    }

    /// Text for ICU collation: an unpaired surrogate stands as the private-use character at the
    /// same offset (U+D800… → U+E000…), which ICU weighs like the surrogate (an implicit weight
    /// in the same block: after assigned characters, before U+FFFD), as node's ICU does.
    static func collationText(_ s: JSString) -> String {
        guard case .units(let u) = s.storage else { return s.text }
        var out: [UInt16] = []
        var i = 0
        while i < u.count {
            let c = u[i]
            if c >= 0xD800 && c <= 0xDBFF, i + 1 < u.count, u[i + 1] >= 0xDC00 && u[i + 1] <= 0xDFFF {
                out.append(c); out.append(u[i + 1]); i += 2; continue
            }
            out.append(c >= 0xD800 && c <= 0xDFFF ? c - 0xD800 + 0xE000 : c)
            i += 1
        }
        return String(decoding: out, as: UTF16.self)
    }

    static func call(_ s: JSString, _ name: String, _ a: [Value], _ ctx: Context, _ range: Range<Int>) throws(Failure) -> Value {
        switch name {
        case "toLowerCase":
            let out = mapText(s, CaseMapping.lower)
            try ctx.checkString(out.count, range)
            return .string(out)
        case "toUpperCase":
            let out = mapText(s) { $0.uppercased() }
            try ctx.checkString(out.count, range)
            return .string(out)
        case "trim": return .string(trim(s, start: true, end: true))
        case "trimStart": return .string(trim(s, start: true, end: false))
        case "trimEnd": return .string(trim(s, start: false, end: true))
        case "toString", "valueOf": return .string(s)
        case "normalize":
            let form = isAbsent(a.first) ? "NFC" : a[0].text
            let f: (String) -> String
            switch form {
            case "NFC": f = { $0.precomposedStringWithCanonicalMapping }
            case "NFD": f = { $0.decomposedStringWithCanonicalMapping }
            case "NFKC": f = { $0.precomposedStringWithCompatibilityMapping }
            case "NFKD": f = { $0.decomposedStringWithCompatibilityMapping }
            default: throw Failure.error("RangeError: The normalization form should be one of NFC, NFD, NFKC, NFKD.", range)
            }
            let out = mapText(s, f)
            try ctx.checkString(out.count, range)
            return .string(out)
        case "localeCompare":
            let t = a[0].jsString
            if JSString.same(s, t) { return .number(0) }
            // Canonically equivalent text collates equal (`'\u212B'.localeCompare('\u00C5')` is 0), as in ICU.
            switch collationText(s).compare(collationText(t), locale: Locale(identifier: "en")) {
            case .orderedAscending: return .number(-1)
            case .orderedSame: return .number(0)
            case .orderedDescending: return .number(1)
            }
        case "concat":
            var out = s
            for v in a {
                out = out + v.jsString
                try ctx.checkString(out.count, range)
            }
            return .string(out)
        case "repeat":
            let n = JSInteger.integerOrInfinity(a[0].toNumber)
            guard n >= 0, n != .infinity else { throw Failure.error("RangeError: Invalid count value: \(NumberFormat.string(n))", range) }
            let unit = s.count
            if n == 0 || unit == 0 { return .string(.empty) }
            guard Double(unit) * n <= Double(ctx.limits.maxStringLength) else {
                throw Failure.error("RangeError: Invalid string length (longer than \(ctx.limits.maxStringLength) characters)", range)
            }
            let count = JSInteger.clamp(n, 0, ctx.limits.maxStringLength)
            try ctx.allocate(unit * count, range)
            if let t = s.wellFormedText { return .text(String(repeating: t, count: count)) }
            // Repeating can pair a trailing high surrogate with a leading low one.
            return .string(JSString(units: Array([[UInt16]](repeating: s.units, count: count).joined())))
        default: break
        }
        let u = s.units
        let n = u.count
        switch name {
        case "charAt":
            let i = JSInteger.clamp(a.first?.toNumber ?? 0, -1, n)
            return .string(i >= 0 && i < n ? utf16String(u[i...i]) : .empty)
        case "charCodeAt":
            let i = JSInteger.clamp(a.first?.toNumber ?? 0, -1, n)
            return .number(i >= 0 && i < n ? Double(u[i]) : .nan)
        case "at":
            let k = JSInteger.clamp(a[0].toNumber, -n - 1, n)
            let i = k < 0 ? n + k : k
            return i >= 0 && i < n ? .string(utf16String(u[i...i])) : .undefined
        case "slice":
            let start = relativeIndex(a.first, n, default: 0)
            let end = relativeIndex(a.count > 1 ? a[1] : nil, n, default: n)
            return .string(start < end ? utf16String(u[start..<end]) : .empty)
        case "substring":
            var start = clampIndex(a.first, n, default: 0)
            var end = clampIndex(a.count > 1 ? a[1] : nil, n, default: n)
            if start > end { swap(&start, &end) }
            return .string(utf16String(u[start..<end]))
        case "indexOf":
            let needle = a[0].jsString.units
            let from = clampIndex(a.count > 1 ? a[1] : nil, n, default: 0)
            return .number(Double(try Search.index(u, needle, from: from, ctx, range) ?? -1))
        case "lastIndexOf":
            let needle = a[0].jsString.units
            var from = n
            if a.count > 1 { let x = a[1].toNumber; if !x.isNaN { from = JSInteger.clamp(x, 0, n) } }
            return .number(Double(try Search.lastIndex(u, needle, atMost: from, ctx, range) ?? -1))
        case "includes", "startsWith", "endsWith":
            let needle = a[0].jsString.units
            if name == "includes" {
                return .bool(try Search.index(u, needle, from: clampIndex(a.count > 1 ? a[1] : nil, n, default: 0), ctx, range) != nil)
            }
            if name == "startsWith" {
                let pos = clampIndex(a.count > 1 ? a[1] : nil, n, default: 0)
                return .bool(pos + needle.count <= n && u[pos..<pos + needle.count].elementsEqual(needle))
            }
            let end = clampIndex(a.count > 1 ? a[1] : nil, n, default: n)
            return .bool(end - needle.count >= 0 && u[(end - needle.count)..<end].elementsEqual(needle))
        case "padStart", "padEnd":
            // ToLength(maxLength); the filler defaults to a space.
            let target = max(0, JSInteger.integerOrInfinity(a[0].toNumber))
            let filler = a.count > 1 && !isAbsent(a[1]) ? a[1].jsString : JSString(" ")
            if target <= Double(n) || filler.isEmpty { return .string(s) }
            guard target <= Double(ctx.limits.maxStringLength) else {
                throw Failure.error("RangeError: Invalid string length (longer than \(ctx.limits.maxStringLength) characters)", range)
            }
            let length = JSInteger.clamp(target, 0, ctx.limits.maxStringLength)
            try ctx.allocate(length, range)
            let f = filler.units
            var pad: [UInt16] = []
            pad.reserveCapacity(length - n)
            while pad.count < length - n { pad.append(f[pad.count % f.count]) }
            return .string(name == "padStart" ? utf16String(pad[...]) + s : s + utf16String(pad[...]))
        case "split":
            let limit = a.count > 1 && !isAbsent(a[1]) ? Int(truncatingIfNeeded: JSInteger.uint32(a[1].toNumber)) : 4_294_967_295
            if isAbsent(a.first) { return .array(limit == 0 ? [] : [.string(s)]) }
            let sep = a[0].jsString.units
            var parts: [Value] = []
            if limit == 0 { return .array([]) }
            if sep.isEmpty {
                let count = min(limit, n)
                try ctx.checkArray(count, range)
                try ctx.allocate(count, range)
                for c in u.prefix(count) { parts.append(.string(utf16String([c][...]))) }
                return .array(parts)
            }
            var start = 0
            let finder = Finder(sep)
            while parts.count < limit, let found = try finder.first(in: u, from: start, ctx, range) {
                parts.append(.string(utf16String(u[start..<found])))
                start = found + sep.count
                try ctx.step(1, range)
                try ctx.checkArray(parts.count, range)
            }
            if parts.count < limit { parts.append(.string(utf16String(u[start...]))) }
            try ctx.checkArray(parts.count, range)
            return .array(parts)
        case "replace", "replaceAll":
            let pattern = a[0].jsString.units
            var out: [UInt16] = []
            var start = 0
            let finder = Finder(pattern)
            var position = try finder.first(in: u, from: 0, ctx, range)
            while let p = position {
                out.append(contentsOf: u[start..<p])
                let matched = u[p..<p + pattern.count]
                let replacement: [UInt16]
                if case .function = a[1] {
                    replacement = try Builtins.invoke(a[1], [.string(utf16String(matched)), .number(Double(p)), .string(s)], ctx, range).jsString.units
                } else {
                    replacement = expand(a[1].jsString.units, matched: matched, before: u[..<p], after: u[(p + pattern.count)...])
                }
                out.append(contentsOf: replacement)
                try ctx.checkString(out.count, range)
                start = p + pattern.count
                if name == "replace" { break }
                if pattern.isEmpty {
                    if start < n { out.append(u[start]) }
                    start += 1
                    if start > n { break }
                }
                position = try finder.first(in: u, from: start, ctx, range)
                try ctx.step(1, range)
            }
            if start <= n { out.append(contentsOf: u[min(start, n)...]) }
            return .string(utf16String(out[...]))
        default:
            throw Failure.error("TypeError: string.\(name) is not a function", range)
        }
    }

    /// GetSubstitution for string patterns: $$, $&, $`, $'.
    static func expand(_ r: [UInt16], matched: ArraySlice<UInt16>, before: ArraySlice<UInt16>, after: ArraySlice<UInt16>) -> [UInt16] {
        guard r.contains(36) else { return r }
        var out: [UInt16] = []
        var i = 0
        while i < r.count {
            if r[i] == 36, i + 1 < r.count {
                switch r[i + 1] {
                case 36: out.append(36); i += 2; continue
                case 38: out.append(contentsOf: matched); i += 2; continue
                case 96: out.append(contentsOf: before); i += 2; continue
                case 39: out.append(contentsOf: after); i += 2; continue
                default: break
                }
            }
            out.append(r[i])
            i += 1
        }
        return out
    }
}

enum ArrayMethods {
    static func call(_ items: [Value], _ name: String, _ a: [Value], _ ctx: Context, _ range: Range<Int>) throws(Failure) -> Value {
        let n = items.count
        switch name {
        case "join", "toString":
            let sep = name == "join" && !a.isEmpty && !{ if case .undefined = a[0] { return true } else { return false } }() ? a[0].jsString : JSString(",")
            try ctx.step(n, range)
            // Text while every piece is well-formed (the usual case), code units from the first that is not.
            var text = ""
            var units: [UInt16]? = nil
            func add(_ piece: JSString) {
                if units == nil, let t = piece.wellFormedText { text += t; return }
                if units == nil { units = Array(text.utf16) }
                units!.append(contentsOf: piece.units)
            }
            for (i, v) in items.enumerated() {
                if i > 0 { add(sep) }
                if !v.isNullish { add(v.jsString) }
                if let units { try ctx.checkString(units.count, range) } else if text.utf8.count > ctx.limits.maxStringLength {
                    try ctx.checkString(text.utf16.count, range)
                }
            }
            return .string(units.map { JSString(units: $0) } ?? JSString(text))
        case "includes":
            let from = relativeIndex(a.count > 1 ? a[1] : nil, n, default: 0)
            try ctx.step(n, range)
            return .bool(items[min(from, n)...].contains { Compare.sameValueZero($0, a[0]) })
        case "indexOf":
            let from = relativeIndex(a.count > 1 ? a[1] : nil, n, default: 0)
            try ctx.step(n, range)
            for i in min(from, n)..<n where Compare.strictEquals(items[i], a[0]) { return .number(Double(i)) }
            return .number(-1)
        case "lastIndexOf":
            try ctx.step(n, range)
            var i = n - 1
            if a.count > 1 {
                let k = JSInteger.clamp(a[1].toNumber, -n - 1, n)
                i = k >= 0 ? min(k, n - 1) : n + k
            }
            while i >= 0 {
                if Compare.strictEquals(items[i], a[0]) { return .number(Double(i)) }
                i -= 1
            }
            return .number(-1)
        case "slice":
            let start = relativeIndex(a.first, n, default: 0)
            let end = relativeIndex(a.count > 1 ? a[1] : nil, n, default: n)
            try ctx.allocate(max(0, end - start), range)
            return .array(start < end ? Array(items[start..<end]) : [])
        case "at":
            let k = JSInteger.clamp(a[0].toNumber, -n - 1, n)
            let i = k < 0 ? n + k : k
            return i >= 0 && i < n ? items[i] : .undefined
        case "concat":
            var out = items
            for v in a {
                if let more = v.arrayElements { out.append(contentsOf: more) } else { out.append(v) }
                try ctx.checkArray(out.count, range)
            }
            try ctx.allocate(out.count, range)
            return .array(out)
        case "flat":
            let depth = isAbsent(a.first) ? 1 : JSInteger.clamp(a[0].toNumber, 0, Limits.maxDepth)
            var out: [Value] = []
            try flatten(items, depth, &out, ctx, range)
            try ctx.allocate(out.count, range)
            return .array(out)
        case "map", "filter", "find", "findIndex", "some", "every", "flatMap":
            let f = a[0]
            guard case .function = f else { throw Failure.error("TypeError: \(f.jsString) is not a function", range) }
            let whole = Value.array(items)
            var out: [Value] = []
            for (i, v) in items.enumerated() {
                let r = try Builtins.invoke(f, [v, .number(Double(i)), whole], ctx, range)
                switch name {
                case "map": out.append(r)
                case "flatMap":
                    if let more = r.arrayElements { out.append(contentsOf: more) } else { out.append(r) }
                    try ctx.checkArray(out.count, range)
                case "filter": if r.truthy { out.append(v) }
                case "find": if r.truthy { return v }
                case "findIndex": if r.truthy { return .number(Double(i)) }
                case "some": if r.truthy { return .bool(true) }
                default: if !r.truthy { return .bool(false) }
                }
            }
            switch name {
            case "find": return .undefined
            case "findIndex": return .number(-1)
            case "some": return .bool(false)
            case "every": return .bool(true)
            default:
                try ctx.allocate(out.count, range)
                return .array(out)
            }
        case "reduce":
            let f = a[0]
            guard case .function = f else { throw Failure.error("TypeError: \(f.jsString) is not a function", range) }
            var k = 0
            var acc: Value
            if a.count > 1 {
                acc = a[1]
            } else {
                guard n > 0 else { throw Failure.error("TypeError: Reduce of empty array with no initial value", range) }
                acc = items[0]
                k = 1
            }
            let whole = Value.array(items)
            while k < n {
                acc = try Builtins.invoke(f, [acc, items[k], .number(Double(k)), whole], ctx, range)
                // The accumulator is the one way a value can nest deeper step after step: check it
                // before it grows deep enough to overflow the stack (when it is freed, printed, …).
                switch acc {
                case .array, .object: try checkDepth(acc, ctx, range)
                default: break
                }
                k += 1
            }
            return acc
        default:
            throw Failure.error("TypeError: array.\(name) is not a function", range)
        }
    }

    /// Built arrays and objects nested at most `Limits.maxDepth` deep (elements read are counted as steps).
    static func checkDepth(_ v: Value, _ ctx: Context, _ range: Range<Int>) throws(Failure) {
        try Expression.checkNesting(v, ctx, range, countingSteps: true) { "RangeError: value larger than \($0) elements" }
    }

    static func flatten(_ items: [Value], _ depth: Int, _ out: inout [Value], _ ctx: Context, _ range: Range<Int>) throws(Failure) {
        for v in items {
            if depth > 0, let inner = v.arrayElements {
                try flatten(inner, depth - 1, &out, ctx, range)
            } else {
                out.append(v)
            }
            try ctx.checkArray(out.count, range)
        }
        try ctx.step(items.count, range)
    }
}
