import Foundation
import Logging
import PorterJSON
import PorterTenant
import Testing
@testable import PorterServer

/// Issue 16's concurrency and architecture bullets, each on the piece that does it.
@Suite struct ArchitectureTests {
    /// Blocking store work runs on porter's own thread pool: with more of it waiting than the
    /// machine has cores, the cooperative pool (which answers every request) still runs.
    @Test func blockingWorkLeavesTheCooperativePoolFree() async throws {
        let release = DispatchSemaphore(value: 0)
        let blocked = ProcessInfo.processInfo.activeProcessorCount + 2
        let waiting = (0..<blocked).map { _ in Task { try await Blocking.run { release.wait(); return 1 } } }
        // Would never finish if the waits above sat on the cooperative threads.
        let answer = try await Deadline.race(seconds: 60, timeout: CancellationError()) { await Task { 42 }.value }
        #expect(answer == 42)
        for _ in 0..<blocked { release.signal() }
        var sum = 0
        for t in waiting { sum += try await t.value }
        #expect(sum == blocked)
    }

    /// Auth0 answers 503 when a query runs past 2 s: the answer comes at the budget, without an
    /// invented errorCode, and the statement is told to stop (its reader is free again).
    @Test func aReadPastItsBudgetAnswers503AndIsStopped() async throws {
        let h = try Harness { $0.requestBudget = 0.2 }
        let state = ServerState(tenant: h.tenant, options: h.options, logger: Logger(label: "test"))
        let seen = Seen()
        do {
            // Work that never ends by itself: only the interrupt stops it.
            _ = try await state.interruptibleRead { interrupt -> Int in
                seen.set(interrupt)
                while !interrupt.isFired { usleep(1000) }
                return 0
            }
            Issue.record("a read past its budget answered")
        } catch let e as APIError {
            #expect(e.statusCode == 503 && e.errorCode == nil && e.body["message"]?.stringValue?.contains("exceeded the timeout") == true, "\(e.body.serialized())")
        }
        #expect(seen.interrupt?.isFired == true, "the running statement is interrupted")
    }

    /// Background jobs run as a service of the application, and a failed one is logged, not
    /// swallowed by a detached thread.
    @Test func aFailedJobIsLogged() async throws {
        let log = LogBox()
        let runner = JobRunner(logger: Logger(label: "test") { _ in CapturingHandler(box: log) })
        struct Boom: Error, CustomStringConvertible { var description: String { "disk full" } }
        let service = Task { try await runner.run() }
        runner.submit("import job job_boom") { throw Boom() }
        for _ in 0..<6000 where !log.text.contains("import job job_boom failed: disk full") { try await Task.sleep(nanoseconds: 10_000_000) }
        service.cancel()
        #expect(log.text.contains("import job job_boom failed: disk full"), "\(log.text)")
    }

    /// A job records its input as an absolute path: a server started from another directory
    /// resumes it from the same file, never from another file of the same name.
    @Test func importJobsRecordAbsolutePaths() throws {
        let h = try Harness()
        let file = h.dir + "/users.json"
        try #"[{"email":"a@x.io"}]"#.write(toFile: file, atomically: true, encoding: .utf8)
        // The same file, named relative to the current directory (up to / and down again).
        let depth = FileManager.default.currentDirectoryPath.split(separator: "/").count
        let relative = String(repeating: "../", count: depth) + file.drop { $0 == "/" }
        let cid = try h.tenant.connections(strategy: nil)[0].id
        let job = try h.tenant.enqueueImport(file: relative, options: ImportOptions(connectionID: cid), ownsFile: false)
        #expect(try h.tenant.unfinishedImport(file: URL(fileURLWithPath: file).standardizedFileURL.path) == job.id)
    }

    final class Seen: @unchecked Sendable {
        private let lock = NSLock()
        private var value: QueryInterrupt?
        func set(_ i: QueryInterrupt) { lock.withLock { value = i } }
        var interrupt: QueryInterrupt? { lock.withLock { value } }
    }

    final class LogBox: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ s: String) { lock.withLock { lines.append(s) } }
        var text: String { lock.withLock { lines.joined(separator: "\n") } }
    }

    struct CapturingHandler: LogHandler {
        let box: LogBox
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { box.append("\(event.message)") }
    }
}
