/// An error in an expression, with the character range it is about.
public struct ExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var range: Range<Int>

    public init(_ message: String, _ range: Range<Int>) {
        self.message = message
        self.range = range
    }

    public var description: String { "\(message) (at column \(range.lowerBound + 1))" }
}

/// The syntax tree.
indirect enum Expr {
    case number(Double)
    case string(JSString)
    case bool(Bool)
    case null
    case undefined
    case template(parts: [JSString], expressions: [Node])
    case user
    case parameter(slot: Int, name: String)
    case global(String)
    case array([Node])
    case object([(key: JSString, value: Node)])
    case member(Node, String, optional: Bool)
    case index(Node, Node, optional: Bool)
    case call(Node, [Node], optional: Bool)
    /// The root of an optional chain: a `?.` inside short-circuits to undefined here.
    case chain(Node)
    case unary(String, Node)
    case binary(String, Node, Node)
    case logical(String, Node, Node)
    case conditional(Node, Node, Node)
    case arrow(slots: [Int], body: Node)
    case newDate([Node])
}

struct Node {
    var expr: Expr
    var range: Range<Int>
    /// How deep the tree under this node is, as the recursive walkers (compiler, interpreter)
    /// descend it. A left operand that is itself a binary or logical operation does not add a
    /// level: long chains (a + b + c …) are compiled into a loop.
    let depth: Int
    /// Written in parentheses as a whole (the `??` and `**` rules look at it).
    var parenthesized = false

    init(expr: Expr, range: Range<Int>) {
        self.expr = expr
        self.range = range
        self.depth = Node.depth(of: expr)
    }

    var isOperatorChain: Bool {
        switch expr {
        case .binary, .logical: return true
        default: return false
        }
    }

    static func depth(of e: Expr) -> Int {
        func most(_ nodes: [Node]) -> Int { nodes.reduce(0) { max($0, $1.depth) } }
        switch e {
        case .binary(_, let l, let r), .logical(_, let l, let r): return max(l.isOperatorChain ? l.depth : l.depth + 1, r.depth + 1)
        case .member(let o, _, _), .chain(let o), .unary(_, let o), .arrow(_, let o): return o.depth + 1
        case .index(let o, let k, _): return max(o.depth, k.depth) + 1
        case .call(let c, let a, _): return max(c.depth, most(a)) + 1
        case .conditional(let a, let b, let c): return most([a, b, c]) + 1
        case .array(let a), .newDate(let a), .template(_, let a): return most(a) + 1
        case .object(let m): return most(m.map(\.value)) + 1
        default: return 1
        }
    }
}

/// Pratt-style recursive descent over JavaScript's expression grammar (the subset).
struct Parser {
    let chars: [Character]
    var tokens: [Token]
    var p = 0
    /// Arrow parameters in scope: name → slot.
    var scopes: [[String: Int]] = []
    var slotCount = 0
    var usesOptionalChain = false
    let offset: Int
    /// Current nesting of the recursive descent (limited, so no input overflows the stack).
    var nesting: Int
    /// Re-entries into the whole grammar (parentheses, brackets, braces, arguments, bodies):
    /// each costs a dozen stack frames, so they have their own, lower limit.
    var groups = 0
    /// The one free name: `user` in columns, `row` in import maps.
    var freeName = "user"

    static let globals: Set<String> = Set(["Math", "JSON", "Object", "Number", "String", "Boolean", "parseInt", "parseFloat", "isNaN", "isFinite", "Date", "Array", "NaN", "Infinity"]).union(Registry.functionNames.filter { !$0.contains(".") })
    static let forbidden: [String: String] = [
        "this": "'this' is not available in column expressions",
        "function": "function expressions are not supported: use an arrow function (x => …) as a method argument",
        "new": "only 'new Date(…)' is supported",
        "var": "statements are not supported: a column is one expression", "let": "statements are not supported: a column is one expression",
        "const": "statements are not supported: a column is one expression", "return": "statements are not supported: a column is one expression",
        "for": "loops are not supported: use map, filter, some or every", "while": "loops are not supported: use map, filter, some or every",
        "if": "statements are not supported: use the conditional operator (a ? b : c)",
        "delete": "'delete' is not supported", "void": "'void' is not supported", "instanceof": "'instanceof' is not supported",
        "class": "classes are not supported", "import": "I/O is not available in column expressions",
        "require": "I/O is not available in column expressions", "eval": "'eval' is not available",
        "Function": "'Function' is not available", "globalThis": "global objects are not available",
        "window": "global objects are not available", "process": "I/O is not available in column expressions",
        "console": "I/O is not available in column expressions", "fetch": "I/O is not available in column expressions",
        "await": "'await' is not supported", "yield": "'yield' is not supported", "async": "async functions are not supported",
    ]

    init(chars: [Character], tokens: [Token], offset: Int = 0, scopes: [[String: Int]] = [], slotCount: Int = 0, nesting: Int = 0, groups: Int = 0) {
        self.groups = groups
        self.nesting = nesting
        self.chars = chars
        self.tokens = tokens
        self.offset = offset
        self.scopes = scopes
        self.slotCount = slotCount
    }

    var peek: Token { tokens[p] }

    mutating func advance() -> Token {
        let t = tokens[p]
        if p < tokens.count - 1 { p += 1 }
        return t
    }

    func isPunct(_ s: String) -> Bool { peek.kind == .punct(s) }

    mutating func eat(_ s: String) -> Bool {
        if isPunct(s) { _ = advance(); return true }
        return false
    }

    mutating func expect(_ s: String, _ what: String) throws(ExpressionError) -> Token {
        guard isPunct(s) else { throw ExpressionError("expected '\(s)' \(what), found \(describe(peek))", peek.range) }
        return advance()
    }

    static func tooDeep(_ range: Range<Int>) -> ExpressionError {
        ExpressionError("the expression is nested too deeply (more than \(Limits.maxDepth) levels of parentheses, operators, calls or members)", range)
    }

    /// Enters one level of the recursive descent.
    mutating func enter() throws(ExpressionError) {
        nesting += 1
        if nesting > Limits.maxDepth { throw Self.tooDeep(peek.range) }
    }

    /// A node, once its depth is known to be within the limit.
    func checked(_ n: Node) throws(ExpressionError) -> Node {
        if n.depth > Limits.maxDepth { throw Self.tooDeep(n.range) }
        return n
    }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .end: return "the end of the expression"
        case .number: return "a number"
        case .string: return "a string"
        case .template: return "a template literal"
        case .identifier(let n): return "'\(n)'"
        case .punct(let s): return "'\(s)'"
        }
    }

    // MARK: Grammar

    mutating func parseTop() throws(ExpressionError) -> Node {
        if peek.kind == .end { throw ExpressionError("empty expression", 0..<0) }
        let n = try expression()
        if isPunct(";") { throw ExpressionError("statements are not supported: a column is one expression", peek.range) }
        if isPunct("=") { throw ExpressionError("assignment is not supported", peek.range) }
        guard peek.kind == .end else { throw ExpressionError("unexpected \(describe(peek)) after the expression", peek.range) }
        return n
    }

    mutating func expression() throws(ExpressionError) -> Node {
        let n = try conditional()
        if isPunct(",") { throw ExpressionError("the comma operator is not supported", peek.range) }
        return n
    }

    mutating func conditional() throws(ExpressionError) -> Node {
        try enter()
        groups += 1
        defer { nesting -= 1; groups -= 1 }
        if groups > Limits.maxGroupDepth {
            throw ExpressionError("the expression is nested too deeply (more than \(Limits.maxGroupDepth) levels of parentheses, brackets, braces or arguments)", peek.range)
        }
        if let arrow = try arrowFunction() { return try checked(arrow) }
        let test = try nullish()
        guard eat("?") else {
            if case .punct(let op) = peek.kind, Punctuators.assignment.contains(op) {
                throw ExpressionError("assignment ('\(op)') is not supported: a column computes a value and cannot change one", peek.range)
            }
            return test
        }
        let yes = try conditional()
        _ = try expect(":", "in the conditional operator (a ? b : c)")
        let no = try conditional()
        return try checked(Node(expr: .conditional(test, yes, no), range: test.range.lowerBound..<no.range.upperBound))
    }

    /// `??` cannot be mixed with `||` / `&&` without parentheses (a SyntaxError in JavaScript).
    mutating func nullish() throws(ExpressionError) -> Node {
        var left = try logicalOr()
        var sawNullish = false
        while isPunct("??") {
            let op = advance()
            if case .logical(let o, _, _) = left.expr, o != "??", !isParenthesized(left) {
                throw ExpressionError("'??' cannot be mixed with '||' or '&&' without parentheses", op.range)
            }
            let right = try logicalOr()
            if case .logical(let o, _, _) = right.expr, o != "??", !isParenthesized(right) {
                throw ExpressionError("'??' cannot be mixed with '||' or '&&' without parentheses", op.range)
            }
            left = try checked(Node(expr: .logical("??", left, right), range: left.range.lowerBound..<right.range.upperBound))
            sawNullish = true
        }
        if sawNullish, isPunct("||") || isPunct("&&") {
            throw ExpressionError("'??' cannot be mixed with '||' or '&&' without parentheses", peek.range)
        }
        return left
    }

    func isParenthesized(_ n: Node) -> Bool { n.parenthesized }

    mutating func logicalOr() throws(ExpressionError) -> Node {
        var left = try logicalAnd()
        while isPunct("||") {
            _ = advance()
            let right = try logicalAnd()
            left = try checked(Node(expr: .logical("||", left, right), range: left.range.lowerBound..<right.range.upperBound))
        }
        return left
    }

    mutating func logicalAnd() throws(ExpressionError) -> Node {
        var left = try binary(0)
        while isPunct("&&") {
            _ = advance()
            let right = try binary(0)
            left = try checked(Node(expr: .logical("&&", left, right), range: left.range.lowerBound..<right.range.upperBound))
        }
        return left
    }

    /// Precedence level of each binary operator (index into Punctuators.binaryLevels).
    static let levelOf: [String: Int] = {
        var m: [String: Int] = [:]
        for (k, ops) in Punctuators.binaryLevels.enumerated() { for op in ops { m[op] = k } }
        return m
    }()

    func binaryOperator() -> (op: String, level: Int)? {
        switch peek.kind {
        case .punct(let s): return Self.levelOf[s].map { (s, $0) }
        case .identifier("in"): return Self.levelOf["in"].map { ("in", $0) }
        default: return nil
        }
    }

    /// Precedence climbing over the binary levels: one frame per tighter operator, not one per level.
    mutating func binary(_ minLevel: Int) throws(ExpressionError) -> Node {
        var left = try exponent()
        while let (op, level) = binaryOperator(), level >= minLevel {
            _ = advance()
            let right = try binary(level + 1)
            left = try checked(Node(expr: .binary(op, left, right), range: left.range.lowerBound..<right.range.upperBound))
        }
        return left
    }

    mutating func exponent() throws(ExpressionError) -> Node {
        let base = try unary()
        guard isPunct("**") else { return base }
        let op = advance()
        if case .unary = base.expr, !isParenthesized(base) {
            throw ExpressionError("a unary operator before '**' needs parentheses, as in JavaScript: (-a) ** b", op.range)
        }
        try enter()
        defer { nesting -= 1 }
        let power = try exponent() // right-associative
        return try checked(Node(expr: .binary("**", base, power), range: base.range.lowerBound..<power.range.upperBound))
    }

    mutating func unary() throws(ExpressionError) -> Node {
        let t = peek
        switch t.kind {
        case .punct(let s) where ["!", "-", "+", "~"].contains(s):
            _ = advance()
            try enter()
            defer { nesting -= 1 }
            let operand = try unary()
            return try checked(Node(expr: .unary(s, operand), range: t.range.lowerBound..<operand.range.upperBound))
        case .identifier("typeof"):
            _ = advance()
            try enter()
            defer { nesting -= 1 }
            let operand = try unary()
            return try checked(Node(expr: .unary("typeof", operand), range: t.range.lowerBound..<operand.range.upperBound))
        case .punct(let s) where s == "++" || s == "--":
            throw Self.update(s, t.range)
        default:
            return try postfix()
        }
    }

    static func update(_ op: String, _ range: Range<Int>) -> ExpressionError {
        ExpressionError("the \(op == "++" ? "increment" : "decrement") operator '\(op)' is not supported: a column cannot change a value (write x \(op == "++" ? "+" : "-") 1)", range)
    }

    mutating func postfix() throws(ExpressionError) -> Node {
        var node = try primary()
        var optional = false
        while true {
            node = try checked(node)
            let t = peek
            if eat(".") {
                let name = advance()
                guard case .identifier(let n) = name.kind else {
                    throw ExpressionError("expected a property name after '.', found \(describe(name))", name.range)
                }
                node = Node(expr: .member(node, n, optional: false), range: node.range.lowerBound..<name.range.upperBound)
            } else if eat("?.") {
                optional = true
                if eat("(") {
                    let args = try arguments()
                    node = Node(expr: .call(node, args.nodes, optional: true), range: node.range.lowerBound..<args.end)
                } else if eat("[") {
                    let key = try expression()
                    let close = try expect("]", "after the index")
                    node = Node(expr: .index(node, key, optional: true), range: node.range.lowerBound..<close.range.upperBound)
                } else {
                    let name = advance()
                    guard case .identifier(let n) = name.kind else {
                        throw ExpressionError("expected a property name after '?.', found \(describe(name))", name.range)
                    }
                    node = Node(expr: .member(node, n, optional: true), range: node.range.lowerBound..<name.range.upperBound)
                }
            } else if eat("[") {
                let key = try expression()
                let close = try expect("]", "after the index")
                node = Node(expr: .index(node, key, optional: false), range: node.range.lowerBound..<close.range.upperBound)
            } else if eat("(") {
                let args = try arguments()
                node = Node(expr: .call(node, args.nodes, optional: false), range: node.range.lowerBound..<args.end)
            } else if case .template = t.kind {
                throw ExpressionError("tagged templates are not supported", t.range)
            } else if case .punct(let s) = t.kind, s == "++" || s == "--" {
                throw Self.update(s, t.range)
            } else {
                break
            }
        }
        if optional {
            usesOptionalChain = true
            return try checked(Node(expr: .chain(node), range: node.range))
        }
        return node
    }

    mutating func arguments() throws(ExpressionError) -> (nodes: [Node], end: Int) {
        var args: [Node] = []
        if isPunct(")") { return (args, advance().range.upperBound) }
        while true {
            if isPunct("...") { throw ExpressionError("spread arguments are not supported", peek.range) }
            args.append(try conditional())
            if isPunct(")") { return (args, advance().range.upperBound) }
            _ = try expect(",", "or ')' between arguments")
            if isPunct(")") { return (args, advance().range.upperBound) }
        }
    }

    /// `x => body` or `(a, b) => body`, only where an argument is expected (checked later).
    mutating func arrowFunction() throws(ExpressionError) -> Node? {
        let start = peek.range.lowerBound
        var names: [(String, Range<Int>)] = []
        if case .identifier(let n) = peek.kind, tokens[p + 1].kind == .punct("=>") {
            names = [(n, peek.range)]
            p += 2
        } else if isPunct("(") {
            // Look ahead for `( ident, ident ) =>`.
            var k = p + 1
            var found: [(String, Range<Int>)] = []
            while case .identifier(let n) = tokens[k].kind {
                found.append((n, tokens[k].range))
                k += 1
                if tokens[k].kind == .punct(",") { k += 1 } else { break }
            }
            guard tokens[k].kind == .punct(")"), tokens[k + 1].kind == .punct("=>") else {
                try rejectUnsupportedParameters(from: k)
                return nil
            }
            names = found
            p = k + 2
        } else {
            return nil
        }
        if isPunct("{") {
            throw ExpressionError("arrow functions with a block body are not supported: write x => expression", peek.range)
        }
        var scope: [String: Int] = [:]
        var slots: [Int] = []
        for (n, r) in names {
            if n == freeName { throw ExpressionError("'\(n)' cannot be used as a parameter name", r) }
            if Self.forbidden[n] != nil || Self.globals.contains(n) {
                throw ExpressionError("'\(n)' cannot be used as a parameter name", r)
            }
            scope[n] = slotCount
            slots.append(slotCount)
            slotCount += 1
        }
        scopes.append(scope)
        let body = try conditional()
        scopes.removeLast()
        return Node(expr: .arrow(slots: slots, body: body), range: start..<body.range.upperBound)
    }

    /// `(a = 1) =>`, `({a}) =>`, `([a]) =>`, `(...a) =>`: name what is unsupported, when the
    /// parenthesis does turn out to hold arrow parameters.
    func rejectUnsupportedParameters(from k: Int) throws(ExpressionError) {
        let t = tokens[k]
        let what: String
        switch t.kind {
        case .punct("="): what = "default parameter values are not supported"
        case .punct("{"), .punct("["): what = "destructuring parameters are not supported: write x => x.name"
        case .punct("..."): what = "rest parameters are not supported"
        default: return
        }
        // Only if the matching ')' is followed by '=>'.
        var depth = 0
        var j = p
        while j < tokens.count - 1 {
            switch tokens[j].kind {
            case .punct("("), .punct("["), .punct("{"): depth += 1
            case .punct(")"), .punct("]"), .punct("}"):
                depth -= 1
                if depth == 0 {
                    if tokens[j + 1].kind == .punct("=>") { throw ExpressionError(what, t.range) }
                    return
                }
            default: break
            }
            j += 1
        }
    }

    mutating func primary() throws(ExpressionError) -> Node {
        let t = advance()
        switch t.kind {
        case .number(let d): return Node(expr: .number(d), range: t.range)
        case .string(let s): return Node(expr: .string(s), range: t.range)
        case .template(let parts, let ranges):
            var nodes: [Node] = []
            for r in ranges {
                var scanner = Scanner(chars, from: r.lowerBound, to: r.upperBound)
                let toks = try scanner.tokens()
                var sub = Parser(chars: chars, tokens: toks, offset: r.lowerBound, scopes: scopes, slotCount: slotCount, nesting: nesting, groups: groups)
                sub.freeName = freeName
                if sub.peek.kind == .end { throw ExpressionError("empty ${} in template literal", r.lowerBound - 2..<r.upperBound + 1) }
                let n = try sub.expression()
                guard sub.peek.kind == .end else { throw ExpressionError("unexpected \(sub.describe(sub.peek)) in ${}", sub.peek.range) }
                slotCount = sub.slotCount
                usesOptionalChain = usesOptionalChain || sub.usesOptionalChain
                nodes.append(n)
            }
            return Node(expr: .template(parts: parts, expressions: nodes), range: t.range)
        case .identifier(let name):
            switch name {
            case "true": return Node(expr: .bool(true), range: t.range)
            case "false": return Node(expr: .bool(false), range: t.range)
            case "null": return Node(expr: .null, range: t.range)
            case "undefined": return Node(expr: .undefined, range: t.range)
            case freeName: return Node(expr: .user, range: t.range)
            case "new":
                guard case .identifier("Date") = peek.kind else {
                    throw ExpressionError("only 'new Date(…)' is supported", t.range.lowerBound..<peek.range.upperBound)
                }
                let date = advance()
                var args: [Node] = []
                var end = date.range.upperBound
                if eat("(") {
                    let a = try arguments()
                    args = a.nodes
                    end = a.end
                }
                if args.count > 1 {
                    throw ExpressionError("new Date takes one argument here (a date string or milliseconds)", t.range.lowerBound..<end)
                }
                return Node(expr: .newDate(args), range: t.range.lowerBound..<end)
            default:
                for scope in scopes.reversed() {
                    if let slot = scope[name] { return Node(expr: .parameter(slot: slot, name: name), range: t.range) }
                }
                if Self.globals.contains(name) { return Node(expr: .global(name), range: t.range) }
                if let why = Self.forbidden[name] { throw ExpressionError(why, t.range) }
                throw ExpressionError("unknown name '\(name)': the only free name is '\(freeName)' (e.g. \(freeName).\(name))", t.range)
            }
        case .punct("("):
            let inner = try expression()
            let close = try expect(")", "to close '('")
            var node = Node(expr: inner.expr, range: t.range.lowerBound..<close.range.upperBound)
            node.parenthesized = true
            return node
        case .punct("["):
            var elements: [Node] = []
            while !isPunct("]") {
                if isPunct("...") { throw ExpressionError("spread is not supported", peek.range) }
                if isPunct(",") { throw ExpressionError("array holes are not supported", peek.range) }
                elements.append(try conditional())
                if !eat(",") { break }
            }
            let close = try expect("]", "to close the array")
            return Node(expr: .array(elements), range: t.range.lowerBound..<close.range.upperBound)
        case .punct("{"):
            var members: [(key: JSString, value: Node)] = []
            while !isPunct("}") {
                let k = advance()
                let key: JSString
                switch k.kind {
                case .identifier(let n): key = JSString(n)
                case .string(let s): key = s
                case .number(let d): key = JSString(JSONNumber.format(d))
                default: throw ExpressionError("expected a property name in the object, found \(describe(k))", k.range)
                }
                if isPunct(",") || isPunct("}") {
                    throw ExpressionError("shorthand properties are not supported: write \(key): value", k.range)
                }
                _ = try expect(":", "after the property name")
                members.append((key, try conditional()))
                if !eat(",") { break }
            }
            let close = try expect("}", "to close the object")
            return Node(expr: .object(members), range: t.range.lowerBound..<close.range.upperBound)
        case .punct("/"), .punct("/="):
            throw ExpressionError("regular expression literals are not supported: use string methods (includes, startsWith, split, replaceAll)", t.range)
        case .end:
            throw ExpressionError("unexpected end of the expression", t.range.lowerBound..<t.range.lowerBound + 1)
        default:
            throw ExpressionError("unexpected \(describe(t))", t.range)
        }
    }
}

import PorterJSON

enum JSONNumber {
    static func format(_ d: Double) -> String { JSON.formatNumber(d) }
}
