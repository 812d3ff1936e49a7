import Foundation
import NIOCore
import NIOPosix

/// Runs work with a deadline without waiting for the work to notice: the first of the
/// work's answer and the timer wins; the loser's result is dropped.
enum Deadline {
    /// `onTimeout` runs when the timer wins (to stop work that cannot see Task cancellation).
    static func race<T: Sendable>(seconds: Double, timeout: some Error & Sendable, onTimeout: @escaping @Sendable () -> Void = {},
                                  _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let box = Once<T>()
        return try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, Error>) in
            box.set(c)
            let worker = Task { box.resume(with: await Result(catching: { try await work() })) }
            Task {
                try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
                if box.resume(with: .failure(timeout)) {
                    worker.cancel()
                    onTimeout()
                }
            }
        }
    }

    final class Once<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var continuation: CheckedContinuation<T, Error>?
        func set(_ c: CheckedContinuation<T, Error>) { lock.withLock { continuation = c } }
        @discardableResult func resume(with r: Result<T, Error>) -> Bool {
            guard let c = lock.withLock({ () -> CheckedContinuation<T, Error>? in defer { continuation = nil }; return continuation }) else { return false }
            c.resume(with: r)
            return true
        }
    }
}

extension Result where Failure == Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

/// Blocking SQLite work runs here, never on Swift's cooperative pool. More threads than cores:
/// most of them wait (searches queue for the store's one writer connection), and a point lookup,
/// which reads through a connection of its own, must find a thread free meanwhile.
enum Blocking {
    static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 16)
        pool.start()
        return pool
    }()

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive(body)
    }
}
