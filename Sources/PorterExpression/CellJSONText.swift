import PorterJSON

/// A cell holding an unpaired surrogate, in JSON output: PorterJSON's strings are Swift strings,
/// which cannot hold one, so such a cell goes to the JSON and NDJSON writers as its JSON text,
/// written from the expression's UTF-16 strings as `JSON.stringify` writes them (`"\ud800"`).
/// Every other cell is `Cell.json`'s value, written as before: this is the rare path.
extension Cell {
    /// The cell's JSON text when it holds an unpaired surrogate (in a string, or in a string or
    /// key inside an array or object); nil for every other cell.
    public static func loneSurrogateJSONText(_ v: Value) -> [UInt8]? {
        switch v {
        case .string(let s) where s.isWellFormed: return nil
        case .string, .array, .object: break
        default: return nil // numbers, dates, user data (Swift strings) hold none
        }
        guard holdsLoneSurrogate(v) else { return nil }
        var out: [UInt8] = []
        writeJSON(v, into: &out)
        return out
    }

    /// Whether a string, key or element anywhere inside `v` is not well-formed UTF-16 (no
    /// recursion: the nesting was checked against the limits, but a walk needs no stack).
    static func holdsLoneSurrogate(_ v: Value) -> Bool {
        var stack = [v]
        while let top = stack.popLast() {
            switch top {
            case .string(let s): if !s.isWellFormed { return true }
            case .array(let a): stack.append(contentsOf: a)
            case .object(let o):
                if o.keys.contains(where: { !$0.isWellFormed }) { return true }
                stack.append(contentsOf: o.values)
            default: break
            }
        }
        return false
    }

    /// The JSON text of the cell value `v`, as `JSONWriter.write(Cell.json(v))` writes it except
    /// that strings and keys keep their code units. Depth: a built value is nested at most
    /// `Limits.maxDepth` levels (`Expression.checkCell`).
    static func writeJSON(_ v: Value, into out: inout [UInt8]) {
        switch v {
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (k, e) in a.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                writeElement(e, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (key, val) in Builtins.orderKeys(Array(zip(o.keys, o.values))) {
                if case .undefined = val { continue }
                if case .function = val { continue }
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                writeElement(val, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        default: JSONWriter.write(json(v) ?? .null, into: &out)
        }
    }

    /// An element of an array or object: as `element(_:)` decides (NaN, undefined → null).
    static func writeElement(_ v: Value, into out: inout [UInt8]) {
        switch v {
        case .string, .array, .object: writeJSON(v, into: &out)
        default: JSONWriter.write(element(v), into: &out)
        }
    }

    /// A string literal from code units, escaped as `JSONWriter` escapes (quote, backslash,
    /// controls, U+2028/U+2029) and, as `JSON.stringify` does, an unpaired surrogate as `\udXXX`.
    static func writeString(_ s: JSString, into out: inout [UInt8]) {
        guard case .units(let u) = s.storage else { return JSONWriter.writeString(s.text, into: &out) }
        out.append(UInt8(ascii: "\""))
        var i = 0
        while i < u.count {
            let c = u[i]
            var scalar = UInt32(truncatingIfNeeded: c)
            if c >= 0xD800 && c <= 0xDBFF, i + 1 < u.count, u[i + 1] >= 0xDC00 && u[i + 1] <= 0xDFFF {
                scalar = 0x10000 + ((UInt32(truncatingIfNeeded: c) - 0xD800) << 10) + (UInt32(truncatingIfNeeded: u[i + 1]) - 0xDC00)
                i += 1
            } else if c >= 0xD800 && c <= 0xDFFF {
                escape(c, into: &out)
                i += 1
                continue
            }
            i += 1
            switch scalar {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0..<0x20, 0x2028, 0x2029: escape(UInt16(truncatingIfNeeded: scalar), into: &out)
            default:
                if let us = Unicode.Scalar(scalar), let bytes = UTF8.encode(us) { out.append(contentsOf: bytes) }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `\u` and four lowercase hex digits (JSON.stringify's form).
    static func escape(_ c: UInt16, into out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(contentsOf: [0x5C, UInt8(ascii: "u"), hex[Int(truncatingIfNeeded: c >> 12)], hex[Int(truncatingIfNeeded: c >> 8 & 0xF)], hex[Int(truncatingIfNeeded: c >> 4 & 0xF)], hex[Int(truncatingIfNeeded: c & 0xF)]])
    }
}
