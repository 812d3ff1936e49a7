import Foundation
import Logging
import ServiceLifecycle

/// Background import and export jobs as a service of the application's lifecycle: they start
/// when it runs, their errors are logged, and on shutdown no new job starts. A running job is
/// not waited for (it may take hours): its batches are transactions and the next start resumes
/// it. Each job runs on a thread of its own, so jobs never occupy the pool that answers reads.
final class JobRunner: Service, @unchecked Sendable {
    typealias Work = @Sendable () throws -> Void
    private let stream: AsyncStream<(String, Work)>
    private let continuation: AsyncStream<(String, Work)>.Continuation
    private let logger: Logger

    init(logger: Logger) {
        (stream, continuation) = AsyncStream.makeStream()
        self.logger = logger
    }

    /// Queues a job; it starts as soon as the service runs.
    func submit(_ name: String, _ work: @escaping Work) { continuation.yield((name, work)) }

    func run() async throws {
        for await (name, work) in stream.cancelOnGracefulShutdown() {
            Thread.detachNewThread { [logger] in
                do { try work() } catch { logger.error("\(name) failed: \(error)") }
            }
        }
    }
}
