import Foundation
import GRDB
import Testing
import PorterQuery
import PorterJSON
@testable import PorterTenant

/// SQLite's failures of the tenant file say in words which file, what happened and what to do,
/// never a raw "SQLite error 13 … while executing INSERT …" (issue 12).
@Suite struct StorageProblemTests {
    let dir = NSTemporaryDirectory() + "porter-storage-\(UUID().uuidString)"
    var path: String { dir + "/t.sqlite" }

    func users(_ n: Int, _ prefix: String) -> [JSON] {
        (0..<n).map { ["user_id": .string("auth0|\(prefix)\($0)"), "email": .string("\(prefix)\($0)@example.com"),
                       "user_metadata": ["pad": .string(String(repeating: "x", count: 500))]] }
    }

    func words(_ error: Error) -> String { StorageProblem.words(for: error, path: path) ?? "not an SQLite error: \(error)" }

    /// A real SQLITE_FULL: the tenant may not grow past its pages (as a full disk stops it).
    @Test func aFullTenantSaysSoAndWhatToDo() throws {
        let t = try LocalTenant(path: path)
        try t.insertProfiles(users(10, "a"))
        let pages = try t.db.read { try Int.fetchOne($0, sql: "PRAGMA page_count") } ?? 0
        _ = try t.db.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA max_page_count = \(pages + 2)") }
        do {
            try t.insertProfiles(users(2000, "b"))
            Issue.record("2,000 users fit in two more pages")
        } catch {
            let w = words(error)
            #expect(w.contains("the disk holding the local tenant \(path) is full") && w.contains("free some space") && w.contains("was not stored"), "\(w)")
            #expect(!w.contains("SQLite error") && !w.contains("INSERT"), "\(w)")
        }
        #expect(try t.count(query: .everyone, connectionName: nil) == 10, "the failed batch left nothing")
    }

    /// A real lock: another connection holds an exclusive transaction past the wait.
    @Test func aLockedTenantNamesTheOtherProcess() throws {
        let t = try LocalTenant(path: path, busyTimeout: 0.2)
        let other = try DatabaseQueue(path: path)
        let locked = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        Thread {
            try? other.inTransaction(.exclusive) { _ in
                locked.signal()
                release.wait()
                return .rollback
            }
            done.signal()
        }.start()
        locked.wait()
        defer { release.signal(); done.wait() }
        do {
            try t.insertProfiles(users(1, "c"))
            Issue.record("the insert waited out an exclusive lock")
        } catch {
            let w = words(error)
            #expect(w.contains("the local tenant \(path) is locked by another process") && w.contains("then run the command again"), "\(w)")
        }
    }

    /// Read-only files cannot be made for root (which writes anyway), so the wording of each
    /// remaining code is checked on SQLite's own errors; the read-only file itself is driven in
    /// the end-to-end tests as an unprivileged user.
    @Test func everyOtherCodeInWords() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func error(_ code: ResultCode) -> DatabaseError { DatabaseError(resultCode: code, message: "m", sql: "INSERT INTO users (a) VALUES (?)") }
        #expect(words(error(.SQLITE_READONLY)).hasPrefix("the local tenant \(path) is read-only ("))
        #expect(words(error(.SQLITE_READONLY)).contains("writable"))
        #expect(words(error(.SQLITE_CANTOPEN)).hasPrefix("cannot open the local tenant \(path)"))
        #expect(words(error(.SQLITE_NOTADB)).contains("\(path) is not a porter tenant, or it is damaged"))
        #expect(words(error(.SQLITE_CORRUPT)).contains("integrity_check"))
        #expect(words(error(.SQLITE_IOERR)).contains("I/O error"))
        for code in [ResultCode.SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_NOTADB, .SQLITE_IOERR, .SQLITE_FULL, .SQLITE_BUSY, .SQLITE_MISUSE] {
            let w = words(error(code))
            #expect(!w.contains("SQLite error") && !w.contains("INSERT") && w.contains(path), "\(code): \(w)")
        }
        #expect(StorageProblem.words(for: CocoaError(.fileNoSuchFile), path: path) == nil)
    }

    /// A file that is not SQLite at all.
    @Test func notATenant() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try String(repeating: "not a database\n", count: 200).write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: TenantError.self) { try LocalTenant(path: path) }
        do { _ = try LocalTenant(path: path) } catch let e as TenantError {
            #expect(e.message.contains("\(path) is not a porter tenant, or it is damaged"), "\(e.message)")
        }
    }
}
