import Foundation
import PorterClient
import PorterJobs
import PorterTenant

// verify EMAIL | verify --file ACCOUNTS: local hashes, or logins through the remote password grant.
extension Shell {
    func verify(_ a: Invocation) throws {
        if let file = a.values["--file"] {
            guard a.positionals.isEmpty else { throw ShellError("verify takes an EMAIL or --file ACCOUNTS, not both") }
            return try verifyFile(file, a)
        }
        for flag in ["--report", "--rate", "--max-failures"] where a.values[flag] != nil {
            throw ShellError("\(flag) goes with --file ACCOUNTS")
        }
        guard let email = a[0] else { throw ShellError(Self.spec(named: "verify")?.usage ?? "usage: verify EMAIL") }
        let t = try tenant()
        let remote = try prepareRemoteVerify(t)
        // $PORTER_PASSWORD (for scripts), else the terminal without echo, else a line of stdin.
        let fromEnv = ProcessInfo.processInfo.environment["PORTER_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        guard let password = fromEnv ?? readSecret("password for \(email): ") else {
            throw ShellError("no password given (set PORTER_PASSWORD, or type it when asked)")
        }
        let answer = try t.verify(email: email, password: password, connectionName: session.connection)
        let verdict = VerifyVerdict(answer)
        if verdict.passes || verdict == .blocked { verifyAttempts.succeeded(email) } else { verifyAttempts.failed(email) }
        let place = t.displayName
        switch answer {
        case .match:
            console.print(remote ? "✓ \(email) logged in on \(place) with this password (it counts as a login there)"
                                 : "✓ the password matches the stored hash of \(email)")
        case .mfaRequired:
            console.print("✓ the password of \(email) is right; the login needs a second factor (MFA), which verify does not give")
        case .mismatch:
            let failures = verifyAttempts.count(email)
            let caution = remote && failures >= 3 ? " (\(failures) failed attempts for \(email) in this session: 10 in a row lock the user out of this address)" : ""
            throw ShellError(remote ? "✗ wrong email or password for \(email) (Auth0 does not say which)\(caution)"
                                    : "✗ the password does NOT match the stored hash of \(email)")
        case .noSuchUser: throw ShellError("no user with the email \(email)" + (session.connection.map { " in \($0)" } ?? ""))
        case .noHash: throw ShellError("\(email) has no stored password hash")
        case .unsupported(let why): throw ShellError("cannot verify: \(why)")
        case .blocked:
            throw ShellError("✗ the password of \(email) is right but the user is blocked: they cannot log in (unblock them in the dashboard, or PATCH the user with blocked=false)")
        case .tooManyAttempts:
            throw ShellError("✗ too many failed attempts: brute-force protection blocks \(email) from this address (the dashboard's user page unblocks it)")
        }
    }

    /// For a remote tenant: the application with the Password grant (environment, else asked for
    /// without echo) and, once per session, what a check does there. False for the local tenant.
    func prepareRemoteVerify(_ t: any Tenant) throws -> Bool {
        guard let client = t as? ManagementClient else { return false }
        if client.verifyApplication == nil {
            if let app = VerifyApplication.fromEnvironment() {
                client.verifyApplication = app
            } else {
                guard let id = readSecret("verify application client id (PORTER_VERIFY_CLIENT_ID): "), !id.isEmpty,
                      let secret = readSecret("verify application client secret (PORTER_VERIFY_CLIENT_SECRET): "), !secret.isEmpty else {
                    throw ShellError("verify on a remote tenant logs in through an application with the Password grant: set PORTER_VERIFY_CLIENT_ID and PORTER_VERIFY_CLIENT_SECRET, or type them when asked")
                }
                client.verifyApplication = VerifyApplication(clientID: id, clientSecret: secret)
            }
        }
        if !verifyWarned {
            verifyWarned = true
            console.err("note: verify logs in on \(client.displayName): a success counts as a login there (logins_count, last_login, the tenant's logs), "
                        + "and failed attempts count toward its brute-force protection (10 in a row for one user from one address block it).\n")
        }
        return true
    }

    func verifyFile(_ file: String, _ a: Invocation) throws {
        let path = Paths.expandingTilde(file)
        let accounts: [TestAccount]
        do { accounts = try TestAccounts.read(path: path) } catch let e as TestAccounts.Failure { throw ShellError(e.description) }
        let t = try tenant()
        let remote = try prepareRemoteVerify(t)
        var rate = remote ? 4.0 : 0
        if let r = a.values["--rate"] {
            guard let v = Double(r), v > 0, v <= 10_000 else { throw ShellError("--rate must be a number of checks a second between 0 and 10000, not '\(r)'") }
            rate = v
        }
        var maxFailures = 3
        if let m = a.values["--max-failures"] {
            guard let v = Int(m), (1...9).contains(v) else { throw ShellError("--max-failures must be 1 to 9 (Auth0 locks a user out of an address at 10), not '\(m)'") }
            maxFailures = v
        }
        let reportPath = a.values["--report"].map(Paths.expandingTilde) ?? path + ".verify-failures.csv"
        let progress = Progress(console: console, label: "verifying", total: accounts.count)
        var run = VerifyRun(rate: rate, maxFailuresPerUser: maxFailures)
        run.isCancelled = { [weak self] in self?.isCancelled() ?? false }
        run.progress = { progress.update($0) }
        let connection = session.connection
        let result = run.run(accounts, attempts: verifyAttempts, remote: remote) { account in
            try t.verify(email: account.email, password: account.password, connectionName: connection)
        }
        progress.finish()
        let s = result.summary
        var parts: [String] = []
        for v in VerifyVerdict.allCases { if let n = s.counts[v], n > 0 { parts.append("\(n) \(v.rawValue)") } }
        console.print("\(s.checked) of \(accounts.count) accounts checked: \(s.passed) passed, \(s.failed) failed" + (parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")"))
        if !result.failures.isEmpty || a.values["--report"] != nil {
            try VerifyRun.writeReport(result.failures, to: reportPath)
            console.info("failures: \(reportPath) (email and reason)")
        }
        if let e = result.stopped {
            if e is Cancelled { throw ShellError("verify cancelled after \(s.checked) of \(accounts.count) accounts") }
            throw ShellError("verify stopped after \(s.checked) of \(accounts.count) accounts: \((e as? TenantError)?.message ?? "\(e)")")
        }
        if s.failed > 0 { throw ShellError("\(s.failed) of \(accounts.count) accounts failed (see \(reportPath))") }
    }
}
