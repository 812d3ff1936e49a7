/// Writes JSON text into a byte buffer: compact (as `JSON.stringify(v)`) or pretty (as
/// `JSON.stringify(v, null, 2)`). Swift strings are valid Unicode, so the output is always
/// valid UTF-8; control characters and U+2028/U+2029 are escaped so the text is also safe
/// inside JavaScript source and line-oriented tools.
public enum JSONWriter {
    public static func write(_ value: JSON, into out: inout [UInt8], pretty: Bool = false) {
        if pretty {
            writePretty(value, into: &out, indent: 0)
        } else {
            writeCompact(value, into: &out)
        }
    }

    static func writeCompact(_ value: JSON, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: nullBytes)
        case .bool(let b): out.append(contentsOf: b ? trueBytes : falseBytes)
        case .int(let i): writeInt(i, into: &out)
        case .double(let d): writeDouble(d, into: &out)
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            var first = true
            for element in a {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeCompact(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (k, v) in o {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeString(k, into: &out)
                out.append(UInt8(ascii: ":"))
                writeCompact(v, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writePretty(_ value: JSON, into out: inout [UInt8], indent: Int) {
        switch value {
        case .array(let a) where !a.isEmpty:
            out.append(UInt8(ascii: "["))
            var first = true
            for element in a {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                newline(indent + 2, into: &out)
                writePretty(element, into: &out, indent: indent + 2)
            }
            newline(indent, into: &out)
            out.append(UInt8(ascii: "]"))
        case .object(let o) where !o.isEmpty:
            out.append(UInt8(ascii: "{"))
            var first = true
            for (k, v) in o {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                newline(indent + 2, into: &out)
                writeString(k, into: &out)
                out.append(UInt8(ascii: ":"))
                out.append(UInt8(ascii: " "))
                writePretty(v, into: &out, indent: indent + 2)
            }
            newline(indent, into: &out)
            out.append(UInt8(ascii: "}"))
        default:
            writeCompact(value, into: &out)
        }
    }

    /// Compact JSON text (as `write` writes it) laid out as `write(pretty: true)` lays out its
    /// value, every line after the first indented by `indent` more spaces: for text that holds
    /// what no `JSON` value can (an unpaired surrogate's escape).
    public static func pretty(compact: [UInt8], indent: Int = 0) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(compact.count * 2)
        var level = indent
        var inString = false
        var k = 0
        while k < compact.count {
            let b = compact[k]
            k += 1
            if inString {
                out.append(b)
                if b == 0x5C, k < compact.count {
                    out.append(compact[k])
                    k += 1
                } else if b == 0x22 {
                    inString = false
                }
                continue
            }
            switch b {
            case 0x22:
                inString = true
                out.append(b)
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                out.append(b)
                if k < compact.count, compact[k] == b + 2 { // [] and {} stay as they are
                    out.append(compact[k])
                    k += 1
                } else {
                    level += 2
                    newline(level, into: &out)
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                level -= 2
                newline(level, into: &out)
                out.append(b)
            case UInt8(ascii: ","):
                out.append(b)
                newline(level, into: &out)
            case UInt8(ascii: ":"):
                out.append(contentsOf: [b, 0x20])
            default:
                out.append(b)
            }
        }
        return out
    }

    @inline(__always)
    static func newline(_ indent: Int, into out: inout [UInt8]) {
        out.append(0x0A)
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
    }

    public static func writeInt(_ i: Int64, into out: inout [UInt8]) {
        if i >= 0 && i < 10 {
            out.append(UInt8(48 + i))
            return
        }
        var v = i.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                      UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { buf in
            repeat {
                buf[19 - n] = UInt8(48 + v % 10)
                v /= 10
                n += 1
            } while v > 0
            if i < 0 { out.append(UInt8(ascii: "-")) }
            out.append(contentsOf: buf[(20 - n)...])
        }
    }

    public static func writeDouble(_ d: Double, into out: inout [UInt8]) {
        guard d.isFinite else {
            out.append(contentsOf: nullBytes)
            return
        }
        out.append(contentsOf: JSON.formatNumber(d).utf8)
    }

    /// Writes `s` as a quoted JSON string literal.
    public static func writeString(_ s: String, into out: inout [UInt8]) {
        var s = s
        s.withUTF8 { writeString(utf8: $0, into: &out) }
    }

    /// Writes a string given as valid UTF-8 as a quoted JSON string literal.
    public static func writeString(utf8: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var runStart = 0
        var k = 0
        let n = utf8.count
        while k < n {
            let b = utf8[k]
            if b >= 0x20 && b != 0x22 && b != 0x5C && b != 0xE2 {
                k += 1
                continue
            }
            if b == 0xE2 {
                // U+2028 / U+2029 are E2 80 A8 / E2 80 A9.
                if k + 2 < n, utf8[k + 1] == 0x80, utf8[k + 2] == 0xA8 || utf8[k + 2] == 0xA9 {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<k]))
                    out.append(contentsOf: utf8[k + 2] == 0xA8 ? "\\u2028".utf8 : "\\u2029".utf8)
                    k += 3
                    runStart = k
                } else {
                    k += 1
                }
                continue
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<k]))
            switch b {
            case 0x22: out.append(contentsOf: "\\\"".utf8)
            case 0x5C: out.append(contentsOf: "\\\\".utf8)
            case 0x0A: out.append(contentsOf: "\\n".utf8)
            case 0x0D: out.append(contentsOf: "\\r".utf8)
            case 0x09: out.append(contentsOf: "\\t".utf8)
            case 0x08: out.append(contentsOf: "\\b".utf8)
            case 0x0C: out.append(contentsOf: "\\f".utf8)
            default:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hexDigit(b >> 4))
                out.append(hexDigit(b & 0xF))
            }
            k += 1
            runStart = k
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<n]))
        out.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 48 + v : 87 + v }

    static let nullBytes: [UInt8] = Array("null".utf8)
    static let trueBytes: [UInt8] = Array("true".utf8)
    static let falseBytes: [UInt8] = Array("false".utf8)
}

extension JSON {
    /// The JSON text of this value.
    public func serialized(pretty: Bool = false) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        JSONWriter.write(self, into: &out, pretty: pretty)
        return String(decoding: out, as: UTF8.self)
    }
}

extension JSON: CustomStringConvertible {
    public var description: String { serialized() }
}

extension JSON {
    /// Formats `d` exactly as JavaScript's `Number.prototype.toString()` does
    /// (ECMA-262 Number::toString): shortest digits that read back the same, plain
    /// notation for exponents from -7 to 20, `1e+21` style beyond, `-0` as `0`.
    public static func formatNumber(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        if d == 0 { return "0" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        // Swift's description is the shortest round-trip representation; re-lay its digits.
        let text = abs(d).description
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var intPart = mantissa
        var fracPart: Substring = ""
        if let dot = mantissa.firstIndex(of: ".") {
            intPart = mantissa[..<dot]
            fracPart = mantissa[mantissa.index(after: dot)...]
        }
        var digits = Array((intPart + fracPart).utf8)
        var n = intPart.count + exponent
        var lead = 0
        while lead < digits.count - 1, digits[lead] == UInt8(ascii: "0") { lead += 1 }
        digits.removeFirst(lead)
        n -= lead
        while digits.count > 1, digits.last == UInt8(ascii: "0") { digits.removeLast() }
        let k = digits.count
        var out = d < 0 ? "-" : ""
        let ds = String(decoding: digits, as: UTF8.self)
        if k <= n && n <= 21 {
            out += ds + String(repeating: "0", count: n - k)
        } else if 0 < n && n <= 21 {
            out += ds.prefix(n) + "." + ds.dropFirst(n)
        } else if -6 < n && n <= 0 {
            out += "0." + String(repeating: "0", count: -n) + ds
        } else {
            let e = n - 1
            let sign = e >= 0 ? "+" : "-"
            if k == 1 {
                out += ds + "e" + sign + String(abs(e))
            } else {
                out += ds.prefix(1) + "." + ds.dropFirst() + "e" + sign + String(abs(e))
            }
        }
        return out
    }
}
