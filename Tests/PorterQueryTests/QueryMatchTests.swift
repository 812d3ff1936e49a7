import Testing
import PorterJSON
@testable import PorterQuery

@Suite struct QueryMatchTests {
    let user: JSON = [
        "user_id": "auth0|123abc",
        "email": "Ada.Lovelace@Acme.com",
        "name": "Ada Lovelace",
        "nickname": "ada",
        "email_verified": true,
        "blocked": false,
        "logins_count": 42,
        "created_at": "2017-12-05T10:00:00.000Z",
        "last_login": "2024-01-31T23:59:59.999Z",
        "identities": [["connection": "Username-Password-Authentication", "provider": "auth0"]],
        "user_metadata": ["display": ["fontSize": 13, "theme": "Dark"], "tags": ["a", "b"], "empty": [], "none": nil, "obj": [:]],
        "app_metadata": ["plan": "pro", "roles": [["name": "admin"], ["name": "billing"]]],
    ]

    func m(_ q: String) throws -> Bool { try Query.parse(q).matches(user: user) }

    @Test func wholeValueMatching() throws {
        #expect(try !m("user_id:auth0"))
        #expect(try m("user_id:auth0*"))
        #expect(try m("user_id:\"auth0|123abc\""))
        #expect(try m("name:\"Ada Lovelace\""))
        #expect(try !m("name:Ada"))
        #expect(try m("name:*lovelace*"))
    }

    @Test func caseRules() throws {
        #expect(try m("email:ada.lovelace@acme.com"))
        #expect(try m("name:ADA\\ LOVELACE"))
        #expect(try m("user_metadata.display.theme:Dark"))
        #expect(try !m("user_metadata.display.theme:dark"))
        #expect(try !m("user_id:AUTH0*"))
    }

    @Test func arraysSkippedAndSpecialFields() throws {
        #expect(try m("identities.connection:Username-Password-Authentication"))
        #expect(try m("email.domain:acme.com"))
        #expect(try m("app_metadata.roles.name:billing"))
        #expect(try m("user_metadata.tags:b"))
    }

    @Test func existsIgnoresNullAndEmpty() throws {
        #expect(try m("_exists_:user_metadata"))
        #expect(try m("_exists_:user_metadata.display"))
        #expect(try !m("_exists_:user_metadata.empty"))
        #expect(try !m("_exists_:user_metadata.none"))
        #expect(try !m("_exists_:user_metadata.obj"))
        #expect(try !m("_exists_:username"))
        #expect(try m("email:*"))
    }

    @Test func numbersBooleansAndRanges() throws {
        #expect(try m("logins_count:42"))
        #expect(try m("logins_count:42.0"))
        #expect(try m("user_metadata.display.fontSize:13"))
        #expect(try m("email_verified:true"))
        #expect(try !m("blocked:true"))
        #expect(try m("logins_count:[40 TO 42]"))
        #expect(try !m("logins_count:[40 TO 42}"))
        #expect(try m("logins_count:>41"))
        #expect(try !m("logins_count:>42"))
        #expect(try m("logins_count:<=42"))
    }

    @Test func partialDates() throws {
        #expect(try m("created_at:[* TO 2017-12]"))
        #expect(try !m("created_at:[* TO 2017-12}"))
        #expect(try m("created_at:[2017-12 TO 2017-12]"))
        #expect(try !m("created_at:{2017-12 TO *]"))
        #expect(try m("created_at:[2017 TO 2017]"))
        #expect(try m("last_login:[* TO 2024-01-31]"))
        #expect(try !m("last_login:[* TO 2024-01-30]"))
        #expect(try m("created_at:>=2017-12-05"))
        #expect(try !m("created_at:>2017-12-05"))
    }

    @Test func bareTermsSearchProfileFieldsNotMetadata() throws {
        #expect(try m("ada"))
        #expect(try m("Ada*"))
        #expect(try !m("pro"))
        #expect(try !m("Dark"))
    }

    @Test func booleanSemantics() throws {
        #expect(try m("NOT blocked:true"))
        #expect(try !m("NOT email_verified:true"))
        #expect(try m("nickname:zed OR nickname:ada"))
        #expect(try !m("nickname:zed AND nickname:ada"))
        // a OR b AND c is a +b +c: b and c both required.
        #expect(try !m("nickname:ada OR nickname:zed AND blocked:false"))
        #expect(try m("nickname:zed OR nickname:ada AND blocked:false"))
        #expect(try m("(-nickname:zed)"))
        #expect(try m("nickname:(zed OR ada)"))
    }
}
