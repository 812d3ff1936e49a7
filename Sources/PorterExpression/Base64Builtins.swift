/// `btoa` and `atob`, the web platform's base64 globals as node has them: what import maps need
/// to turn one system's encoded hashes and salts into another's (a Django salt into a PHC one).
/// Strings are JavaScript's: each UTF-16 unit is one byte, and `btoa` refuses a unit above 0xFF.
extension Builtins {
    static let base64Arity: [String: ClosedRange<Int>] = ["btoa": 1...1, "atob": 1...1]

    static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf16)

    /// nil when `key` is not one of these functions.
    static func callBase64(_ key: String, _ a: [Value], _ ctx: Context, _ range: Range<Int>) throws(Failure) -> Value? {
        switch key {
        case "btoa":
            let units = a[0].jsString.units
            guard units.allSatisfy({ $0 <= 0xFF }) else {
                throw Failure.error("InvalidCharacterError: Invalid character (btoa takes characters up to U+00FF)", range)
            }
            try ctx.checkString((units.count + 2) / 3 * 4, range)
            var out: [UInt16] = []
            out.reserveCapacity((units.count + 2) / 3 * 4)
            var i = 0
            while i < units.count {
                let n = min(3, units.count - i)
                let b0 = Int(units[i]), b1 = n > 1 ? Int(units[i + 1]) : 0, b2 = n > 2 ? Int(units[i + 2]) : 0
                out.append(base64Alphabet[b0 >> 2])
                out.append(base64Alphabet[(b0 & 3) << 4 | b1 >> 4])
                out.append(n > 1 ? base64Alphabet[(b1 & 15) << 2 | b2 >> 6] : 0x3D)
                out.append(n > 2 ? base64Alphabet[b2 & 63] : 0x3D)
                i += 3
            }
            return .string(JSString(units: out))
        case "atob":
            // WHATWG forgiving-base64 decode.
            var units = a[0].jsString.units.filter { ![0x09, 0x0A, 0x0C, 0x0D, 0x20].contains($0) }
            if units.count % 4 == 0 {
                if units.last == 0x3D { units.removeLast() }
                if units.last == 0x3D { units.removeLast() }
            }
            func value(_ u: UInt16) -> Int? {
                switch u {
                case 0x41...0x5A: return Int(u) - 0x41
                case 0x61...0x7A: return Int(u) - 0x61 + 26
                case 0x30...0x39: return Int(u) - 0x30 + 52
                case 0x2B: return 62
                case 0x2F: return 63
                default: return nil
                }
            }
            let values = units.compactMap(value)
            guard units.count % 4 != 1, values.count == units.count else {
                throw Failure.error("InvalidCharacterError: The string to be decoded is not correctly encoded.", range)
            }
            var out: [UInt16] = []
            out.reserveCapacity(values.count * 3 / 4)
            var buffer = 0, bits = 0
            for v in values {
                buffer = buffer << 6 | v
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    out.append(UInt16((buffer >> bits) & 0xFF))
                }
            }
            return .string(JSString(units: out))
        default:
            return nil
        }
    }
}
