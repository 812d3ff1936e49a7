import Foundation
import HTTPTypes
import Hummingbird
import PorterJSON
import PorterTenant

/// Import and export jobs: `POST jobs/users-imports` (multipart), `POST jobs/users-exports`,
/// `GET jobs/{id}`, `GET jobs/{id}/errors`.
struct JobRoutes {
    let state: ServerState

    func add(to group: RouterGroup<ServerContext>) {
        group.post("jobs/users-imports") { request, context in try await startImport(request, context) }
        group.post("jobs/users-exports") { request, context in
            try context.require("read:users")
            let body = try await Deadline.race(seconds: state.options.bodyReadTimeout, timeout: APIError(408, "The request body was not received in time")) {
                try await request.body.collect(upTo: 64 << 10)
            }
            guard let json = try? JSON.parse(String(buffer: body)) else { throw APIError.badBody("Invalid JSON body") }
            let export = try ExportBody.request(json)
            let tenant = state.tenant
            let job = try await Blocking.run { try tenant.enqueueExport(export) }
            state.export(job.id)
            // 200, not the 201 the API reference lists: what the live API answers (go-auth0
            // test/data/recordings/TestJobManager_ExportUsers.yaml, ruby-auth0's cassette
            // Auth0_Api_V2_Jobs/_export_users_and_get_job/should_create_an_export_users_job_successfully.yml).
            return Reply.json(try await published(job, request))
        }
        group.get("jobs/:id") { request, context in
            try context.require("create:users", "read:users")
            let id = context.parameters.get("id") ?? ""
            let tenant = state.tenant
            let job = try await Blocking.run { try Self.job(tenant, id) }
            return Reply.json(try await published(job, request))
        }
        group.get("jobs/:id/errors") { request, context in
            try context.require("create:users", "read:users")
            let id = context.parameters.get("id") ?? ""
            let tenant = state.tenant
            let errors = try await Blocking.run { () -> [JobUserError] in
                _ = try Self.job(tenant, id)
                return try tenant.jobErrors(id: id)
            }
            // Auth0 answers 204 when a job has no errors.
            if errors.isEmpty { return Response(status: .noContent) }
            return Reply.json(.array(errors.map { ["user": CredentialRedaction.redact($0.user), "errors": .array($0.errors)] }))
        }
    }

    static func job(_ tenant: LocalTenant, _ id: String) throws -> Job {
        do { return try tenant.job(id: id) } catch let e as TenantError where e.status == 404 {
            throw APIError(404, "The job does not exist.")
        }
    }

    /// A job as clients see it: an export's `file://` location becomes a link to this server
    /// that works for 60 seconds (Auth0 hands out a signed URL valid for 60 s the same way).
    func published(_ job: Job, _ request: Request) async throws -> JSON {
        var location: String?
        if let l = job.location, l.hasPrefix("file://") {
            let name = state.publish(file: String(l.dropFirst(7)))
            let authority = request.head.authority ?? ServerOptions.url(host: state.options.host, port: state.options.port).dropFirst(7).description
            location = "http://\(authority)/exports/\(name)"
        }
        let tenant = state.tenant
        return try await Blocking.run { [location] in try JobView.json(job, tenant: tenant, location: location) }
    }

    func startImport(_ request: Request, _ context: ServerContext) async throws -> Response {
        try context.require("create:users")
        let options = state.options
        // Streamed to a file beside the tenant, kept until its job ends so a restarted server can finish it.
        try FileManager.default.createDirectory(atPath: state.uploadDirectory, withIntermediateDirectories: true)
        let path = state.uploadDirectory + "/\(UUID().uuidString).json"
        var keep = false
        defer { if !keep { unlink(path) } }
        let upload = try await Deadline.race(seconds: options.bodyReadTimeout, timeout: APIError(408, "The request body was not received in time")) {
            try await ImportUpload.read(request.body, contentType: request.headers[.contentType] ?? "", fileLimit: options.importFileLimit, to: path)
        }
        guard upload.file != nil else { throw APIError.badBody("Missing required property: users") }
        if upload.fileBytes == 0 { throw APIError.badBody("the users file is empty", on: "users") }
        guard let connectionID = upload.fields["connection_id"] else { throw APIError.badBody("Missing required property: connection_id") }
        guard connectionID.hasPrefix("con_"), connectionID.count == 20 else {
            throw APIError.badBody("String does not match pattern ^con_[A-Za-z0-9]{16}$: \(connectionID)", on: "connection_id")
        }
        func flag(_ name: String, _ def: Bool) throws -> Bool {
            switch upload.fields[name] {
            case nil: return def
            case "true": return true
            case "false": return false
            case let v?: throw APIError.badBody("Expected type boolean but found type string ('\(v)')", on: name)
            }
        }
        let importOptions = ImportOptions(connectionID: connectionID, upsert: try flag("upsert", false), externalID: upload.fields["external_id"],
                                          sendCompletionEmail: try flag("send_completion_email", true))
        let tenant = state.tenant
        guard try await Blocking.run({ try tenant.connections(strategy: nil).contains { $0.id == connectionID } }) else {
            throw APIError(400, "The connection does not exist", errorCode: .inexistentConnection)
        }
        guard state.claimImportSlot() else {
            throw APIError(429, "There are \(options.maxConcurrentImports) active import users jobs, please wait until some of them are finished and try again",
                           errorCode: .tooManyRequests)
        }
        let job: Job
        do {
            job = try await Blocking.run { try tenant.enqueueImport(file: path, options: importOptions, ownsFile: true) }
        } catch {
            state.releaseImportSlot()
            throw error
        }
        keep = true
        state.process(job.id)
        return Reply.json(try await published(job, request), status: .accepted)
    }
}

/// An export's file, by the unguessable, short-lived name its job's `location` gives.
struct DownloadRoutes {
    let state: ServerState

    func add(to router: Router<ServerContext>) {
        router.get("/exports/:name") { request, context in
            let name = context.parameters.get("name") ?? ""
            guard let file = state.download(name) else {
                throw APIError(404, "No such export, or its link expired: get the job again for a fresh one")
            }
            guard FileManager.default.fileExists(atPath: file) else {
                throw APIError(404, "The export file has expired (files are kept a day): run the export again")
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/gzip"
            return Response(status: .ok, headers: headers, body: try await FileIO().loadFile(path: file, context: context))
        }
    }
}
