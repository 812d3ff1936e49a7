import Testing
import PorterJSON
@testable import PorterQuery

@Suite struct QueryParserTests {
    func canon(_ q: String) throws -> String { try Query.parse(q).description }

    func error(_ q: String) -> QueryError? {
        do { _ = try Query.parse(q); return nil } catch { return error }
    }

    /// The lexer reads ASCII queries as bytes and others as Characters: the same trees, and
    /// error columns counted in Characters either way.
    @Test func asciiAndUnicodeQueriesLexAlike() throws {
        #expect(try canon("name:José AND email:*@acme.com") == canon("name:Jos\u{E9} AND email:*@acme.com"))
        #expect(try canon("name:\"Zoë Ann\"\r\nOR nickname:zo*") == canon("name:\"Zoë Ann\" OR nickname:zo*"))
        #expect(try canon("given_name:ada\r\nAND family_name:lovelace") == canon("given_name:ada AND family_name:lovelace"))
        #expect(try canon("name:a\\:b\u{3000}email:x@y.io") == canon("name:a\\:b email:x@y.io"), "ideographic space separates terms")
        #expect(error("name:José?")?.range == 9..<10)
        #expect(error("name:Jose?")?.range == 9..<10)
        #expect(error("name:é?")?.range == 6..<7)
        // An empty query selects everyone, over the whole text, however it is read.
        if case .all(let range) = try Query.parse("   ").root { #expect(range == 0..<3) } else { Issue.record("not .all") }
        if case .all(let range) = try Query.parse(" \u{3000} ").root { #expect(range == 0..<3) } else { Issue.record("not .all") }
        #expect(try Query.sql("email:ADA@X.IO", target: SQLTarget(searchColumn: "s", indexedColumns: ["email": "email"])).parameters == [.text("ada@x.io")])
    }

    @Test func fieldsTermsAndPhrases() throws {
        #expect(try canon("email:a@b.io") == "email:a@b.io")
        #expect(try canon("name:\"John Doe\"") == "name:\"John Doe\"")
        #expect(try canon("name:John\\ Doe") == "name:John\\ Doe")
        #expect(try canon("user_metadata.display.fontSize:13") == "user_metadata.display.fontSize:13")
        #expect(try canon("identities.connection:\"Username-Password-Authentication\"") == "identities.connection:\"Username-Password-Authentication\"")
        #expect(try canon("email.domain:acme.com") == "email.domain:acme.com")
        #expect(try canon("") == "*:*")
        #expect(try canon("*") == "*:*")
    }

    /// Lucene's classic parser: no precedence (auth0-api.md, "Lucene classic parser semantics").
    @Test func booleanRulesFollowLuceneClassicParser() throws {
        #expect(try canon("a OR b AND c") == "a +b +c")
        #expect(try canon("a AND b") == "+a +b")
        #expect(try canon("a b") == "(a b)", "adjacent terms are one value (Elasticsearch 6+)")
        #expect(try canon("a && b || c") == "+a +b OR c")
        #expect(try canon("NOT blocked:true") == "-blocked:true")
        #expect(try canon("!blocked:true") == "-blocked:true")
        #expect(try canon("a -b +c") == "a -b +c")
        #expect(try canon("a AND NOT b") == "+a -b")
        #expect(try canon("(a OR b) AND c") == "+(a OR b) +c")
        #expect(try canon("name:(john OR jane)") == "name:john OR name:jane")
        #expect(try canon("+name:(john OR jane) -blocked:true") == "+(name:john OR name:jane) -blocked:true")
        #expect(try canon("-a AND b") == "-a +b")
    }

    @Test func rangesAndComparisons() throws {
        #expect(try canon("logins_count:[1 TO 5]") == "logins_count:[\"1\" TO \"5\"]")
        #expect(try canon("logins_count:{1 TO 5]") == "logins_count:{\"1\" TO \"5\"]")
        #expect(try canon("last_login:[* TO 2017-12]") == "last_login:[* TO \"2017-12\"]")
        #expect(try canon("created_at:[2020-01-01T00:00:00.000Z TO *}") == "created_at:[\"2020-01-01T00:00:00.000Z\" TO *]")
        #expect(try canon("logins_count:>=10") == "logins_count:[\"10\" TO *]")
        #expect(try canon("logins_count:<10") == "logins_count:[* TO \"10\"}")
        #expect(try canon("logins_count:[-5 TO 5]") == "logins_count:[\"-5\" TO \"5\"]")
    }

    @Test func existsAndWildcards() throws {
        #expect(try canon("_exists_:user_metadata") == "_exists_:user_metadata")
        #expect(try canon("name:j*") == "name:j*")
        #expect(try canon("name:*usa") == "name:*usa")
        #expect(try canon("name:*ric*") == "name:*ric*")
        #expect(try canon("email:*") == "_exists_:email")
        #expect(try canon("name:a\\*b") == "name:a\\*b")
    }

    @Test func errorsSayWhatWasExpectedAndWhere() {
        #expect(error("name:*sa")?.message.contains("at least 3") == true)
        #expect(error("name:*sa")?.range == 5..<8)
        #expect(error("name:jo?n")?.message.contains("'?' wildcard is not supported") == true)
        #expect(error("name:jo?n")?.range == 7..<8)
        #expect(error("name:john~")?.message.contains("fuzzy") == true)
        #expect(error("name:john^2")?.message.contains("boosting") == true)
        #expect(error("name:/jo.n/")?.message.contains("regular expressions") == true)
        #expect(error("\"unterminated")?.message.contains("unterminated phrase") == true)
        #expect(error("a AND")?.message == "expected a term, phrase, range or group after AND, found the end of the query")
        #expect(error("AND a")?.message == "AND needs a clause before it")
        #expect(error("(a OR b")?.message.contains("expected ')' to close the group opened at column 1") == true)
        #expect(error("a OR b)")?.message.contains("unbalanced ')'") == true)
        #expect(error("a:b:c") != nil)
        #expect(error("logins_count:[1 TO")?.message.contains("expected a range value") == true)
        #expect(error("logins_count:[1 5]")?.message.contains("expected TO") == true)
        #expect(error("user_metadata.plan:pro*")?.message.contains("wildcards are not supported on metadata") == true)
        #expect(error("app_metadata.score:[1 TO 5]")?.message.contains("ranges are not supported on metadata") == true)
        #expect(error("picture:x")?.message.contains("not searchable") == true)
        #expect(error("nmae:x")?.message.contains("not a searchable user field") == true)
        #expect(error("nmae:x")?.range == 0..<4)
        #expect(error("a & b") == nil, "a single & is a term character in Lucene")
        #expect(error("()")?.message.contains("empty group") == true)
    }

    /// Auth0's documented searchable fields (user-search-query-syntax, "Searchable fields": the
    /// table, plus "all the normalized user profile fields") all parse; picture, which the
    /// profile structure marks as not searchable, does not.
    @Test func auth0sDocumentedSearchableFieldsParse() throws {
        let table = ["phone_number:\\+15551234567", "phone_verified:true", "logins_count:[1 TO 5]", "created_at:[2020-01 TO *]", "updated_at:2024-01-01",
                     "last_login:[* TO 2017-12]", "last_ip:\"10.0.0.1\"", "blocked:true", "email.domain:acme.com", "organization_id:org_123"]
        let profile = ["user_id:auth0|1", "email:a@b.co", "email_verified:true", "name:ana", "nickname:an", "given_name:Ana", "family_name:Lee",
                       "username:ana", "identities.connection:Username-Password-Authentication", "app_metadata.plan:pro", "user_metadata.city:Paris"]
        for q in table + profile { #expect(error(q) == nil, "\(q): \(error(q)?.message ?? "")") }
        #expect(Fields.searchOnly.isSubset(of: Fields.searchableRoots))
        #expect(try !Query.parse("organization_id:org_123").matches(user: ["email": "a@b.co"]), "a local user belongs to no organization")
    }

    @Test func explainIsReadable() throws {
        let text = try Query.parse("email.domain:acme.com AND NOT blocked:true").explain()
        #expect(text == """
        group: all MUST clauses, no MUST NOT clause
          MUST email.domain is exactly "acme.com" (case-insensitive)
          MUST NOT blocked is exactly "true" (case-sensitive)
        """)
    }

    @Test func fieldsRead() throws {
        #expect(try Query.parse("email:x AND user_metadata.a:1 OR _exists_:app_metadata").fields == ["email", "user_metadata.a", "app_metadata"])
    }

    /// The classes of difference issue 14 lists, each as Lucene 8 reads it (checked with the reference).
    @Test func issue14Classes() throws {
        #expect(try canon("name:x - name:y") == "name:x OR \\- OR name:y")
        #expect(try canon("name:x ! name:y") == "name:x OR \\! OR name:y")
        #expect(try canon("user_metadata.plan:free!blocked:true") == "user_metadata.plan:free -blocked:true")
        #expect(error("name:alice!") != nil)
        #expect(try canon("name:(true* ~) OR name:a*~2") == "name:true* OR name:a*")
        #expect(error("name:a~2") != nil)
        #expect(try canon("a&&b") == "a\\&\\&b")
        #expect(try canon("name:TO") == "name:\\TO")
        #expect(try canon("&amp") == "\\&amp")
        #expect(try canon("blocked:[* TO *]") == "blocked:[* TO *]")
        #expect(try Query.parse("blocked:[* TO *]").matches(user: ["blocked": false]))
        #expect(try Query.parse("email_verified:[* TO *]").matches(user: ["email_verified": true]))
        #expect(try !Query.parse("email_verified:[* TO *]").matches(user: ["name": "x"]))
        #expect(try canon("*:*") == "*:*")
        #expect(try canon("_exists_:\"username\"") == "_exists_:username")
        #expect(try canon("_exists_:(username)") == "_exists_:username")
        #expect(try canon("name:\\u0041b") == "name:Ab")
        #expect(error("name:\\uZZZZ")?.message.contains("hex") == true)
        // Field groups: adjacent words are one value; explain says so.
        #expect(try canon("name:(alice smith)") == "name:(alice smith)")
        #expect(try Query.parse("name:(alice smith)").matches(user: ["name": "Alice Smith"]))
        #expect(try !Query.parse("name:(alice smith)").matches(user: ["name": "alice"]))
        #expect(try Query.parse("name:(alice smith)").explain().contains("adjacent words are one value"))
        #expect(try canon("name:(alice OR smith)") == "name:alice OR name:smith")
        // Values that need escaping.
        #expect(error("app_metadata.seats:-3")?.message.contains("\\-3") == true)
        #expect(error("phone_number:+15550100")?.message.contains("\\+15550100") == true)
        #expect(error("a:b:c")?.range == 3..<4)
        #expect(error("name:b:c")?.range == 6..<7)
        // Dotted metadata keys are paths, in the matcher as in the search document.
        #expect(try Query.parse("user_metadata.a.b:1").matches(user: ["user_metadata": ["a.b": 1]]))
        #expect(try Query.parse("_exists_:user_metadata.a").matches(user: ["user_metadata": ["a.b": 1]]))
        #expect(error("name\\u0000x:a")?.message.contains("NUL") == true)
    }

    /// Depth and size limits: clear errors, never a crash.
    @Test func limits() throws {
        let deep = String(repeating: "(", count: 14000) + "a" + String(repeating: ")", count: 14000)
        #expect(error(deep)?.message.contains("256 levels") == true)
        let ok = String(repeating: "(", count: 255) + "name:a" + String(repeating: ")", count: 255)
        #expect(try Query.parse(ok).matches(user: ["name": "a"]))
        var nested = "name:a"
        for _ in 0..<20 { nested = "(name:b OR \(nested))" }
        #expect(try Query.parse(nested).matches(user: ["name": "a"]))
        #expect(error("(name:c OR \(nested))")?.message.contains("boolean groups more than 20 levels") == true)
        let many = (0..<1000).map { "name:n\($0)" }.joined(separator: " OR ")
        let q = try Query.parse(many)
        #expect(q.matches(user: ["name": "n999"]))
        _ = q.sql(target: SQLTarget(searchColumn: "s"))
        _ = q.explain()
        let tooMany = (0..<1100).map { "name:n\($0)" }.joined(separator: " OR ")
        #expect(error(tooMany)?.message.contains("1024 clauses") == true)
        // A wildcard over a long value stays linear.
        let long = String(repeating: "a", count: 200_000)
        #expect(try !Query.parse("name:*aaa*aab*").matches(user: ["name": .string(long)]))
    }
}
