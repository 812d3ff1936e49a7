import Foundation
import PorterExpression
import PorterFormats
import PorterJobs
import PorterJSON
import PorterQuery
import PorterClient
import PorterTenant

// Tenant commands: connect, connections, use, seed.
extension Shell {
    func connect(_ a: Invocation) throws {
        let w = a.positionals
        guard let target = w.first else { throw ShellError(Self.spec(named: "connect")?.usage ?? "usage: connect local") }
        if target == "local" {
            session.tenantPath = w.count > 1 ? w[1] : nil
            session.remote = nil
            tenantStore = nil
            let t = try localTenant(for: "connect local")
            let names = try t.connections(strategy: nil).map(\.name)
            if let c = session.connection, !names.contains(c) { session.connection = names.first }
            console.info("connected to the local tenant at \(t.path) (\(names.count) connection\(names.count == 1 ? "" : "s"))")
        } else if target.hasPrefix("http://") || target.hasPrefix("https://") {
            guard w.count == 1 else { throw ShellError("usage: connect https://TENANT.auth0.com   (credentials come from the environment or are asked for)") }
            let saved = (session.remote, tenantStore)
            session.remote = target
            tenantStore = nil
            do {
                let t = try tenant()
                let names = try t.connections(strategy: "auth0").map(\.name)
                if let c = session.connection, !names.contains(c) { session.connection = names.first }
                console.info("connected to \(t.displayName) (\(names.count) database connection\(names.count == 1 ? "" : "s"))")
            } catch {
                (session.remote, tenantStore) = saved
                throw error
            }
        } else {
            throw ShellError("connect expects 'local' or an https:// tenant address, not '\(target)'")
        }
    }

    func listConnections() throws {
        let list = try tenant().connections(strategy: nil)
        console.table(headers: ["Name", "Id", "Strategy", ""], rows: list.map { [$0.name, $0.id, $0.strategy, $0.name == session.connection ? "(in use)" : ""] })
    }

    func use(_ a: Invocation) throws {
        let w = a.positionals
        if w[0] == "all" {
            session.connection = nil
            console.info("using all connections")
            return
        }
        let names = try tenant().connections(strategy: nil).map(\.name)
        guard names.contains(w[0]) else {
            throw ShellError("no connection named '\(w[0])'" + (Help.nearest(w[0], in: names).map { "; did you mean '\($0)'?" } ?? "") + " (see 'connections')")
        }
        session.connection = w[0]
        console.info("using \(w[0])")
    }

    func seed(_ a: Invocation) throws {
        guard let n = a[0].flatMap({ Int($0) }), n > 0, n <= 10_000_000 else { throw ShellError("usage: seed N   (generate N realistic users, up to 10,000,000)") }
        let t = try localTenant(for: "seed")
        let existing = try t.count(query: .everyone, connectionName: nil)
        let progress = Progress(console: console, label: "seeding", total: n)
        var done = 0
        while done < n {
            let batch = min(10_000, n - done)  // small enough that Ctrl-C is honoured quickly
            try t.insertProfiles(UserGenerator.make(batch, seed: UInt64(existing + done + 1), offset: existing + done),
                                 connectionName: session.connection ?? LocalTenant.defaultConnection)
            done += batch
            progress.update(done)
            if isCancelled() { break }
        }
        progress.finish()
        console.info("seeded \(done) users into \(session.connection ?? LocalTenant.defaultConnection)")
    }
}
