import PorterTenant
import Synchronization

/// One side of a diff as it is read: how many users so far (read by the caller's thread for
/// progress while another thread reads the side), the users without the key, and the flag
/// that stops a read running on another thread.
final class DiffSideReading: @unchecked Sendable {
    let side: UserDifference.Side
    let users = Atomic<Int>(0)
    let stop: Stop
    let unkeyed: UnkeyedLog
    /// Every 1,024 users, on the caller's thread only (progress, cancellation); nil on another thread.
    var tick: (() throws -> Void)?

    init(_ side: UserDifference.Side, directory: String, stop: Stop) {
        self.side = side
        self.stop = stop
        unkeyed = UnkeyedLog(directory: directory)
    }

    /// Counts a user; its position on the side (from 1).
    func count() throws -> Int {
        let n = users.add(1, ordering: .relaxed).newValue
        if n & 1023 == 0 {
            if stop.flag.load(ordering: .relaxed) { throw Cancelled() }
            try tick?()
        }
        return n
    }

    /// Shared by both sides: set when the diff ends early, read by the side on another thread.
    final class Stop: Sendable {
        let flag = Atomic<Bool>(false)
        func set() { flag.store(true, ordering: .relaxed) }
    }
}
