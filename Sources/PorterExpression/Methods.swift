import Foundation
import PorterJSON

/// ToIntegerOrInfinity, then clamped relative index as String/Array methods do.
func relativeIndex(_ v: Value?, _ length: Int, default d: Int) -> Int {
    guard let v, !(v.isNullish && { if case .undefined = v { return true } else { return false } }()) else { return d }
    let x = v.toNumber
    if x.isNaN { return 0 }
    if x == -.infinity { return 0 }
    if x == .infinity { return length }
    let i = Int(max(min(x.rounded(.towardZero), 9e15), -9e15))
    return i < 0 ? max(length + i, 0) : min(i, length)
}

func clampIndex(_ v: Value?, _ length: Int, default d: Int) -> Int {
    guard let v else { return d }
    if case .undefined = v { return d }
    let x = v.toNumber
    if x.isNaN { return 0 }
    return Int(max(0, min(Double(length), x.rounded(.towardZero))))
}

func utf16String(_ u: ArraySlice<UInt16>) -> String { String(decoding: u, as: UTF16.self) }

func indexOf(_ hay: [UInt16], _ needle: [UInt16], from: Int) -> Int? {
    if needle.isEmpty { return min(from, hay.count) }
    guard hay.count >= needle.count else { return nil }
    var i = max(from, 0)
    while i + needle.count <= hay.count {
        if hay[i] == needle[0] && hay[i..<i + needle.count].elementsEqual(needle) { return i }
        i += 1
    }
    return nil
}

enum StringMethods {
    static func call(_ s: String, _ name: String, _ a: [Value], _ ctx: Context, _ range: Range<Int>) throws(Failure) -> Value {
        switch name {
        case "toLowerCase": return .string(s.lowercased())
        case "toUpperCase": return .string(s.uppercased())
        case "trim": return .string(String(NumberParse.trim(s)))
        case "trimStart": return .string(String(NumberParse.trimStart(s)))
        case "trimEnd":
            var sub = Substring(s)
            while let l = sub.last, NumberParse.whitespace.contains(l) { sub.removeLast() }
            return .string(String(sub))
        case "toString", "normalize": return .string(s)
        case "localeCompare":
            let t = a[0].jsString
            return .number(s == t ? 0 : (s.compare(t, locale: Locale(identifier: "en")) == .orderedAscending ? -1 : 1))
        case "concat":
            var out = s
            for v in a { out += v.jsString }
            try ctx.checkString(out.utf16.count, range)
            return .string(out)
        case "repeat":
            let n = a[0].toNumber
            guard n >= 0, n.isFinite else { throw Failure.error("RangeError: Invalid count value: \(JSON.formatNumber(n))", range) }
            let count = Int(n.rounded(.towardZero))
            if count == 0 || s.isEmpty { return .string("") }
            try ctx.checkString(s.utf16.count * min(count, ctx.limits.maxStringLength + 1), range)
            return .string(String(repeating: s, count: count))
        default: break
        }
        let u = Array(s.utf16)
        let n = u.count
        switch name {
        case "charAt":
            let i = a.first.map { $0.toNumber.isNaN ? 0 : Int(max(-1, min(Double(n), $0.toNumber.rounded(.towardZero)))) } ?? 0
            return .string(i >= 0 && i < n ? utf16String(u[i...i]) : "")
        case "charCodeAt":
            let i = a.first.map { $0.toNumber.isNaN ? 0 : Int(max(-1, min(Double(n), $0.toNumber.rounded(.towardZero)))) } ?? 0
            return .number(i >= 0 && i < n ? Double(u[i]) : .nan)
        case "at":
            let x = a[0].toNumber
            let k = x.isNaN ? 0 : Int(max(-9e15, min(9e15, x.rounded(.towardZero))))
            let i = k < 0 ? n + k : k
            return i >= 0 && i < n ? .string(utf16String(u[i...i])) : .undefined
        case "slice":
            let start = relativeIndex(a.first, n, default: 0)
            let end = relativeIndex(a.count > 1 ? a[1] : nil, n, default: n)
            return .string(start < end ? utf16String(u[start..<end]) : "")
        case "substring":
            var start = clampIndex(a.first, n, default: 0)
            var end = clampIndex(a.count > 1 ? a[1] : nil, n, default: n)
            if start > end { swap(&start, &end) }
            return .string(utf16String(u[start..<end]))
        case "indexOf":
            let needle = Array(a[0].jsString.utf16)
            let from = clampIndex(a.count > 1 ? a[1] : nil, n, default: 0)
            return .number(Double(indexOf(u, needle, from: from) ?? -1))
        case "lastIndexOf":
            let needle = Array(a[0].jsString.utf16)
            var from = n
            if a.count > 1 { let x = a[1].toNumber; if !x.isNaN { from = Int(max(0, min(Double(n), x.rounded(.towardZero)))) } }
            var i = min(from, n - needle.count)
            while i >= 0 {
                if u[i..<i + needle.count].elementsEqual(needle) { return .number(Double(i)) }
                i -= 1
            }
            return .number(-1)
        case "includes", "startsWith", "endsWith":
            let needle = Array(a[0].jsString.utf16)
            if name == "includes" {
                return .bool(indexOf(u, needle, from: clampIndex(a.count > 1 ? a[1] : nil, n, default: 0)) != nil)
            }
            if name == "startsWith" {
                let pos = clampIndex(a.count > 1 ? a[1] : nil, n, default: 0)
                return .bool(pos + needle.count <= n && u[pos..<pos + needle.count].elementsEqual(needle))
            }
            let end = clampIndex(a.count > 1 ? a[1] : nil, n, default: n)
            return .bool(end - needle.count >= 0 && u[(end - needle.count)..<end].elementsEqual(needle))
        case "padStart", "padEnd":
            let target = a[0].toNumber
            let filler = a.count > 1 && !{ if case .undefined = a[1] { return true } else { return false } }() ? a[1].jsString : " "
            guard target.isFinite || target < 0 else { throw Failure.error("RangeError: Invalid string length", range) }
            let length = target.isNaN ? 0 : Int(max(0, min(target, 1e15)))
            if length <= n || filler.isEmpty { return .string(s) }
            try ctx.checkString(length, range)
            let f = Array(filler.utf16)
            var pad: [UInt16] = []
            pad.reserveCapacity(length - n)
            while pad.count < length - n { pad.append(f[pad.count % f.count]) }
            return .string(name == "padStart" ? utf16String(pad[...]) + s : s + utf16String(pad[...]))
        case "split":
            if a.isEmpty || { if case .undefined = a[0] { return true } else { return false } }() { return .array([.string(s)]) }
            let limit = a.count > 1 && !{ if case .undefined = a[1] { return true } else { return false } }() ? Int(UInt32(truncatingIfNeeded: Int64(a[1].toNumber.isFinite ? a[1].toNumber : 0))) : Int.max
            let sep = Array(a[0].jsString.utf16)
            var parts: [Value] = []
            if limit == 0 { return .array([]) }
            if sep.isEmpty {
                for c in u.prefix(min(limit, n)) { parts.append(.string(utf16String([c][...]))) }
                try ctx.checkArray(parts.count, range)
                return .array(parts)
            }
            var start = 0
            while let found = indexOf(u, sep, from: start), parts.count < limit {
                parts.append(.string(utf16String(u[start..<found])))
                start = found + sep.count
                try ctx.step(1, range)
            }
            if parts.count < limit { parts.append(.string(utf16String(u[start...]))) }
            try ctx.checkArray(parts.count, range)
            return .array(parts)
        case "replace", "replaceAll":
            let pattern = Array(a[0].jsString.utf16)
            var out: [UInt16] = []
            var start = 0
            var position = indexOf(u, pattern, from: 0)
            while let p = position {
                out.append(contentsOf: u[start..<p])
                let matched = u[p..<p + pattern.count]
                let replacement: [UInt16]
                if case .function = a[1] {
                    replacement = Array(try Builtins.invoke(a[1], [.string(utf16String(matched)), .number(Double(p)), .string(s)], ctx, range).jsString.utf16)
                } else {
                    replacement = expand(Array(a[1].jsString.utf16), matched: matched, before: u[..<p], after: u[(p + pattern.count)...])
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
                position = indexOf(u, pattern, from: start)
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
            let sep = name == "join" && !a.isEmpty && !{ if case .undefined = a[0] { return true } else { return false } }() ? a[0].jsString : ","
            try ctx.step(n, range)
            var out = ""
            for (i, v) in items.enumerated() {
                if i > 0 { out += sep }
                if !v.isNullish { out += v.jsString }
                if out.utf8.count > ctx.limits.maxStringLength { try ctx.checkString(out.utf16.count, range) }
            }
            return .string(out)
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
            var i = a.count > 1 ? min(relativeIndex(a[1], n, default: n - 1), n - 1) : n - 1
            while i >= 0 {
                if Compare.strictEquals(items[i], a[0]) { return .number(Double(i)) }
                i -= 1
            }
            return .number(-1)
        case "slice":
            let start = relativeIndex(a.first, n, default: 0)
            let end = relativeIndex(a.count > 1 ? a[1] : nil, n, default: n)
            return .array(start < end ? Array(items[start..<end]) : [])
        case "at":
            let x = a[0].toNumber
            let k = x.isNaN ? 0 : Int(max(-9e15, min(9e15, x.rounded(.towardZero))))
            let i = k < 0 ? n + k : k
            return i >= 0 && i < n ? items[i] : .undefined
        case "concat":
            var out = items
            for v in a {
                if let more = v.arrayElements { out.append(contentsOf: more) } else { out.append(v) }
                try ctx.checkArray(out.count, range)
            }
            return .array(out)
        case "flat":
            let depth = a.first.map { $0.toNumber.isNaN ? 0 : Int(max(0, min(100, $0.toNumber))) } ?? 1
            var out: [Value] = []
            try flatten(items, depth, &out, ctx, range)
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
            default: return .array(out)
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
                k += 1
            }
            return acc
        default:
            throw Failure.error("TypeError: array.\(name) is not a function", range)
        }
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
