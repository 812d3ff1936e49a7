import Hummingbird
import NIOCore

/// Each request's context: who sent it (address, and the grant of a valid token once
/// ``AuthenticationMiddleware`` has looked) and the rate-limit headers its answer carries.
public struct ServerContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    var grant: TokenStore.Grant?
    var rateHeaders: [RateHeader] = []

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The peer's IP address (or `unknown`); with `trustForwardedFor`, the test's forwarded one.
    func address(_ request: Request, trustForwardedFor: Bool) -> String {
        if trustForwardedFor, let f = request.headers[.init("X-Forwarded-For")!] { return f }
        return remoteAddress?.ipAddress ?? "unknown"
    }

    /// Throws 403 unless the token carries one of `scopes`.
    func require(_ scopes: String...) throws {
        guard let grant else { throw APIError(401, "Invalid token") }
        guard scopes.contains(where: grant.scopes.contains) else {
            throw APIError(403, "Insufficient scope, expected any of: \(scopes.joined(separator: ", "))", errorCode: .insufficientScope)
        }
    }
}

struct RateHeader: Sendable {
    var name: String
    var value: String
}
