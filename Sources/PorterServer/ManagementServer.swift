import Foundation
import Hummingbird
import Logging
import NIOCore
import PorterTenant

/// `porter serve`: the local tenant exposed as a compatible subset of the Auth0 Management API v2.
/// Bearer tokens from `POST /oauth/token` (client credentials) carry scopes; every route checks
/// its scope; error bodies are Auth0's `{statusCode, error, message, errorCode}`.
public final class ManagementServer: Sendable {
    let tenantPath: String
    let options: ServerOptions

    public init(tenantPath: String, options: ServerOptions) {
        // Absolute, so uploads and jobs never depend on the directory a server was started from.
        self.tenantPath = URL(fileURLWithPath: tenantPath).standardizedFileURL.path
        self.options = options
    }

    /// Runs until the process ends; `onReady` gets the bound port.
    public func run(onReady: @escaping @Sendable (Int) -> Void) async throws {
        let tenant = try LocalTenant(path: tenantPath)
        tenant.uncapped = options.uncapped
        let app = try Self.application(tenant: tenant, options: options, resumeJobs: true, onReady: onReady)
        try await app.runService()
    }

    /// The whole server as a Hummingbird application (routes, middlewares, timeouts), so that
    /// tests can drive it in process with HummingbirdTesting as well as over a socket.
    public static func application(tenant: LocalTenant, options: ServerOptions, resumeJobs: Bool = false,
                                   onReady: @escaping @Sendable (Int) -> Void = { _ in }) throws -> Application<RouterResponder<ServerContext>> {
        var logger = Logger(label: "porter.serve")
        logger.logLevel = options.logLevel
        let state = ServerState(tenant: tenant, options: options, logger: logger)
        if resumeJobs { try state.resumeJobs() }
        let router = Router(context: ServerContext.self)
        router.add(middleware: RequestLogMiddleware(tokens: state.tokens))
        TokenRoutes(state: state).add(to: router)
        DownloadRoutes(state: state).add(to: router)
        let api = router.group("api/v2")
            .add(middleware: AuthenticationMiddleware(tokens: state.tokens))
            .add(middleware: RateLimitMiddleware(clients: RateLimiter(options.rateLimit), addresses: RateLimiter(options.anonymousRateLimit),
                                                 trustForwardedFor: options.trustForwardedFor))
            .add(middleware: RequireTokenMiddleware())
            .add(middleware: FaultInjectionMiddleware(every: options.faultEvery))
            .add(middleware: TenantErrorMiddleware())
        UserRoutes(state: state).add(to: api)
        ConnectionRoutes(state: state).add(to: api)
        JobRoutes(state: state).add(to: api)
        let idle = TimeAmount.milliseconds(Int64(options.idleTimeout * 1000))
        return Application(router: router, server: .http1(configuration: .init(idleTimeout: idle)),
                           configuration: .init(address: .hostname(options.host, port: options.port), serverName: "porter"),
                           onServerRunning: { channel in onReady(channel.localAddress?.port ?? 0) }, logger: logger)
    }
}
