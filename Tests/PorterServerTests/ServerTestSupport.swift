import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PorterJSON
import PorterTenant
@testable import PorterServer

/// A fresh tenant with a few users, and the server built around it, driven in process.
struct Harness {
    let tenant: LocalTenant
    var options: ServerOptions
    let dir: String

    init(users: [JSON] = Harness.sampleUsers, configure: (inout ServerOptions) -> Void = { _ in }) throws {
        dir = NSTemporaryDirectory() + "porter-server-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        tenant = try LocalTenant(path: dir + "/tenant.sqlite")
        try tenant.insertProfiles(users)
        options = ServerOptions()
        options.clients["test-client"] = .init(secret: "test-secret", scopes: ["read:users", "create:users", "read:connections"])
        options.trustForwardedFor = true
        options.logLevel = .error
        configure(&options)
    }

    static let sampleUsers: [JSON] = [
        ["user_id": "auth0|1", "email": "dennis@acme.com", "name": "Dennis Thompson", "nickname": "den",
         "identities": [["connection": "Username-Password-Authentication", "provider": "auth0", "user_id": "1", "isSocial": false]]],
        ["user_id": "auth0|2", "email": "o'brien@acme.com", "name": "Zoë O'Brien & Co+", "nickname": "zoe",
         "identities": [["connection": "Username-Password-Authentication", "provider": "auth0", "user_id": "2", "isSocial": false]]],
        ["user_id": "auth0|3", "email": "ann@other.org", "name": "Ann", "nickname": "ann",
         "identities": [["connection": "Username-Password-Authentication", "provider": "auth0", "user_id": "3", "isSocial": false]]],
    ]

    func run(_ test: @escaping @Sendable (Client) async throws -> Void) async throws {
        let app = try ManagementServer.application(tenant: tenant, options: options)
        try await app.test(.router) { client in try await test(Client(raw: client)) }
    }

    struct Client: Sendable {
        let raw: any TestClientProtocol

        struct Reply {
            var status: Int
            var headers: HTTPFields
            var text: String
            var json: JSON? { try? JSON.parse(text) }
            func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
        }

        func send(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, address: String = "10.0.0.1",
                  contentType: String? = nil, body: String? = nil) async throws -> Reply {
            var h = HTTPFields()
            h[HTTPField.Name("X-Forwarded-For")!] = address
            if let token { h[.authorization] = "Bearer \(token)" }
            if let contentType { h[.contentType] = contentType }
            return try await raw.execute(uri: uri, method: method, headers: h, body: body.map { ByteBuffer(string: $0) }) { r in
                Reply(status: Int(r.status.code), headers: r.headers, text: String(buffer: r.body))
            }
        }

        func token(address: String = "10.0.0.1", secret: String = "test-secret") async throws -> Reply {
            try await send(.post, "/oauth/token", address: address, contentType: "application/x-www-form-urlencoded",
                           body: "grant_type=client_credentials&client_id=test-client&client_secret=\(secret)&audience=https%3A%2F%2Flocalhost%2Fapi%2Fv2%2F")
        }

        func accessToken() async throws -> String {
            try await token().json?["access_token"]?.stringValue ?? ""
        }

        /// Polls a job until it ends.
        func waitForJob(_ id: String, token: String) async throws -> JSON? {
            for _ in 0..<400 {
                let j = try await send(.get, "/api/v2/jobs/\(id)", token: token).json
                if let s = j?["status"]?.stringValue, s == "completed" || s == "failed" { return j }
                try await Task.sleep(nanoseconds: 25_000_000)
            }
            return nil
        }
    }
}
