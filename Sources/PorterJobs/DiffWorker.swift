import Foundation

/// One throwing job on its own thread (one side of a diff read and sorted while the caller
/// reads the other): the caller polls it, so it can show progress and notice a Ctrl-C while it
/// waits, and takes its result or its error. The job never calls the caller's closures (report,
/// progress, cancellation): it only sees the `stop` flag it is built with.
final class DiffWorker<T>: @unchecked Sendable {
    let job: () throws -> T
    let done = DispatchSemaphore(value: 0)
    var result: Result<T, any Error>?

    init(_ job: @escaping () throws -> T) {
        self.job = job
        let thread = Thread { [self] in
            result = Result { try self.job() }
            done.signal()
        }
        // As much stack as the main thread: parsing and comparing recurse (to their depth limits).
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Waits up to `seconds`; the result, once the job has ended.
    func wait(seconds: Double) -> Result<T, any Error>? {
        done.wait(timeout: .now() + seconds) == .success ? finished() : nil
    }

    func wait() -> Result<T, any Error> {
        done.wait()
        return finished()
    }

    private func finished() -> Result<T, any Error> {
        done.signal()  // a later wait returns at once
        return result!
    }
}
