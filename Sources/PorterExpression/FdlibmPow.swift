// The algorithm and constants below are fdlibm's __ieee754_pow (e_pow.c), as V8 keeps it in
// src/base/ieee754.cc (`legacy::pow`) for Math.pow and `**`, rewritten in Swift.
//
// ====================================================
// Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
//
// Developed at SunSoft, a Sun Microsystems, Inc. business.
// Permission to use, copy, modify, and distribute this
// software is freely granted, provided that this notice
// is preserved.
// ====================================================

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// x ** y exactly as V8 computes it (node 20: fdlibm's pow, not the C library's, which rounds
/// differently in the last bit for some arguments). The special values follow ECMA-262
/// Number::exponentiate (±1 ** ±Infinity is NaN; fdlibm already agrees).
///
/// Method (fdlibm): with x = 2^n (1+f), compute log2(x) in two pieces w1 + w2 (w1 with 29
/// trailing zero bits), then y·log2(x) = n' + y' in simulated extra precision (|y'| ≤ 0.5), and
/// x ** y = 2^n' · exp(y'·ln 2).
enum FdlibmPow {
    static func pow(_ x: Double, _ y: Double) -> Double {
        let hx = high(x), lx = low(x), hy = high(y), ly = low(y)
        var ix = hx & 0x7fff_ffff
        let iy = hy & 0x7fff_ffff

        // y = ±0: x ** 0 is 1.
        if iy == 0 && ly == 0 { return 1 }
        // NaN in either: NaN.
        if ix > 0x7ff0_0000 || (ix == 0x7ff0_0000 && lx != 0) || iy > 0x7ff0_0000 || (iy == 0x7ff0_0000 && ly != 0) {
            return x + y
        }

        // For x < 0: whether y is an odd integer (1), an even integer (2) or not an integer (0).
        var yIsInt: Int32 = 0
        if hx < 0 {
            if iy >= 0x4340_0000 {
                yIsInt = 2 // |y| ≥ 2^53: even
            } else if iy >= 0x3ff0_0000 {
                let k = (iy >> 20) - 0x3ff // unbiased exponent
                if k > 20 {
                    let shift = UInt32(truncatingIfNeeded: 52 - k)
                    let j = ly >> shift
                    if j << shift == ly { yIsInt = 2 - Int32(truncatingIfNeeded: j & 1) }
                } else if ly == 0 {
                    let j = iy >> (20 - k)
                    if j << (20 - k) == iy { yIsInt = 2 - (j & 1) }
                }
            }
        }

        // Special values of y.
        if ly == 0 {
            if iy == 0x7ff0_0000 { // y is ±Infinity
                if ix == 0x3ff0_0000 && lx == 0 { return y - y } // ±1 ** ±Infinity is NaN
                if ix >= 0x3ff0_0000 { return hy >= 0 ? y : 0 } // |x| > 1
                return hy < 0 ? -y : 0 // |x| < 1
            }
            if iy == 0x3ff0_0000 { return hy < 0 ? 1 / x : x } // y is ±1
            if hy == 0x4000_0000 { return x * x } // y is 2
            if hy == 0x3fe0_0000 && hx >= 0 { return x.squareRoot() } // y is 0.5, x ≥ +0
        }

        let absX = abs(x)
        // Special values of x: ±0, ±Infinity, ±1.
        if lx == 0 && (ix == 0x7ff0_0000 || ix == 0 || ix == 0x3ff0_0000) {
            var z = absX
            if hy < 0 { z = 1 / z }
            if hx < 0 {
                if ix == 0x3ff0_0000 && yIsInt == 0 {
                    z = .nan // (-1) ** non-integer
                } else if yIsInt == 1 {
                    z = -z // (x < 0) ** odd = -(|x| ** odd)
                }
            }
            return z
        }

        var n: Int32 = (hx >> 31) + 1 // 0 for x < 0, 1 otherwise
        if n == 0 && yIsInt == 0 { return .nan } // (x < 0) ** non-integer
        let sign: Double = n == 0 && yIsInt == 1 ? -1 : 1

        // log2(|x|) = t1 + t2.
        var t1: Double, t2: Double
        if iy > 0x41e0_0000 { // |y| > 2^31
            if iy > 0x43f0_0000 { // |y| > 2^64: overflow or underflow
                if ix <= 0x3fef_ffff { return hy < 0 ? huge * huge : tiny * tiny }
                if ix >= 0x3ff0_0000 { return hy > 0 ? huge * huge : tiny * tiny }
            }
            // Overflow or underflow unless x is close to 1.
            if ix < 0x3fef_ffff { return hy < 0 ? sign * huge * huge : sign * tiny * tiny }
            if ix > 0x3ff0_0000 { return hy > 0 ? sign * huge * huge : sign * tiny * tiny }
            // |1 - x| ≤ 2^-20: log(x) by x - x^2/2 + x^3/3 - x^4/4.
            let t = absX - 1 // 20 trailing zero bits
            let w = (t * t) * (0.5 - t * (0.3333333333333333333333 - t * 0.25))
            let u = ivln2_h * t // ivln2_h has 21 significant bits
            let v = t * ivln2_l - w * ivln2
            t1 = withLow(u + v, 0)
            t2 = v - (t1 - u)
        } else {
            var ax = absX
            n = 0
            if ix < 0x0010_0000 { // subnormal x
                ax *= two53
                n -= 53
                ix = high(ax)
            }
            n += (ix >> 20) - 0x3ff
            let j = ix & 0x000f_ffff
            ix = j | 0x3ff0_0000 // normalized
            let k: Int
            if j <= 0x3988E {
                k = 0 // |x| < sqrt(3/2)
            } else if j < 0xBB67A {
                k = 1 // |x| < sqrt(3)
            } else {
                k = 0
                n += 1
                ix -= 0x0010_0000
            }
            ax = withHigh(ax, ix)

            // ss = s_h + s_l = (x - 1) / (x + 1) or (x - 1.5) / (x + 1.5).
            let bp = k == 0 ? 1.0 : 1.5
            var u = ax - bp
            var v = 1 / (ax + bp)
            let ss = u * v
            let sH = withLow(ss, 0)
            var tH = withHigh(0, ((ix >> 1) | 0x2000_0000) + 0x0008_0000 + Int32(truncatingIfNeeded: k << 18)) // ax + bp, high part
            var tL = ax - (tH - bp)
            let sL = v * ((u - sH * tH) - sH * tL)
            // log(ax)
            var s2 = ss * ss
            var r = s2 * s2 * (L1 + s2 * (L2 + s2 * (L3 + s2 * (L4 + s2 * (L5 + s2 * L6)))))
            r += sL * (sH + ss)
            s2 = sH * sH
            tH = withLow(3.0 + s2 + r, 0)
            tL = r - ((tH - 3.0) - s2)
            // u + v = ss * (1 + ...)
            u = sH * tH
            v = sL * tH + tL * ss
            // 2 / (3 log 2) * (ss + ...)
            let pH = withLow(u + v, 0)
            let pL = v - (pH - u)
            let zH = cp_h * pH // cp_h + cp_l = 2 / (3 log 2)
            let zL = cp_l * pH + pL * cp + (k == 0 ? 0 : dp_l1)
            // log2(ax) = (ss + ...) * 2 / (3 log 2) = n + dp_h + z_h + z_l
            let t = Double(n)
            let dpH = k == 0 ? 0 : dp_h1
            t1 = withLow(((zH + zL) + dpH) + t, 0)
            t2 = zL - (((t1 - t) - dpH) - zH)
        }

        // (y1 + y2) * (t1 + t2), y split as y1 + y2.
        let y1 = withLow(y, 0)
        let pL = (y - y1) * t1 + y * t2
        var pH = y1 * t1
        var z = pL + pH
        var j = high(z)
        let i = low(z)
        if j >= 0x4090_0000 { // z ≥ 1024
            if j != 0x4090_0000 || i != 0 { return sign * huge * huge } // z > 1024
            if pL + ovt > z - pH { return sign * huge * huge }
        } else if j & 0x7fff_ffff >= 0x4090_cc00 { // z ≤ -1075
            if UInt32(bitPattern: j) != 0xc090_cc00 || i != 0 { return sign * tiny * tiny } // z < -1075
            if pL <= z - pH { return sign * tiny * tiny }
        }

        // 2 ** (p_h + p_l)
        let iz = j & 0x7fff_ffff
        var k = (iz >> 20) - 0x3ff
        n = 0
        if iz > 0x3fe0_0000 { // |z| > 0.5: n = [z + 0.5]
            n = j &+ (0x0010_0000 >> (k + 1))
            k = ((n & 0x7fff_ffff) >> 20) - 0x3ff // the new k for n
            let t = withHigh(0, n & ~(0x000f_ffff >> k))
            n = ((n & 0x000f_ffff) | 0x0010_0000) >> (20 - k)
            if j < 0 { n = -n }
            pH -= t
        }
        var t = withLow(pL + pH, 0)
        let u = t * lg2_h
        let v = (pL - (t - pH)) * lg2 + t * lg2_l
        z = u + v
        let w = v - (z - u)
        t = z * z
        let tt = z - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))))
        let r = (z * tt) / ((tt - 2) - (w + z * w))
        z = 1 - (r - z)
        let shifted = Int32(bitPattern: UInt32(bitPattern: n) << 20)
        j = high(z) &+ shifted
        if j >> 20 <= 0 {
            z = scalbn(z, n) // subnormal result
        } else {
            z = withHigh(z, j)
        }
        return sign * z
    }

    // MARK: Words of a double

    @inline(__always) static func high(_ d: Double) -> Int32 { Int32(bitPattern: UInt32(truncatingIfNeeded: d.bitPattern >> 32)) }
    @inline(__always) static func low(_ d: Double) -> UInt32 { UInt32(truncatingIfNeeded: d.bitPattern) }
    @inline(__always) static func withLow(_ d: Double, _ v: UInt32) -> Double {
        Double(bitPattern: (d.bitPattern & 0xFFFF_FFFF_0000_0000) | UInt64(truncatingIfNeeded: v))
    }
    @inline(__always) static func withHigh(_ d: Double, _ v: Int32) -> Double {
        Double(bitPattern: (d.bitPattern & 0x0000_0000_FFFF_FFFF) | (UInt64(truncatingIfNeeded: UInt32(bitPattern: v)) << 32))
    }

    // MARK: Constants (fdlibm's, with their words)

    static let dp_h1 = 5.84962487220764160156e-01 // 0x3FE2B803, 0x40000000
    static let dp_l1 = 1.35003920212974897128e-08 // 0x3E4CFDEB, 0x43CFD006
    static let two53 = 9007199254740992.0 // 0x43400000, 0x00000000
    static let huge = 1.0e300, tiny = 1.0e-300
    // Polynomial coefficients for (3/2) * (log(x) - 2s - 2/3 * s^3)
    static let L1 = 5.99999999999994648725e-01 // 0x3FE33333, 0x33333303
    static let L2 = 4.28571428578550184252e-01 // 0x3FDB6DB6, 0xDB6FABFF
    static let L3 = 3.33333329818377432918e-01 // 0x3FD55555, 0x518F264D
    static let L4 = 2.72728123808534006489e-01 // 0x3FD17460, 0xA91D4101
    static let L5 = 2.30660745775561754067e-01 // 0x3FCD864A, 0x93C9DB65
    static let L6 = 2.06975017800338417784e-01 // 0x3FCA7E28, 0x4A454EEF
    static let P1 = 1.66666666666666019037e-01 // 0x3FC55555, 0x5555553E
    static let P2 = -2.77777777770155933842e-03 // 0xBF66C16C, 0x16BEBD93
    static let P3 = 6.61375632143793436117e-05 // 0x3F11566A, 0xAF25DE2C
    static let P4 = -1.65339022054652515390e-06 // 0xBEBBBD41, 0xC5D26BF1
    static let P5 = 4.13813679705723846039e-08 // 0x3E663769, 0x72BEA4D0
    static let lg2 = 6.93147180559945286227e-01 // 0x3FE62E42, 0xFEFA39EF
    static let lg2_h = 6.93147182464599609375e-01 // 0x3FE62E43, 0x00000000
    static let lg2_l = -1.90465429995776804525e-09 // 0xBE205C61, 0x0CA86C39
    static let ovt = 8.0085662595372944372e-17 // -(1024 - log2(ovfl + .5ulp))
    static let cp = 9.61796693925975554329e-01 // 0x3FEEC709, 0xDC3A03FD = 2 / (3 ln 2)
    static let cp_h = 9.61796700954437255859e-01 // 0x3FEEC709, 0xE0000000 = (float)cp
    static let cp_l = -7.02846165095275826516e-09 // 0xBE3E2FE0, 0x145B01F5 = tail of cp_h
    static let ivln2 = 1.44269504088896338700e+00 // 0x3FF71547, 0x652B82FE = 1 / ln 2
    static let ivln2_h = 1.44269502162933349609e+00 // 0x3FF71547, 0x60000000 = 24 bits of 1 / ln 2
    static let ivln2_l = 1.92596299112661746887e-08 // 0x3E54AE0B, 0xF85DDF44 = tail of 1 / ln 2
}
