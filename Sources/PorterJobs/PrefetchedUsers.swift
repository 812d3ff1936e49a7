import Foundation
import PorterJSON

/// A ``KeySortedUsers`` read ahead on its own thread: runs merged and users parsed in batches
/// while the caller compares, a few batches at most (memory stays flat). `stop` ends the thread
/// and waits for it (before the runs it reads are deleted).
final class PrefetchedUsers: @unchecked Sendable {
    typealias Keyed = (key: [UInt8], user: JSON)
    let sorted: KeySortedUsers
    let condition = NSCondition()
    var batches: [[Keyed]] = []
    var finished = false
    var failure: (any Error)?
    var stopped = false
    let ended = DispatchSemaphore(value: 0)
    var current: [Keyed] = []
    var index = 0
    static let batchSize = 256
    static let maxBatches = 8

    init(_ sorted: KeySortedUsers) {
        self.sorted = sorted
        let thread = Thread { [self] in produce() }
        thread.stackSize = 8 << 20
        thread.start()
    }

    func produce() {
        var batch: [Keyed] = []
        batch.reserveCapacity(Self.batchSize)
        do {
            while let u = try sorted.next() {
                batch.append(u)
                if batch.count == Self.batchSize {
                    guard push(batch) else { break }
                    batch = []
                    batch.reserveCapacity(Self.batchSize)
                }
            }
            if !batch.isEmpty { _ = push(batch) }
        } catch {
            condition.lock()
            failure = error
            condition.unlock()
        }
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
        ended.signal()
    }

    /// False once stopped.
    func push(_ batch: [Keyed]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= Self.maxBatches && !stopped { condition.wait() }
        if stopped { return false }
        batches.append(batch)
        condition.broadcast()
        return true
    }

    func next() throws -> Keyed? {
        if index < current.count {
            defer { index += 1 }
            return current[index]
        }
        condition.lock()
        while batches.isEmpty && !finished { condition.wait() }
        if batches.isEmpty {
            let failure = failure
            condition.unlock()
            if let failure { throw failure }
            return nil
        }
        current = batches.removeFirst()
        condition.broadcast()
        condition.unlock()
        index = 1
        return current[0]
    }

    func stop() {
        condition.lock()
        let wasStopped = stopped
        stopped = true
        condition.broadcast()
        condition.unlock()
        if !wasStopped { ended.wait() }
    }
}
