/// Where a diff is, for a progress line: reading (and sorting) both sides, then comparing them.
public struct DiffProgress: Sendable, Equatable {
    public enum Phase: String, Sendable { case reading, comparing }
    public var phase: Phase
    /// Users read (reading) or compared (comparing) so far, both sides together.
    public var done: Int
    /// Users of both sides together, when known: while reading, only when every side could
    /// count itself beforehand (a tenant, through its query); while comparing, always (every
    /// sorted side was counted as it was read).
    public var total: Int?

    public init(phase: Phase, done: Int, total: Int?) {
        self.phase = phase
        self.done = done
        self.total = total
    }
}
