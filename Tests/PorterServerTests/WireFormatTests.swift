import Foundation
import PorterJSON
import Testing
@testable import PorterServer

/// What Auth0's SDKs send and expect, route by route, in process.
@Suite struct WireFormatTests {
    @Test func queryStringsAreFormDecoded() throws {
        let q = FormParameters("q=name%3A%22Dennis+Thompson%22&a=1+%2B+2&e=%C3%A9&flag&x=%zz")
        #expect(q["q"] == "name:\"Dennis Thompson\"")
        #expect(q["a"] == "1 + 2")
        #expect(q["e"] == "é")
        #expect(q["flag"] == "")
        #expect(q["x"] == "%zz", "a malformed escape is kept")
    }

    @Test func searchWithSpacesQuotesAndPlus() async throws {
        try await Harness().run { c in
            let t = try await c.accessToken()
            let r = try await c.send(.get, "/api/v2/users?q=name%3A%22Dennis+Thompson%22&search_engine=v3", token: t)
            #expect(r.status == 200, "\(r.text)")
            #expect(r.json?.arrayValue?.count == 1 && r.json?[0]?["user_id"]?.stringValue == "auth0|1", "\(r.text)")
            let byEmail = try await c.send(.get, "/api/v2/users-by-email?email=o%27brien%40acme.com", token: t)
            #expect(byEmail.json?.arrayValue?.count == 1, "\(byEmail.text)")
        }
    }

    @Test func fieldsAndIncludeFieldsOnEveryRoute() async throws {
        try await Harness().run { c in
            let t = try await c.accessToken()
            func keys(_ j: JSON?) -> Set<String> { Set(j?.objectValue?.keys ?? []) }
            let one = try await c.send(.get, "/api/v2/users/auth0%7C1?fields=email,name&include_fields=true", token: t)
            #expect(keys(one.json) == ["email", "name"], "\(one.text)")
            let without = try await c.send(.get, "/api/v2/users/auth0%7C1?fields=identities&include_fields=false", token: t)
            #expect(keys(without.json).contains("email") && !keys(without.json).contains("identities"), "\(without.text)")
            let all = try await c.send(.get, "/api/v2/users/auth0%7C1?fields=", token: t)
            #expect(keys(all.json).contains("identities") && keys(all.json).contains("email"), "empty fields means all: \(all.text)")
            let byEmail = try await c.send(.get, "/api/v2/users-by-email?email=dennis%40acme.com&fields=user_id", token: t)
            #expect(keys(byEmail.json?[0]) == ["user_id"], "\(byEmail.text)")
            let search = try await c.send(.get, "/api/v2/users?fields=email&include_fields=false&include_totals=true", token: t)
            #expect(search.json?["users"]?.arrayValue?.allSatisfy { !keys($0).contains("email") && keys($0).contains("user_id") } == true, "\(search.text)")
            let conns = try await c.send(.get, "/api/v2/connections?fields=id,name", token: t)
            #expect(keys(conns.json?[0]) == ["id", "name"], "\(conns.text)")
            #expect(try await c.send(.get, "/api/v2/users?include_fields=yes", token: t).status == 400)
        }
    }

    @Test func perPageOver100IsRefused() async throws {
        try await Harness().run { c in
            let t = try await c.accessToken()
            let r = try await c.send(.get, "/api/v2/users?per_page=101", token: t)
            #expect(r.status == 400 && r.text.contains("greater than maximum 100") && r.json?["errorCode"]?.stringValue == "invalid_query_string", "\(r.text)")
            #expect(try await c.send(.get, "/api/v2/users?per_page=100", token: t).status == 200)
            #expect(try await c.send(.get, "/api/v2/users?page=99999999999999999999", token: t).status == 400, "no overflow")
        }
    }

    @Test func connectionsCarryAuth0sFields() async throws {
        try await Harness().run { c in
            let t = try await c.accessToken()
            let r = try await c.send(.get, "/api/v2/connections?strategy=auth0", token: t)
            let conn = r.json?[0]
            for key in ["id", "name", "display_name", "strategy", "enabled_clients", "is_domain_connection", "realms", "options", "metadata"] {
                #expect(conn?[key] != nil, "connection has \(key): \(r.text)")
            }
            #expect(conn?["enabled_clients"]?[0]?.stringValue == "test-client")
            #expect(conn?["options"]?["import_mode"]?.boolValue == false)
        }
    }

    @Test func tokenErrorsAreOAuthShapedAndAudienceIsChecked() async throws {
        try await Harness().run { c in
            let bad = try await c.token(secret: "nope")
            #expect(bad.status == 401 && bad.json?["error"]?.stringValue == "access_denied" && bad.json?["error_description"] != nil, "\(bad.text)")
            #expect(bad.json?["statusCode"] == nil)
            let wrongAudience = try await c.send(.post, "/oauth/token", contentType: "application/x-www-form-urlencoded",
                                                 body: "grant_type=client_credentials&client_id=test-client&client_secret=test-secret&audience=https%3A%2F%2Fevil%2Fother")
            #expect(wrongAudience.status == 403 && wrongAudience.json?["error"]?.stringValue == "access_denied", "\(wrongAudience.text)")
            let noAudience = try await c.send(.post, "/oauth/token", contentType: "application/json",
                                              body: #"{"grant_type":"client_credentials","client_id":"test-client","client_secret":"test-secret"}"#)
            #expect(noAudience.status == 403, "\(noAudience.text)")
            let grant = try await c.send(.post, "/oauth/token", contentType: "application/x-www-form-urlencoded", body: "grant_type=urn%3Aexample%3Anone")
            #expect(grant.json?["error"]?.stringValue == "unsupported_grant_type", "\(grant.text)")
        }
    }

    @Test func managementErrorsCarryErrorCodes() async throws {
        try await Harness().run { c in
            let t = try await c.accessToken()
            let user = try await c.send(.get, "/api/v2/users/auth0%7Cnobody", token: t)
            #expect(user.status == 404 && user.json?["errorCode"]?.stringValue == "inexistent_user", "\(user.text)")
            #expect(user.json?["statusCode"]?.intValue == 404 && user.json?["error"]?.stringValue == "Not Found")
            let job = try await c.send(.get, "/api/v2/jobs/job_nothinghere12345", token: t)
            // No source confirms an errorCode for a missing job: none is sent rather than an invented one.
            #expect(job.status == 404 && job.json?["message"]?.stringValue == "The job does not exist." && job.json?["errorCode"] == nil, "\(job.text)")
            let query = try await c.send(.get, "/api/v2/users?q=name%3A*sa", token: t)
            #expect(query.status == 400 && query.json?["errorCode"]?.stringValue == "invalid_query_string", "\(query.text)")
        }
    }

    /// auth0-cli's api_test.go: "Insufficient scope, expected any of: read:clients, read:client_summary".
    @Test func insufficientScopeListsTheScopesAsAuth0Does() async throws {
        let h = try Harness { $0.clients["narrow"] = .init(secret: "narrow-secret", scopes: ["read:connections"]) }
        try await h.run { c in
            let t = try await c.send(.post, "/oauth/token", contentType: "application/x-www-form-urlencoded",
                                     body: "grant_type=client_credentials&client_id=narrow&client_secret=narrow-secret&audience=https%3A%2F%2Flocalhost%2Fapi%2Fv2%2F")
                .json?["access_token"]?.stringValue ?? ""
            let r = try await c.send(.get, "/api/v2/jobs/job_nothinghere12345", token: t)
            #expect(r.status == 403 && r.json?["errorCode"]?.stringValue == "insufficient_scope", "\(r.text)")
            #expect(r.json?["message"]?.stringValue == "Insufficient scope, expected any of: create:users, read:users", "\(r.text)")
        }
    }

    /// A 413 upload has no errorCode any source confirms: the body has none.
    @Test func oversizedUploadsCarryNoInventedErrorCode() async throws {
        try await Harness { $0.importFileLimit = 10 }.run { c in
            let t = try await c.accessToken()
            let b = "B0"
            let body = ["--\(b)", "Content-Disposition: form-data; name=\"users\"; filename=\"u.json\"", "", String(repeating: "x", count: 50),
                        "--\(b)", "Content-Disposition: form-data; name=\"connection_id\"", "", "con_aaaaaaaaaaaaaaaa", "--\(b)--", ""].joined(separator: "\r\n")
            let r = try await c.send(.post, "/api/v2/jobs/users-imports", token: t, contentType: "multipart/form-data; boundary=\(b)", body: body)
            #expect(r.status == 413 && r.json?["message"]?.stringValue == "Payload content length greater than maximum allowed: 10." && r.json?["errorCode"] == nil, "\(r.text)")
        }
    }

    @Test func exportBodiesAreValidated() async throws {
        try await Harness().run { c in
            let t = try await c.accessToken()
            let cases: [(String, String)] = [
                (#"{"connection_id":12345}"#, "connection_id"),
                (#"{"format":"xml"}"#, "format"),
                (#"{"format":1}"#, "format"),
                (#"{"limit":0}"#, "limit"),
                (#"{"limit":"5"}"#, "limit"),
                (#"{"fields":"email"}"#, "fields"),
                (#"{"fields":[{"export_as":"x"}]}"#, "fields[0]"),
                (#"{"fields":[{"name":"email","extra":1}]}"#, "fields[0]"),
                (#"{"query":"email:x"}"#, "query"),
                (#"[1]"#, "object"),
            ]
            for (body, path) in cases {
                let r = try await c.send(.post, "/api/v2/jobs/users-exports", token: t, contentType: "application/json", body: body)
                #expect(r.status == 400 && r.text.contains(path) && r.json?["errorCode"]?.stringValue == "invalid_body", "\(body) → \(r.status) \(r.text)")
            }
        }
    }

    @Test func jobAnswersCarryConnectionLimitAndFields() async throws {
        try await Harness().run { c in
            let t = try await c.accessToken()
            let cid = try await c.send(.get, "/api/v2/connections", token: t).json?[0]?["id"]?.stringValue ?? ""
            let body = #"{"connection_id":"\#(cid)","format":"json","limit":2,"fields":[{"name":"email","export_as":"mail"}]}"#
            let r = try await c.send(.post, "/api/v2/jobs/users-exports", token: t, contentType: "application/json", body: body)
            #expect(r.status == 200, "export jobs answer 200 as the live API does: \(r.text)")
            #expect(r.json?["connection"]?.stringValue == "Username-Password-Authentication", "\(r.text)")
            #expect(r.json?["limit"]?.intValue == 2 && r.json?["fields"]?[0]?["export_as"]?.stringValue == "mail", "\(r.text)")
            let done = try await c.waitForJob(r.json?["id"]?.stringValue ?? "", token: t)
            #expect(done?["connection"]?.stringValue == "Username-Password-Authentication" && done?["limit"]?.intValue == 2)
        }
    }

    /// RFC 7578: parameters in any order; curl and browsers send `name` first, other clients do not.
    @Test func multipartPartsWithParametersInAnyOrder() async throws {
        try await Harness().run { c in
            let t = try await c.accessToken()
            let cid = try await c.send(.get, "/api/v2/connections", token: t).json?[0]?["id"]?.stringValue ?? ""
            let b = "XyZ123"
            let body = [
                "--\(b)", "Content-Disposition: form-data; filename=\"users.json\"; name=\"users\"", "Content-Type: application/json", "",
                #"[{"email":"new@x.io","name":"New"}]"#,
                "--\(b)", "content-disposition: form-data; name=connection_id", "", cid,
                "--\(b)", "Content-Disposition: form-data; name=\"upsert\"", "", "false",
                "--\(b)--", "",
            ].joined(separator: "\r\n")
            let r = try await c.send(.post, "/api/v2/jobs/users-imports", token: t, contentType: "multipart/form-data; boundary=\"\(b)\"", body: body)
            #expect(r.status == 202 && r.json?["connection"]?.stringValue == "Username-Password-Authentication", "\(r.text)")
            let done = try await c.waitForJob(r.json?["id"]?.stringValue ?? "", token: t)
            #expect(done?["summary"]?["inserted"]?.intValue == 1, "\(String(describing: done))")
        }
    }
}
