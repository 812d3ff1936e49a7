import PorterJSON

/// A column expression: a documented subset of JavaScript expressions (LANGUAGE.md), checked
/// when parsed and compiled once to closures.
public struct Expression: Sendable {
    /// Everything, behind one reference: an expression is copied for every cell it fills
    /// (`for e in columns`), and a copy is then one retain, not seven.
    final class Parts: Sendable {
        let source: String
        let compiled: Compiled
        let slotCount: Int
        let limits: ExpressionLimits
        let attributePaths: [String]
        let attributeSteps: [JSONPathStep]?
        /// The same path, read straight from the user's JSON.
        let path: AttributePath?

        init(source: String, compiled: @escaping Compiled, slotCount: Int, limits: ExpressionLimits, attributePaths: [String],
             attributeSteps: [JSONPathStep]?) {
            self.source = source
            self.compiled = compiled
            self.slotCount = slotCount
            self.limits = limits
            self.attributePaths = attributePaths
            self.attributeSteps = attributeSteps
            path = AttributePath(attributeSteps)
        }
    }
    let parts: Parts

    public var source: String { parts.source }
    var compiled: Compiled { parts.compiled }
    var slotCount: Int { parts.slotCount }
    public var limits: ExpressionLimits { parts.limits }
    /// `user.a.b` paths the expression reads (for completion and choosing export fields).
    public var attributePaths: [String] { parts.attributePaths }
    /// When the whole expression is a plain attribute path (`user.email`), that path.
    public var attributePath: String? { attributeSteps.map(Self.pathText) }
    /// The same path as steps (`identities`, 0, `connection`): what a reader that picks values
    /// out of JSON text without parsing it all needs (the CSV export's fast path).
    public var attributeSteps: [JSONPathStep]? { parts.attributeSteps }

    /// Parses, checks (names, methods, arity) and compiles. Errors carry the character range.
    /// `freeName` is the one free name: `user` for columns, `row` for import maps.
    public static func parse(_ source: String, limits: ExpressionLimits = .init(), freeName: String = "user") throws(ExpressionError) -> Expression {
        let chars = Array(source)
        guard chars.count <= Limits.maxSourceLength else {
            throw ExpressionError("the expression is longer than \(Limits.maxSourceLength) characters", 0..<1)
        }
        var scanner = Scanner(chars)
        let tokens = try scanner.tokens()
        var parser = Parser(chars: chars, tokens: tokens)
        parser.freeName = freeName
        let root = try parser.parseTop()
        let compiled = try Compiler().compile(root)
        var paths: [String] = []
        collectPaths(root, into: &paths)
        var seen = Set<String>()
        let steps = plainSteps(root).flatMap { $0.isEmpty ? nil : $0 }
        return Expression(parts: Parts(source: source, compiled: compiled, slotCount: parser.slotCount, limits: limits,
                                       attributePaths: paths.filter { seen.insert($0).inserted }, attributeSteps: steps))
    }

    /// Evaluates against one user. A runtime error (a TypeError in JavaScript) is a value, so one
    /// bad user does not stop an export.
    public func evaluate(user: JSON) -> Result<Value, ExpressionError> {
        // A plain attribute path the data has needs no context (most columns, most users).
        let parts = self.parts
        if let path = parts.path, let v = path.value(in: user) { return .success(v) }
        let ctx = Context(user: Value(user), slotCount: parts.slotCount, limits: parts.limits)
        do {
            let v = try parts.compiled(ctx)
            switch v {
            case .array, .object: try Self.checkCell(v, ctx)
            default: break
            }
            return .success(v)
        } catch {
            switch error {
            case .error(let message, let range): return .failure(ExpressionError(message, range))
            case .shortCircuit: return .success(.undefined)
            }
        }
    }

    /// A built array or object result must fit a cell: nested at most `Limits.maxDepth` deep and,
    /// counting shared parts each time they appear, no larger than the allocation budget.
    static func checkCell(_ v: Value, _ ctx: Context) throws(Failure) {
        try checkNesting(v, ctx, 0..<1, countingSteps: false) { "RangeError: the value is too large for a cell (more than \($0) elements)" }
    }

    /// Walks the arrays and objects inside `v` without recursion: at most `Limits.maxDepth`
    /// deep and, counting shared parts each time they appear ([a, a] doubled), at most the
    /// allocation budget of elements (`tooLarge` words the error); with `countingSteps`, the
    /// elements read are counted against the step budget.
    static func checkNesting(_ v: Value, _ ctx: Context, _ range: Range<Int>, countingSteps: Bool,
                             tooLarge: (Int) -> String) throws(Failure) {
        var stack: [(Value, Int)] = [(v, 1)]
        var visited = 0
        defer { if countingSteps { ctx.scanned(visited, range) } }
        while let (top, depth) = stack.popLast() {
            if depth > Limits.maxDepth { throw ctx.tooDeep(range) }
            switch top {
            case .array(let a):
                visited += a.count
                for e in a { switch e { case .array, .object: stack.append((e, depth + 1)); default: break } }
            case .object(let o):
                visited += o.values.count
                for e in o.values { switch e { case .array, .object: stack.append((e, depth + 1)); default: break } }
            default: break
            }
            if visited > ctx.limits.maxAllocation { throw Failure.error(tooLarge(ctx.limits.maxAllocation), range) }
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
            return plainSteps(o).map { $0 + [.index(JSInteger.clamp(d, 0, 1_000_000_000))] }
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
        case .binary, .logical:
            // Down the left spine in a loop (chains can be long), right operands in order.
            var rights: [Node] = []
            var cur = n
            while true {
                switch cur.expr {
                case .binary(_, let l, let r), .logical(_, let l, let r): rights.append(r); cur = l; continue
                default: break
                }
                break
            }
            collectPaths(cur, into: &out)
            for r in rights.reversed() { collectPaths(r, into: &out) }
        case .conditional(let a, let b, let c): collectPaths(a, into: &out); collectPaths(b, into: &out); collectPaths(c, into: &out)
        case .arrow(_, let b): collectPaths(b, into: &out)
        case .newDate(let a): a.forEach { collectPaths($0, into: &out) }
        default: break
        }
    }
}

/// How a value lands in a cell: one rule for preview, eval, CSV, JSON and NDJSON (LANGUAGE.md).
/// `Cell.json` decides the cell; its text (CSV, tables) is derived from that JSON value, so the
/// writers cannot disagree:
/// - strings as they are; numbers as JavaScript prints them; booleans `true`/`false`;
/// - `NaN`, `Infinity`, `-Infinity` and an invalid date as the text JavaScript prints (`"NaN"`,
///   `"Invalid Date"`), never as an empty or null cell that would look like a missing value;
/// - valid dates as ISO 8601 text;
/// - arrays and objects as `JSON.stringify` prints them in CSV, as the same structure in JSON,
///   integer-like keys first in ascending order, then the others in insertion order;
/// - `null` → null (empty in CSV), `undefined` → no value (empty in CSV, null in JSON).
public enum Cell {
    /// The cell as a JSON value; `nil` for undefined.
    public static func json(_ v: Value) -> JSON? {
        switch v {
        case .undefined, .function: return nil
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let d):
            if !d.isFinite { return .string(NumberFormat.string(d)) }
            if let i = JSInteger.exactSafe(d), abs(d) < 1e15 { return .int(i) }
            return .double(d)
        // A UTF-8 cell holds U+FFFD for each unpaired surrogate (what node writes).
        case .string(let s): return .string(s.text)
        case .date(let t): return .string(t.isFinite ? DateFormat.iso(t) : "Invalid Date")
        case .json(let j): return ordered(j)
        case .array(let a): return .array(a.map { element($0) })
        case .object(let o):
            var out = JSONObject()
            for (k, val) in Builtins.orderKeys(Array(zip(o.keys, o.values))) {
                if case .undefined = val { continue }
                if case .function = val { continue }
                out[k.text] = element(val)
            }
            return .object(out)
        }
    }

    /// A value inside an array or object cell: as JSON.stringify writes it (NaN → null).
    static func element(_ v: Value) -> JSON {
        switch v {
        case .undefined, .function: return .null
        case .number(let d) where !d.isFinite: return .null
        case .date(let t) where !t.isFinite: return .null
        default: return json(v) ?? .null
        }
    }

    /// User data with integer-like keys moved first, as JavaScript orders them (copied only when needed).
    static func ordered(_ j: JSON) -> JSON {
        switch j {
        case .object(let o):
            var needs = false
            var k = 0
            for (key, value) in o {
                if JSInteger.arrayIndex(key) != nil, k > 0 { needs = true; break }
                if case .object = value { needs = true; break }
                if case .array = value { needs = true; break }
                k += 1
            }
            guard needs else { return j }
            var out = JSONObject()
            for (key, value) in Builtins.orderKeys(o.map { (JSString($0.0), Value($0.1)) }) {
                if case .json(let inner) = value { out[key.text] = ordered(inner) } else if let x = json(value) { out[key.text] = x }
            }
            return .object(out)
        case .array(let a):
            guard a.contains(where: { if case .object = $0 { return true }; if case .array = $0 { return true }; return false }) else { return j }
            return .array(a.map(ordered))
        default: return j
        }
    }

    /// The cell's text in CSV (and in tables).
    public static func text(_ v: Value) -> String {
        switch v {
        case .string(let s): return s.text
        case .number, .bool: return v.text
        default: return text(json(v))
        }
    }

    /// The CSV text of a JSON cell value (nil = undefined).
    public static func text(_ j: JSON?) -> String {
        guard let j else { return "" }
        switch j {
        case .null: return ""
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return NumberFormat.string(d)
        case .bool(let b): return b ? "true" : "false"
        case .array, .object: return j.serialized() // as the CSV writer prints it (keys already in JS order)
        }
    }
}

extension Value {
    /// The value as the shell's `eval` shows it: the cell's text, with strings quoted so that
    /// `"NaN"` and NaN, `""` and a missing value stay apart.
    public var display: String {
        switch self {
        case .undefined: return "undefined"
        case .null: return "null"
        case .string(let s): return Stringify.quote(s)
        case .function: return "[Function]"
        default: return Cell.text(self)
        }
    }
}
