import Foundation
import Hummingbird
import PorterJSON
import PorterQuery
import PorterTenant

/// `GET /api/v2/users` (v3 search), `/users/{id}`, `/users-by-email`; each honours `fields`
/// and `include_fields`, and reads the store on the blocking pool.
struct UserRoutes {
    let state: ServerState

    func add(to group: RouterGroup<ServerContext>) {
        group.get("users") { request, context in try await search(request, context) }
        group.get("users/:id") { request, context in
            try context.require("read:users")
            let q = FormParameters(request.uri.query ?? "")
            let selection = try FieldSelection(q)
            let raw = context.parameters.get("id") ?? ""
            let id = raw.removingPercentEncoding ?? raw
            let tenant = state.tenant
            guard let user = try await state.read({ try tenant.user(id: id) }) else {
                throw APIError(404, "The user does not exist.", errorCode: .inexistentUser)
            }
            return Reply.json(selection.apply(user))
        }
        group.get("users-by-email") { request, context in
            try context.require("read:users")
            let q = FormParameters(request.uri.query ?? "")
            let selection = try FieldSelection(q)
            guard let email = q["email"] else { throw APIError.badQuery("Missing required property: email") }
            let tenant = state.tenant
            let users = try await state.read { try tenant.users(email: email) }
            return Reply.json(.array(users.map(selection.apply)))
        }
    }

    func search(_ request: Request, _ context: ServerContext) async throws -> Response {
        try context.require("read:users")
        let q = FormParameters(request.uri.query ?? "")
        if let engine = q["search_engine"], engine != "v3" {
            throw APIError.badQuery("Only search_engine=v3 is supported", on: "search_engine")
        }
        let uncapped = state.options.uncapped
        // Bounded so that page × per_page cannot overflow.
        let page = try FieldSelection.integer(q, "page", default: 0, minimum: 0, maximum: 1_000_000)
        let perPage = try FieldSelection.integer(q, "per_page", default: 50, minimum: 1, maximum: uncapped ? 1_000_000 : 100)
        let totals = try FieldSelection.flag(q, "include_totals") ?? false
        _ = try FieldSelection.flag(q, "primary_order")
        let selection = try FieldSelection(q)
        // The wire's text becomes typed values here, once.
        let query: Query
        do { query = try Query.parse(q["q"] ?? "") } catch { throw TenantError("invalid query: \(error)", status: 400) }
        let sort = try q["sort"].flatMap { $0.isEmpty ? nil : try SortSpec(parameter: $0) }
        let search = SearchRequest(query: query, sort: sort, page: page, perPage: perPage, includeTotals: totals)
        let tenant = state.tenant
        let result = try await state.interruptibleRead { try tenant.search(search, interrupt: $0) }
        let users = JSON.array(result.users.map(selection.apply))
        if totals {
            return Reply.json(["start": .int(Int64(result.start)), "limit": .int(Int64(result.limit)), "length": .int(Int64(result.users.count)),
                               "total": .int(Int64(result.total ?? 0)), "users": users])
        }
        return Reply.json(users)
    }
}

/// `GET /api/v2/connections`: `strategy` (repeatable), `name`, `fields`/`include_fields`,
/// page paging with totals, or checkpoint paging (`from`, `take`) as the current SDKs ask.
struct ConnectionRoutes {
    let state: ServerState

    func add(to group: RouterGroup<ServerContext>) {
        group.get("connections") { request, context in
            try context.require("read:connections")
            let q = FormParameters(request.uri.query ?? "")
            let selection = try FieldSelection(q)
            let strategies = q.all("strategy")
            let name = q["name"]
            let tenant = state.tenant
            let clients = state.options.clients.keys.sorted()
            let list = try await state.read { try tenant.connections(strategy: nil) }.filter {
                (strategies.isEmpty || strategies.contains($0.strategy)) && (name == nil || $0.name == name)
            }.map { selection.apply(ConnectionView.json($0, clients: clients)) }
            if q["take"] != nil || q["from"] != nil {
                let take = try FieldSelection.integer(q, "take", default: 50, minimum: 1, maximum: 100)
                let from = try FieldSelection.integer(q, "from", default: 0, minimum: 0, maximum: 1_000_000_000)
                let slice = Array(list.dropFirst(from).prefix(take))
                var o: JSONObject = ["connections": .array(slice)]
                if from + slice.count < list.count { o["next"] = .string(String(from + slice.count)) }
                return Reply.json(.object(o))
            }
            let perPage = try FieldSelection.integer(q, "per_page", default: 50, minimum: 1, maximum: 100)
            let page = try FieldSelection.integer(q, "page", default: 0, minimum: 0, maximum: 1_000_000)
            let paged = q["per_page"] != nil || q["page"] != nil
            let slice = paged ? Array(list.dropFirst(page * perPage).prefix(perPage)) : list
            if try FieldSelection.flag(q, "include_totals") == true {
                return Reply.json(["start": .int(Int64(page * perPage)), "limit": .int(Int64(perPage)), "total": .int(Int64(list.count)), "connections": .array(slice)])
            }
            return Reply.json(.array(slice))
        }
    }
}
