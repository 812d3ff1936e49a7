import Foundation
import Testing
import PorterTenant
@testable import PorterClient

@Suite struct ManagementClientTests {
    let creds = Credentials(clientID: "id", clientSecret: "secret")

    @Test func addressesAndCredentialsAreChecked() throws {
        #expect(throws: TenantError.self) { try ManagementClient(address: "ftp://x", credentials: creds) }
        #expect(throws: TenantError.self, "no plain http beyond loopback") { try ManagementClient(address: "http://tenant.auth0.com", credentials: creds) }
        #expect(throws: TenantError.self) { try ManagementClient(address: "https://t.auth0.com", credentials: Credentials(clientID: "id")) }
        let c = try ManagementClient(address: "https://t.eu.auth0.com/api/v2/", credentials: creds, tokenCachePath: nil)
        #expect(c.baseURL == "https://t.eu.auth0.com" && c.audience == "https://t.eu.auth0.com/api/v2/" && c.displayName == "t.eu.auth0.com")
        let env = Credentials.fromEnvironment(["AUTH0_CLIENT_ID": "a", "AUTH0_CLIENT_SECRET": "b", "PORTER_CLIENT_ID": "p"])
        #expect(env.clientID == "p" && env.clientSecret == "b" && env.token == nil)
    }

    @Test func connectionScopeIsQuoted() {
        #expect(ManagementClient.scoped("", connectionName: "Username-Password-Authentication") == #"identities.connection:"Username-Password-Authentication""#)
        #expect(ManagementClient.scoped("a OR b", connectionName: #"we"ird"#) == #"(a OR b) AND identities.connection:"we\"ird""#)
        #expect(ManagementClient.scoped("x", connectionName: nil) == "x")
    }

    @Test func waitsHonourRetryAfterWithinBounds() throws {
        let c = try ManagementClient(address: "https://t.auth0.com", credentials: creds, tokenCachePath: nil)
        func r(_ h: [String: String]) -> HTTPResponse { HTTPResponse(status: 429, headers: h, body: []) }
        #expect(c.retry.delay(attempt: 1, response: r(["retry-after": "3"])) == 3)
        #expect(c.retry.delay(attempt: 1, response: r(["retry-after": "300"])) == 10, "clamped to the maximum")
        #expect(c.retry.delay(attempt: 1, response: r(["retry-after": "0"])) == 1, "clamped to the minimum")
        let reset = String(Int(Date().timeIntervalSince1970) + 4)
        #expect((3...4.01).contains(c.retry.delay(attempt: 1, response: r(["x-ratelimit-reset": reset]))))
        // Without a server hint: exponential backoff with jitter, base·2^(n-1) scaled by 0.5…1,
        // capped at the maximum (attempt 7 would be 8…16 s uncapped).
        for attempt in 1...8 {
            let full = c.retry.baseDelay * Double(1 << (attempt - 1))
            let lower = min(full * 0.5, c.retry.maximumDelay), upper = min(full, c.retry.maximumDelay)
            for _ in 0..<50 {
                let d = c.retry.delay(attempt: attempt, response: nil)
                #expect(d >= lower && d <= upper, "attempt \(attempt): \(d) s is outside \(lower)…\(upper) s")
            }
        }
        #expect(c.retry.delay(attempt: 8, response: nil) == c.retry.maximumDelay, "late attempts wait the maximum")
        // A 503 has no Retry-After to honour: it backs off the same way.
        let d503 = c.retry.delay(attempt: 3, response: HTTPResponse(status: 503, headers: ["retry-after": "9"], body: []))
        #expect(d503 >= 0.5 && d503 <= 1.0)
    }

    /// A search past the 2 s budget is not retried (it would time out again); other 503s are.
    @Test func aQueryTimeoutIsNotRetried() {
        let timeout = HTTPResponse(status: 503, headers: [:], body: Array(#"{"statusCode":503,"error":"Service Unavailable","message":"The query exceeded the timeout. Please try refining your search criteria."}"#.utf8))
        let busy = HTTPResponse(status: 503, headers: [:], body: Array(#"{"statusCode":503,"message":"Service Unavailable"}"#.utf8))
        #expect(ManagementClient.isQueryTimeout(timeout))
        #expect(!ManagementClient.isQueryTimeout(busy))
    }

    @Test func refusedConnectionsRetryThenFailClearly() throws {
        // A port nothing listens on (bound then closed).
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        let port = Int(UInt16(bigEndian: addr.sin_port))
        close(fd)
        let c = try ManagementClient(address: "http://127.0.0.1:\(port)", credentials: Credentials(token: "t0ken-value"), tokenCachePath: nil)
        c.retry = RetryPolicy(attempts: 3, baseDelay: 0.01, minimumDelay: 0.01, maximumDelay: 0.05)
        var notes: [String] = []
        c.onRetry = { notes.append($0) }
        do {
            _ = try c.connections(strategy: nil)
            Issue.record("a refused connection must fail")
        } catch let e as TenantError {
            #expect(e.status == 503)
            #expect(!e.message.contains("t0ken-value"), "never a secret in an error")
        }
        #expect(notes.count == 2, "two retries, then the error: \(notes)")
    }
}
