import Foundation
import GRDB
import GRDBSQLite

/// Stops the statements of one read from another thread (`sqlite3_interrupt` on that read's
/// connection only), so that a request out of time frees its reader at once instead of
/// running on: Auth0 answers 503 after 2 s, and the work should end there too. Firing before the
/// read starts makes it fail as soon as it does; firing after it ended does nothing.
public final class QueryInterrupt: @unchecked Sendable {
    private let lock = NSLock()
    private var connection: OpaquePointer?
    private var fired = false

    public init() {}

    public var isFired: Bool { lock.withLock { fired } }
    /// A read is running under it (tests).
    var isRunning: Bool { lock.withLock { connection != nil } }

    public func fire() {
        lock.withLock {
            fired = true
            if let connection { sqlite3_interrupt(connection) }
        }
    }

    /// Runs `body` on `db` so that ``fire()`` interrupts it; an interrupted read throws a 503.
    static func run<T>(_ interrupt: QueryInterrupt?, _ db: Database, _ body: () throws -> T) throws -> T {
        guard let interrupt else { return try body() }
        let begun = interrupt.lock.withLock { () -> Bool in
            if interrupt.fired { return false }
            interrupt.connection = db.sqliteConnection
            return true
        }
        guard begun else { throw Self.timeout }
        defer { interrupt.lock.withLock { interrupt.connection = nil } }
        do {
            return try body()
        } catch let e as DatabaseError where e.resultCode == .SQLITE_INTERRUPT {
            throw Self.timeout
        }
    }

    static let timeout = TenantError("The query exceeded the timeout. Please try refining your search criteria.", status: 503)
}
