import Foundation
import PorterExpression
import PorterFormats
import PorterJobs
import PorterJSON
import PorterQuery
import PorterClient
import PorterTenant

/// The command interpreter: one line in, effects and output out. The same for the
/// interactive shell, `-c`, `-f` and standard input.
public final class Shell {
    public var session = Session()
    public let console: Console
    var tenantStore: (any Tenant)?
    /// Scripts being run (for the cycle check and `file:line:` messages).
    var scriptStack: [String] = []
    /// Set by the SIGINT handler; long commands poll it.
    public var isCancelled: () -> Bool = { false }
    public var history: [String] = []
    /// The interactive shell (a person at a terminal): query previews, paging.
    public var interactive = false {
        didSet { console.interactive = interactive }
    }
    /// Reads a secret without echo (interactive) or a line (scripts).
    public var readSecret: (String) -> String? = { _ in readLine() }
    /// `verify`: failed checks per user in this session, and whether the remote warning was given.
    let verifyAttempts = FailedAttempts()
    var verifyWarned = false

    public init(console: Console = Console()) {
        self.console = console
    }

    func tenant() throws -> any Tenant {
        if let t = tenantStore { return t }
        if let remote = session.remote { return try connectRemote(remote) }
        do {
            let t = try LocalTenant(path: session.tenantPath ?? LocalTenant.defaultPath)
            tenantStore = t
            return t
        } catch {
            throw ShellError("\(error)")
        }
    }

    public var prompt: String {
        let c = session.connection ?? "all connections"
        return "porter(\(tenantStore?.displayName ?? (session.remote == nil ? "local" : "remote")):\(c))> "
    }

    /// The local tenant, for what only it can do (seed, verify).
    func localTenant(for command: String) throws -> LocalTenant {
        guard let t = try tenant() as? LocalTenant else {
            throw ShellError("\(command) works on the local tenant only ('connect local'); \(try tenant().displayName) is remote")
        }
        return t
    }

    /// Opens a remote tenant with credentials from the environment, or asked for without echo.
    func connectRemote(_ address: String) throws -> any Tenant {
        _ = try ManagementClient.normalize(address: address)
        var credentials = Credentials.fromEnvironment()
        if !credentials.isComplete {
            guard let id = readSecret("client id (PORTER_CLIENT_ID): "), !id.isEmpty,
                  let secret = readSecret("client secret (PORTER_CLIENT_SECRET): "), !secret.isEmpty else {
                throw ShellError("no credentials: set PORTER_CLIENT_ID and PORTER_CLIENT_SECRET, or PORTER_TOKEN")
            }
            credentials = Credentials(clientID: id, clientSecret: secret)
        }
        let client = try ManagementClient(address: address, credentials: credentials)
        client.isCancelled = { [weak self] in self?.isCancelled() ?? false }
        client.onRetry = { [weak self] in self?.console.note($0) }
        tenantStore = client
        return client
    }

    // MARK: Dispatch

    /// Runs one command line (already joined from continuation lines).
    public func execute(_ rawLine: String) throws {
        let line = ScriptLines.stripComment(rawLine).trimmingWhitespace()
        if line.isEmpty { return }
        let name = String(line.prefix { !$0.isWhitespace })
        let rest = String(line.dropFirst(name.count)).trimmingWhitespace()
        guard let spec = Self.spec(named: name) else {
            let suggestion = Help.nearest(name, in: Self.commands)
            throw ShellError("unknown command '\(name)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "") + " (type 'help')")
        }
        let invocation = try spec.parse(rest)
        let started = Date()
        try spec.run(self, invocation)
        if session.timing { console.note(String(format: "time: %.3f s", Date().timeIntervalSince(started))) }
    }

    func words(_ s: String) throws -> [String] {
        do { return try Words.split(s) } catch { throw ShellError("\(error.message) at column \(error.column)") }
    }

    public func runScript(path: String) throws {
        let full = URL(fileURLWithPath: path).standardizedFileURL.path
        if scriptStack.contains(full) { throw ShellError("\(path) is already running: scripts cannot run themselves (cycle: \((scriptStack + [full]).joined(separator: " → ")))") }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ShellError("cannot read \(path)") }
        scriptStack.append(full)
        defer { scriptStack.removeLast() }
        let failed = try runLines(text.components(separatedBy: "\n"), source: path)
        if failed > 0 { throw ScriptFailed(count: failed) }
    }

    /// Runs lines (comments and `\` continuations as `ScriptLines` reads them); returns the
    /// number of failed commands.
    public func runLines(_ lines: [String], source: String) throws -> Int {
        var failed = 0
        for command in ScriptLines.commands(lines) {
            do {
                try execute(command.text)
            } catch is QuitRequest {
                throw QuitRequest()
            } catch let e as ScriptFailed {
                failed += e.count
                if session.onError == .stop { return failed }
            } catch {
                failed += 1
                report(error, at: "\(source):\(command.line)")
                if session.onError == .stop { return failed }
            }
        }
        return failed
    }

    public func report(_ error: Error, at location: String?) {
        let prefix = location.map { $0 + ": " } ?? ""
        if let e = error as? ShellError {
            console.error(prefix + e.message)
            for d in e.detail { console.err(d + "\n") }
        } else if let e = error as? TenantError {
            console.error(prefix + e.message)
        } else {
            console.error(prefix + "\(error)")
        }
    }
}

public struct QuitRequest: Error {}
public struct ScriptFailed: Error { public var count: Int }
