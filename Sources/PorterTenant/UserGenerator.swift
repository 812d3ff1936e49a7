import PorterRandom
import PorterJSON

/// Seeded, realistic Auth0-shaped user profiles: for `porter tenant seed`, demos and benchmarks.
public enum UserGenerator {
    typealias Rng = SplitMix64

    static let first = ["Ada", "Grace", "Alan", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Edsger", "Zoë", "José"]
    static let last = ["Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "O'Brien"]
    static let domains = ["acme.com", "example.org", "globex.io", "initech.net", "gmail.com"]
    static let plans = ["free", "pro", "team", "enterprise"]

    static func date(_ r: inout Rng) -> String {
        let y = 2015 + r.below(11), m = 1 + r.below(12), d = 1 + r.below(28)
        func p(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(y)-\(p(m))-\(p(d))T\(p(r.below(24))):\(p(r.below(60))):\(p(r.below(60))).\(100 + r.below(900))Z"
    }

    public static func make(_ count: Int, seed: UInt64 = 1, offset: Int = 0) -> [JSON] {
        var r = Rng(state: seed)
        var out: [JSON] = []
        out.reserveCapacity(count)
        for i in offset..<(offset + count) {
            let f = first[r.below(first.count)], l = last[r.below(last.count)]
            let domain = domains[r.below(domains.count)]
            let id = String(r.next(), radix: 16)
            let created = date(&r)
            var u: JSONObject = [
                "user_id": .string("auth0|" + id),
                "email": .string("\(f).\(l).\(i)@\(domain)".lowercased()),
                "email_verified": .bool(r.chance(percent: 70)),
                "name": .string("\(f) \(l)"),
                "given_name": .string(f),
                "family_name": .string(l),
                "nickname": .string(f.lowercased()),
                "picture": .string("https://s.gravatar.com/avatar/\(id)?s=480"),
                "identities": [["connection": "Username-Password-Authentication", "provider": "auth0", "user_id": .string(id), "isSocial": false]],
                "created_at": .string(created),
                "updated_at": .string(created),
                "logins_count": .int(Int64(r.below(500))),
            ]
            if r.chance(percent: 85) { u["last_login"] = .string(date(&r)) }
            if r.chance(percent: 60) {
                u["user_metadata"] = ["theme": r.chance(percent: 50) ? "dark" : "light", "consent": ["given": .bool(r.chance(percent: 50))]]
            }
            if r.chance(percent: 70) {
                var app: JSONObject = ["plan": .string(plans[r.below(plans.count)]), "score": .double(Double(r.below(10000)) / 100)]
                if r.chance(percent: 30) { app["name"] = .string("\(f) from \(domain)") }
                u["app_metadata"] = .object(app)
            }
            if r.chance(percent: 5) { u["blocked"] = true }
            out.append(.object(u))
        }
        return out
    }
}

