import Foundation
import PorterJSON
import Testing
@testable import PorterServer

/// The security findings of issue 16, each driven in process (clocks injected where time matters).
@Suite struct AbuseTests {
    final class Clock: @unchecked Sendable {
        var t: Double = 1_000_000
        var now: @Sendable () -> Double { { [self] in t } }
    }

    @Test func jobErrorsRedactCredentialsWhateverTheirShape() throws {
        let user: JSON = [
            "email": "a@x.io", "password_hash": ["$2b$10$secret1"],
            "custom_password_hash": "$argon2id$secret2",
        ]
        let text = CredentialRedaction.redact(user).serialized()
        #expect(!text.contains("secret1") && !text.contains("secret2"), "\(text)")
        let nested: JSON = ["custom_password_hash": ["algorithm": "sha256", "hash": ["value": ["secret3"], "encoding": "hex"],
                                                     "salt": ["value": "secret4", "position": "prefix"]],
                            "mfa_factors": [["totp": ["secret": "secret5"]], ["phone": ["value": "+15550001"]]]]
        let out = CredentialRedaction.redact(nested)
        #expect(!["secret3", "secret4", "secret5"].contains { out.serialized().contains($0) }, "\(out.serialized())")
        #expect(out["custom_password_hash"]?["algorithm"]?.stringValue == "sha256" && out["custom_password_hash"]?["salt"]?["position"]?.stringValue == "prefix")
    }

    @Test func jobErrorsOverHTTPNeverShowAHash() async throws {
        try await Harness().run { c in
            let t = try await c.accessToken()
            let cid = try await c.send(.get, "/api/v2/connections", token: t).json?[0]?["id"]?.stringValue ?? ""
            let users = #"[{"email":"s@x.io","custom_password_hash":"$2b$10$HASHSTRING"},{"email":"t@x.io","custom_password_hash":{"algorithm":"bcrypt","hash":["$2b$10$HASHARRAY"]}},{"email":"u@x.io","password_hash":{"v":"$2b$10$HASHOBJECT"}}]"#
            let b = "b0undary"
            let body = ["--\(b)", "Content-Disposition: form-data; name=\"users\"; filename=\"u.json\"", "", users,
                        "--\(b)", "Content-Disposition: form-data; name=\"connection_id\"", "", cid, "--\(b)--", ""].joined(separator: "\r\n")
            let r = try await c.send(.post, "/api/v2/jobs/users-imports", token: t, contentType: "multipart/form-data; boundary=\(b)", body: body)
            let id = r.json?["id"]?.stringValue ?? ""
            _ = try await c.waitForJob(id, token: t)
            let errors = try await c.send(.get, "/api/v2/jobs/\(id)/errors", token: t)
            #expect(errors.status == 200, "\(errors.text)")
            #expect(!errors.text.contains("HASH"), "\(errors.text)")
        }
    }

    @Test func forgedTokensDoNotSpendTheClientsBudget() async throws {
        let h = try Harness { o in
            o.rateLimit = .init(burst: 3, perSecond: 0.001)
            o.anonymousRateLimit = .init(burst: 3, perSecond: 0.001)
        }
        try await h.run { c in
            let t = try await c.accessToken()
            var statuses: [Int] = []
            for _ in 0..<6 { statuses.append(try await c.send(.get, "/api/v2/users", token: "forged", address: "10.9.9.9").status) }
            #expect(statuses == [401, 401, 401, 429, 429, 429], "\(statuses)")
            let real = try await c.send(.get, "/api/v2/users", token: t, address: "10.9.9.9")
            #expect(real.status == 200, "the real client keeps its budget: \(real.text)")
            #expect(real.header("X-RateLimit-Remaining") == "2")
        }
    }

    @Test func rateLimitResetIsWhenARequestIsAccepted() {
        let clock = Clock()
        let limiter = RateLimiter(.init(burst: 2, perSecond: 0.5), now: clock.now)
        #expect(limiter.take("c").allowed && limiter.take("c").allowed)
        let refused = limiter.take("c")
        #expect(!refused.allowed)
        clock.t = Double(refused.reset) - 0.01
        #expect(!limiter.take("c").allowed, "not before the reset (a refused call spends nothing)")
        clock.t = Double(refused.reset)
        #expect(limiter.take("c").allowed, "accepted at X-RateLimit-Reset")
        #expect(refused.retryAfter >= 1)
    }

    @Test func bruteForceBacksOffPerClientAndAddressOnly() async throws {
        try await Harness { $0.loginFailuresAllowed = 3 }.run { c in
            for _ in 0..<3 { #expect(try await c.token(address: "10.6.6.6", secret: "guess").status == 401) }
            let locked = try await c.token(address: "10.6.6.6", secret: "guess")
            #expect(locked.status == 429 && locked.json?["error"]?.stringValue == "too_many_attempts" && locked.header("Retry-After") != nil, "\(locked.text)")
            #expect(try await c.token(address: "10.6.6.6").status == 429, "even the right secret waits, from that address")
            #expect(try await c.token(address: "10.1.1.1").status == 200, "the real client elsewhere is not locked out")
        }
    }

    @Test func backoffGrowsAndEnds() {
        let clock = Clock()
        let throttle = LoginThrottle(failuresAllowed: 2, now: clock.now)
        throttle.failed(client: "c", address: "a")
        #expect(throttle.wait(client: "c", address: "a") == 0)
        throttle.failed(client: "c", address: "a")
        #expect(throttle.wait(client: "c", address: "a") == 5)
        clock.t += 5
        throttle.failed(client: "c", address: "a")
        #expect(throttle.wait(client: "c", address: "a") == 10, "doubles")
        clock.t += 10
        #expect(throttle.wait(client: "c", address: "a") == 0)
        #expect(throttle.wait(client: "c", address: "b") == 0)
    }

    @Test func tokensExpireAndArePurged() {
        let clock = Clock()
        let store = TokenStore(capacity: 3, now: clock.now)
        let first = store.issue(client: "c", scopes: ["read:users"], lifetime: 10)
        #expect(store.grant(first)?.client == "c")
        clock.t += 11
        #expect(store.grant(first) == nil, "expired")
        _ = store.issue(client: "c", scopes: [], lifetime: 10)
        #expect(store.count == 1, "the expired token was purged")
        for _ in 0..<5 { _ = store.issue(client: "c", scopes: [], lifetime: 10) }
        #expect(store.count == 3, "bounded")
    }

    @Test func exposedHostsAndIPv6URLs() {
        #expect(ServerOptions.url(host: "::1", port: 4000) == "http://[::1]:4000")
        #expect(ServerOptions.url(host: "127.0.0.1", port: 4000) == "http://127.0.0.1:4000")
        #expect(ServerOptions.isExposed(host: "0.0.0.0") && ServerOptions.isExposed(host: "::") && !ServerOptions.isExposed(host: "127.0.0.1"))
    }
}

/// The request budget (Auth0's 503 after 2 s) answers without waiting for the work to finish.
@Suite struct DeadlineTests {
    struct Late: Error {}

    @Test func slowWorkIsCutOffAndFastWorkAnswers() async throws {
        await #expect(throws: Late.self) {
            try await Deadline.race(seconds: 0.01, timeout: Late()) { try await Task.sleep(nanoseconds: 5_000_000_000); return 1 }
        }
        let fast = try await Deadline.race(seconds: 10, timeout: Late()) { 42 }
        #expect(fast == 42)
    }
}
