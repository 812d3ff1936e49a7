/// SplitMix64: the one seeded random generator of porter (generated users, and every test's
/// fixed-seed cases). Small, fast and reproducible across platforms, which the standard
/// library's generator is not; not for anything secret.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }
    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<n (n > 0); the modulo bias is irrelevant at these sizes.
    public mutating func below(_ n: Int) -> Int { Int(truncatingIfNeeded: next() % UInt64(max(1, n))) }

    /// True `percent` times in a hundred.
    public mutating func chance(percent: Int) -> Bool { below(100) < percent }
}
