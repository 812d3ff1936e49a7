import Dispatch
import PorterJSON
import Synchronization

/// Limits that keep an expression from running away: the sandbox.
public struct ExpressionLimits: Sendable {
    /// Callback invocations and elements visited by built-ins, per evaluation.
    public var maxSteps: Int = 1_000_000
    /// Longest string an expression may build, in UTF-16 units.
    public var maxStringLength: Int = 1 << 20
    /// Longest array an expression may build.
    public var maxArrayLength: Int = 100_000
    /// Everything an evaluation creates, in string units and array elements together.
    public var maxAllocation: Int = 16 << 20
    /// Wall-clock time of one evaluation, in seconds (checked with the step budget).
    public var maxSeconds: Double = 2
    /// Set from elsewhere (the shell's Ctrl-C) to stop evaluations at their next check.
    public var cancellation: Cancellation? = nil
    public init() {}
}

/// A flag another thread sets to interrupt running evaluations (read every few thousand steps).
public final class Cancellation: Sendable {
    let flag = Atomic<Bool>(false)
    /// Read as well as the flag: a signal handler's flag (the shell's Ctrl-C), which a handler
    /// can set but no Swift code can.
    let poll: (@Sendable () -> Bool)?
    public init(poll: (@Sendable () -> Bool)? = nil) { self.poll = poll }
    public func cancel() { flag.store(true, ordering: .relaxed) }
    public func reset() { flag.store(false, ordering: .relaxed) }
    public var isCancelled: Bool { flag.load(ordering: .relaxed) || poll?() == true }
}

/// Fixed limits of the language (not per run): nesting and sizes of the source.
enum Limits {
    /// Deepest nesting of parentheses, operators, calls, members and values.
    static let maxDepth = 256
    /// Deepest nesting of parentheses, brackets, braces and call arguments: each level is a
    /// dozen parser frames (found by fuzzing: 190 levels overflowed an address-sanitized stack).
    static let maxGroupDepth = 100
    /// Longest expression source, in characters.
    static let maxSourceLength = 1 << 20
    /// Longest string literal, in UTF-16 units.
    static let maxLiteralLength = 1 << 16
}

/// State of one evaluation.
final class Context {
    let user: Value
    var slots: [Value]
    var steps = 0
    var allocated = 0
    let limits: ExpressionLimits

    init(user: Value, slotCount: Int, limits: ExpressionLimits) {
        self.user = user
        self.slots = slotCount == 0 ? [] : Array(repeating: .undefined, count: slotCount)
        self.limits = limits
    }

    @inline(__always)
    func step(_ n: Int = 1, _ range: Range<Int>) throws(Failure) {
        steps &+= n
        if steps > limits.maxSteps {
            throw Failure.error("RangeError: the expression took more than \(limits.maxSteps) steps", range)
        }
        if steps >= nextCheck { try checkClock(range) }
    }

    /// Steps at which the clock and the cancellation flag are read next (every 4096 steps: an
    /// evaluation that never gets there is fast anyway).
    var nextCheck = 4096
    /// When the first check ran (nanoseconds of uptime): the time budget counts from there.
    var started: UInt64 = 0

    func checkClock(_ range: Range<Int>) throws(Failure) {
        nextCheck = steps &+ 4096
        if limits.cancellation?.isCancelled == true {
            throw Failure.error("Interrupted: the evaluation was cancelled", range)
        }
        let now = DispatchTime.now().uptimeNanoseconds
        if started == 0 { started = now; return }
        if Double(now &- started) / 1e9 > limits.maxSeconds {
            throw Failure.error("RangeError: the expression ran longer than \(NumberFormat.string(limits.maxSeconds)) s", range)
        }
    }

    func checkString(_ length: Int, _ range: Range<Int>) throws(Failure) {
        try checkLength(length, range)
        try allocate(length, range)
    }

    /// A string's length against the limit (without counting it as created).
    func checkLength(_ length: Int, _ range: Range<Int>) throws(Failure) {
        if length > limits.maxStringLength {
            throw Failure.error("RangeError: string longer than \(limits.maxStringLength) characters", range)
        }
    }

    /// Counts what an evaluation creates (string units, array elements) against its budget.
    @inline(__always)
    func allocate(_ n: Int, _ range: Range<Int>) throws(Failure) {
        allocated &+= n
        if allocated > limits.maxAllocation {
            throw Failure.error("RangeError: the expression created more than \(limits.maxAllocation) values and characters", range)
        }
    }

    /// Code units a built-in read (searching, comparing): one step per 64.
    @inline(__always)
    func scanned(_ units: Int, _ range: Range<Int>) { steps &+= units >> 6 }

    func checkArray(_ length: Int, _ range: Range<Int>) throws(Failure) {
        if length > limits.maxArrayLength {
            throw Failure.error("RangeError: array longer than \(limits.maxArrayLength) elements", range)
        }
    }

    /// A value nested deeper than the language allows (JSON.stringify, cells).
    func tooDeep(_ range: Range<Int>) -> Failure {
        Failure.error("RangeError: value nested deeper than \(Limits.maxDepth) levels", range)
    }
}

enum Failure: Error {
    case error(String, Range<Int>)
    /// A `?.` met undefined or null: the whole chain is undefined.
    case shortCircuit
}

typealias Compiled = @Sendable (Context) throws(Failure) -> Value

/// Turns the tree into closures once; evaluating runs them, with no parsing.
struct Compiler {
    func compile(_ n: Node) throws(ExpressionError) -> Compiled {
        let range = n.range
        switch n.expr {
        case .number(let d): let v = Value.number(d); return { _ in v }
        case .string(let s): let v = Value.string(s); return { _ in v }
        case .bool(let b): let v = Value.bool(b); return { _ in v }
        case .null: return { _ in .null }
        case .undefined: return { _ in .undefined }
        case .user: return { ctx in ctx.user }
        case .parameter(let slot, _): return { ctx in ctx.slots[slot] }
        case .global(let name):
            switch name {
            case "NaN": return { _ in .number(.nan) }
            case "Infinity": return { _ in .number(.infinity) }
            case "Boolean", "String", "Number", "parseInt", "parseFloat", "isNaN", "isFinite":
                let f = Value.function(FunctionValue(kind: .builtin(name)))
                return { _ in f }
            default:
                throw ExpressionError("'\(name)' can only be used to call its functions (e.g. \(name == "Math" ? "Math.max(a, b)" : name + ".…(…)"))", range)
            }
        case .template(let parts, let expressions):
            let compiled = try expressions.map { (e) throws(ExpressionError) -> Compiled in try compile(e) }
            // Built in one Swift string while every piece is well-formed text (nearly always).
            let texts = parts.compactMap(\.wellFormedText)
            let allText = texts.count == parts.count
            let capacity = texts.reduce(0) { $0 + $1.utf8.count } + 24 * compiled.count
            return { (ctx: Context) throws(Failure) -> Value in
                var inText = allText
                var text = ""
                if inText {
                    text.reserveCapacity(capacity)
                    text += texts[0]
                }
                var s = parts[0]
                var length = parts[0].count
                for (i, c) in compiled.enumerated() {
                    let piece = try c(ctx).toPrimitive(preferString: true).jsString
                    length += piece.count + parts[i + 1].count
                    if inText, let t = piece.wellFormedText {
                        text += t
                        text += texts[i + 1]
                    } else {
                        if inText { s = JSString(text); inText = false }
                        s = s + piece + parts[i + 1]
                    }
                    try ctx.checkLength(length, range)
                }
                try ctx.checkString(length, range)
                return .string(inText ? JSString(text) : s)
            }
        case .array(let elements):
            let compiled = try elements.map { (e) throws(ExpressionError) -> Compiled in try compile(e) }
            return { (ctx: Context) throws(Failure) -> Value in
                var out: [Value] = []
                out.reserveCapacity(compiled.count)
                for c in compiled { out.append(try c(ctx)) }
                return .array(out)
            }
        case .object(let members):
            let compiled = try members.map { (m) throws(ExpressionError) -> (JSString, Compiled) in (m.key, try compile(m.value)) }
            return { (ctx: Context) throws(Failure) -> Value in
                var o = ObjectValue()
                for (k, c) in compiled { o[k] = try c(ctx) }
                return .object(o)
            }
        case .chain(let inner):
            let c = try compile(inner)
            return { (ctx: Context) throws(Failure) -> Value in
                do throws(Failure) { return try c(ctx) } catch {
                    if case .shortCircuit = error { return .undefined }
                    throw error
                }
            }
        case .member(let object, let name, let optional):
            if case .global(let g) = object.expr, g != "NaN", g != "Infinity" {
                guard let v = Builtins.constant(g, name) else {
                    if Registry.functions["\(g).\(name)"] != nil {
                        throw ExpressionError("\(g).\(name) can only be called here, not passed as a value: write an arrow function, e.g. x => \(g).\(name)(x)", range)
                    }
                    throw ExpressionError("\(g).\(name) is not supported", range)
                }
                return { _ in v }
            }
            let o = try compile(object)
            let ascii = name.utf8.allSatisfy { $0 < 0x80 }
            let mayBeMethod = Prototypes.anyName.contains(name)
            let general: Compiled = { (ctx: Context) throws(Failure) -> Value in
                let base = try o(ctx)
                if base.isNullish {
                    if optional { throw Failure.shortCircuit }
                    throw Failure.error("TypeError: Cannot read properties of \(base.jsString) (reading '\(name)')", range)
                }
                return base.property(name, asciiName: ascii, mayBeMethod: mayBeMethod) ?? .undefined
            }
            return Self.reading(n, general)
        case .index(let object, let key, let optional):
            let o = try compile(object)
            let k = try compile(key)
            return Self.reading(n, { (ctx: Context) throws(Failure) -> Value in
                let base = try o(ctx)
                if base.isNullish {
                    if optional { throw Failure.shortCircuit }
                    let kv = try k(ctx)
                    throw Failure.error("TypeError: Cannot read properties of \(base.jsString) (reading '\(kv.propertyKey)')", range)
                }
                let kv = try k(ctx)
                if case .number(let d) = kv, d >= 0, d < 4_294_967_295, d == d.rounded(.towardZero) {
                    let i = JSInteger.clamp(d, 0, 4_294_967_295)
                    switch base {
                    case .json(.array(let a)): return i < a.count ? Value(a[i]) : .undefined
                    case .array(let a): return i < a.count ? a[i] : .undefined
                    default: break
                    }
                }
                return base.property(key: kv.propertyKey) ?? .undefined
            })
        case .call(let callee, let args, let optional):
            return try compileCall(callee, args, optional: optional, range: range)
        case .unary(let op, let operand):
            if case .arrow = operand.expr { throw misplacedArrow(operand) }
            if op == "typeof", case .global(let g) = operand.expr {
                let t: String = ["NaN", "Infinity"].contains(g) ? "number" : (["Math", "JSON"].contains(g) ? "object" : "function")
                return { _ in .text(t) }
            }
            let c = try compile(operand)
            switch op {
            case "!": return { ctx in .bool(!(try c(ctx).truthy)) }
            case "-": return { ctx in .number(-(try c(ctx).toNumber)) }
            case "+": return { ctx in .number(try c(ctx).toNumber) }
            case "~": return { ctx in .number(Double(~JSInteger.int32(try c(ctx).toNumber))) }
            default: return { ctx in .text(try c(ctx).typeofName) }
            }
        case .logical(let op, let l, let r):
            if Self.chainLength(n) > 16 { return try compileChain(n) }
            let a = try compile(l), b = try compile(r)
            switch op {
            case "||": return { ctx in let v = try a(ctx); return v.truthy ? v : try b(ctx) }
            case "&&": return { ctx in let v = try a(ctx); return v.truthy ? try b(ctx) : v }
            default: return { ctx in let v = try a(ctx); return v.isNullish ? try b(ctx) : v }
            }
        case .conditional(let t, let y, let n):
            let c = try compile(t), a = try compile(y), b = try compile(n)
            return { ctx in try c(ctx).truthy ? try a(ctx) : try b(ctx) }
        case .binary(let op, let l, let r):
            for side in [l, r] { if case .arrow = side.expr { throw misplacedArrow(side) } }
            if Self.chainLength(n) > 16 { return try compileChain(n) }
            return try Operators.compile(op, try compile(l), try compile(r), range: range)
        case .arrow:
            throw misplacedArrow(n)
        case .newDate(let args):
            guard let arg = args.first else {
                throw ExpressionError("new Date() without an argument reads the clock, which would make results irreproducible: pass a date", range)
            }
            let c = try compile(arg)
            return { ctx in .date(Builtins.makeDate(try c(ctx))) }
        }
    }

    /// A member or element read: a plain attribute path is read straight from the user's JSON
    /// when the data has it, `general` decides everything else.
    static func reading(_ n: Node, _ general: @escaping Compiled) -> Compiled {
        guard let path = AttributePath(Expression.plainSteps(n)) else { return general }
        return { (ctx: Context) throws(Failure) -> Value in
            if let v = path.value(in: ctx.user) { return v }
            return try general(ctx)
        }
    }

    /// Operations along the left spine (a + b + c …: ((a + b) + c) …), up to 17.
    static func chainLength(_ n: Node) -> Int {
        var k = 0
        var cur = n
        while k <= 16 {
            switch cur.expr {
            case .binary(_, let l, _), .logical(_, let l, _): cur = l; k += 1
            default: return k
            }
        }
        return k
    }

    /// A long left-deep chain of operators as one loop, so evaluating (and compiling) it does not
    /// recurse once per operand.
    func compileChain(_ n: Node) throws(ExpressionError) -> Compiled {
        var steps: [(op: String, logical: Bool, right: Compiled, range: Range<Int>)] = []
        var cur = n
        loop: while true {
            switch cur.expr {
            case .binary(let op, let l, let r):
                if case .arrow = r.expr { throw misplacedArrow(r) }
                _ = try Operators.compile(op, { _ in .undefined }, { _ in .undefined }, range: cur.range) // checks the operator
                steps.append((op, false, try compile(r), cur.range))
                cur = l
            case .logical(let op, let l, let r):
                steps.append((op, true, try compile(r), cur.range))
                cur = l
            default: break loop
            }
        }
        if case .arrow = cur.expr { throw misplacedArrow(cur) }
        let first = try compile(cur)
        let ordered = Array(steps.reversed())
        return { (ctx: Context) throws(Failure) -> Value in
            var x = try first(ctx)
            for s in ordered {
                if s.logical {
                    switch s.op {
                    case "||": if !x.truthy { x = try s.right(ctx) }
                    case "&&": if x.truthy { x = try s.right(ctx) }
                    default: if x.isNullish { x = try s.right(ctx) }
                    }
                } else {
                    let left = x, right = try s.right(ctx)
                    guard let apply = try? Operators.compile(s.op, { _ in left }, { _ in right }, range: s.range) else {
                        throw Failure.error("SyntaxError: operator '\(s.op)' is not supported", s.range)
                    }
                    x = try apply(ctx)
                }
            }
            return x
        }
    }

    func misplacedArrow(_ n: Node) -> ExpressionError {
        ExpressionError("arrow functions are only supported as arguments of array methods (map, filter, find, some, every, …)", n.range)
    }

    func compileArgument(_ n: Node) throws(ExpressionError) -> Compiled {
        if case .arrow(let slots, let body) = n.expr {
            let b = try compile(body)
            let f = Value.function(FunctionValue(kind: .arrow(params: slots, body: b)))
            return { _ in f }
        }
        return try compile(n)
    }

    func compileCall(_ callee: Node, _ args: [Node], optional: Bool, range: Range<Int>) throws(ExpressionError) -> Compiled {
        switch callee.expr {
        case .member(let object, let name, let optionalMember):
            if case .global(let g) = object.expr, g != "NaN", g != "Infinity" {
                let key = "\(g).\(name)"
                guard let entry = Registry.functions[key] else {
                    let names = Registry.functionNames.filter { $0.hasPrefix(g + ".") }.map { String($0.dropFirst(g.count + 1)) }
                    throw ExpressionError("\(key) is not a supported function\(Registry.didYouMean(name, among: names))", callee.range)
                }
                try checkArity(key, entry.arity, args.count, range)
                let compiledArgs = try args.map { (a) throws(ExpressionError) -> Compiled in try compileArgument(a) }
                return { (ctx: Context) throws(Failure) -> Value in
                    var values: [Value] = []
                    values.reserveCapacity(compiledArgs.count)
                    for c in compiledArgs { values.append(try c(ctx)) }
                    return try entry.call(.undefined, values, ctx, range)
                }
            }
            guard let entries = Registry.methods[name], let arity = Registry.methodArity(name) else {
                throw ExpressionError("unknown method '\(name)'\(Registry.didYouMean(name, among: Registry.methodNames)) (`help expressions` lists the supported ones)",
                                      callee.range.upperBound - name.count..<callee.range.upperBound)
            }
            try checkArity(name, arity, args.count, range)
            let o = try compile(object)
            let compiledArgs = try args.map { (a) throws(ExpressionError) -> Compiled in try compileArgument(a) }
            return { (ctx: Context) throws(Failure) -> Value in
                let base = try o(ctx)
                if base.isNullish {
                    if optionalMember { throw Failure.shortCircuit }
                    throw Failure.error("TypeError: Cannot read properties of \(base.jsString) (reading '\(name)')", range)
                }
                let entry = Registry.method(entries, for: base)
                if optional, entry == nil, case .undefined = base.property(name) ?? .undefined {
                    throw Failure.shortCircuit
                }
                var values: [Value] = []
                values.reserveCapacity(compiledArgs.count)
                for c in compiledArgs { values.append(try c(ctx)) }
                guard let entry else { throw Failure.error("TypeError: \(Builtins.describe(base)).\(name) is not a function", range) }
                return try entry.call(base, values, ctx, range)
            }
        case .global(let g):
            guard let entry = Registry.functions[g] else {
                throw ExpressionError("'\(g)' cannot be called", callee.range)
            }
            try checkArity(g, entry.arity, args.count, range)
            let compiledArgs = try args.map { (a) throws(ExpressionError) -> Compiled in try compileArgument(a) }
            return { (ctx: Context) throws(Failure) -> Value in
                var values: [Value] = []
                for c in compiledArgs { values.append(try c(ctx)) }
                return try entry.call(.undefined, values, ctx, range)
            }
        default:
            throw ExpressionError("only built-in functions and methods can be called", callee.range)
        }
    }

    func checkArity(_ name: String, _ arity: ClosedRange<Int>, _ count: Int, _ range: Range<Int>) throws(ExpressionError) {
        if !arity.contains(count) {
            let expected = arity.lowerBound == arity.upperBound ? "\(arity.lowerBound)" :
                (arity.upperBound == Int.max ? "at least \(arity.lowerBound)" : "\(arity.lowerBound) to \(arity.upperBound)")
            throw ExpressionError("\(name) takes \(expected) argument\(arity.upperBound == 1 ? "" : "s"), not \(count)", range)
        }
    }
}

/// The binary operators, with JavaScript's coercions.
enum Operators {
    static func compile(_ op: String, _ a: @escaping Compiled, _ b: @escaping Compiled, range: Range<Int>) throws(ExpressionError) -> Compiled {
        switch op {
        case "+":
            return { (ctx: Context) throws(Failure) -> Value in
                let x = try a(ctx).toPrimitiveDefault, y = try b(ctx).toPrimitiveDefault
                if case .number(let p) = x, case .number(let q) = y { return .number(p + q) }
                if case .string = x { } else if case .string = y { } else {
                    return .number(x.toNumber + y.toNumber)
                }
                let s = x.jsString, t = y.jsString
                try ctx.checkString(s.count + t.count, range)
                return .string(s + t)
            }
        case "-": return { ctx in .number(try a(ctx).toNumber - b(ctx).toNumber) }
        case "*": return { ctx in .number(try a(ctx).toNumber * b(ctx).toNumber) }
        case "/": return { ctx in .number(try a(ctx).toNumber / b(ctx).toNumber) }
        case "%": return { (ctx: Context) throws(Failure) -> Value in
            let x = try a(ctx).toNumber, y = try b(ctx).toNumber
            return .number(jsRemainder(x, y))
        }
        case "**": return { ctx in .number(jsPow(try a(ctx).toNumber, try b(ctx).toNumber)) }
        case "&": return { ctx in .number(Double(JSInteger.int32(try a(ctx).toNumber) & JSInteger.int32(try b(ctx).toNumber))) }
        case "|": return { ctx in .number(Double(JSInteger.int32(try a(ctx).toNumber) | JSInteger.int32(try b(ctx).toNumber))) }
        case "^": return { ctx in .number(Double(JSInteger.int32(try a(ctx).toNumber) ^ JSInteger.int32(try b(ctx).toNumber))) }
        case "<<": return { (ctx: Context) throws(Failure) -> Value in
            let x = JSInteger.int32(try a(ctx).toNumber), n = JSInteger.uint32(try b(ctx).toNumber) & 31
            return .number(Double(x << Int32(truncatingIfNeeded: n)))
        }
        case ">>": return { (ctx: Context) throws(Failure) -> Value in
            let x = JSInteger.int32(try a(ctx).toNumber), n = JSInteger.uint32(try b(ctx).toNumber) & 31
            return .number(Double(x >> Int32(truncatingIfNeeded: n)))
        }
        case ">>>": return { (ctx: Context) throws(Failure) -> Value in
            let x = JSInteger.uint32(try a(ctx).toNumber), n = JSInteger.uint32(try b(ctx).toNumber) & 31
            return .number(Double(x >> n))
        }
        case "===": return { ctx in .bool(Compare.strictEquals(try a(ctx), try b(ctx))) }
        case "!==": return { ctx in .bool(!Compare.strictEquals(try a(ctx), try b(ctx))) }
        case "==": return { ctx in .bool(Compare.looseEquals(try a(ctx), try b(ctx))) }
        case "!=": return { ctx in .bool(!Compare.looseEquals(try a(ctx), try b(ctx))) }
        case "<": return { ctx in .bool(Compare.lessThan(try a(ctx), try b(ctx)) ?? false) }
        case ">": return { ctx in let x = try a(ctx); return .bool(Compare.lessThan(try b(ctx), x) ?? false) }
        case "<=": return { ctx in let x = try a(ctx); let r = Compare.lessThan(try b(ctx), x); return .bool(r.map { !$0 } ?? false) }
        case ">=": return { ctx in let r = Compare.lessThan(try a(ctx), try b(ctx)); return .bool(r.map { !$0 } ?? false) }
        case "in": return { (ctx: Context) throws(Failure) -> Value in
            let operand = try a(ctx), object = try b(ctx)
            let key = operand.propertyKey
            // A key holding an unpaired surrogate can only be a built object's own member.
            let k = key.wellFormedText
            switch object {
            case .json(.object(let o)): return .bool(k.map { Value.member(o, $0) != nil || Prototypes.object.contains($0) } ?? false)
            case .object(let o): return .bool(o[key] != nil || (k.map { Prototypes.object.contains($0) } ?? false))
            case .json(.array), .array:
                guard let k else { return .bool(false) }
                if k == "length" || Prototypes.array.contains(k) { return .bool(true) }
                if let i = JSInteger.arrayIndex(k) { return .bool(i < (object.arrayElements?.count ?? 0)) }
                return .bool(false)
            case .date, .function: return .bool(k.map { Prototypes.methods(of: object).contains($0) } ?? false)
            default:
                throw Failure.error("TypeError: Cannot use 'in' operator to search for '\(key)' in \(object.jsString)", range)
            }
        }
        default:
            throw ExpressionError("operator '\(op)' is not supported", range)
        }
    }

    static func jsRemainder(_ x: Double, _ y: Double) -> Double {
        if x.isNaN || y.isNaN || x.isInfinite || y == 0 { return .nan }
        if y.isInfinite { return x }
        if x == 0 { return x }
        let r = x.truncatingRemainder(dividingBy: y)
        return r == 0 ? (x < 0 ? -0.0 : 0) : r
    }

    /// Number::exponentiate as V8 computes it, to the last bit (fdlibm's pow, FdlibmPow).
    static func jsPow(_ x: Double, _ y: Double) -> Double { FdlibmPow.pow(x, y) }
}
