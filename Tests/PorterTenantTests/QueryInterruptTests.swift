import Foundation
import GRDB
import Testing
import PorterQuery
@testable import PorterTenant

/// A read stopped from another thread: the statement ends with a 503, other reads go on.
@Suite struct QueryInterruptTests {
    @Test func firingStopsARunningStatementAndOnlyThatOne() throws {
        let dir = NSTemporaryDirectory() + "porter-interrupt-\(UUID().uuidString)"
        let t = try LocalTenant(path: dir + "/t.sqlite")
        try t.insertProfiles((0..<50).map { ["user_id": .string("auth0|\($0)"), "email": .string("u\($0)@x.io")] })
        let interrupt = QueryInterrupt()
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            do {
                // A statement that never ends by itself.
                _ = try t.db.unsafeRead { db in
                    try QueryInterrupt.run(interrupt, db) {
                        try Int.fetchOne(db, sql: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c")
                    }
                }
            } catch {
                outcome.set("\(error)")
            }
            done.signal()
        }
        while !interrupt.isRunning { usleep(1000) }
        // Another reader is not held up by it (the pool has several).
        #expect(try t.search(SearchRequest(query: Query.parse("email:u1@x.io"), perPage: 10)).users.count == 1)
        interrupt.fire()
        done.wait()
        #expect(outcome.value?.contains("exceeded the timeout") == true, "\(outcome.value ?? "no error")")
        // Fired before it starts: the read fails at once.
        #expect(throws: TenantError.self) { try t.search(SearchRequest(perPage: 10), interrupt: interrupt) }
        #expect(try t.search(SearchRequest(perPage: 10), interrupt: QueryInterrupt()).users.count == 10)
    }

    final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var text: String?
        func set(_ s: String) { lock.withLock { text = s } }
        var value: String? { lock.withLock { text } }
    }
}
