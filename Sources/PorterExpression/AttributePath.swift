import PorterJSON

/// A plain attribute path (`user.email`, `user.identities[0].connection`) read straight out of
/// the user's JSON: the hot path of nearly every column, with no closures or context. It answers
/// only when every step finds a member or element the data has; anything else (a missing
/// attribute, `length`, a prototype method, a TypeError on null) is left to the compiled
/// expression, which decides it as JavaScript does.
struct AttributePath: Sendable {
    enum Step: Sendable {
        /// A member, and whether its name is ASCII (compared as code units either way).
        case key(String, ascii: Bool)
        case index(Int)
    }
    let steps: [Step]

    init?(_ steps: [JSONPathStep]?) {
        guard let steps, !steps.isEmpty else { return nil }
        self.steps = steps.map {
            switch $0 {
            case .key(let k): return .key(k, ascii: k.utf8.allSatisfy { $0 < 0x80 })
            case .index(let i): return .index(i)
            }
        }
    }

    /// The value at the path, or nil when the compiled expression must decide.
    @inline(__always)
    func value(in user: JSON) -> Value? {
        var cur = user
        for step in steps {
            switch step {
            case .key(let name, let ascii):
                guard case .object(let o) = cur, let v = Value.member(o, name, ascii: ascii) else { return nil }
                cur = v
            case .index(let i):
                guard case .array(let a) = cur, i < a.count else { return nil }
                cur = a[i]
            }
        }
        return Value(cur)
    }

    @inline(__always)
    func value(in user: Value) -> Value? {
        guard case .json(let j) = user else { return nil }
        return value(in: j)
    }
}
