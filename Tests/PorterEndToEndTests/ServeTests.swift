import Foundation
import Testing

/// `porter serve` over real loopback HTTP, driven with curl.
@Suite(.serialized) struct ServeTests {
    final class Server {
        let process = Process()
        let port: Int
        let dir: String
        /// Everything the server wrote to stderr (drained as it comes, so a chatty log never blocks it).
        let log = Log()

        final class Log: @unchecked Sendable {
            private let lock = NSLock()
            private var data = Data()
            func append(_ d: Data) { lock.withLock { data.append(d) } }
            var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
        }

        init(dir: String, scopes: String = "read:users,create:users,read:connections", arguments: [String] = [], environment: [String: String] = [:]) throws {
            self.dir = dir
            process.executableURL = URL(fileURLWithPath: Porter.binary)
            process.arguments = ["serve", "--port", "0", "--tenant", dir + "/tenant.sqlite", "--scopes", scopes] + arguments
            var env = ProcessInfo.processInfo.environment
            for (k, v) in environment { env[k] = v }
            env["PORTER_SERVE_CLIENT_ID"] = "test-client"
            env["PORTER_SERVE_CLIENT_SECRET"] = "test-secret"
            process.environment = env
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            var text = ""
            let deadline = Date().addingTimeInterval(30)
            var found: Int?
            while found == nil && Date() < deadline {
                let chunk = err.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
                if let r = text.range(of: "on http://127.0.0.1:"), let end = text[r.upperBound...].firstIndex(where: { !$0.isNumber }) {
                    found = Int(text[r.upperBound..<end])
                }
            }
            guard let found else { process.terminate(); throw CancellationError() }
            port = found
            log.append(Data(text.utf8))
            let log = self.log
            err.fileHandleForReading.readabilityHandler = { h in log.append(h.availableData) }
            #expect(!text.contains("test-secret"), "a secret given by the environment is never printed")
        }

        deinit {
            process.terminate()
            process.waitUntilExit()
            (process.standardError as? Pipe)?.fileHandleForReading.readabilityHandler = nil
        }

        struct Reply { var status: Int; var body: String; var headers: String }

        func curl(_ args: [String]) throws -> Reply {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            p.arguments = ["-s", "-D", "-", "-o", dir + "/body", "-w", "\n%{http_code}"] + args
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            let text = String(decoding: data, as: UTF8.self)
            let status = Int(text.split(separator: "\n").last ?? "") ?? 0
            let body = (try? String(contentsOfFile: dir + "/body", encoding: .utf8)) ?? ""
            return Reply(status: status, body: body, headers: text)
        }

        func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

        /// Import jobs run in the background: polls until the job ends.
        func waitForJob(_ id: String, _ auth: [String]) throws -> Reply {
            let deadline = Date().addingTimeInterval(30)
            while true {
                let r = try curl([url("/api/v2/jobs/\(id)")] + auth)
                if r.body.contains("\"status\":\"completed\"") || r.body.contains("\"status\":\"failed\"") || Date() > deadline { return r }
                usleep(50_000)
            }
        }

        func token() throws -> String {
            let r = try curl(["-X", "POST", url("/oauth/token"), "-H", "content-type: application/x-www-form-urlencoded",
                              "--data", "grant_type=client_credentials&client_id=test-client&client_secret=test-secret&audience=http://127.0.0.1/api/v2/"])
            #expect(r.status == 200, "\(r.body)")
            let range = r.body.range(of: "\"access_token\":\"")!
            return String(r.body[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    static func curlAvailable() -> Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") }

    func newDir() throws -> String {
        let dir = NSTemporaryDirectory() + "porter-serve-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func tokensScopesAndSearch() throws {
        guard Self.curlAvailable() else { Issue.record("curl is missing (/usr/bin/curl; scripts/bootstrap installs it): porter serve was not exercised"); return }
        let dir = try newDir()
        let p = try Porter()
        _ = try p.run(["tenant", "seed", "120", "--tenant", dir + "/tenant.sqlite"])
        let s = try Server(dir: dir)
        let bad = try s.curl(["-X", "POST", s.url("/oauth/token"), "--data", "grant_type=client_credentials&client_id=test-client&client_secret=nope"])
        #expect(bad.status == 401)
        #expect(try s.curl([s.url("/api/v2/users")]).status == 401)
        #expect(try s.curl([s.url("/api/v2/users"), "-H", "authorization: Bearer forged"]).status == 401)
        let auth = ["-H", "authorization: Bearer \(try s.token())"]
        let users = try s.curl([s.url("/api/v2/users?q=email.domain%3Aacme.com&search_engine=v3&per_page=5&include_totals=true&sort=created_at%3A-1")] + auth)
        #expect(users.status == 200, "\(users.body)")
        #expect(users.body.contains("\"total\":") && users.body.contains("\"limit\":5") && users.body.contains("\"users\":["))
        #expect(users.headers.lowercased().contains("x-ratelimit-limit"))
        let badQuery = try s.curl([s.url("/api/v2/users?q=name%3A*sa")] + auth)
        #expect(badQuery.status == 400)
        #expect(badQuery.body.contains("\"statusCode\":400") && badQuery.body.contains("\"message\""))
        #expect(try s.curl([s.url("/api/v2/users?page=20&per_page=100")] + auth).status == 400, "only the first 1000 results")
        let uncapped = try Server(dir: dir, arguments: ["--uncapped"])
        let auth2 = ["-H", "authorization: Bearer \(try uncapped.token())"]
        let far = try uncapped.curl([uncapped.url("/api/v2/users?page=0&per_page=500")] + auth2)
        #expect(far.status == 200 && far.body.components(separatedBy: "\"user_id\":\"auth0|").count - 1 == 120, "--uncapped: more than 100 per page")
        let connections = try s.curl([s.url("/api/v2/connections?strategy=auth0")] + auth)
        #expect(connections.status == 200 && connections.body.contains("Username-Password-Authentication"))
        #expect(try s.curl([s.url("/api/v2/users/auth0%7Cnobody")] + auth).status == 404)
        #expect(try s.curl([s.url("/api/v2/jobs/job_nothinghere12345")] + auth).status == 404)
        #expect(try s.curl([s.url("/api/v2/users-by-email")] + auth).status == 400)
    }

    @Test func importsWithErrorsOneByOne() throws {
        guard Self.curlAvailable() else { Issue.record("curl is missing (/usr/bin/curl; scripts/bootstrap installs it): porter serve was not exercised"); return }
        let dir = try newDir()
        let s = try Server(dir: dir)
        let auth = ["-H", "authorization: Bearer \(try s.token())"]
        let conn = try s.curl([s.url("/api/v2/connections")] + auth).body
        let id = String(conn[conn.range(of: "\"id\":\"")!.upperBound...].prefix { $0 != "\"" })
        try #"[{"email":"ok@x.io","name":"Ok"},{"email":"bad"},{"email":"ok@x.io"},{"email":"c@x.io","blocked":"yes","password_hash":"$2b$10$secret"}]"#
            .write(toFile: dir + "/users.json", atomically: true, encoding: .utf8)
        let job = try s.curl(["-X", "POST", s.url("/api/v2/jobs/users-imports"), "-F", "users=@\(dir)/users.json", "-F", "connection_id=\(id)", "-F", "upsert=false"] + auth)
        #expect(job.status == 202, "\(job.body)")
        let jobID = String(job.body[job.body.range(of: "\"id\":\"")!.upperBound...].prefix { $0 != "\"" })
        let status = try s.waitForJob(jobID, auth)
        #expect(status.body.contains("\"status\":\"completed\"") && status.body.contains("\"inserted\":1") && status.body.contains("\"failed\":3"))
        let errors = try s.curl([s.url("/api/v2/jobs/\(jobID)/errors")] + auth)
        #expect(errors.status == 200)
        for code in ["FORMAT", "DUPLICATED_USER", "INVALID_TYPE", "PATTERN"] { #expect(errors.body.contains("\"\(code)\""), "\(code)") }
        #expect(!errors.body.contains("$2b$10$secret"), "hash values are redacted")
        try #"[{"email":"fine@x.io"}]"#.write(toFile: dir + "/good.json", atomically: true, encoding: .utf8)
        let good = try s.curl(["-X", "POST", s.url("/api/v2/jobs/users-imports"), "-F", "users=@\(dir)/good.json", "-F", "connection_id=\(id)"] + auth)
        let goodID = String(good.body[good.body.range(of: "\"id\":\"")!.upperBound...].prefix { $0 != "\"" })
        _ = try s.waitForJob(goodID, auth)
        #expect(try s.curl([s.url("/api/v2/jobs/\(goodID)/errors")] + auth).status == 204)
        #expect(try s.curl([s.url("/api/v2/users-by-email?email=fine%40x.io")] + auth).body.contains("auth0|"))
        // 413 past 512,000 bytes; 400 for a missing or malformed connection.
        let big = "[" + (0..<6000).map { "{\"email\":\"user\($0)@example.com\",\"name\":\"\(String(repeating: "n", count: 60))\"}" }.joined(separator: ",") + "]"
        try big.write(toFile: dir + "/big.json", atomically: true, encoding: .utf8)
        #expect(try s.curl(["-X", "POST", s.url("/api/v2/jobs/users-imports"), "-F", "users=@\(dir)/big.json", "-F", "connection_id=\(id)"] + auth).status == 413)
        #expect(try s.curl(["-X", "POST", s.url("/api/v2/jobs/users-imports"), "-F", "users=@\(dir)/good.json"] + auth).status == 400)
        #expect(try s.curl(["-X", "POST", s.url("/api/v2/jobs/users-imports"), "-F", "users=@\(dir)/good.json", "-F", "connection_id=con_x"] + auth).status == 400)
    }

    /// Export jobs run on a thread of their own, as Auth0's do: the POST answers at once, other
    /// calls are answered while the job runs, and a job cut off by a crash runs again after a restart.
    @Test func exportJobsRunInTheBackgroundAndSurviveACrash() throws {
        guard Self.curlAvailable() else { Issue.record("curl is missing (/usr/bin/curl; scripts/bootstrap installs it): porter serve was not exercised"); return }
        let dir = try newDir()
        let p = try Porter()
        _ = try p.run(["tenant", "seed", "2000", "--tenant", dir + "/tenant.sqlite"])
        // 100 ms after every 100 users: the job takes about 2 s.
        let slow = try Server(dir: dir, environment: ["PORTER_TEST_EXPORT_PAUSE_MS": "100"])
        var auth = ["-H", "authorization: Bearer \(try slow.token())"]
        let body = #"{"format":"json","fields":[{"name":"email"},{"name":"identities[0].connection","export_as":"conn"}]}"#
        let created = try slow.curl(["-X", "POST", slow.url("/api/v2/jobs/users-exports"), "-H", "content-type: application/json", "--data", body] + auth)
        #expect(created.status == 200 && created.body.contains("\"status\":\"pending\""), "\(created.body)")
        let jobID = String(created.body[created.body.range(of: "\"id\":\"")!.upperBound...].prefix { $0 != "\"" })
        var sawProgress = false
        for _ in 0..<100 where !sawProgress {
            let status = try slow.curl([slow.url("/api/v2/jobs/\(jobID)")] + auth)
            #expect(try slow.curl([slow.url("/api/v2/connections")] + auth).status == 200)
            sawProgress = status.body.contains("\"status\":\"processing\"") && !status.body.contains("\"percentage_done\":0,")
            usleep(20_000)
        }
        #expect(sawProgress, "the job is seen processing, with progress, while other calls are answered")
        kill(slow.process.processIdentifier, SIGKILL)
        slow.process.waitUntilExit()
        let s = try Server(dir: dir)
        auth = ["-H", "authorization: Bearer \(try s.token())"]
        let done = try s.waitForJob(jobID, auth)
        #expect(done.body.contains("\"status\":\"completed\"") && done.body.contains("\"total\":2000"), "\(done.body)")
        let location = String(done.body[done.body.range(of: "\"location\":\"")!.upperBound...].prefix { $0 != "\"" })
        #expect(try s.curl([location]).status == 200)
        let gunzip = Process()
        gunzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gunzip.arguments = ["-dc", dir + "/body"]
        let out = Pipe()
        gunzip.standardOutput = out
        try gunzip.run()
        let lines = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
        gunzip.waitUntilExit()
        #expect(lines.count == 2000)
        #expect(lines.first?.hasPrefix("{\"email\":") == true && lines.first?.contains("\"conn\":\"Username-Password-Authentication\"") == true)
    }

    @Test func missingScopeIsForbidden() throws {
        guard Self.curlAvailable() else { Issue.record("curl is missing (/usr/bin/curl; scripts/bootstrap installs it): porter serve was not exercised"); return }
        let dir = try newDir()
        let s = try Server(dir: dir, scopes: "read:users")
        let auth = ["-H", "authorization: Bearer \(try s.token())"]
        #expect(try s.curl([s.url("/api/v2/users")] + auth).status == 200)
        let forbidden = try s.curl([s.url("/api/v2/connections")] + auth)
        #expect(forbidden.status == 403 && forbidden.body.contains("read:connections"))
        #expect(try s.curl(["-X", "POST", s.url("/api/v2/jobs/users-imports"), "-F", "users=[]", "-F", "connection_id=con_aaaaaaaaaaaaaaaa"] + auth).status == 403)
    }

    /// Starts `porter serve` with `arguments` and returns what it printed up to the client id.
    func banner(_ dir: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Porter.binary)
        process.arguments = ["serve", "--port", "0", "--tenant", dir + "/tenant.sqlite"] + arguments
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        var text = ""
        let deadline = Date().addingTimeInterval(30)
        while !text.contains("client_id") && Date() < deadline {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        return text
    }

    @Test func exposedHostsWarnAndIPv6URLsAreValid() throws {
        let dir = try newDir()
        let all = try banner(dir, ["--host", "0.0.0.0"])
        #expect(all.contains("WARNING") && all.contains("plain HTTP") && all.contains("http://0.0.0.0:"), "\(all)")
        let v6 = try banner(dir, ["--host", "::1"])
        #expect(v6.contains("on http://[::1]:") && !v6.contains("WARNING"), "\(v6)")
        let local = try banner(dir, [])
        #expect(!local.contains("WARNING"), "\(local)")
    }

    /// A connection that sends nothing, never finishes its request head or its body, is closed (or answered 408).
    @Test func idleAndHalfSentConnectionsAreClosed() throws {
        let dir = try newDir()
        let s = try Server(dir: dir, arguments: ["--idle-timeout", "1"])
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", """
            import socket, sys, time
            out = []
            half_body = b"POST /oauth/token HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 100\\r\\n\\r\\ngrant_type="
            for payload in [b"", b"GET /api/v2/users HTTP/1.1\\r\\nHost: x\\r\\n", half_body]:
                c = socket.create_connection(("127.0.0.1", \(s.port)))
                c.settimeout(10)
                c.sendall(payload)
                t = time.time()
                try:
                    first = c.recv(12)
                    closed = first == b"" or first.startswith(b"HTTP/1.1 408")
                except socket.timeout:
                    closed = False
                out.append("closed" if closed and time.time() - t < 8 else "open")
            print(" ".join(out))
            """]
        let out = Pipe()
        probe.standardOutput = out
        try probe.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        probe.waitUntilExit()
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines) == "closed closed closed", "idle, half-sent head, half-sent body: \(text)")
    }

    /// Each request is logged (method, path, status, client) and no token or secret ever is.
    @Test func requestsAreLoggedWithoutSecrets() throws {
        let dir = try newDir()
        let s = try Server(dir: dir)
        let token = try s.token()
        _ = try s.curl([s.url("/api/v2/users?q=email%3Asecret%40x.io"), "-H", "authorization: Bearer \(token)"])
        _ = try s.curl([s.url("/api/v2/users"), "-H", "authorization: Bearer forged-token-value"])
        usleep(200_000)
        let log = s.log.text
        #expect(log.contains("GET /api/v2/users 200") && log.contains("GET /api/v2/users 401") && log.contains("POST /oauth/token 200"), "\(log)")
        #expect(log.contains("client=test-client"), "\(log)")
        for secret in [token, "test-secret", "forged-token-value", "secret%40x.io", "secret@x.io"] { #expect(!log.contains(secret), "\(secret) in \(log)") }
    }
}
