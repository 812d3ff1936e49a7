import PorterJSON

/// A column expression: a documented subset of JavaScript expressions (LANGUAGE.md), checked
/// when parsed and compiled once to closures.
public struct Expression: Sendable {
    public let source: String
    let compiled: Compiled
    let slotCount: Int
    public let limits: ExpressionLimits
    /// `user.a.b` paths the expression reads (for completion and choosing export fields).
    public let attributePaths: [String]
    /// When the whole expression is a plain attribute path (`user.email`), that path.
    public var attributePath: String? { attributeSteps.map(Self.pathText) }
    /// The same path as steps (`identities`, 0, `connection`): what a reader that picks values
    /// out of JSON text without parsing it all needs (the CSV export's fast path).
    public let attributeSteps: [JSONPathStep]?

    /// Parses, checks (names, methods, arity) and compiles. Errors carry the character range.
    public static func parse(_ source: String, limits: ExpressionLimits = .init()) throws(ExpressionError) -> Expression {
        let chars = Array(source)
        var scanner = Scanner(chars)
        let tokens = try scanner.tokens()
        var parser = Parser(chars: chars, tokens: tokens)
        let root = try parser.parseTop()
        let compiled = try Compiler().compile(root)
        var paths: [String] = []
        collectPaths(root, into: &paths)
        var seen = Set<String>()
        let steps = plainSteps(root).flatMap { $0.isEmpty ? nil : $0 }
        return Expression(source: source, compiled: compiled, slotCount: parser.slotCount, limits: limits,
                          attributePaths: paths.filter { seen.insert($0).inserted }, attributeSteps: steps)
    }

    /// Evaluates against one user. A runtime error (a TypeError in JavaScript) is a value, so one
    /// bad user does not stop an export.
    public func evaluate(user: JSON) -> Result<Value, ExpressionError> {
        let ctx = Context(user: Value(user), slotCount: slotCount, limits: limits)
        do {
            return .success(try compiled(ctx))
        } catch {
            switch error {
            case .error(let message, let range): return .failure(ExpressionError(message, range))
            case .shortCircuit: return .success(.undefined)
            }
        }
    }

    /// `user` → [], `user.a[0].b` → [a, 0, b]; nil for anything else.
    static func plainSteps(_ n: Node) -> [JSONPathStep]? {
        switch n.expr {
        case .user: return []
        case .member(let o, let name, false):
            return plainSteps(o).map { $0 + [.key(name)] }
        case .index(let o, let k, false):
            guard case .number(let d) = k.expr, d >= 0, d == d.rounded(), d < 1e9 else { return nil }
            return plainSteps(o).map { $0 + [.index(Int(d))] }
        default: return nil
        }
    }

    static func pathText(_ steps: [JSONPathStep]) -> String {
        var s = ""
        for step in steps {
            switch step {
            case .key(let k): s += s.isEmpty ? k : "." + k
            case .index(let i): s += "[\(i)]"
            }
        }
        return s
    }

    static func collectPaths(_ n: Node, into out: inout [String]) {
        if let steps = plainSteps(n), !steps.isEmpty {
            out.append(pathText(steps))
            return
        }
        switch n.expr {
        case .template(_, let e): e.forEach { collectPaths($0, into: &out) }
        case .array(let e): e.forEach { collectPaths($0, into: &out) }
        case .object(let m): m.forEach { collectPaths($0.value, into: &out) }
        case .member(let o, _, _): collectPaths(o, into: &out)
        case .index(let o, let k, _): collectPaths(o, into: &out); collectPaths(k, into: &out)
        case .call(let c, let a, _): collectPaths(c, into: &out); a.forEach { collectPaths($0, into: &out) }
        case .chain(let i): collectPaths(i, into: &out)
        case .unary(_, let o): collectPaths(o, into: &out)
        case .binary(_, let a, let b), .logical(_, let a, let b): collectPaths(a, into: &out); collectPaths(b, into: &out)
        case .conditional(let a, let b, let c): collectPaths(a, into: &out); collectPaths(b, into: &out); collectPaths(c, into: &out)
        case .arrow(_, let b): collectPaths(b, into: &out)
        case .newDate(let a): a.forEach { collectPaths($0, into: &out) }
        default: break
        }
    }
}

/// How a value lands in a cell, defined once for every writer:
/// strings as they are, numbers as JavaScript prints them, booleans `true`/`false`,
/// `null`/`undefined` empty in CSV and `null` in JSON (undefined: the key is kept, as null),
/// dates as ISO 8601 text, arrays and objects as `JSON.stringify` prints them (in JSON output,
/// as the same structure).
public enum Cell {
    /// The cell as a JSON value; `nil` for undefined.
    public static func json(_ v: Value) -> JSON? {
        switch v {
        case .undefined, .function: return nil
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let d):
            if !d.isFinite { return .null }
            if d == d.rounded(), abs(d) < 9.007199254740992e15 { return .int(Int64(d)) }
            return .double(d)
        case .string(let s): return .string(s)
        case .date(let t): return t.isFinite ? .string(DateFormat.iso(t)) : .null
        case .json(let j): return j
        case .array(let a): return .array(a.map { json($0) ?? .null })
        case .object(let o):
            var out = JSONObject()
            for (k, val) in zip(o.keys, o.values) { if let j = json(val) { out[k] = j } }
            return .object(out)
        }
    }

    /// The cell's text in CSV (and in tables).
    public static func text(_ v: Value) -> String {
        switch v {
        case .undefined, .null, .function: return ""
        case .string(let s): return s
        case .number, .bool: return v.jsString
        case .date(let t): return t.isFinite ? DateFormat.iso(t) : "Invalid Date"
        default: return Stringify.stringify(v) ?? ""
        }
    }

    /// The CSV text of a JSON cell value (nil = undefined).
    public static func text(_ j: JSON?) -> String {
        guard let j else { return "" }
        switch j {
        case .null: return ""
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return JSON.formatNumber(d)
        case .bool(let b): return b ? "true" : "false"
        case .array, .object: return Stringify.json(j, indent: "", current: "")
        }
    }
}

extension Value {
    /// The value as node's `util.inspect`-like display for the shell's `eval` (strings quoted).
    public var display: String {
        switch self {
        case .undefined: return "undefined"
        case .string(let s): return Stringify.quote(s)
        case .date(let t): return t.isFinite ? DateFormat.iso(t) : "Invalid Date"
        case .function: return "[Function]"
        default: return Cell.text(self).isEmpty && !isNullish ? "\"\"" : (isNullish ? "null" : Cell.text(self))
        }
    }
}
