/// The one closed set of punctuators: the scanner reads exactly these (longest first) and the
/// parser gives each a meaning or a clear rejection, so no operator can be misread as two
/// others (`++x` once parsed as `+(+x)`). A test checks every one is accounted for.
enum Punctuators {
    static let all: [String] = [
        ">>>=",
        "...", "===", "!==", "**=", "<<=", ">>=", ">>>", "&&=", "||=", "??=",
        "?.", "??", "||", "&&", "==", "!=", "<=", ">=", "=>", "**", "++", "--",
        "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<", ">>",
        "(", ")", "[", "]", "{", "}", ".", ",", ":", "?", "!", "<", ">", "+", "-", "*", "/", "%", "=",
        "&", "|", "^", "~", ";",
    ]

    /// Binary operators by precedence, loosest first (below `??`, `||`, `&&`).
    static let binaryLevels: [[String]] = [
        ["|"], ["^"], ["&"],
        ["==", "!=", "===", "!=="],
        ["<", ">", "<=", ">=", "in"],
        ["<<", ">>", ">>>"],
        ["+", "-"],
        ["*", "/", "%"],
    ]

    /// Rejected with "assignment is not supported".
    static let assignment: Set<String> = ["=", "+=", "-=", "*=", "/=", "%=", "**=", "<<=", ">>=", ">>>=", "&=", "|=", "^=", "&&=", "||=", "??="]

    /// Rejected with "increment/decrement is not supported".
    static let update: Set<String> = ["++", "--"]

    /// Punctuation of the grammar itself (grouping, members, calls, literals, ?:, ??, ||, &&, **,
    /// unary ! ~ + -, arrows), `...` (rejected as spread), `;` (rejected as a statement) and `/`
    /// at the start of an operand (rejected as a regular expression).
    static let structural: Set<String> = ["(", ")", "[", "]", "{", "}", ".", "?.", ",", ":", "?", "??", "||", "&&", "**", "!", "~", "=>", "...", ";"]
}
