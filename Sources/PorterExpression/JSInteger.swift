#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one place where a JavaScript number becomes a Swift integer (ECMA-262 ToIntegerOrInfinity,
/// ToUint32, ToInt32). Every other conversion in this module goes through here, so no
/// NaN, ±Infinity or huge value can trap (a test greps the sources for stray conversions).
enum JSInteger {
    /// ToIntegerOrInfinity: NaN → 0, truncation toward zero, -0 → +0, infinities kept.
    @inline(__always)
    static func integerOrInfinity(_ d: Double) -> Double {
        d.isNaN ? 0 : d.rounded(.towardZero) + 0
    }

    /// ToIntegerOrInfinity clamped into `lo...hi`.
    @inline(__always)
    static func clamp(_ d: Double, _ lo: Int, _ hi: Int) -> Int {
        let x = integerOrInfinity(d)
        if x <= Double(lo) { return lo }
        if x >= Double(hi) { return hi }
        return Int(x)
    }

    /// ToIntegerOrInfinity when it lies in `lo...hi`, nil otherwise (for a RangeError).
    static func inRange(_ d: Double, _ lo: Int, _ hi: Int) -> Int? {
        let x = integerOrInfinity(d)
        guard x >= Double(lo), x <= Double(hi) else { return nil }
        return Int(x)
    }

    /// ToUint32: modulo 2^32 of the truncated value (NaN, ±Infinity → 0).
    static func uint32(_ d: Double) -> UInt32 {
        guard d.isFinite else { return 0 }
        var m = fmod(d.rounded(.towardZero), 4_294_967_296)
        if m < 0 { m += 4_294_967_296 }
        return UInt32(m)
    }

    /// ToInt32.
    static func int32(_ d: Double) -> Int32 { Int32(bitPattern: uint32(d)) }

    /// The double as an exact Int64 when it is an integer within ±2^53 (nil otherwise).
    static func exactSafe(_ d: Double) -> Int64? {
        guard d == d.rounded(), abs(d) <= 9_007_199_254_740_992 else { return nil }
        return Int64(d)
    }

    /// A small non-negative integer (a digit, a remainder) known to be in 0..<2^31.
    static func small(_ d: Double) -> Int { clamp(d, 0, Int(Int32.max)) }

    /// The canonical array index a property key denotes ("0", "17"; not "01", "-1", "1.0").
    static func arrayIndex(_ key: String) -> Int? {
        let u = key.utf8
        guard let first = u.first, first >= 48, first <= 57, u.count <= 10 else { return nil }
        if first == 48 && u.count > 1 { return nil }
        var v = 0
        for b in u {
            guard b >= 48 && b <= 57 else { return nil }
            v = v * 10 + Int(truncatingIfNeeded: b &- 48)
        }
        return v < 4_294_967_295 ? v : nil
    }
}
