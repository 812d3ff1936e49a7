#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PorterJSON

/// A small unsigned big integer (little-endian 32-bit limbs): just what exact number
/// formatting and parsing need.
struct BigUInt {
    var limbs: [UInt32]

    init(_ v: UInt64) {
        limbs = [UInt32(truncatingIfNeeded: v), UInt32(truncatingIfNeeded: v >> 32)]
        trim()
    }

    mutating func trim() { while let l = limbs.last, l == 0 { limbs.removeLast() } }

    var isZero: Bool { limbs.isEmpty }

    var bitWidth: Int {
        guard let top = limbs.last else { return 0 }
        return (limbs.count - 1) * 32 + (32 - top.leadingZeroBitCount)
    }

    /// self = self * m + a
    mutating func multiplyAdd(_ m: UInt32, _ a: UInt32) {
        var carry = UInt64(truncatingIfNeeded: a)
        for k in limbs.indices {
            let p = UInt64(truncatingIfNeeded: limbs[k]) * UInt64(truncatingIfNeeded: m) + carry
            limbs[k] = UInt32(truncatingIfNeeded: p)
            carry = p >> 32
        }
        if carry > 0 { limbs.append(UInt32(truncatingIfNeeded: carry)) }
    }

    /// Divides by `d` in place; returns the remainder.
    mutating func divide(_ d: UInt32) -> UInt32 {
        var rem: UInt64 = 0
        for k in limbs.indices.reversed() {
            let cur = (rem << 32) | UInt64(truncatingIfNeeded: limbs[k])
            limbs[k] = UInt32(truncatingIfNeeded: cur / UInt64(truncatingIfNeeded: d))
            rem = cur % UInt64(truncatingIfNeeded: d)
        }
        trim()
        return UInt32(truncatingIfNeeded: rem)
    }

    func bit(_ i: Int) -> Bool {
        let limb = i / 32
        guard i >= 0, limb < limbs.count else { return false }
        return limbs[limb] >> UInt32(truncatingIfNeeded: i % 32) & 1 == 1
    }

    mutating func shiftLeft(_ n: Int) {
        guard n > 0, !isZero else { return }
        let whole = n / 32, part = UInt32(truncatingIfNeeded: n % 32)
        if part > 0 {
            var carry: UInt32 = 0
            for k in limbs.indices {
                let v = limbs[k]
                limbs[k] = (v << part) | carry
                carry = v >> (32 - part)
            }
            if carry > 0 { limbs.append(carry) }
        }
        limbs.insert(contentsOf: repeatElement(0, count: whole), at: 0)
    }

    mutating func shiftRight(_ n: Int) {
        guard n > 0 else { return }
        let whole = n / 32, part = UInt32(truncatingIfNeeded: n % 32)
        if whole >= limbs.count { limbs = []; return }
        limbs.removeFirst(whole)
        if part > 0 {
            for k in limbs.indices {
                let hi = k + 1 < limbs.count ? limbs[k + 1] << (32 - part) : 0
                limbs[k] = (limbs[k] >> part) | hi
            }
        }
        trim()
    }

    mutating func increment() { multiplyAdd(1, 1) }

    /// Decimal digits.
    var decimal: String {
        if isZero { return "0" }
        var n = self
        var chunks: [UInt32] = []
        while !n.isZero { chunks.append(n.divide(1_000_000_000)) }
        var s = String(chunks.last!)
        for c in chunks.dropLast().reversed() {
            let t = String(c)
            s += String(repeating: "0", count: 9 - t.count) + t
        }
        return s
    }

    /// The nearest double (ties to even).
    var double: Double {
        let w = bitWidth
        if w <= 64 {
            var v: UInt64 = 0
            for (k, l) in limbs.enumerated() { v |= UInt64(truncatingIfNeeded: l) << UInt64(truncatingIfNeeded: 32 * k) }
            return Double(v)
        }
        let shift = w - 64
        var top = self
        top.shiftRight(shift)
        var v: UInt64 = 0
        for (k, l) in top.limbs.enumerated() { v |= UInt64(truncatingIfNeeded: l) << UInt64(truncatingIfNeeded: 32 * k) }
        // A sticky bit for the dropped bits keeps the rounding of `Double(v)` exact.
        var sticky = false
        for i in 0..<shift where bit(i) { sticky = true; break }
        if sticky { v |= 1 }
        return Double(sign: .plus, exponent: shift, significand: Double(v))
    }
}

/// Number formatting by the ECMA-262 algorithms (not Foundation's).
enum NumberFormat {
    /// Number::toString(10): shortest round-trip digits, exponent from 1e21 and below 1e-6.
    static func string(_ d: Double) -> String { JSON.formatNumber(d) }

    /// The exact binary value of a finite positive double: mantissa × 2^exponent.
    static func decompose(_ x: Double) -> (mantissa: UInt64, exponent: Int) {
        if x.exponentBitPattern == 0 { return (x.significandBitPattern, -1074) }
        return (x.significandBitPattern | (1 << 52), x.exponent - 52)
    }

    /// Number.prototype.toFixed(f) for a finite x with |x| < 1e21: the exact decimal value
    /// rounded half up (as the spec's "pick the larger n").
    static func fixed(_ x: Double, _ f: Int) -> String {
        let negative = x < 0
        let v = abs(x)
        var n = BigUInt(0)
        if v != 0 {
            let (m, e) = decompose(v)
            n = BigUInt(m)
            for _ in 0..<f { n.multiplyAdd(10, 0) }
            if e >= 0 {
                n.shiftLeft(e)
            } else {
                let roundUp = n.bit(-e - 1)
                n.shiftRight(-e)
                if roundUp { n.increment() }
            }
        }
        var m = n.decimal
        if f > 0 {
            if m.count <= f { m = String(repeating: "0", count: f + 1 - m.count) + m }
            let cut = m.index(m.endIndex, offsetBy: -f)
            m = m[..<cut] + "." + m[cut...]
        }
        return (negative ? "-" : "") + m
    }

    /// The exact decimal digits of a finite positive double x (no leading zeros) and the
    /// exponent of its first digit: x = d1.d2d3… × 10^exponent. A double is m × 2^k, and for
    /// k < 0 that is m × 5^-k / 10^-k, an integer's digits with the point moved.
    static func exactDigits(_ x: Double) -> (digits: [UInt8], exponent: Int) {
        let (m, k) = decompose(x)
        var n = BigUInt(m)
        var scale = 0 // x = n × 10^scale
        if k >= 0 {
            n.shiftLeft(k)
        } else {
            var left = -k
            while left > 0 { // 5^13 < 2^32
                let step = min(left, 13)
                var p: UInt32 = 1
                for _ in 0..<step { p *= 5 }
                n.multiplyAdd(p, 0)
                left -= step
            }
            scale = k
        }
        let digits = Array(n.decimal.utf8)
        return (digits, digits.count - 1 + scale)
    }

    /// x (finite, positive) rounded to `count` significant digits, halves up (the spec's "pick
    /// the larger n"): the digits (exactly `count`) and the exponent of the first.
    static func significant(_ x: Double, _ count: Int) -> (digits: [UInt8], exponent: Int) {
        var (d, e) = exactDigits(x)
        if d.count <= count {
            return (d + repeatElement(UInt8(ascii: "0"), count: count - d.count), e)
        }
        let roundUp = d[count] >= UInt8(ascii: "5")
        d.removeSubrange(count...)
        if roundUp {
            var i = count - 1
            while i >= 0 {
                if d[i] == UInt8(ascii: "9") { d[i] = UInt8(ascii: "0"); i -= 1; continue }
                d[i] += 1
                break
            }
            if i < 0 { // 99…9 became 100…0
                d = [UInt8(ascii: "1")] + repeatElement(UInt8(ascii: "0"), count: count - 1)
                e += 1
            }
        }
        return (d, e)
    }

    /// The shortest digits that read back as x (finite, positive; Number::toString's) and the
    /// exponent of the first.
    static func shortestDigits(_ x: Double) -> (digits: [UInt8], exponent: Int) {
        let text = x.description // the shortest round-trip digits, nearest to x
        var mantissa = Substring(text)
        var exponent = 0
        if let k = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<k]
            exponent = Int(String(text[text.index(after: k)...])) ?? 0
        }
        var intPart = mantissa, fracPart: Substring = ""
        if let dot = mantissa.firstIndex(of: ".") {
            intPart = mantissa[..<dot]
            fracPart = mantissa[mantissa.index(after: dot)...]
        }
        var digits = Array((intPart + fracPart).utf8)
        var point = intPart.count + exponent
        var lead = 0
        while lead < digits.count - 1, digits[lead] == UInt8(ascii: "0") { lead += 1 }
        digits.removeFirst(lead)
        point -= lead
        while digits.count > 1, digits.last == UInt8(ascii: "0") { digits.removeLast() }
        return (digits, point - 1)
    }

    /// `d1.d2…e±x` (the mantissa's point only when there are further digits).
    static func exponential(_ negative: Bool, _ digits: [UInt8], _ e: Int) -> String {
        var out: [UInt8] = negative ? [45] : []
        out.append(digits[0])
        if digits.count > 1 {
            out.append(46)
            out.append(contentsOf: digits[1...])
        }
        out.append(UInt8(ascii: "e"))
        out.append(e < 0 ? 45 : 43)
        out.append(contentsOf: String(abs(e)).utf8)
        return String(decoding: out, as: UTF8.self)
    }

    /// Number.prototype.toExponential for a finite x: `fraction` digits after the point of the
    /// exact value rounded halves up, or (nil) as many as Number::toString needs.
    static func toExponential(_ x: Double, fraction: Int?) -> String {
        let negative = x < 0
        let v = abs(x)
        if v == 0 { return exponential(false, Array(repeating: UInt8(ascii: "0"), count: (fraction ?? 0) + 1), 0) }
        let (digits, e) = fraction.map { significant(v, $0 + 1) } ?? shortestDigits(v)
        return exponential(negative, digits, e)
    }

    /// Number.prototype.toPrecision(p) for a finite x and p in 1…100: exponential form when the
    /// exponent is below -6 or at least p, fixed otherwise.
    static func toPrecision(_ x: Double, _ p: Int) -> String {
        let negative = x < 0
        let v = abs(x)
        let (digits, e) = v == 0 ? (Array(repeating: UInt8(ascii: "0"), count: p), 0) : significant(v, p)
        if e < -6 || e >= p { return exponential(negative, digits, e) }
        var out: [UInt8] = negative ? [45] : []
        if e >= 0 {
            out.append(contentsOf: digits[...e])
            if e + 1 < p {
                out.append(46)
                out.append(contentsOf: digits[(e + 1)...])
            }
        } else {
            out.append(contentsOf: [48, 46])
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -(e + 1)))
            out.append(contentsOf: digits)
        }
        return String(decoding: out, as: UTF8.self)
    }

    static let radixDigits = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)

    /// Number.prototype.toString(radix) for radix ≠ 10, as V8 prints it (DoubleToRadixCString):
    /// fraction digits up to the double's precision, integer digits beyond 2^53 as zeros.
    static func radix(_ value: Double, _ radix: Int) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == 0 { return "0" }
        let r = Double(radix)
        let negative = value < 0
        let v = abs(value)
        var integer = v.rounded(.down)
        var fraction = v - integer
        var delta = max(0.5 * (v.nextUp - v), Double.leastNonzeroMagnitude)
        var frac: [UInt8] = []
        if fraction >= delta {
            repeat {
                fraction *= r
                delta *= r
                let digit = JSInteger.small(fraction)
                frac.append(radixDigits[digit])
                fraction -= Double(digit)
                if fraction > 0.5 || (fraction == 0.5 && digit & 1 == 1) {
                    if fraction + delta > 1 {
                        // Round up, carrying through the digits written so far.
                        while true {
                            guard let last = frac.popLast() else { integer += 1; break }
                            let d = Int(truncatingIfNeeded: last) - (last > 57 ? 87 : 48)
                            if d + 1 < radix { frac.append(radixDigits[d + 1]); break }
                        }
                        break
                    }
                }
            } while fraction >= delta
        }
        var intDigits: [UInt8] = []
        while integer / r >= 9_007_199_254_740_992 {
            integer /= r
            intDigits.append(48)
        }
        repeat {
            let rem = fmod(integer, r)
            intDigits.append(radixDigits[JSInteger.small(rem)])
            integer = (integer - rem) / r
        } while integer > 0
        var out: [UInt8] = negative ? [45] : []
        out.append(contentsOf: intDigits.reversed())
        if !frac.isEmpty { out.append(46); out.append(contentsOf: frac) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The value of a digit in radix ≤ 36, or nil.
    @inline(__always)
    static func digit(_ c: UInt16, _ radix: Int) -> Int? {
        let d: Int
        switch c {
        case 48...57: d = Int(truncatingIfNeeded: c) - 48
        case 97...122: d = Int(truncatingIfNeeded: c) - 87
        case 65...90: d = Int(truncatingIfNeeded: c) - 55
        default: return nil
        }
        return d < radix ? d : nil
    }

    /// The integer that `digits` (all valid in `radix`) denote, as parseInt computes it: exact
    /// (correctly rounded) for radix 2, 4, 8, 10, 16, 32; V8's 32-bit chunked approximation otherwise.
    static func integer(_ digits: [Int], radix: Int) -> Double {
        if [2, 4, 8, 10, 16, 32].contains(radix) {
            var n = BigUInt(0)
            for d in digits {
                n.multiplyAdd(UInt32(truncatingIfNeeded: radix), UInt32(truncatingIfNeeded: d))
                if n.bitWidth > 1100 { return .infinity }
            }
            return n.double
        }
        var result = 0.0
        var k = 0
        let maxMultiplier = UInt32.max / 36
        while k < digits.count {
            var part: UInt32 = 0, multiplier: UInt32 = 1
            while k < digits.count {
                let m = multiplier &* UInt32(truncatingIfNeeded: radix)
                if m > maxMultiplier { break }
                part = part &* UInt32(truncatingIfNeeded: radix) &+ UInt32(truncatingIfNeeded: digits[k])
                multiplier = m
                k += 1
            }
            result = result * Double(multiplier) + Double(part)
        }
        return result
    }
}
