import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PorterJSON
import PorterTenant

/// `porter serve`: the local tenant exposed as a compatible subset of the Auth0 Management API v2.
/// Bearer tokens from `POST /oauth/token` (client credentials) carry scopes; every route checks
/// its scope; error bodies are Auth0's `{statusCode, error, message, errorCode}`.
public struct ServerOptions: Sendable {
    public var host = "127.0.0.1"
    public var port = 4000
    public var clients: [String: (secret: String, scopes: [String])] = [:]
    /// Auth0's limits.
    public var importFileLimit = 512_000
    public var maxConcurrentImports = 2
    public var tokenLifetime = 86_400
    /// For resilience tests: every Nth API request fails, alternately 429 and 503 (0: never).
    public var faultEvery = 0
    /// Lifts Auth0's 1,000-result window and 100-per-page limit (local use only).
    public var uncapped = false
    public init() {}
}

public final class ManagementServer: @unchecked Sendable {
    let tenantPath: String
    let options: ServerOptions
    let lock = NSLock()
    var tokens: [String: (scopes: Set<String>, expires: Date)] = [:]
    var activeImports = 0
    /// Export download names → file and expiry.
    var downloads: [String: (file: String, expires: Date)] = [:]
    var requestCount = 0
    var faultCount = 0
    var windowStart = Date()
    static let rateLimit = 50

    public init(tenantPath: String, options: ServerOptions) {
        self.tenantPath = tenantPath
        self.options = options
    }

    /// Runs until the process ends; `onReady` gets the bound port.
    public func run(onReady: @escaping @Sendable (Int) -> Void) async throws {
        let tenant = try LocalTenant(path: tenantPath)
        tenant.uncapped = options.uncapped
        // Jobs a stopped server had accepted are finished now; they hold their slots meanwhile.
        for id in try tenant.unfinishedImports() {
            lock.withLock { activeImports += 1 }
            process(id, tenant)
        }
        for id in try tenant.unfinishedExports() { export(id, tenant) }
        let router = Router()
        let server = self
        router.post("/oauth/token") { request, _ in try await server.token(request) }
        router.get("/api/v2/connections") { request, _ in
            try server.guarded(request, scope: "read:connections") {
                let q = request.uri.queryParameters
                let strategies = q.getAll("strategy").map { String($0) }
                let name = q["name"].map(String.init)
                let list = try tenant.connections(strategy: nil).filter {
                    (strategies.isEmpty || strategies.contains($0.strategy)) && (name == nil || $0.name == name)
                }.map(\.json)
                // Checkpoint paging (`from`, `take`), as the current SDKs ask.
                if q["take"] != nil || q["from"] != nil {
                    let take = max(1, min(100, Int(q["take"].map(String.init) ?? "50") ?? 50))
                    let from = Int(q["from"].map(String.init) ?? "0") ?? 0
                    let slice = Array(list.dropFirst(from).prefix(take))
                    var o: JSONObject = ["connections": .array(slice)]
                    if from + slice.count < list.count { o["next"] = .string(String(from + slice.count)) }
                    return .object(o)
                }
                let perPage = max(1, min(100, Int(q["per_page"].map(String.init) ?? "50") ?? 50))
                let page = max(0, Int(q["page"].map(String.init) ?? "0") ?? 0)
                let slice = q["per_page"] == nil && q["page"] == nil ? list : Array(list.dropFirst(page * perPage).prefix(perPage))
                if q["include_totals"].map(String.init) == "true" {
                    return ["start": .int(Int64(page * perPage)), "limit": .int(Int64(perPage)), "total": .int(Int64(list.count)), "connections": .array(slice)]
                }
                return .array(slice)
            }
        }
        router.get("/api/v2/users") { request, _ in
            try server.guarded(request, scope: "read:users") {
                let q = request.uri.queryParameters
                if let engine = q["search_engine"], engine != "v3" {
                    throw TenantError("Only search_engine=v3 is supported", status: 400)
                }
                let page = Int(q["page"].map(String.init) ?? "0") ?? -1
                let perPage = Int(q["per_page"].map(String.init) ?? "50") ?? -1
                var fields: [String]?
                if let f = q["fields"], q["include_fields"].map(String.init) != "false" {
                    fields = f.split(separator: ",").map(String.init)
                }
                let totals = q["include_totals"].map(String.init) == "true"
                let result = try tenant.search(SearchRequest(query: q["q"].map(String.init) ?? "", sort: q["sort"].map(String.init),
                                                             page: page, perPage: perPage, includeTotals: totals, fields: fields))
                if totals {
                    return ["start": .int(Int64(result.start)), "limit": .int(Int64(result.limit)), "length": .int(Int64(result.users.count)),
                            "total": .int(Int64(result.total ?? 0)), "users": .array(result.users)]
                }
                return .array(result.users)
            }
        }
        router.get("/api/v2/users/:id") { request, context in
            try server.guarded(request, scope: "read:users") {
                let id = context.parameters.get("id") ?? ""
                guard let user = try tenant.user(id: id.removingPercentEncoding ?? id) else {
                    throw TenantError("The user does not exist.", status: 404)
                }
                return user
            }
        }
        router.get("/api/v2/users-by-email") { request, _ in
            try server.guarded(request, scope: "read:users") {
                guard let email = request.uri.queryParameters["email"] else {
                    throw TenantError("Query validation error: 'Missing required property: email'", status: 400)
                }
                return .array(try tenant.users(email: String(email)))
            }
        }
        router.post("/api/v2/jobs/users-imports") { request, _ in try await server.startImport(request, tenant) }
        router.get("/api/v2/jobs/:id") { request, context in
            try server.guarded(request, scopes: ["create:users", "read:users"]) {
                server.published(try tenant.job(id: context.parameters.get("id") ?? ""), request)
            }
        }
        router.post("/api/v2/jobs/users-exports") { request, _ in
            let body = try await request.body.collect(upTo: 64 << 10)
            return try server.guarded(request, scope: "read:users") {
                guard let o = try? JSON.parse(String(buffer: body)), o.objectValue != nil else {
                    throw TenantError("Payload validation error: 'Invalid JSON body'", status: 400)
                }
                let job = try tenant.enqueueExport(ExportJobRequest(json: o))
                server.export(job.id, tenant)
                return server.published(job, request)
            }.withStatus(201)
        }
        // An export's file, by the unguessable, short-lived name its job's `location` gives
        // (Auth0 hands out a signed URL valid for 60 s the same way).
        router.get("/exports/:name") { request, context in
            let name = context.parameters.get("name") ?? ""
            let file: String? = server.lock.withLock {
                let now = Date()
                server.downloads = server.downloads.filter { $0.value.expires > now }
                return server.downloads[name]?.file
            }
            guard let file else { return Self.error(404, "Not Found", "No such export, or its link expired: get the job again for a fresh one") }
            guard FileManager.default.fileExists(atPath: file) else {
                return Self.error(404, "Not Found", "The export file has expired (files are kept a day): run the export again")
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/gzip"
            return Response(status: .ok, headers: headers, body: try await FileIO().loadFile(path: file, context: context))
        }
        router.get("/api/v2/jobs/:id/errors") { request, context in
            var empty = false
            let response = try server.guarded(request, scopes: ["create:users", "read:users"]) {
                let errors = try tenant.jobErrors(id: context.parameters.get("id") ?? "")
                empty = errors.isEmpty
                return .array(errors.map(\.json))
            }
            // Auth0 answers 204 when a job has no errors.
            if empty && response.status == .ok {
                var r = Response(status: .noContent)
                for f in response.headers where f.name != .contentType { r.headers.append(f) }
                return r
            }
            return response
        }
        let app = Application(router: router, configuration: .init(address: .hostname(options.host, port: options.port), serverName: "porter"),
                              onServerRunning: { channel in onReady(channel.localAddress?.port ?? 0) })
        try await app.runService()
    }

    // MARK: Auth

    func token(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 64 << 10)
        let text = String(buffer: body)
        var fields: [String: String] = [:]
        if request.headers[.contentType]?.contains("json") == true, case .object(let o)? = try? JSON.parse(text) {
            for (k, v) in o { if let s = v.stringValue { fields[k] = s } }
        } else {
            for pair in text.split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
                if kv.count == 2 { fields[kv[0]] = kv[1] }
            }
        }
        guard fields["grant_type"] == "client_credentials" else {
            return Self.error(403, "unsupported_grant_type", "Unsupported grant type: \(fields["grant_type"] ?? "none")")
        }
        guard let id = fields["client_id"], let client = options.clients[id], let secret = fields["client_secret"],
              Self.constantTimeEqual(secret, client.secret) else {
            return Self.error(401, "access_denied", "Unauthorized")
        }
        let token = Identifiers.random(40)
        lock.withLock { tokens[token] = (Set(client.scopes), Date().addingTimeInterval(Double(options.tokenLifetime))) }
        return Self.json(200, ["access_token": .string(token), "expires_in": .int(Int64(options.tokenLifetime)),
                               "scope": .string(client.scopes.joined(separator: " ")), "token_type": "Bearer"])
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// Checks the bearer token and one of the scopes, applies the rate limit, runs `body`.
    func guarded(_ request: Request, scope: String? = nil, scopes: [String] = [], _ body: () throws -> JSON) throws -> Response {
        let needed = scope.map { [$0] } ?? scopes
        guard let auth = request.headers[.authorization], auth.hasPrefix("Bearer ") else {
            return Self.error(401, "Unauthorized", "Missing authentication")
        }
        let token = String(auth.dropFirst(7))
        let (grant, remaining, reset): ((scopes: Set<String>, expires: Date)?, Int, Int) = lock.withLock {
            if Date().timeIntervalSince(windowStart) >= 1 {
                windowStart = Date()
                requestCount = 0
            }
            requestCount += 1
            return (tokens[token], Self.rateLimit - requestCount, Int(windowStart.timeIntervalSince1970) + 1)
        }
        var headers = HTTPFields()
        headers[HTTPField.Name("X-RateLimit-Limit")!] = String(Self.rateLimit)
        headers[HTTPField.Name("X-RateLimit-Remaining")!] = String(max(0, remaining))
        headers[HTTPField.Name("X-RateLimit-Reset")!] = String(reset)
        guard let grant, grant.expires > Date() else {
            return Self.error(401, "Unauthorized", "Invalid token", headers: headers)
        }
        if options.faultEvery > 0 {
            let n = lock.withLock { faultCount += 1; return faultCount }
            if n % options.faultEvery == 0 {
                if (n / options.faultEvery) % 2 == 1 {
                    headers[HTTPField.Name("Retry-After")!] = "1"
                    return Self.error(429, "Too Many Requests", "Global limit has been reached (injected by --test-faults)", errorCode: "too_many_requests", headers: headers)
                }
                return Self.error(503, "Service Unavailable", "injected by --test-faults", headers: headers)
            }
        }
        if remaining < 0 {
            headers[HTTPField.Name("Retry-After")!] = "1"
            return Self.error(429, "Too Many Requests", "Global limit has been reached", errorCode: "too_many_requests", headers: headers)
        }
        guard needed.contains(where: grant.scopes.contains) else {
            return Self.error(403, "Forbidden", "Insufficient scope, expected any of: \(needed.joined(separator: ","))", errorCode: "insufficient_scope", headers: headers)
        }
        do {
            var r = Self.json(200, try body())
            for f in headers { r.headers.append(f) }
            return r
        } catch let e as TenantError {
            return Self.error(e.status, Self.reason(e.status), e.message, headers: headers)
        }
    }

    // MARK: Import

    func startImport(_ request: Request, _ tenant: LocalTenant) async throws -> Response {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: options.importFileLimit + 64 << 10)
        } catch {
            return Self.error(413, "Request Entity Too Large", "Payload content length greater than maximum allowed: \(options.importFileLimit).")
        }
        let parts = Multipart.parse(body: Array(buffer: body), contentType: request.headers[.contentType] ?? "")
        return try guarded(request, scope: "create:users") {
            guard let users = parts["users"] else { throw TenantError("Payload validation error: 'Missing required property: users'", status: 400) }
            if users.count > options.importFileLimit {
                throw TenantError("Payload content length greater than maximum allowed: \(options.importFileLimit).", status: 413)
            }
            if users.isEmpty { throw TenantError("Payload validation error: the users file is empty", status: 400) }
            guard let connectionID = parts["connection_id"].map({ String(decoding: $0, as: UTF8.self) }) else {
                throw TenantError("Payload validation error: 'Missing required property: connection_id'", status: 400)
            }
            guard connectionID.hasPrefix("con_"), connectionID.count == 20 else {
                throw TenantError("Payload validation error: 'String does not match pattern ^con_[A-Za-z0-9]{16}$: \(connectionID)' on property connection_id", status: 400)
            }
            guard try tenant.connections(strategy: nil).contains(where: { $0.id == connectionID }) else {
                throw TenantError("The connection does not exist", status: 400)
            }
            let admitted = lock.withLock { () -> Bool in
                if activeImports >= options.maxConcurrentImports { return false }
                activeImports += 1
                return true
            }
            guard admitted else {
                throw TenantError("There are \(options.maxConcurrentImports) active import users jobs, please wait until some of them are finished and try again", status: 429)
            }
            // The upload is kept beside the tenant until its job ends, so a restarted server can finish it.
            let dir = tenantPath + "-imports"
            let path = dir + "/\(UUID().uuidString).json"
            let job: Job
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                guard FileManager.default.createFile(atPath: path, contents: Data(users)) else { throw TenantError("cannot store the upload", status: 500) }
                func flag(_ name: String, _ def: Bool) -> Bool { parts[name].map { String(decoding: $0, as: UTF8.self) == "true" } ?? def }
                job = try tenant.enqueueImport(file: path, options: ImportOptions(connectionID: connectionID, upsert: flag("upsert", false),
                                                                                  externalID: parts["external_id"].map { String(decoding: $0, as: UTF8.self) },
                                                                                  sendCompletionEmail: flag("send_completion_email", true)),
                                               ownsFile: true)
            } catch {
                lock.withLock { activeImports -= 1 }
                unlink(path)
                throw error
            }
            process(job.id, tenant)
            return job.json
        }.withStatus(202)
    }

    /// A job as clients see it: an export's `file://` location becomes a link to this server
    /// that works for 60 seconds.
    func published(_ job: Job, _ request: Request) -> JSON {
        var job = job
        if let l = job.location, l.hasPrefix("file://") {
            let file = String(l.dropFirst(7))
            let name = Identifiers.random(32) + (file.hasSuffix(".csv.gz") ? ".csv.gz" : ".json.gz")
            lock.withLock { downloads[name] = (file, Date().addingTimeInterval(60)) }
            let authority = request.head.authority ?? "\(options.host):\(options.port)"
            job.location = "http://\(authority)/exports/\(name)"
        }
        return job.json
    }

    /// Runs an import job on its own thread (the store is synchronous); frees its slot at the end.
    func process(_ id: String, _ tenant: LocalTenant) {
        let server = self
        Thread.detachNewThread {
            _ = try? tenant.processImport(id: id, progress: nil)
            server.lock.withLock { server.activeImports -= 1 }
        }
    }

    /// Runs an export job on its own thread, as Auth0 does: the request that created it has
    /// its answer (pending) at once, and the client polls the job.
    func export(_ id: String, _ tenant: LocalTenant) {
        Thread.detachNewThread {
            _ = try? tenant.processExport(id: id)
        }
    }

    // MARK: Responses

    static func json(_ status: Int, _ value: JSON, headers: HTTPFields = HTTPFields()) -> Response {
        var h = headers
        h[.contentType] = "application/json; charset=utf-8"
        return Response(status: .init(code: status), headers: h, body: .init(byteBuffer: ByteBuffer(string: value.serialized())))
    }

    static func error(_ status: Int, _ error: String, _ message: String, errorCode: String? = nil, headers: HTTPFields = HTTPFields()) -> Response {
        var o: JSONObject = ["statusCode": .int(Int64(status)), "error": .string(error), "message": .string(message)]
        if let errorCode { o["errorCode"] = .string(errorCode) }
        return json(status, .object(o), headers: headers)
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 409: return "Conflict"
        case 413: return "Request Entity Too Large"
        case 429: return "Too Many Requests"
        default: return "Internal Server Error"
        }
    }
}

extension Response {
    func withStatus(_ code: Int) -> Response {
        guard status == .ok else { return self }
        var r = self
        r.status = .init(code: code)
        return r
    }
}

/// A small multipart/form-data reader: enough for the import endpoint's parts.
enum Multipart {
    static func parse(body: [UInt8], contentType: String) -> [String: [UInt8]] {
        guard let b = contentType.range(of: "boundary=") else { return [:] }
        var boundary = String(contentType[b.upperBound...])
        if let semi = boundary.firstIndex(of: ";") { boundary = String(boundary[..<semi]) }
        boundary = boundary.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        let delimiter = Array(("--" + boundary).utf8)
        var parts: [String: [UInt8]] = [:]
        var positions: [Int] = []
        var i = 0
        while i + delimiter.count <= body.count {
            if body[i] == delimiter[0] && body[i..<i + delimiter.count].elementsEqual(delimiter) {
                positions.append(i)
                i += delimiter.count
            } else {
                i += 1
            }
        }
        for (k, start) in positions.enumerated() where k + 1 < positions.count {
            var partStart = start + delimiter.count
            if partStart + 1 < body.count, body[partStart] == 13, body[partStart + 1] == 10 { partStart += 2 }
            var end = positions[k + 1]
            if end >= 2, body[end - 2] == 13, body[end - 1] == 10 { end -= 2 }
            guard partStart <= end else { continue }
            let part = Array(body[partStart..<end])
            // Headers end at the first blank line.
            guard let split = (0..<max(0, part.count - 3)).first(where: { part[$0] == 13 && part[$0 + 1] == 10 && part[$0 + 2] == 13 && part[$0 + 3] == 10 }) else { continue }
            let headers = String(decoding: part[..<split], as: UTF8.self)
            guard let nameRange = headers.range(of: "name=\"") else { continue }
            let rest = headers[nameRange.upperBound...]
            guard let quote = rest.firstIndex(of: "\"") else { continue }
            parts[String(rest[..<quote])] = Array(part[(split + 4)...])
        }
        return parts
    }
}
