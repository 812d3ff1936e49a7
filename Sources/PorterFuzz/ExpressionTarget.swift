import PorterJSON
import PorterExpression

/// Parsing and evaluating on a fixed user never crash.
enum ExpressionTarget {
    static func check(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let expression = try? Expression.parse(text) else { return }
        _ = expression.evaluate(user: FixedUser.value)
    }
}

/// One user with every kind of value, for the targets that evaluate against a profile.
enum FixedUser {
    static let value: JSON = (try? JSON.parse("""
    {"user_id":"auth0|1","email":"Ana.Lopez@example.com","email_verified":true,"name":"Ana López",
     "logins_count":42,"created_at":"2024-02-29T12:00:00.000Z","blocked":false,"nickname":null,
     "identities":[{"provider":"auth0","connection":"Username-Password","isSocial":false}],
     "app_metadata":{"plan":"pro","roles":["admin","dev"],"score":3.5,"n":-0.0},
     "user_metadata":{"lang":"es","tags":[],"nested":{"deep":[1,[2,[3]]]}}}
    """)) ?? .null
}
