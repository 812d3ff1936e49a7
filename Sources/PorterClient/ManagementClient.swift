import Foundation
import PorterJSON
import PorterQuery
import PorterTenant

/// How porter authenticates to a tenant. Secrets live only in memory and in the owner-only
/// token cache; they never reach a message, a log or a script.
public struct Credentials: Sendable {
    public var clientID: String?
    public var clientSecret: String?
    /// An explicit Management API token (`PORTER_TOKEN`): used as it is, never cached.
    public var token: String?
    public init(clientID: String? = nil, clientSecret: String? = nil, token: String? = nil) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.token = token
    }

    /// `PORTER_TOKEN`, else `PORTER_CLIENT_ID`/`PORTER_CLIENT_SECRET`, else `AUTH0_CLIENT_ID`/`AUTH0_CLIENT_SECRET`.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> Credentials {
        func v(_ k: String) -> String? { env[k].flatMap { $0.isEmpty ? nil : $0 } }
        return Credentials(clientID: v("PORTER_CLIENT_ID") ?? v("AUTH0_CLIENT_ID"),
                           clientSecret: v("PORTER_CLIENT_SECRET") ?? v("AUTH0_CLIENT_SECRET"),
                           token: v("PORTER_TOKEN") ?? v("AUTH0_TOKEN"))
    }
    public var isComplete: Bool { token != nil || (clientID != nil && clientSecret != nil) }
}

/// The Auth0 Management API v2 over libcurl, as a ``Tenant``: Auth0 itself, or `porter serve`.
public final class ManagementClient: Tenant, @unchecked Sendable {
    /// `https://TENANT.auth0.com` or `http://127.0.0.1:PORT`, without a trailing slash.
    public let baseURL: String
    let credentials: Credentials
    public var retry = RetryPolicy()
    public var isCancelled: () -> Bool = { false }
    /// Told about waits (429, 5xx), so a long pause is never silent.
    public var onRetry: ((String) -> Void)?
    let lock = NSLock()
    var token: String?
    var tokenExpiry = Date.distantPast
    let tokenCachePath: String?
    /// Jobs started through this client, newest last (the API has no "list jobs").
    var startedJobs: [String] = []

    public var displayName: String { URL(string: baseURL)?.host.map { h in URL(string: baseURL)?.port.map { "\(h):\($0)" } ?? h } ?? baseURL }

    /// The tenant's base URL from what a user typed; plain http only to this machine.
    public static func normalize(address: String) throws -> String {
        var a = address.trimmingCharacters(in: .whitespaces)
        while a.hasSuffix("/") { a.removeLast() }
        if a.hasSuffix("/api/v2") { a.removeLast(7) }
        guard let url = URL(string: a), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw TenantError("'\(address)' is not a tenant address (https://TENANT.auth0.com or http://127.0.0.1:PORT)")
        }
        if scheme == "http", !["127.0.0.1", "localhost", "::1", "[::1]"].contains(url.host!) {
            throw TenantError("refusing plain http to \(url.host!): credentials would cross the network unencrypted (use https)")
        }
        return a
    }

    public init(address: String, credentials: Credentials, tokenCachePath: String? = ManagementClient.defaultTokenCache) throws {
        let a = try Self.normalize(address: address)
        guard credentials.isComplete else {
            throw TenantError("no credentials: set PORTER_CLIENT_ID and PORTER_CLIENT_SECRET (a machine-to-machine application) or PORTER_TOKEN", status: 401)
        }
        baseURL = a
        self.credentials = credentials
        self.tokenCachePath = credentials.token == nil ? tokenCachePath : nil
    }

    /// `$XDG_CACHE_HOME/porter/tokens.json` or `~/.cache/porter/tokens.json`, mode 0600.
    public static var defaultTokenCache: String {
        let env = ProcessInfo.processInfo.environment
        let base = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.cache")
        return base + "/porter/tokens.json"
    }

    var audience: String { baseURL + "/api/v2/" }
    var cacheKey: String { audience + " " + (credentials.clientID ?? "") }

    // MARK: Token

    func bearer(renew: Bool = false) throws -> String {
        lock.lock(); defer { lock.unlock() }
        // PORTER_TOKEN is used as it is; a 401 is not retried with it (see `send`).
        if let t = credentials.token { return t }
        if !renew, let t = token, tokenExpiry > Date().addingTimeInterval(60) { return t }
        if !renew, let (t, exp) = readCachedToken(), exp > Date().addingTimeInterval(60) {
            token = t
            tokenExpiry = exp
            return t
        }
        let form = ["grant_type=client_credentials", "client_id=" + HTTP.encode(credentials.clientID!),
                    "client_secret=" + HTTP.encode(credentials.clientSecret!), "audience=" + HTTP.encode(audience)].joined(separator: "&")
        let response = try send(HTTPRequest(method: "POST", url: baseURL + "/oauth/token", body: .bytes(Array(form.utf8), contentType: "application/x-www-form-urlencoded")),
                                authorized: false)
        guard response.status == 200, let body = try? JSON.parse(bytes: response.body), let t = body["access_token"]?.stringValue else {
            throw TenantError("could not get a Management API token from \(baseURL)/oauth/token: \(Self.message(response)) (check PORTER_CLIENT_ID and PORTER_CLIENT_SECRET)",
                              status: response.status == 200 ? 502 : response.status)
        }
        token = t
        tokenExpiry = Date().addingTimeInterval(Double(body["expires_in"]?.intValue ?? 3600))
        writeCachedToken(t, tokenExpiry)
        return t
    }

    func readCachedToken() -> (String, Date)? {
        guard let path = tokenCachePath, let data = FileManager.default.contents(atPath: path),
              case .object(let o)? = try? JSON.parse(bytes: Array(data)), let entry = o[cacheKey],
              let t = entry["token"]?.stringValue, let exp = entry["expires_at"]?.doubleValue else { return nil }
        return (t, Date(timeIntervalSince1970: exp))
    }

    func writeCachedToken(_ t: String, _ expiry: Date) {
        guard let path = tokenCachePath else { return }
        try? FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o700])
        var o = FileManager.default.contents(atPath: path).flatMap { try? JSON.parse(bytes: Array($0)).objectValue } ?? JSONObject()
        let now = Date().timeIntervalSince1970
        for (k, v) in o where (v["expires_at"]?.doubleValue ?? 0) < now { o[k] = nil }
        o[cacheKey] = ["token": .string(t), "expires_at": .double(expiry.timeIntervalSince1970)]
        // Created owner-only before the token is written, replaced atomically.
        let tmp = path + ".\(getpid()).tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { return }
        let bytes = Array(JSON.object(o).serialized().utf8)
        let ok = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count
        close(fd)
        if ok { rename(tmp, path) } else { unlink(tmp) }
    }

    // MARK: Requests

    /// Sends with retries: 429 (honouring Retry-After / X-RateLimit-Reset), 5xx and transport
    /// errors back off and try again; a 401 renews the token once.
    func send(_ request: HTTPRequest, authorized: Bool = true) throws -> HTTPResponse {
        var request = request
        var renewed = false
        return try retry.perform(isCancelled: isCancelled, onRetry: onRetry, unreachable: { TenantError($0.message, status: 503) }) {
            if authorized {
                request.headers.removeAll { $0.hasPrefix("Authorization:") }
                request.headers.append("Authorization: Bearer " + (try bearer()))
            }
            let response = try HTTP.perform(request, isCancelled: isCancelled)
            if response.status == 401 && authorized && !renewed && credentials.token == nil {
                renewed = true
                _ = try bearer(renew: true)
                return .again
            }
            // A search past the API's 2 s budget would run out of time again: not retried.
            if response.status == 503 && Self.isQueryTimeout(response) { return .done(response) }
            if response.status == 429 || response.status >= 500 {
                return .retry(why: "\(response.status) \(Self.message(response))", response: response, exhausted: { _ in response })
            }
            return .done(response)
        }
    }

    /// A JSON call: 2xx gives the body (nil for 204); anything else a clear ``TenantError``.
    func call(_ method: String, _ path: String, query: [(String, String)] = [], json: JSON? = nil, body: HTTPRequest.Body? = nil) throws -> JSON? {
        var url = baseURL + path
        if !query.isEmpty { url += "?" + query.map { $0.0 + "=" + HTTP.encode($0.1) }.joined(separator: "&") }
        var b = body ?? .none
        if let json { b = .bytes(Array(json.serialized().utf8), contentType: "application/json") }
        let response = try send(HTTPRequest(method: method, url: url, headers: ["Accept: application/json"], body: b))
        guard (200..<300).contains(response.status) else { throw Self.failure(response, method: method, path: path) }
        if response.status == 204 || response.body.isEmpty { return nil }
        do { return try JSON.parse(bytes: response.body) } catch {
            throw TenantError("\(method) \(path): the answer is not JSON (\(error))", status: 502)
        }
    }

    /// The 503 of a search that ran past the API's 2 s budget (porter serve's words for it).
    static func isQueryTimeout(_ r: HTTPResponse) -> Bool { message(r).hasPrefix("The query exceeded the timeout") }

    static func message(_ r: HTTPResponse) -> String {
        if let body = try? JSON.parse(bytes: r.body) {
            if let m = body["message"]?.stringValue { return m }
            if let m = body["error_description"]?.stringValue { return m }
            if let m = body["error"]?.stringValue { return m }
        }
        return "HTTP \(r.status)"
    }

    /// Auth0's error body made into a sentence that says what to do.
    static func failure(_ r: HTTPResponse, method: String, path: String) -> TenantError {
        let m = message(r)
        switch r.status {
        case 401: return TenantError("\(method) \(path): unauthorized (\(m)); check the credentials", status: 401)
        case 403: return TenantError("\(method) \(path): forbidden: \(m) (grant the scope to porter's application in the dashboard)", status: 403)
        case 404: return TenantError("\(method) \(path): not found (\(m))", status: 404)
        case 413: return TenantError("\(method) \(path): too large: \(m)", status: 413)
        case 429: return TenantError("\(method) \(path): rate limited and still refused after retrying: \(m)", status: 429)
        default: return TenantError("\(method) \(path): \(r.status) \(m)", status: r.status)
        }
    }

    // MARK: Tenant

    public func connections(strategy: String?) throws -> [Connection] {
        var all: [Connection] = []
        var page = 0
        while true {
            var q = [("per_page", "100"), ("page", String(page)), ("include_totals", "true")]
            if let strategy { q.append(("strategy", strategy)) }
            let body = try call("GET", "/api/v2/connections", query: q) ?? .array([])
            let list = body["connections"]?.arrayValue ?? body.arrayValue ?? []
            for c in list {
                guard let id = c["id"]?.stringValue, let name = c["name"]?.stringValue else { continue }
                all.append(Connection(id: id, name: name, strategy: c["strategy"]?.stringValue ?? ""))
            }
            let total = body["total"]?.intValue.map(Int.init) ?? all.count
            if list.count < 100 || all.count >= total { return all }
            page += 1
        }
    }

    /// The query restricted to one connection, as Auth0's search reads it.
    public static func scoped(_ query: String, connectionName: String?) -> String {
        guard let c = connectionName else { return query }
        let term = "identities.connection:\"" + c.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        let q = query.trimmingCharacters(in: .whitespaces)
        return q.isEmpty ? term : "(\(q)) AND \(term)"
    }

    public func search(_ r: SearchRequest) throws -> SearchPage {
        // Totals only when asked for: counting costs the tenant more than the page itself.
        var q = [("search_engine", "v3"), ("page", String(r.page)), ("per_page", String(r.perPage)), ("include_totals", r.includeTotals ? "true" : "false")]
        let text = Self.scoped(r.query.source, connectionName: r.connectionName)
        if !text.isEmpty { q.append(("q", text)) }
        if let s = r.sort { q.append(("sort", s.parameter)) }
        if let f = r.fields { q.append(("fields", f.joined(separator: ","))); q.append(("include_fields", "true")) }
        let body = try call("GET", "/api/v2/users", query: q) ?? .array([])
        if let users = body.arrayValue { return SearchPage(users: users, start: r.page * r.perPage, limit: r.perPage, total: nil) }
        return SearchPage(users: body["users"]?.arrayValue ?? [], start: Int(body["start"]?.intValue ?? 0),
                          limit: Int(body["limit"]?.intValue ?? Int64(r.perPage)), total: body["total"]?.intValue.map(Int.init))
    }

    public func count(query: Query, connectionName: String?) throws -> Int {
        try search(SearchRequest(query: query, connectionName: connectionName, perPage: 1, includeTotals: true, fields: ["user_id"])).total ?? 0
    }

    public func startImport(file: String, options: ImportOptions) throws -> Job {
        var parts: [MultipartPart] = [.file("users", path: file, contentType: "application/json"), .field("connection_id", options.connectionID),
                                      .field("upsert", options.upsert ? "true" : "false"),
                                      .field("send_completion_email", options.sendCompletionEmail ? "true" : "false")]
        if let e = options.externalID { parts.append(.field("external_id", e)) }
        guard let body = try call("POST", "/api/v2/jobs/users-imports", body: .multipart(parts)) else {
            throw TenantError("POST /api/v2/jobs/users-imports: empty answer", status: 502)
        }
        let job = try Self.job(body)
        lock.withLock { startedJobs.append(job.id) }
        return job
    }

    public func startExport(_ request: ExportJobRequest) throws -> Job {
        guard let body = try call("POST", "/api/v2/jobs/users-exports", json: request.json) else {
            throw TenantError("POST /api/v2/jobs/users-exports: empty answer", status: 502)
        }
        let job = try Self.job(body)
        lock.withLock { startedJobs.append(job.id) }
        return job
    }

    public func download(location: String, to path: String) throws {
        // A signed URL: no Authorization header (it would leak the token to the storage host).
        let response: HTTPResponse
        do {
            response = try HTTP.perform(HTTPRequest(method: "GET", url: location, timeout: 3600, downloadPath: path), isCancelled: isCancelled)
        } catch let e as TransportError {
            if e.isCancelled { throw Cancelled() }
            throw TenantError("downloading the export: \(e.message)", status: 503)
        }
        guard response.status == 200 else {
            unlink(path)
            throw TenantError("downloading the export from \(HTTP.redacted(location)): HTTP \(response.status)", status: response.status)
        }
    }

    public func job(id: String) throws -> Job {
        guard let body = try call("GET", "/api/v2/jobs/" + HTTP.encode(id)) else { throw TenantError("job \(id): empty answer", status: 502) }
        return try Self.job(body)
    }

    public func jobErrors(id: String) throws -> [JobUserError] {
        guard let body = try call("GET", "/api/v2/jobs/" + HTTP.encode(id) + "/errors") else { return [] }
        return (body.arrayValue ?? []).map { JobUserError(user: $0["user"] ?? .null, errors: $0["errors"]?.arrayValue ?? []) }
    }

    public func recentJobs(limit: Int) throws -> [Job] {
        let ids = lock.withLock { Array(startedJobs.suffix(limit).reversed()) }
        return try ids.map { try job(id: $0) }
    }

    public func user(id: String) throws -> JSON? {
        do { return try call("GET", "/api/v2/users/" + HTTP.encode(id)) } catch let e as TenantError where e.status == 404 { return nil }
    }

    public func users(email: String) throws -> [JSON] {
        try call("GET", "/api/v2/users-by-email", query: [("email", email)])?.arrayValue ?? []
    }

    /// The application `verify` logs in with (the Password grant); set by the shell.
    public var verifyApplication: VerifyApplication?

    /// A login through the Authentication API's password-realm grant (the Management API never
    /// returns hashes): a success counts as a login on the tenant.
    public func verify(email: String, password: String, connectionName: String?) throws -> PasswordCheck {
        guard let app = verifyApplication else {
            throw TenantError("verify on a remote tenant logs in through an application with the Password grant: set PORTER_VERIFY_CLIENT_ID and PORTER_VERIFY_CLIENT_SECRET", status: 401)
        }
        guard let realm = connectionName else { throw TenantError("verify needs one connection (the realm the user logs in to): 'use CONNECTION'") }
        var grant = PasswordGrantClient(baseURL: baseURL, application: app)
        grant.isCancelled = isCancelled
        grant.onRetry = onRetry
        return try grant.check(username: email, password: password, realm: realm)
    }

    static func job(_ j: JSON) throws -> Job {
        guard let id = j["id"]?.stringValue else { throw TenantError("a job without an id: \(j.serialized())", status: 502) }
        var summary: JobSummary?
        if let s = j["summary"], !s.isNull { summary = JobSummary(json: s) }
        var job = Job(id: id, type: j["type"]?.stringValue ?? "", status: j["status"]?.stringValue ?? "pending",
                      connectionID: j["connection_id"]?.stringValue, createdAt: j["created_at"]?.stringValue ?? "",
                      externalID: j["external_id"]?.stringValue, upsert: j["upsert"]?.boolValue ?? false,
                      percentageDone: Int(j["percentage_done"]?.intValue ?? 0), summary: summary, statusDetails: j["status_details"]?.stringValue)
        job.location = j["location"]?.stringValue
        return job
    }
}
