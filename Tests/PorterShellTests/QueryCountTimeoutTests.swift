import Foundation
import Testing
import PorterJSON
import PorterQuery
import PorterTenant
@testable import PorterShell

/// A tenant whose counts run out of time, as Auth0's (and porter serve's) 2 s budget answers a
/// count of a million matches: everything else is the local tenant's.
final class CountTimesOutTenant: Tenant {
    let base: LocalTenant
    init(_ base: LocalTenant) { self.base = base }
    var displayName: String { "slow" }
    func connections(strategy: String?) throws -> [Connection] { try base.connections(strategy: strategy) }
    func search(_ request: SearchRequest) throws -> SearchPage {
        if request.includeTotals { throw TenantError("GET /api/v2/users: 503 The query exceeded the timeout", status: 503) }
        return try base.search(request)
    }
    func count(query: Query, connectionName: String?) throws -> Int { throw TenantError("GET /api/v2/users: 503 The query exceeded the timeout", status: 503) }
    func startImport(file: String, options: ImportOptions) throws -> Job { try base.startImport(file: file, options: options) }
    func startExport(_ request: ExportJobRequest) throws -> Job { try base.startExport(request) }
    func download(location: String, to path: String) throws { try base.download(location: location, to: path) }
    func job(id: String) throws -> Job { try base.job(id: id) }
    func jobErrors(id: String) throws -> [JobUserError] { try base.jobErrors(id: id) }
    func recentJobs(limit: Int) throws -> [Job] { try base.recentJobs(limit: limit) }
    func user(id: String) throws -> JSON? { try base.user(id: id) }
    func users(email: String) throws -> [JSON] { try base.users(email: email) }
    func verify(email: String, password: String, connectionName: String?) throws -> PasswordCheck {
        try base.verify(email: email, password: password, connectionName: connectionName)
    }
}

@Suite struct QueryCountTimeoutTests {
    /// `query` sets the query even when the tenant cannot count its matches in time, and says so:
    /// a script goes on to its export instead of stopping (a 1 M-user tenant through porter serve).
    @Test func aCountOutOfTimeStillSetsTheQuery() throws {
        let dir = NSTemporaryDirectory() + "porter-slowcount-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var notes: [String] = []
        let console = Console()
        console.out = { notes.append($0) }
        console.err = { notes.append($0) }
        let shell = Shell(console: console)
        shell.tenantStore = CountTimesOutTenant(try LocalTenant(path: dir + "/t.sqlite"))
        try shell.execute("query email_verified:true")
        #expect(shell.session.query.source == "email_verified:true")
        #expect(notes.joined().contains("could not count its matches in time"), "\(notes)")
    }
}
