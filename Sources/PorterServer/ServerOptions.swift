import Foundation
import Logging

/// How `porter serve` runs: address, clients, Auth0's limits and the protections against abuse.
public struct ServerOptions: Sendable {
    public struct Client: Sendable {
        public var secret: String
        public var scopes: [String]
        /// The grant types the client may use (Auth0's `grant_types`): machine-to-machine only unless given.
        public var grants: Set<String>
        public init(secret: String, scopes: [String], grants: Set<String> = [GrantType.clientCredentials]) {
            self.secret = secret
            self.scopes = scopes
            self.grants = grants
        }
    }

    /// Auth0's names for the `/oauth/token` grants porter serve implements.
    public enum GrantType {
        public static let clientCredentials = "client_credentials"
        public static let password = "password"
        public static let passwordRealm = "http://auth0.com/oauth/grant-type/password-realm"
        /// What the dashboard's Password grant enables: both password grants.
        public static let passwordGrants: Set<String> = [password, passwordRealm]
    }

    public var host = "127.0.0.1"
    public var port = 4000
    public var clients: [String: Client] = [:]
    /// Auth0's limits.
    public var importFileLimit = 512_000
    public var maxConcurrentImports = 2
    public var tokenLifetime = 86_400
    /// At most this many live tokens; the oldest go first past it (tokens also expire).
    public var maxTokens = 10_000
    /// For resilience tests: every Nth API request fails, alternately 429 and 503 (0: never).
    public var faultEvery = 0
    /// Lifts Auth0's 1,000-result window and 100-per-page limit (local use only).
    public var uncapped = false
    /// Token bucket per authenticated client, and per address for calls without a valid token.
    public var rateLimit = RateLimitPolicy(burst: 50, perSecond: 50)
    public var anonymousRateLimit = RateLimitPolicy(burst: 10, perSecond: 10)
    /// Brute-force protection on /oauth/token: failures allowed per client id and address
    /// (and per address alone) before backing off.
    public var loginFailuresAllowed = 5
    /// The first wait after too many wrong secrets, in seconds (it doubles with each further one).
    public var loginFirstWait: Double = 5
    /// A connection that sends nothing for this long is closed (also a request head never finished).
    public var idleTimeout: Double = 30
    /// A request body must arrive within this many seconds.
    public var bodyReadTimeout: Double = 30
    /// Auth0 answers 503 when a request takes more than 2 s.
    public var requestBudget: Double = 2
    /// The connection the `password` grant (without a realm) uses: the tenant's Default Directory
    /// (Auth0 has none unless it is set).
    public var defaultDirectory: String?
    /// Brute-force protection of the password grants: consecutive failures for one user from one
    /// address before that pair is refused with `too_many_attempts` (Auth0: 10); a success resets it.
    public var userLoginFailuresAllowed = 10
    /// Every user of the password grants needs a second factor: a right password answers `mfa_required`.
    public var requireMFA = false
    public var logLevel: Logger.Level = .info
    /// Tests only: the client address is read from `X-Forwarded-For` (never from the command line).
    public var trustForwardedFor = false
    public init() {}

    /// The audience a token request must name: this server's API (`…/api/v2/`), whatever host it is reached by.
    static func isAudience(_ audience: String?) -> Bool {
        guard let audience, let url = URL(string: audience), url.scheme == "http" || url.scheme == "https" else { return false }
        let path = url.path.hasSuffix("/") ? url.path : url.path + "/"
        return path == "/api/v2/"
    }

    /// A URL for the address the server is bound to: IPv6 in brackets.
    public static func url(host: String, port: Int) -> String {
        host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
    }

    /// True for an address other machines can reach (anything but loopback).
    public static func isExposed(host: String) -> Bool {
        !(host == "localhost" || host == "::1" || host.hasPrefix("127."))
    }
}
