import Foundation
import Logging
import PorterJSON
import PorterTenant

/// What the routes share: the tenant, the options, the issued tokens, the job slots and
/// the short-lived download links.
final class ServerState: @unchecked Sendable {
    let tenant: LocalTenant
    let options: ServerOptions
    let logger: Logger
    let tokens: TokenStore
    let throttle: LoginThrottle
    let userLogins: UserLoginGuard
    let passwordGrantLimiter: RateLimiter
    let jobs: JobRunner
    private let lock = NSLock()
    private var activeImports = 0
    /// Export download names → file and expiry.
    private var downloads: [String: (file: String, expires: Date)] = [:]

    init(tenant: LocalTenant, options: ServerOptions, logger: Logger) {
        self.tenant = tenant
        self.options = options
        self.logger = logger
        tokens = TokenStore(capacity: options.maxTokens)
        throttle = LoginThrottle(failuresAllowed: options.loginFailuresAllowed, firstWait: options.loginFirstWait)
        userLogins = UserLoginGuard(failuresAllowed: options.userLoginFailuresAllowed)
        passwordGrantLimiter = RateLimiter(options.passwordGrantRateLimit)
        jobs = JobRunner(logger: logger)
    }

    /// Directory the uploads of import jobs are kept in until their job ends (absolute).
    var uploadDirectory: String { tenant.path + "-imports" }

    /// A read of the store, on the blocking pool, within the request budget: Auth0 answers 503
    /// when a query takes more than 2 s (the work itself ends in the background).
    func read<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        guard options.requestBudget > 0 else { return try await Blocking.run(body) }
        return try await Deadline.race(seconds: options.requestBudget,
                                       timeout: APIError(503, "The query exceeded the timeout. Please try refining your search criteria.")) {
            try await Blocking.run(body)
        }
    }

    /// A read that SQLite stops when the budget runs out (its reader connection is free at once).
    func interruptibleRead<T: Sendable>(_ body: @escaping @Sendable (QueryInterrupt) throws -> T) async throws -> T {
        let interrupt = QueryInterrupt()
        guard options.requestBudget > 0 else { return try await Blocking.run { try body(interrupt) } }
        return try await Deadline.race(seconds: options.requestBudget,
                                       timeout: APIError(503, "The query exceeded the timeout. Please try refining your search criteria."),
                                       onTimeout: { interrupt.fire() }) {
            try await Blocking.run { try body(interrupt) }
        }
    }

    // MARK: Import slots

    func claimImportSlot() -> Bool {
        lock.withLock {
            if activeImports >= options.maxConcurrentImports { return false }
            activeImports += 1
            return true
        }
    }

    func releaseImportSlot() { lock.withLock { activeImports -= 1 } }

    /// Jobs a stopped server had accepted are finished now; they hold their slots meanwhile.
    func resumeJobs() throws {
        for id in try tenant.unfinishedImports() {
            lock.withLock { activeImports += 1 }
            process(id)
        }
        for id in try tenant.unfinishedExports() { export(id) }
    }

    /// Runs an import job in the background; frees its slot at the end.
    func process(_ id: String) {
        jobs.submit("import job \(id)") { [self] in
            defer { releaseImportSlot() }
            _ = try tenant.processImport(id: id, progress: nil)
        }
    }

    /// Runs an export job in the background, as Auth0 does: the request that created it has
    /// its answer (pending) at once, and the client polls the job.
    func export(_ id: String) {
        jobs.submit("export job \(id)") { [self] in _ = try tenant.processExport(id: id) }
    }

    // MARK: Downloads

    func publish(file: String) -> String {
        let name = Identifiers.random(32) + (file.hasSuffix(".csv.gz") ? ".csv.gz" : ".json.gz")
        lock.withLock { downloads[name] = (file, Date().addingTimeInterval(60)) }
        return name
    }

    func download(_ name: String) -> String? {
        lock.withLock {
            let now = Date()
            downloads = downloads.filter { $0.value.expires > now }
            return downloads[name]?.file
        }
    }
}
