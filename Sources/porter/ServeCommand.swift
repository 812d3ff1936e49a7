import ArgumentParser
import Foundation
import Logging
import PorterServer
import PorterTenant

/// Synchronous on purpose: the interactive shell must own the main thread (signals and libedit),
/// so the root command stays synchronous and the server runs on the concurrency pool.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the local tenant as a subset of the Auth0 Management API v2.",
        discussion: """
        Routes: POST /oauth/token (client credentials), GET /api/v2/connections, GET /api/v2/users (q, \
        search_engine=v3, sort, page, per_page, include_totals, fields, include_fields), GET /api/v2/users/{id}, \
        GET /api/v2/users-by-email, POST /api/v2/jobs/users-imports (multipart), GET /api/v2/jobs/{id}, \
        GET /api/v2/jobs/{id}/errors, POST /api/v2/jobs/users-exports and the download its job's location \
        points to (valid 60 s; files are kept a day). Import jobs run in the background, two at a time, \
        and export jobs each on its own thread; a restarted server finishes the jobs it had accepted. \
        As Auth0: query strings are form-encoded (+ is a space), tokens expire (24 h) and name the audience \
        …/api/v2/, reads over 2 s answer 503, --rate-limit requests a second per client (a fifth of it per \
        address without a valid token), and wrong secrets back off per client id and address. Binds to 127.0.0.1 unless --host \
        says otherwise (and warns when it is not loopback). Requests are logged to stderr (never tokens or \
        secrets). The client is PORTER_SERVE_CLIENT_ID / PORTER_SERVE_CLIENT_SECRET, or one generated and \
        printed at start; it has the client-credentials grant only. The password grants of the Authentication \
        API (grant_type=http://auth0.com/oauth/grant-type/password-realm with realm = a connection, and \
        grant_type=password with --default-directory) check passwords against the stored hashes, for the \
        verify client (--verify-client ID:SECRET, or PORTER_SERVE_VERIFY_CLIENT_ID / \
        PORTER_SERVE_VERIFY_CLIENT_SECRET, or generated and printed at start). As Auth0: a success counts as \
        a login (logins_count, last_login), 10 consecutive failures for one user from one address answer \
        too_many_attempts until the server restarts, a blocked user answers "user is blocked".
        """
    )

    @Option(name: .long, help: "Address to bind (loopback unless you must; any other address is warned about).") var host = "127.0.0.1"
    @Option(name: .long, help: "Port (0 picks a free one; the chosen port is printed).") var port = 4000
    @Option(name: .long, help: ArgumentHelp("The local tenant file.", valueName: "path")) var tenant: String?
    @Option(name: .long, help: "Scopes granted to the client, comma-separated.") var scopes = "read:users,create:users,read:connections"
    @Flag(name: .long, help: "Lift Auth0's 1,000-result search window and 100-per-page limit (for local use; Auth0 keeps them).") var uncapped = false
    @Option(name: .long, help: ArgumentHelp("For resilience tests: every Nth API request fails with 429 or 503.", valueName: "N")) var testFaults = 0
    @Option(name: .long, help: ArgumentHelp("Request log level: trace, debug, info, notice, warning, error, critical (requests are logged at info; never tokens or secrets).", valueName: "level"))
    var logLevel = "info"
    @Option(name: .long, help: ArgumentHelp("Requests a second per client (also its burst); calls without a valid token get a fifth of it per address.", valueName: "n"))
    var rateLimit = 50
    @Option(name: .long, help: ArgumentHelp("Close a connection that sends nothing for this many seconds (also a request never finished).", valueName: "seconds"))
    var idleTimeout: Double = 30

    @Option(name: .long, help: ArgumentHelp("An application with the password grants (for 'verify'); the same id as the management client adds the grants to it. Prefer PORTER_SERVE_VERIFY_CLIENT_ID/_SECRET: a command line is visible to other users.", valueName: "id:secret"))
    var verifyClient: String?
    @Option(name: .long, help: ArgumentHelp("The connection the password grant without a realm uses (Auth0's Default Directory; none by default).", valueName: "connection"))
    var defaultDirectory: String?
    @Flag(name: .long, help: "Every password-grant login needs a second factor: a right password answers mfa_required (for rehearsing MFA tenants).")
    var requireMfa = false

    func validate() throws {
        if let v = verifyClient {
            guard let colon = v.firstIndex(of: ":"), colon != v.startIndex, v.index(after: colon) != v.endIndex else {
                throw ValidationError("--verify-client must be ID:SECRET")
            }
        }
        guard rateLimit >= 1, rateLimit <= 1_000_000 else { throw ValidationError("--rate-limit must be between 1 and 1000000") }
        guard idleTimeout > 0, idleTimeout <= 86_400 else { throw ValidationError("--idle-timeout must be between 0 and 86400 seconds") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical") }
    }

    func run() throws {
        // The request log goes to stderr with the banner; stdout stays empty.
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var options = ServerOptions()
        options.host = host
        options.port = port
        options.faultEvery = max(0, testFaults)
        options.uncapped = uncapped
        options.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        options.idleTimeout = idleTimeout
        options.rateLimit = RateLimitPolicy(burst: rateLimit, perSecond: Double(rateLimit))
        options.anonymousRateLimit = RateLimitPolicy(burst: max(1, rateLimit / 5), perSecond: max(1, Double(rateLimit) / 5))
        options.bodyReadTimeout = idleTimeout
        let env = ProcessInfo.processInfo.environment
        let id = env["PORTER_SERVE_CLIENT_ID"] ?? "porter-" + String(UUID().uuidString.prefix(8)).lowercased()
        let generated = env["PORTER_SERVE_CLIENT_SECRET"] == nil
        let secret = env["PORTER_SERVE_CLIENT_SECRET"] ?? UUID().uuidString + UUID().uuidString
        options.clients[id] = .init(secret: secret, scopes: scopes.split(separator: ",").map(String.init))
        // The verify client: password grants only (the management client keeps client credentials only).
        var verifyID = env["PORTER_SERVE_VERIFY_CLIENT_ID"] ?? "porter-verify-" + String(UUID().uuidString.prefix(8)).lowercased()
        var verifySecret = env["PORTER_SERVE_VERIFY_CLIENT_SECRET"]
        if let v = verifyClient, let colon = v.firstIndex(of: ":") {
            verifyID = String(v[..<colon])
            verifySecret = String(v[v.index(after: colon)...])
        }
        let vID = verifyID
        let verifyGenerated = verifySecret == nil
        let vSecret = verifySecret ?? UUID().uuidString + UUID().uuidString
        if var existing = options.clients[verifyID] {
            guard existing.secret == vSecret else { throw ValidationError("--verify-client \(verifyID) is the management client: give its secret") }
            existing.grants.formUnion(ServerOptions.GrantType.passwordGrants)
            options.clients[verifyID] = existing
        } else {
            options.clients[verifyID] = .init(secret: vSecret, scopes: [], grants: ServerOptions.GrantType.passwordGrants)
        }
        options.defaultDirectory = defaultDirectory
        options.requireMFA = requireMfa
        let path = tenant ?? LocalTenant.defaultPath
        let server = ManagementServer(tenantPath: path, options: options)
        let host = self.host
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                try await server.run { port in
                    var lines = ["porter serve: the local tenant \(path) on \(ServerOptions.url(host: host, port: port))", "client_id: \(id)"]
                    if ServerOptions.isExposed(host: host) {
                        lines.insert("WARNING: --host \(host) serves plain HTTP (no TLS) to every machine that can reach this address: "
                                     + "tokens and secrets cross the network unencrypted. Use 127.0.0.1 unless you must.", at: 0)
                    }
                    if generated { lines.append("client_secret: \(secret)  (generated for this run; set PORTER_SERVE_CLIENT_SECRET to choose one)") }
                    lines.append("verify client_id: \(vID)  (password grants, for 'verify': PORTER_VERIFY_CLIENT_ID)")
                    if verifyGenerated { lines.append("verify client_secret: \(vSecret)  (generated for this run; --verify-client ID:SECRET to choose one)") }
                    FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
                }
            } catch {
                outcome.error = error
            }
            done.signal()
        }
        done.wait()
        if let error = outcome.error { throw error }
    }
}

final class Outcome: @unchecked Sendable {
    var error: Error?
}
