import CLibCrypto

/// MDC-2 with DES (ISO/IEC 10118-2), as OpenSSL's mdc2dgst.c computes it (node's `mdc2`,
/// `RSA-MDC2`, `mdc2WithRSA`): for OpenSSL builds without an MDC2 digest (Debian's), which
/// still have DES. A 16-byte digest over 8-byte blocks, the last one zero-padded.
/// Checked against OpenSSL's published vector and node (Tests/PorterFormatsTests).
enum MDC2 {
    static let blockSize = 8

    static func hash(_ input: [UInt8]) -> [UInt8]? {
        var h = [UInt8](repeating: 0x52, count: 8)
        var hh = [UInt8](repeating: 0x25, count: 8)
        var data = input
        if data.count % 8 != 0 { data += [UInt8](repeating: 0, count: 8 - data.count % 8) }
        var at = 0
        while at < data.count {
            let m = Array(data[at..<(at + 8)])
            at += 8
            h[0] = (h[0] & 0x9f) | 0x40
            hh[0] = (hh[0] & 0x9f) | 0x20
            guard let d = des(key: h, m), let dd = des(key: hh, m) else { return nil }
            // The halves cross: A' = (M⊕D)left ‖ (M⊕DD)right, B' = (M⊕DD)left ‖ (M⊕D)right.
            h = (0..<4).map { m[$0] ^ d[$0] } + (4..<8).map { m[$0] ^ dd[$0] }
            hh = (0..<4).map { m[$0] ^ dd[$0] } + (4..<8).map { m[$0] ^ d[$0] }
        }
        return h + hh
    }

    static func des(key: [UInt8], _ block: [UInt8]) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: 8)
        return porter_des_block(key, block, &out) == 1 ? out : nil
    }

    /// HMAC (RFC 2104) over MDC-2, whose block is 8 bytes (OpenSSL's EVP_MD_block_size), as
    /// OpenSSL's HMAC_Init_ex computes it: a key longer than the block is hashed, and the pads
    /// take the block's first 8 bytes of it (the 16-byte digest of a long key is cut to 8).
    static func hmac(key: [UInt8], _ message: [UInt8]) -> [UInt8]? {
        var k = key
        if k.count > blockSize { guard let d = hash(k) else { return nil }; k = d }
        k = Array(k.prefix(blockSize))
        k += [UInt8](repeating: 0, count: blockSize - k.count)
        guard let inner = hash(k.map { $0 ^ 0x36 } + message) else { return nil }
        return hash(k.map { $0 ^ 0x5c } + inner)
    }

    /// PBKDF2 (RFC 8018) with HMAC-MDC2.
    static func pbkdf2(password: [UInt8], salt: [UInt8], rounds: Int, length: Int) -> [UInt8]? {
        var out: [UInt8] = []
        var block: UInt32 = 1
        while out.count < length {
            guard var u = hmac(key: password, salt + [UInt8(block >> 24), UInt8(block >> 16 & 0xff), UInt8(block >> 8 & 0xff), UInt8(block & 0xff)]) else { return nil }
            var t = u
            for _ in 1..<max(1, rounds) {
                guard let next = hmac(key: password, u) else { return nil }
                u = next
                for i in 0..<t.count { t[i] ^= u[i] }
            }
            out += t
            block &+= 1
        }
        return Array(out.prefix(length))
    }
}
