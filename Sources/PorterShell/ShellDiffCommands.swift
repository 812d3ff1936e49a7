import Foundation
import PorterClient
import PorterFormats
import PorterJobs
import PorterJSON
import PorterTenant

// diff: the session's connection against a file, a local tenant or a remote one.
extension Shell {
    func diff(_ a: Invocation) throws {
        let key: DiffKey
        switch a.values["--key"] ?? "email" {
        case "email": key = .email
        case "user_id": key = .userID
        case let other: throw ShellError("--key is email or user_id, not '\(other)'")
        }
        let t = try tenant()
        let here = "\(t.displayName):\(session.connection ?? "all connections")"
        let tenantSide = diffSide(t, connection: session.connection, name: "the tenant (\(here))", key: key)
        let rejected = RejectedCount()
        let (sourceSide, sourceName) = try diffSource(a, key: key) { rejected.n += 1 }
        let report = try a.values["--report"].map { path -> DiffReportWriter in
            do { return try DiffReportWriter(path: Paths.expandingTilde(path), force: a.has("--force"), csv: session.csv) } catch { throw ShellError("\(error)") }
        }
        var shown: [UserDifference] = []
        let shownLimit = 20
        var engine = UserDiff(key: key)
        engine.isCancelled = isCancelled
        engine.scratchDirectory = FileManager.default.temporaryDirectory.path
        // Reading both sides (a total when both are tenants, which count through their query),
        // then comparing (the total known: every side was counted as it was sorted).
        let progress = Progress(console: console, label: "diffing: reading", total: nil)
        var phase = DiffProgress.Phase.reading
        if console.isTTY { engine.progress = { p in
            if p.phase != phase {
                phase = p.phase
                progress.restart(label: "diffing: \(p.phase.rawValue)", total: p.total)
            }
            progress.total = p.total
            progress.update(p.done)
        } }
        let summary: DiffSummary
        do {
            summary = try running(progress, cancelled: "diff cancelled" + (report.map { "; \($0.path) was not written" } ?? "")) {
                try engine.run(source: sourceSide, tenant: tenantSide) { d in
                    if shown.count < shownLimit { shown.append(d) }
                    try report?.write(d)
                }
            }
            try report?.finish()
        } catch {
            report?.abort()
            throw error
        }
        console.info("compared \(summary.tenantUsers) user\(summary.tenantUsers == 1 ? "" : "s") of \(here) with \(summary.sourceUsers) of \(sourceName), by \(key.rawValue), in \(String(format: "%.2f", summary.seconds)) s")
        if let report { console.info("report: \(report.path) (\(report.lines) line\(report.lines == 1 ? "" : "s"))") }
        if rejected.n > 0 {
            console.note("\(rejected.n) record\(rejected.n == 1 ? "" : "s") of \(a.positionals[0]) would be rejected by an import (compared all the same; 'validate \(a.positionals[0])' says why)")
        }
        if summary.isClean {
            console.print("no differences: \(summary.identical) user\(summary.identical == 1 ? "" : "s") match")
            return
        }
        console.print(Self.diffCounts(summary))
        for d in shown { console.print("  " + Self.describe(d)) }
        if summary.differences > shown.count {
            console.print("  … \(summary.differences - shown.count) more" + (report == nil ? " (--report FILE writes them all)" : " in \(report!.path)"))
        }
        throw ShellError("\(summary.differences) difference\(summary.differences == 1 ? "" : "s") between \(here) and \(sourceName)")
    }

    static func diffCounts(_ s: DiffSummary) -> String {
        var parts = ["\(s.missing) missing from the tenant", "\(s.extra) only in the tenant",
                     "\(s.changed) changed (\(s.changedFields) field\(s.changedFields == 1 ? "" : "s"))", "\(s.identical) identical"]
        if s.duplicates > 0 { parts.append("\(s.duplicates) duplicate key\(s.duplicates == 1 ? "" : "s")") }
        if s.unkeyed > 0 { parts.append("\(s.unkeyed) without the key") }
        return parts.joined(separator: ", ")
    }

    /// One difference for the shell: `changed  ada@acme.com  name: "Ada" (source) ≠ "Ada L." (tenant)`.
    static func describe(_ d: UserDifference) -> String {
        func v(_ j: JSON?) -> String { j.map { $0.serialized() } ?? "(absent)" }
        switch d.kind {
        case .missing: return "missing    \(d.key)"
        case .extra: return "extra      \(d.key)"
        case .changed:
            return "changed    \(d.key)  \(d.field ?? ""): \(v(d.source)) (source) ≠ \(v(d.tenant)) (tenant)" + (d.note.map { "  [\($0)]" } ?? "")
        case .duplicate: return "duplicate  \(d.key)  \(d.note ?? "")"
        case .unkeyed: return "unkeyed    \(d.side?.rawValue ?? "") user \(d.count ?? 0): \(d.note ?? "")"
        }
    }

    func diffSide(_ t: any Tenant, connection: String?, name: String, key: DiffKey) -> DiffSide {
        .tenant(t, connection: connection, name: name, scratchDirectory: FileManager.default.temporaryDirectory.path,
                isCancelled: isCancelled, onStatus: { [console] in console.note($0) })
    }

    /// SOURCE: `local [PATH]`, an http(s) address, or a file.
    func diffSource(_ a: Invocation, key: DiffKey, rejected: @escaping () -> Void) throws -> (DiffSide, String) {
        let target = a.positionals[0]
        if target == "local" {
            let path = a[1] ?? LocalTenant.defaultPath
            guard FileManager.default.fileExists(atPath: path) else { throw ShellError("no local tenant at \(path)") }
            let other: LocalTenant
            do { other = try LocalTenant(path: path) } catch { throw ShellError("\(error)") }
            let connection = try otherConnection(a, other)
            let name = "local \(path):\(connection ?? "all connections")"
            return (diffSide(other, connection: connection, name: name, key: key), name)
        }
        guard a.positionals.count == 1 else { throw ShellError("usage: diff FILE | diff local [PATH] | diff URL (PATH only after 'local')") }
        if target.hasPrefix("http://") || target.hasPrefix("https://") {
            let other = try openOtherTenant(target)
            let connection = try otherConnection(a, other)
            let name = "\(other.displayName):\(connection ?? "all connections")"
            return (diffSide(other, connection: connection, name: name, key: key), name)
        }
        let path = target
        guard FileManager.default.fileExists(atPath: path) else { throw ShellError("no such file: \(path)") }
        // A CSV, or JSON when maps are set, reads through the session's maps, as import does.
        guard readsThroughMaps(path) else { return (DiffSide.file(path), path) }
        let side = DiffSide.mapped(path, mapping: session.mapping, csv: session.csvSource(for: path)) { _ in rejected() }
        return (side, path + " (through \(session.mapping.maps.count) map\(session.mapping.maps.count == 1 ? "" : "s"))")
    }

    /// The other tenant's connection: --connection, else the session's when it has one by that name.
    func otherConnection(_ a: Invocation, _ other: any Tenant) throws -> String? {
        let names = try other.connections(strategy: nil).map(\.name)
        if let c = a.values["--connection"] {
            guard names.contains(c) else { throw ShellError("\(other.displayName) has no connection named '\(c)' (it has: \(names.joined(separator: ", ")))") }
            return c
        }
        guard let c = session.connection else { return nil }
        guard names.contains(c) else {
            throw ShellError("\(other.displayName) has no connection named '\(c)': name its connection with --connection (it has: \(names.joined(separator: ", ")))")
        }
        return c
    }

    /// A second remote tenant, with PORTER_SOURCE_* credentials, else the usual ones, else asked for.
    func openOtherTenant(_ address: String) throws -> any Tenant {
        do { _ = try ManagementClient.normalize(address: address) } catch { throw ShellError("\(error)") }
        let env = ProcessInfo.processInfo.environment
        func v(_ k: String) -> String? { env[k].flatMap { $0.isEmpty ? nil : $0 } }
        var credentials = Credentials(clientID: v("PORTER_SOURCE_CLIENT_ID"), clientSecret: v("PORTER_SOURCE_CLIENT_SECRET"), token: v("PORTER_SOURCE_TOKEN"))
        if !credentials.isComplete { credentials = Credentials.fromEnvironment() }
        if !credentials.isComplete {
            guard let id = readSecret("client id for \(address) (PORTER_SOURCE_CLIENT_ID): "), !id.isEmpty,
                  let secret = readSecret("client secret for \(address) (PORTER_SOURCE_CLIENT_SECRET): "), !secret.isEmpty else {
                throw ShellError("no credentials for \(address): set PORTER_SOURCE_CLIENT_ID and PORTER_SOURCE_CLIENT_SECRET, or PORTER_SOURCE_TOKEN")
            }
            credentials = Credentials(clientID: id, clientSecret: secret)
        }
        let client = try ManagementClient(address: address, credentials: credentials)
        client.isCancelled = { [weak self] in self?.isCancelled() ?? false }
        client.onRetry = { [weak self] in self?.console.note($0) }
        return client
    }
}

/// Records of a mapped source an import would reject, counted as the diff reads them.
final class RejectedCount {
    var n = 0
}
