import Foundation
import PorterFormats
import PorterJSON
import PorterTenant

/// Failed password checks per user in a session, so that porter never drives a user towards
/// Auth0's brute-force lock (10 consecutive failures for one user from one address).
public final class FailedAttempts {
    private var counts: [String: Int] = [:]
    public init() {}
    public func count(_ email: String) -> Int { counts[email.lowercased()] ?? 0 }
    public func failed(_ email: String) { counts[email.lowercased(), default: 0] += 1 }
    public func succeeded(_ email: String) { counts[email.lowercased()] = nil }
}

/// What one check of `verify` means, in words a report can carry (never the password).
public enum VerifyVerdict: String, CaseIterable, Sendable {
    case right = "password right"
    case mfaRequired = "password right, MFA required"
    case wrong = "wrong password"
    case noSuchUser = "no such user"
    case noHash = "no stored password hash"
    case unreadableHash = "stored hash cannot be read"
    case blocked = "user blocked"
    case tooManyAttempts = "too many attempts (brute-force protection)"
    case skipped = "skipped (too many failures for this user already)"

    /// The password works: the user can log in (with a second factor for MFA).
    public var passes: Bool { self == .right || self == .mfaRequired }

    public init(_ check: PasswordCheck) {
        switch check {
        case .match: self = .right
        case .mfaRequired: self = .mfaRequired
        case .mismatch: self = .wrong
        case .noSuchUser: self = .noSuchUser
        case .noHash: self = .noHash
        case .unsupported: self = .unreadableHash
        case .blocked: self = .blocked
        case .tooManyAttempts: self = .tooManyAttempts
        }
    }
}

/// `verify --file`: accounts checked one by one, at most `rate` a second (Auth0's Authentication
/// API allows 300 a minute on free tenants), never more than `maxFailuresPerUser` failures for one
/// user (counted across the session), stopping at the first error that concerns every account
/// (the application, the network). Failures go to a report (email and reason, never a password).
public struct VerifyRun {
    public struct Summary: Sendable {
        public var checked = 0
        public var counts: [VerifyVerdict: Int] = [:]
        public var passed: Int { counts.filter { $0.key.passes }.reduce(0) { $0 + $1.value } }
        public var failed: Int { checked - passed }
        public init() {}
    }

    public struct Failure: Sendable {
        public var email: String
        public var reason: String
        public init(email: String, reason: String) {
            self.email = email
            self.reason = reason
        }
    }

    /// Checks a second at most (0: no limit).
    public var rate: Double
    public var maxFailuresPerUser: Int
    public var isCancelled: () -> Bool = { false }
    public var progress: ((Int) -> Void)?
    /// Waits between checks (tests replace it).
    public var sleep: (Double) -> Void = { usleep(useconds_t(max(0, $0) * 1e6)) }

    public init(rate: Double, maxFailuresPerUser: Int = 3) {
        self.rate = rate
        self.maxFailuresPerUser = max(1, maxFailuresPerUser)
    }

    /// Runs the checks; `check` answers one (or throws for what stops the run). The summary and
    /// failures so far come back with the error when one stops it.
    public func run(_ accounts: [TestAccount], attempts: FailedAttempts, remote: Bool,
                    check: (TestAccount) throws -> PasswordCheck) -> (summary: Summary, failures: [Failure], stopped: Error?) {
        var summary = Summary()
        var failures: [Failure] = []
        var lastStart: Date?
        for (i, account) in accounts.enumerated() {
            if isCancelled() { return (summary, failures, Cancelled()) }
            let verdict: VerifyVerdict
            var detail: String?
            if attempts.count(account.email) >= maxFailuresPerUser {
                verdict = .skipped
            } else {
                if rate > 0, let last = lastStart {
                    let wait = 1 / rate - Date().timeIntervalSince(last)
                    if wait > 0 { sleep(wait) }
                }
                lastStart = Date()
                let answer: PasswordCheck
                do { answer = try check(account) } catch { return (summary, failures, error) }
                verdict = VerifyVerdict(answer)
                if case .unsupported(let why) = answer { detail = why }
                switch verdict {
                case .right, .mfaRequired, .blocked: attempts.succeeded(account.email)
                case .wrong, .noSuchUser, .noHash, .unreadableHash, .tooManyAttempts: attempts.failed(account.email)
                case .skipped: break
                }
                // Remote: a wrong password and an unknown user look the same.
                if remote && verdict == .wrong { detail = "wrong email or password" }
            }
            summary.checked += 1
            summary.counts[verdict, default: 0] += 1
            if !verdict.passes { failures.append(Failure(email: account.email, reason: verdict.rawValue + (detail.map { ": " + $0 } ?? ""))) }
            progress?(i + 1)
        }
        return (summary, failures, nil)
    }

    /// Writes the failures (CSV or JSON by the file's extension; NDJSON for `.ndjson`).
    public static func writeReport(_ failures: [Failure], to path: String) throws {
        let format: OutputFormat = path.hasSuffix(".json") ? .json : path.hasSuffix(".ndjson") ? .ndjson : .csv
        var csv = CSVOptions()
        csv.crlf = false
        do {
            let w = try TableWriter(path: path, format: format, columns: ["email", "reason"], csv: csv, force: true)
            for f in failures { try w.writeRow([.string(f.email), .string(f.reason)]) }
            try w.finish()
        } catch {
            throw TenantError("cannot write the report \(path): \(error)")
        }
    }
}
