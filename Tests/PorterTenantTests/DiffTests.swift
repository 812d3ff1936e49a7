import Foundation
import Testing
import PorterRandom
import PorterFormats
@testable import PorterJobs
import PorterJSON
import PorterQuery
import PorterTenant

/// `diff`'s engine: a tenant against the file it was imported from, edited copies, Auth0's
/// import rules, duplicates and users without a key, and a generative test where random edits
/// of a file are the expected differences.
@Suite struct DiffTests {
    let dir: String = {
        let d = NSTemporaryDirectory() + "porter-diff-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    typealias SplitMix = SplitMix64

    static let names = ["Ada", "Grace", "Alan", "Zoë", "José", "Łukasz", "Mégane", "Linus"]

    /// An import-schema user with a unique email and user_id; optional attributes at random.
    static func user(_ i: Int, _ r: inout SplitMix) -> JSONObject {
        var o: JSONObject = [:]
        let local = r.chance(0.2) ? "User.\(i)" : "user.\(i)"
        o["email"] = .string("\(local)@\(r.pick(["acme.com", "example.org", "Globex.io"]))")
        o["user_id"] = .string("id\(i)")
        if r.chance(0.7) { o["email_verified"] = .bool(r.chance(0.5)) }
        for f in ["given_name", "family_name", "name", "nickname"] where r.chance(0.6) { o[f] = .string(r.pick(names) + " \(r.int(100))") }
        if r.chance(0.3) { o["picture"] = .string("https://example.org/\(i).png") }
        if r.chance(0.1) { o["blocked"] = .bool(r.chance(0.5)) }
        if r.chance(0.6) {
            var m: JSONObject = ["theme": .string(r.pick(["dark", "light"]))]
            if r.chance(0.5) { m["prefs"] = ["lang": .string(r.pick(["en", "fr", "ja"])), "size": .int(Int64(r.int(20)))] }
            if r.chance(0.3) { m["tags"] = .array([.string("a"), .int(Int64(r.int(5)))]) }
            o["user_metadata"] = .object(m)
        }
        if r.chance(0.5) { o["app_metadata"] = ["plan": .string(r.pick(["free", "pro"])), "score": .double(Double(r.int(1000)) / 10)] }
        return o
    }

    func write(_ users: [JSON], _ name: String, ndjson: Bool = false) throws -> String {
        let path = dir + "/" + name
        let text = ndjson ? users.map { $0.serialized() + "\n" }.joined() : JSON.array(users).serialized(pretty: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func importedTenant(_ file: String, name: String) throws -> LocalTenant {
        let t = try LocalTenant(path: dir + "/" + name + ".sqlite")
        let job = try t.runImport(file: file, options: ImportOptions(connectionID: t.connections()[0].id), progress: nil)
        #expect(job.summary?.failed == 0, "\(String(describing: job.summary))")
        return t
    }

    func run(_ source: DiffSide, _ tenant: DiffSide, key: DiffKey, budget: Int = 32 << 20, concurrent: Bool = true) throws -> (DiffSummary, [UserDifference]) {
        var engine = UserDiff(key: key)
        engine.scratchDirectory = dir
        engine.memoryBudget = budget
        engine.concurrent = concurrent
        var out: [UserDifference] = []
        let s = try engine.run(source: source, tenant: tenant) { out.append($0) }
        return (s, out)
    }

    func tenantSide(_ t: LocalTenant, _ key: DiffKey) -> DiffSide {
        .tenant(t, connection: LocalTenant.defaultConnection, name: "the tenant", scratchDirectory: dir)
    }

    static func array(_ users: [JSON]) -> DiffSide { DiffSide(name: "users") { body in for u in users { try body(u) } } }

    /// "kind key side field", for comparing sets of differences.
    static func line(_ d: UserDifference) -> String {
        [d.kind.rawValue, d.key, d.side?.rawValue ?? "", d.field ?? ""].joined(separator: " ")
    }

    @Test func aTenantImportedFromAFileDiffsCleanAgainstIt() throws {
        var r = SplitMix(state: 1)
        let users = (0..<400).map { JSON.object(Self.user($0, &r)) }
        let file = try write(users, "users.json")
        let t = try importedTenant(file, name: "t")
        for key in DiffKey.allCases {
            for budget in [32 << 20, 8 << 10] {
                let (s, d) = try run(.file(file), tenantSide(t, key), key: key, budget: budget)
                #expect(d.isEmpty, "\(key) \(budget): \(d.prefix(5))")
                #expect(s.identical == 400 && s.sourceUsers == 400 && s.tenantUsers == 400)
                if budget < 1 << 20 { #expect(s.runs > 2, "a small budget sorts on disk") }
            }
        }
        // A porter export of the tenant (profiles, and the import format) diffs clean too.
        for format in [ExportFormat.ndjson, .import] {
            let out = dir + "/export-\(format.rawValue).json"
            _ = try ExportPipeline.run(ExportRequest(query: .everyone, connectionName: nil, columns: [], sort: nil, format: format, path: out), tenant: t)
            for key in DiffKey.allCases {
                let (_, d) = try run(.file(out), tenantSide(t, key), key: key)
                #expect(d.isEmpty, "\(format) \(key): \(d.prefix(5))")
            }
        }
    }

    @Test func editedCopiesGiveExactlyThoseDifferences() throws {
        var r = SplitMix(state: 2)
        var users = (0..<50).map { Self.user($0, &r) }
        users[3]["email_verified"] = true
        let t = try importedTenant(try write(users.map(JSON.object), "base.json"), name: "t")
        var edited = users
        edited.remove(at: 1)                                                  // user 1: only in the tenant
        edited.append(["email": "new@acme.com", "user_id": "id999"])          // missing from the tenant
        if let i = edited.firstIndex(where: { $0["user_id"] == "id2" }) { edited[i]["name"] = "Renamed" }
        if let i = edited.firstIndex(where: { $0["user_id"] == "id4" }) {
            edited[i]["user_metadata"] = ["theme": "neon", "prefs": ["lang": "fr"]]   // replaced whole
        }
        if let i = edited.firstIndex(where: { $0["user_id"] == "id3" }) { edited[i]["email"] = "moved@acme.com" }
        let file = try write(edited.map(JSON.object), "edited.ndjson", ndjson: true)
        let old1 = users[1]["email"]!.stringValue!.lowercased(), old3 = users[3]["email"]!.stringValue!.lowercased()
        let meta4 = users[4]["user_metadata"]?.objectValue ?? [:]
        var metaPaths = Set<String>()
        let newMeta: JSONObject = ["theme": "neon", "prefs": ["lang": "fr"]]
        for k in Set(meta4.keys).union(newMeta.keys) where meta4[k] != newMeta[k] {
            if case .object(let a)? = meta4[k], case .object(let b)? = newMeta[k] {
                for kk in Set(a.keys).union(b.keys) where a[kk] != b[kk] { metaPaths.insert("user_metadata.\(k).\(kk)") }
            } else {
                metaPaths.insert("user_metadata.\(k)")
            }
        }
        let email2 = users[2]["email"]!.stringValue!.lowercased(), email4 = users[4]["email"]!.stringValue!.lowercased()
        var byEmail: Set<String> = ["extra \(old1) tenant ", "missing new@acme.com source ", "changed \(email2)  name",
                                    "missing moved@acme.com source ", "extra \(old3) tenant "]
        for p in metaPaths { byEmail.insert("changed \(email4)  \(p)") }
        let (s, d) = try run(.file(file), tenantSide(t, .email), key: .email)
        #expect(Set(d.map(Self.line)) == byEmail && d.count == byEmail.count, "\(d.map(Self.line))")
        #expect(s.missing == 2 && s.extra == 2 && s.changed == 2 && s.identical == 46)

        // By user_id the moved email is a change of that user (its email_verified, true in the
        // file, stays: no second difference).
        var byID: Set<String> = ["extra id1 tenant ", "missing id999 source ", "changed id2  name", "changed id3  email"]
        for p in metaPaths { byID.insert("changed id4  \(p)") }
        let (_, d2) = try run(.file(file), tenantSide(t, .userID), key: .userID)
        #expect(Set(d2.map(Self.line)) == byID && d2.count == byID.count, "\(d2.map(Self.line))")
        let moved = try #require(d2.first { $0.field == "email" })
        #expect(moved.source == "moved@acme.com" && moved.tenant == .string(old3))
    }

    @Test func importRules() {
        let profile: JSON = ["user_id": "auth0|a1", "email": "ada@acme.com", "email_verified": true, "name": "Ada", "nickname": "ada",
                             "identities": [["connection": "db", "provider": "auth0", "user_id": "a1"]], "created_at": "2024-01-01T00:00:00.000Z",
                             "updated_at": "2024-01-02T00:00:00.000Z", "logins_count": 3, "last_login": "2024-01-03T00:00:00.000Z",
                             "user_metadata": ["a": ["b": 1, "c": [1, 2]], "d": "x"]]
        func fields(_ s: JSON, _ t: JSON = profile) -> [String] { UserComparison.differences(source: s, tenant: t).map(\.field) }
        // An import record: what it omits is the tenant's; the email without case; the hash not comparable.
        #expect(fields(["email": "ADA@acme.com", "user_id": "other", "password_hash": "$2b$10$x", "custom_password_hash": ["algorithm": "md5"]]) == [])
        #expect(fields(["email": "ada@acme.com", "name": "Ada L."]) == ["name"])
        #expect(fields(["email": "ada@acme.com", "email_verified": false]) == ["email_verified"])
        #expect(fields(["email": "ada@acme.com", "email_verified": true]) == [])
        // A moved email: email_verified false unless the source says true.
        #expect(fields(["email": "ada@new.com"]) == ["email", "email_verified"])
        #expect(UserComparison.differences(source: ["email": "ada@new.com"], tenant: profile).last?.note?.contains("unless the source says true") == true)
        #expect(fields(["email": "ada@new.com", "email_verified": true]) == ["email"])
        // Metadata is replaced, not merged: every path that differs, nested ones too.
        #expect(fields(["email": "ada@acme.com", "user_metadata": ["a": ["b": 2, "c": [1, 2]]]]) == ["user_metadata.a.b", "user_metadata.d"])
        #expect(fields(["email": "ada@acme.com", "user_metadata": ["a": ["b": 1, "c": [2, 1]], "d": "x", "e": nil]]) == ["user_metadata.a.c", "user_metadata.e"])
        #expect(fields(["email": "ada@acme.com", "app_metadata": [:]]) == [], "absent and empty metadata are the same")
        // A profile (another tenant, an export) is complete: what it lacks is a difference;
        // tenant-managed attributes never are.
        var other = profile.objectValue!
        other["name"] = nil
        other["created_at"] = "2020-01-01T00:00:00.000Z"
        other["logins_count"] = 0
        other["identities"] = []
        other["user_id"] = "auth0|zzz"
        other["last_ip"] = "10.0.0.1"
        #expect(fields(.object(other)) == ["name"])
        // Depth is bounded: a deep difference is reported at the limit, not by unbounded recursion.
        var deepA: JSON = 1, deepB: JSON = 2
        for _ in 0..<300 { deepA = ["k": deepA]; deepB = ["k": deepB] }
        let deep = UserComparison.differences(source: ["email": "ada@acme.com", "user_metadata": deepA], tenant: ["email": "ada@acme.com", "user_metadata": deepB])
        #expect(deep.count == 1 && deep[0].field.split(separator: ".").count == UserComparison.maxPathDepth + 1)
    }

    @Test func duplicateKeysAndUsersWithoutOneAreReported() throws {
        let source: [JSON] = [["email": "a@x.com", "user_id": "1"], ["email": "A@x.com", "user_id": "2"], ["user_id": "3"], 42,
                              ["email": "b@x.com", "user_id": "4"]]
        let tenant: [JSON] = [["email": "a@x.com", "user_id": "auth0|1", "created_at": "t"], ["email": "b@x.com", "user_id": "auth0|4", "created_at": "t"],
                              ["email": "b@x.com", "user_id": "auth0|5", "created_at": "t"], ["email": "c@x.com", "user_id": "auth0|6", "created_at": "t"]]
        for budget in [1 << 20, 64] {
            let (s, d) = try run(Self.array(source), Self.array(tenant), key: .email, budget: budget)
            #expect(Set(d.map(Self.line)) == ["duplicate a@x.com source ", "duplicate b@x.com tenant ", "unkeyed  source ", "extra c@x.com tenant "], "\(d.map(Self.line))")
            #expect(d.filter { $0.kind == .unkeyed }.map { $0.count } == [3, 4], "positions of the users without an email")
            #expect(d.first { $0.kind == .duplicate && $0.side == .source }?.count == 2)
            #expect(s.duplicates == 2 && s.unkeyed == 2 && s.extra == 1 && s.identical == 0)
        }
        // By user_id (auth0| stripped), the same users match one to one.
        let (_, d) = try run(Self.array(source), Self.array(tenant), key: .userID)
        #expect(Set(d.map(Self.line)) == ["missing 2 source ", "missing 3 source ", "unkeyed  source ", "extra 5 tenant ", "extra 6 tenant "], "\(d.map(Self.line))")
    }

    /// The key read from JSON text without parsing it is the key of the parsed user.
    @Test func keysFromTextAreTheKeysOfTheParsedUsers() throws {
        var r = SplitMix(state: 3)
        let pieces = ["a", "B", "é", "É", "auth0|", "|", "@", "x.com", "\\u0041", "\\\"", "İ", " "]
        for key in DiffKey.allCases {
            var reader = DiffKeyReader(key)
            for _ in 0..<2000 {
                let value: String
                switch r.int(6) {
                case 0: value = "null"
                case 1: value = "42"
                case 2: value = "[\"a\"]"
                default: value = "\"" + (0..<r.int(6)).map { _ in r.pick(pieces) }.joined() + "\""
                }
                let text = r.chance(0.2) ? "{\"name\":\"x\"}" : "{\"name\":\"x\",\"\(key.rawValue)\":\(value),\"z\":1}"
                let parsed = try JSON.parse(text)
                let fromText = try Array(text.utf8).withUnsafeBytes { try reader.of(text: $0) }
                #expect(fromText == key.of(parsed), "\(key) \(text)")
            }
        }
    }

    @Test func aSideClaimedInOrderThatIsNotIsAnError() throws {
        let users: [JSON] = [["email": "b@x.com"], ["email": "a@x.com"]]
        let side = DiffSide(name: "the odd side", inKeyOrder: true) { body in for u in users { try body(u) } }
        #expect { try run(Self.array(users), side, key: .email) } throws: { "\($0)".contains("the odd side is not in email order") }
    }

    @Test func cancellingStopsTheDiffAndLeavesNoSortRunsBehind() throws {
        let users = (0..<6000).map { JSON.object(["email": .string("u\($0)@x.com"), "name": .string(String(repeating: "n", count: 50))]) }
        var engine = UserDiff(key: .email)
        let scratch = dir + "/scratch"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        engine.scratchDirectory = scratch
        engine.memoryBudget = 16 << 10
        var seen = 0
        engine.progress = { seen = $0.done }
        engine.isCancelled = { seen >= 8192 }
        #expect(throws: Cancelled.self) { try engine.run(source: Self.array(users), tenant: Self.array(users.reversed())) { _ in } }
        #expect(seen >= 8192, "cancelled while sorting the second side")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty, "sort runs are removed")
    }

    /// Random users imported into a tenant, a copy of the file edited at random with each edit's
    /// expected differences recorded: the diff reports exactly the recorded set, by either key,
    /// in memory or through sort runs on disk.
    @Test func randomEditsAreExactlyTheDifferences() throws {
        var r = SplitMix(state: 20260601)
        var checked = 0, expectedTotal = 0
        // 40 tenants, each diffed against 5 differently edited copies of its file.
        var base: [JSONObject] = [], t: LocalTenant?, n = 0
        for c in 0..<200 {
            if c % 5 == 0 {
                n = 1 + r.int(25)
                base = (0..<n).map { Self.user($0, &r) }
                t = try importedTenant(try write(base.map(JSON.object), "base-\(c).json"), name: "t-\(c)")
            }
            let key = r.pick(DiffKey.allCases)
            func k(_ u: JSONObject) -> String { key == .email ? u["email"]!.stringValue!.lowercased() : u["user_id"]!.stringValue! }
            var source = base
            var removed = Set<Int>()
            var expected: [String] = []
            var next = n
            for i in 0..<n where r.chance(0.5) {
                var u = source[i]
                let tenantVerified = base[i]["email_verified"]?.boolValue ?? false
                switch r.int(12) {
                case 0:
                    removed.insert(i)
                    expected.append("extra \(k(u)) tenant ")
                case 1:
                    let f = r.pick(["given_name", "family_name", "name", "nickname", "picture"])
                    u[f] = .string("changed \(r.int(1000))")
                    expected.append("changed \(k(u))  \(f)")
                case 2:
                    // Omitted attributes are the tenant's: no difference.
                    for f in ["given_name", "name", "user_metadata", "email_verified", "blocked"] where r.chance(0.5) { u[f] = nil }
                case 3:
                    if case .object(var m)? = u["user_metadata"] {
                        m["theme"] = "neon"
                        u["user_metadata"] = .object(m)
                    } else {
                        u["user_metadata"] = ["theme": "neon"]
                    }
                    expected.append("changed \(k(u))  user_metadata.theme")
                case 4:
                    if case .object(var m)? = u["user_metadata"], m["prefs"] != nil {
                        m["prefs"] = ["lang": "xx", "size": m["prefs"]!["size"]!]
                        u["user_metadata"] = .object(m)
                        expected.append("changed \(k(u))  user_metadata.prefs.lang")
                    } else if case .object(var m)? = u["user_metadata"] {
                        m["theme"] = nil  // replaced, not merged: the tenant's theme is a difference
                        u["user_metadata"] = .object(m)
                        expected.append("changed \(k(u))  user_metadata.theme")
                    }
                case 5:
                    u["app_metadata"] = ["plan": "gold"]
                    let before = base[i]["app_metadata"]?.objectValue ?? [:]
                    expected.append("changed \(k(u))  app_metadata.plan")
                    if before["score"] != nil { expected.append("changed \(k(u))  app_metadata.score") }
                case 6:
                    let old = k(u)
                    u["email"] = .string("moved.\(i)@new.org")
                    if key == .email {
                        expected += ["extra \(old) tenant ", "missing moved.\(i)@new.org source "]
                    } else {
                        expected.append("changed \(old)  email")
                        let said = u["email_verified"]?.boolValue
                        if (said ?? false) != tenantVerified && !(said == nil && !tenantVerified) { expected.append("changed \(old)  email_verified") }
                    }
                case 7:
                    u["email"] = .string(u["email"]!.stringValue!.uppercased())  // the same email
                case 8:
                    u["blocked"] = .bool(!(base[i]["blocked"]?.boolValue ?? false))
                    expected.append("changed \(k(u))  blocked")
                case 9:
                    u["email_verified"] = .bool(!tenantVerified)
                    expected.append("changed \(k(u))  email_verified")
                case 10:
                    source.append(u)  // the same user twice in the source
                    expected.append("duplicate \(k(u)) source ")
                default:
                    let old = k(u)
                    u[key == .email ? "email" : "user_id"] = nil
                    expected += ["unkeyed  source ", "extra \(old) tenant "]
                }
                source[i] = u
            }
            if r.chance(0.5) {
                source.append(["email": .string("added.\(next)@acme.com"), "user_id": .string("id\(next)"), "name": "New"])
                expected.append("missing \(key == .email ? "added.\(next)@acme.com" : "id\(next)") source ")
                next += 1
            }
            var edited = source.enumerated().filter { !removed.contains($0.offset) }.map { JSON.object($0.element) }
            // Any order: the diff sorts.
            for j in stride(from: edited.count - 1, to: 0, by: -1) { edited.swapAt(j, r.int(j + 1)) }
            let file = try write(edited, "edited-\(c).json", ndjson: r.chance(0.5))
            let budget = r.chance(0.5) ? 32 << 20 : 200 + r.int(2000)
            let (_, d) = try run(.file(file), tenantSide(t!, key), key: key, budget: budget)
            #expect(d.map(Self.line).sorted() == expected.sorted(), "case \(c), key \(key.rawValue), budget \(budget)")
            // One thread or two: the same report, line for line.
            let (_, one) = try run(.file(file), tenantSide(t!, key), key: key, budget: budget, concurrent: false)
            #expect(one == d, "case \(c): the sequential diff reports the same lines in the same order")
            checked += 1
            expectedTotal += expected.count
        }
        #expect(checked == 200 && expectedTotal > 300, "\(expectedTotal) expected differences over \(checked) cases")
    }

    /// Users without the key, past what is kept in memory (a scratch file then), on the side
    /// read on the other thread and on the caller's: reported in order, the source's first,
    /// with their positions, the scratch file removed.
    @Test func usersWithoutTheKeyKeepTheirOrderPastTheMemoryLimit() throws {
        let n = UnkeyedLog.memoryLimit + 900
        var source: [JSON] = (0..<n).map { .object(["user_id": .string("s\($0)"), "name": "x"]) }
        source.insert(["email": "a@x.com"], at: 10)
        let file = try write(source, "unkeyed.ndjson", ndjson: true)
        let tenant: [JSON] = [["user_id": "auth0|t1"], ["email": "a@x.com", "created_at": "t"], ["user_id": "auth0|t2"]]
        let scratch = dir + "/unkeyed-scratch"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        for concurrent in [true, false] {
            var engine = UserDiff(key: .email)
            engine.scratchDirectory = scratch
            engine.concurrent = concurrent
            var out: [UserDifference] = []
            let s = try engine.run(source: .file(file), tenant: Self.array(tenant)) { out.append($0) }
            let unkeyed = out.filter { $0.kind == .unkeyed }
            #expect(unkeyed.count == n + 2 && s.unkeyed == n + 2 && s.identical == 1)
            #expect(unkeyed.prefix(n).map { $0.side } == Array(repeating: .source, count: n))
            #expect(unkeyed.prefix(n).map { $0.count ?? 0 } == Array(1...10) + Array(12...(n + 1)), "source positions, the keyed user (11) skipped")
            #expect(unkeyed[0].note == "no email (user_id s0)" && unkeyed[n].note == "no email (user_id auth0|t1)")
            #expect(unkeyed.suffix(2).map { "\($0.side!.rawValue) \($0.count!)" } == ["tenant 1", "tenant 3"])
            #expect(out.firstIndex { $0.kind == .unkeyed } == 0, "users without the key come first, before the merge's lines")
            #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty, "the scratch file is removed")
        }
    }

    /// The progress of a diff: reading, then comparing with the total of both sides, which is
    /// what the summary counts; while reading, a total only when both sides count themselves.
    @Test func progressEndsComparingWithTheTotalOfBothSides() throws {
        var r = SplitMix(state: 9)
        let users = (0..<3000).map { Self.user($0, &r) }
        let file = try write(users.map(JSON.object), "progress.ndjson", ndjson: true)
        let t = try importedTenant(file, name: "progress")
        let other = try importedTenant(try write(users.prefix(2500).map(JSON.object), "progress-other.json"), name: "progress-other")
        for (source, readingTotal) in [(DiffSide.file(file), nil as Int?), (tenantSide(other, .email), 5500)] {
            for concurrent in [true, false] {
                var engine = UserDiff(key: .email)
                engine.scratchDirectory = dir
                engine.memoryBudget = 64 << 10
                engine.concurrent = concurrent
                var seen: [DiffProgress] = []
                engine.progress = { seen.append($0) }
                let s = try engine.run(source: source, tenant: tenantSide(t, .email)) { _ in }
                let total = s.sourceUsers + s.tenantUsers
                let reading = seen.filter { $0.phase == .reading }, comparing = seen.filter { $0.phase == .comparing }
                #expect(!reading.isEmpty && !comparing.isEmpty)
                #expect(reading.allSatisfy { $0.total == readingTotal && $0.done <= total })
                #expect(comparing.allSatisfy { $0.total == total && $0.done <= total }, "\(comparing.map { "\($0.done)/\(String(describing: $0.total))" })")
                #expect(comparing.last!.done > total - 1024, "comparing counts every user of both sides")
                #expect(seen.firstIndex { $0.phase == .comparing }! > seen.lastIndex { $0.phase == .reading }!, "reading, then comparing")
                #expect(zip(comparing, comparing.dropFirst()).allSatisfy { $0.done < $1.done })
            }
        }
    }

}

private extension SplitMix64 {
    mutating func int(_ n: Int) -> Int { below(n) }
    mutating func chance(_ p: Double) -> Bool { Double(next() % 1_000_000) / 1_000_000 < p }
    mutating func pick<T>(_ a: [T]) -> T { a[int(a.count)] }
}
