import Testing
import PorterJSON
@testable import PorterExpression

@Suite struct ExpressionUnitTests {
    let user: JSON = ["name": "Ada Lovelace", "email": "ada@acme.com", "logins_count": 3, "identities": [["provider": "auth0"], ["provider": "google"]],
                      "app_metadata": ["plan": "pro"], "created_at": "2017-12-05T10:00:00.000Z"]

    func eval(_ s: String) throws -> String { represent(try PorterExpression.Expression.parse(s).evaluate(user: user)) }

    func parseError(_ s: String) -> ExpressionError? {
        do { _ = try PorterExpression.Expression.parse(s); return nil } catch { return error }
    }

    @Test func semantics() throws {
        #expect(try eval("user.identities.map(i => i.provider).join(',')") == "string:auth0,google")
        #expect(try eval("0.1 + 0.2") == "number:0.30000000000000004")
        #expect(try eval("1e21") == "number:1e+21")
        #expect(try eval("-0") == "number:-0")
        #expect(try eval("'😀'.length") == "number:2")
        #expect(try eval("user.missing") == "undefined")
        #expect(try eval("user.app_metadata.name || user.name") == "string:Ada Lovelace")
        #expect(try eval("`${user.logins_count} logins`") == "string:3 logins")
        #expect(try eval("user.logins_count == '3'") == "boolean:true")
        #expect(try eval("user.logins_count === '3'") == "boolean:false")
        #expect(try eval("new Date(user.created_at).getTime()") == "number:1512468000000")
    }

    /// Strings are UTF-16 code units: an unpaired surrogate is a value of its own, never U+FFFD.
    @Test func unpairedSurrogatesAreCodeUnits() throws {
        #expect(try eval("'\\uD800'.length") == "number:1")
        #expect(try eval("'\\uD800' === '\\uDC00'") == "boolean:false")
        #expect(try eval("'\\uD800' === '\\uFFFD'") == "boolean:false")
        #expect(try eval("'😀'.slice(0, 1)") == "wtf16:\"\\ud83d\"")
        #expect(try eval("'😀'.charAt(1).charCodeAt(0)") == "number:56832")
        #expect(try eval("'😀'.split('').length") == "number:2")
        #expect(try eval("'😀'.split('')[0] + '😀'.split('')[1] === '😀'") == "boolean:true")
        #expect(try eval("JSON.stringify('a\\uD800')") == "string:\"a\\ud800\"")
        #expect(try eval("'a\\uD800b'.indexOf('\\uD800')") == "number:1")
        #expect(try eval("'a\\uDC00b'.includes('\\uD800')") == "boolean:false")
        #expect(try eval("({'\\uD800': 1})['\\uDC00']") == "undefined")
        #expect(try eval("({'\\uD800': 1})['\\uD800']") == "number:1")
        #expect(try eval("'\\uD800'.toUpperCase().length") == "number:1")
        // A cell is UTF-8: each unpaired surrogate is U+FFFD there (eval shows the escape).
        let v = try PorterExpression.Expression.parse("'a\\uD800'").evaluate(user: user).get()
        #expect(Cell.text(v) == "a\u{FFFD}")
        #expect(v.display == "\"a\\ud800\"")
    }

    @Test func runtimeErrorsAreValuesWithPositions() throws {
        let e = try PorterExpression.Expression.parse("user.missing.length + 1")
        guard case .failure(let err) = e.evaluate(user: user) else { Issue.record("expected a failure"); return }
        #expect(err.message == "TypeError: Cannot read properties of undefined (reading 'length')")
        #expect(err.range.lowerBound == 0)
        #expect(try eval("user.missing?.length") == "undefined")
    }

    @Test func staticChecks() {
        #expect(parseError("foo.bar")?.message.contains("unknown name 'foo'") == true)
        #expect(parseError("foo.bar")?.range == 0..<3)
        #expect(parseError("user.name.toLowerCase(1)")?.message.contains("takes 0 arguments") == true)
        #expect(parseError("user.name.frobnicate()")?.message.contains("unknown method 'frobnicate'") == true)
        #expect(parseError("user.x = 1")?.message.contains("assignment") == true)
        #expect(parseError("this.x")?.message.contains("'this'") == true)
        #expect(parseError("require('fs')")?.message.contains("I/O") == true)
        #expect(parseError("new Date()")?.message.contains("reads the clock") == true)
        #expect(parseError("Date.now()")?.message.contains("not a supported function") == true)
        #expect(parseError("new Map()")?.message.contains("only 'new Date") == true)
        #expect(parseError("x => x")?.message.contains("arrow functions are only supported") == true)
        #expect(parseError("a ?? b || c") != nil)
        #expect(parseError("(user.a) && user.b ?? 1")?.message.contains("cannot be mixed") == true)
        #expect(parseError("user.a ?? (user.b) || 1")?.message.contains("cannot be mixed") == true)
        #expect(parseError("(user.a && user.b) ?? 1") == nil)
        #expect(parseError("(-2) ** 2") == nil)
        #expect(parseError("-2 ** 2")?.message.contains("parentheses") == true)
        #expect(parseError("'unterminated")?.message.contains("unterminated string") == true)
        #expect(parseError("(1 + 2")?.message.contains("expected ')'") == true)
        #expect(parseError("")?.message == "empty expression")
    }

    @Test func sandboxLimits() throws {
        #expect(try eval("'x'.repeat(1e9)") == "error:RangeError")
        #expect(try eval("'x'.padStart(1e9)") == "error:RangeError")
        var limits = ExpressionLimits()
        limits.maxSteps = 1000
        let e = try PorterExpression.Expression.parse("[1,2,3,4,5,6,7,8,9,10].map(a => [1,2,3,4,5,6,7,8,9,10].map(b => [1,2,3,4,5,6,7,8,9,10].map(c => a*b*c)))", limits: limits)
        guard case .failure(let err) = e.evaluate(user: user) else { Issue.record("expected the step budget to stop it"); return }
        #expect(err.message.contains("steps"))
    }

    @Test func cells() throws {
        func cell(_ s: String) throws -> (String, JSON?) {
            let v = try PorterExpression.Expression.parse(s).evaluate(user: user).get()
            return (Cell.text(v), Cell.json(v))
        }
        #expect(try cell("user.name") == ("Ada Lovelace", .string("Ada Lovelace")))
        #expect(try cell("user.logins_count") == ("3", .int(3)))
        #expect(try cell("0.5") == ("0.5", .double(0.5)))
        #expect(try cell("user.missing") == ("", nil))
        #expect(try cell("null") == ("", .null))
        #expect(try cell("true") == ("true", .bool(true)))
        #expect(try cell("user.app_metadata") == ("{\"plan\":\"pro\"}", ["plan": "pro"]))
        #expect(try cell("[1, 'a']") == ("[1,\"a\"]", [1, "a"]))
    }

    @Test func attributePaths() throws {
        let e = try PorterExpression.Expression.parse("user.app_metadata.name || user.name")
        #expect(e.attributePaths == ["app_metadata.name", "name"])
        #expect(try PorterExpression.Expression.parse("user.identities[0].connection").attributePath == "identities[0].connection")
        #expect(e.attributePath == nil)
    }
}
