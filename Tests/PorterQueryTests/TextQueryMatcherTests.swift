import Testing
import PorterRandom
import PorterJSON
@testable import PorterQuery

/// The text matcher (only the query's root attributes parsed) against the whole parsed user:
/// generated users × generated queries, seeded, plus texts the projection cannot read alone.
@Suite struct TextQueryMatcherTests {
    @Test func agreesWithTheParsedUserOnGeneratedQueries() throws {
        var r = Rng(state: 0x7e47)
        let users = (0..<300).map { randomUser(&r, $0) }
        let texts = users.map { Array($0.serialized().utf8) }
        var compared = 0
        for _ in 0..<400 {
            let text = randomQuery(&r)
            guard let query = try? Query.parse(text) else { continue }
            var matcher = TextQueryMatcher(query)
            for (u, bytes) in zip(users, texts) {
                let fast = try bytes.withUnsafeBytes { try matcher.matches($0) }
                #expect(fast == query.matches(user: u), "\(text) on \(u.serialized())")
                compared += 1
            }
        }
        #expect(compared > 50_000, "only \(compared) comparisons: the query generator changed")
    }

    @Test func escapesDuplicatesAndOddTextFallBackOrAgree() throws {
        let cases: [(String, String)] = [
            (#"{"name":"Jos\u00e9 Lovelace","email":"a@acme.com"}"#, #"name:"José Lovelace""#),
            (#"{"email":"a@acme.com","email":"b@globex.io"}"#, "email.domain:globex.io"),
            (#"{ "email_verified" : true , "x":[1,{"email_verified":false}] }"#, "email_verified:true"),
            (#"{"app_metadata":{"plan":"pro","tags":["a","b"]}}"#, "app_metadata.tags:b"),
            (#"{"logins_count":1e1}"#, "logins_count:10"),
            (#"{"user_id":"auth0|1"}"#, "dennis"),
        ]
        for (text, q) in cases {
            let query = try Query.parse(q)
            var matcher = TextQueryMatcher(query)
            let bytes = Array(text.utf8)
            let fast = try bytes.withUnsafeBytes { try matcher.matches($0) }
            #expect(fast == query.matches(user: try JSON.parse(text)), "\(q) on \(text)")
        }
    }
}
