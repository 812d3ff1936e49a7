/// The one list of built-in functions and methods: name, receiver, arity and a line of help.
/// The compiler checks names and argument counts against it, calls dispatch through it (receiver
/// × name → implementation), `help expressions` prints it and LANGUAGE.md is checked against it
/// by a test. A new built-in is one entry here plus its implementation.
public struct Builtin: Sendable {
    /// What a method is called on; `function` for a global function (`parseInt`) or a static one
    /// (`Math.round`: its name carries the namespace).
    public enum Receiver: String, Sendable, CaseIterable {
        case function, string, array, number, boolean, date, object
    }

    public let receiver: Receiver
    public let name: String
    /// Arguments the call takes (the compiler rejects other counts).
    public let arity: ClosedRange<Int>
    /// Argument names as help shows them (`…` for any number).
    public let parameters: String
    public let help: String

    /// `name(parameters)` as help shows it.
    public var signature: String { "\(name)(\(parameters))" }

    /// Calls the implementation; `base` is the receiver (`.undefined` for functions).
    func call(_ base: Value, _ args: [Value], _ ctx: Context, _ range: Range<Int>) throws(Failure) -> Value {
        switch receiver {
        case .function: return try Builtins.callStatic(name, args, ctx, range)
        case .string:
            guard case .string(let s) = base else { break }
            return try StringMethods.call(s, name, args, ctx, range)
        case .array:
            guard let items = base.arrayElements else { break }
            return try ArrayMethods.call(items, name, args, ctx, range)
        case .number:
            guard case .number(let d) = base else { break }
            return try Builtins.numberMethod(d, name, args, range)
        case .boolean:
            guard case .bool(let b) = base else { break }
            return name == "valueOf" ? .bool(b) : .text(b ? "true" : "false")
        case .date:
            guard case .date(let t) = base else { break }
            return try Builtins.dateMethod(t, name, range)
        case .object:
            return .text("[object Object]")
        }
        throw Failure.error("TypeError: \(Builtins.describe(base)).\(name) is not a function", range)
    }
}

public enum Registry {
    static let any = Int.max

    static func f(_ name: String, _ arity: ClosedRange<Int>, _ parameters: String, _ help: String) -> Builtin {
        Builtin(receiver: .function, name: name, arity: arity, parameters: parameters, help: help)
    }

    static func m(_ receiver: Builtin.Receiver, _ name: String, _ arity: ClosedRange<Int>, _ parameters: String, _ help: String) -> Builtin {
        Builtin(receiver: receiver, name: name, arity: arity, parameters: parameters, help: help)
    }

    /// Every built-in, in the order help lists them.
    public static let all: [Builtin] = [
        f("Math.min", 0...any, "…", "the smallest argument (NaN if one is NaN)"),
        f("Math.max", 0...any, "…", "the largest argument (NaN if one is NaN)"),
        f("Math.round", 1...1, "x", "nearest integer, halves towards +∞"),
        f("Math.floor", 1...1, "x", "largest integer ≤ x"),
        f("Math.ceil", 1...1, "x", "smallest integer ≥ x"),
        f("Math.abs", 1...1, "x", "absolute value"),
        f("Math.trunc", 1...1, "x", "integer part"),
        f("Math.sign", 1...1, "x", "-1, 0 or 1 (keeps -0 and NaN)"),
        f("Math.pow", 2...2, "x, y", "x to the power y (as **)"),
        f("Math.sqrt", 1...1, "x", "square root"),
        f("Object.keys", 1...1, "o", "own keys: integer-like first, ascending, then insertion order"),
        f("Object.values", 1...1, "o", "own values, in key order"),
        f("Object.entries", 1...1, "o", "[key, value] pairs, in key order"),
        f("JSON.stringify", 1...3, "value, null, indent", "JSON text; indent is a count or a string; a replacer is a TypeError"),
        f("JSON.parse", 1...1, "text", "the value of a JSON text (at most 100,000 elements)"),
        f("Array.isArray", 1...1, "v", "whether v is an array"),
        f("Number.isInteger", 1...1, "v", "whether v is a number with no fraction"),
        f("Number.isFinite", 1...1, "v", "whether v is a finite number (no conversion)"),
        f("Number.isNaN", 1...1, "v", "whether v is NaN (no conversion)"),
        f("Number.parseFloat", 1...1, "text", "as parseFloat"),
        f("Number.parseInt", 1...2, "text, radix", "as parseInt"),
        f("Date.parse", 1...1, "text", "milliseconds since 1970 of an ISO 8601 date (NaN otherwise)"),
        f("Date.UTC", 1...7, "year, month, day, h, m, s, ms", "milliseconds since 1970 of a UTC date"),
        f("Number", 0...1, "v", "ToNumber"),
        f("String", 0...1, "v", "ToString"),
        f("Boolean", 0...1, "v", "ToBoolean"),
        f("parseInt", 1...2, "text, radix", "the integer a text starts with"),
        f("parseFloat", 1...1, "text", "the number a text starts with"),
        f("isNaN", 1...1, "v", "whether ToNumber(v) is NaN"),
        f("isFinite", 1...1, "v", "whether ToNumber(v) is finite"),
        f("btoa", 1...1, "bytes", "base64 of a text whose characters are bytes (up to U+00FF)"),
        f("atob", 1...1, "base64", "the bytes of a base64 text, as characters (whitespace and missing padding forgiven)"),

        m(.string, "toLowerCase", 0...0, "", "lower case (final Σ as ς)"),
        m(.string, "toUpperCase", 0...0, "", "upper case (ß as SS)"),
        m(.string, "trim", 0...0, "", "without white space at both ends"),
        m(.string, "trimStart", 0...0, "", "without white space at the start"),
        m(.string, "trimEnd", 0...0, "", "without white space at the end"),
        m(.string, "split", 0...2, "separator, limit", "pieces between a string separator ('' splits code units)"),
        m(.string, "slice", 0...2, "start, end", "code units start..<end (negative from the end)"),
        m(.string, "substring", 1...2, "start, end", "code units between two indexes"),
        m(.string, "indexOf", 1...2, "text, from", "first index of text, or -1"),
        m(.string, "lastIndexOf", 1...2, "text, from", "last index of text, or -1"),
        m(.string, "includes", 1...2, "text, from", "whether text occurs"),
        m(.string, "startsWith", 1...2, "text, at", "whether it starts with text"),
        m(.string, "endsWith", 1...2, "text, end", "whether it ends with text"),
        m(.string, "replace", 2...2, "text, with", "first occurrence replaced ($& $$ $` $' or a function)"),
        m(.string, "replaceAll", 2...2, "text, with", "every occurrence replaced"),
        m(.string, "padStart", 1...2, "length, filler", "padded at the start to length"),
        m(.string, "padEnd", 1...2, "length, filler", "padded at the end to length"),
        m(.string, "repeat", 1...1, "count", "count copies"),
        m(.string, "charAt", 0...1, "index", "the code unit at index ('' outside)"),
        m(.string, "charCodeAt", 0...1, "index", "the code unit's number (NaN outside)"),
        m(.string, "at", 1...1, "index", "the code unit at index (negative from the end)"),
        m(.string, "concat", 0...any, "…", "the string followed by its arguments"),
        m(.string, "localeCompare", 1...1, "other", "-1, 0 or 1 in English collation"),
        m(.string, "normalize", 0...1, "form", "Unicode normal form NFC (default), NFD, NFKC or NFKD"),
        m(.string, "toString", 0...0, "", "the string"),
        m(.string, "valueOf", 0...0, "", "the string"),

        m(.array, "join", 0...1, "separator", "elements' text joined (',' by default; null and undefined as '')"),
        m(.array, "includes", 1...2, "value, from", "whether an element is value (NaN finds NaN)"),
        m(.array, "indexOf", 1...2, "value, from", "first index of value (===), or -1"),
        m(.array, "lastIndexOf", 1...2, "value, from", "last index of value (===), or -1"),
        m(.array, "slice", 0...2, "start, end", "elements start..<end (negative from the end)"),
        m(.array, "map", 1...1, "x => …", "each element transformed"),
        m(.array, "filter", 1...1, "x => …", "the elements for which the function is truthy"),
        m(.array, "find", 1...1, "x => …", "the first element for which the function is truthy"),
        m(.array, "findIndex", 1...1, "x => …", "its index, or -1"),
        m(.array, "some", 1...1, "x => …", "whether the function is truthy for an element"),
        m(.array, "every", 1...1, "x => …", "whether the function is truthy for every element"),
        m(.array, "concat", 0...any, "…", "the elements followed by the arguments (arrays spread)"),
        m(.array, "at", 1...1, "index", "the element at index (negative from the end)"),
        m(.array, "flat", 0...1, "depth", "nested arrays spread, depth levels (1)"),
        m(.array, "flatMap", 1...1, "x => …", "map, then flat by one level"),
        m(.array, "reduce", 1...2, "(acc, x) => …, initial", "the elements folded left to right"),
        m(.array, "toString", 0...0, "", "as join()"),

        m(.number, "toFixed", 0...1, "digits", "fixed-point text of the exact value (0 to 100 digits)"),
        m(.number, "toPrecision", 0...1, "precision", "the exact value rounded to 1 to 100 significant digits (exponential form past them)"),
        m(.number, "toExponential", 0...1, "digits", "d.ddde±x text of the exact value (0 to 100 digits after the point; as many as needed without)"),
        m(.number, "toString", 0...1, "radix", "the number's text, in base 2 to 36 (10)"),
        m(.number, "valueOf", 0...0, "", "the number"),
        m(.boolean, "toString", 0...0, "", "'true' or 'false'"),
        m(.boolean, "valueOf", 0...0, "", "the boolean"),
        m(.object, "toString", 0...0, "", "'[object Object]'"),

        m(.date, "toISOString", 0...0, "", "ISO 8601 text (RangeError for an invalid date)"),
        m(.date, "toJSON", 0...0, "", "ISO 8601 text, or null for an invalid date"),
        m(.date, "toString", 0...0, "", "JavaScript's date text, in UTC"),
        m(.date, "getTime", 0...0, "", "milliseconds since 1970"),
        m(.date, "valueOf", 0...0, "", "milliseconds since 1970"),
        m(.date, "getUTCFullYear", 0...0, "", "year"),
        m(.date, "getUTCMonth", 0...0, "", "month, 0 to 11"),
        m(.date, "getUTCDate", 0...0, "", "day of the month"),
        m(.date, "getUTCDay", 0...0, "", "day of the week, 0 (Sunday) to 6"),
        m(.date, "getUTCHours", 0...0, "", "hours"),
        m(.date, "getUTCMinutes", 0...0, "", "minutes"),
        m(.date, "getUTCSeconds", 0...0, "", "seconds"),
        m(.date, "getUTCMilliseconds", 0...0, "", "milliseconds"),
        m(.date, "getFullYear", 0...0, "", "year (porter runs in UTC)"),
        m(.date, "getMonth", 0...0, "", "month, 0 to 11 (UTC)"),
        m(.date, "getDate", 0...0, "", "day of the month (UTC)"),
        m(.date, "getDay", 0...0, "", "day of the week (UTC)"),
        m(.date, "getHours", 0...0, "", "hours (UTC)"),
        m(.date, "getMinutes", 0...0, "", "minutes (UTC)"),
        m(.date, "getSeconds", 0...0, "", "seconds (UTC)"),
    ]

    /// Global and static functions by name.
    static let functions: [String: Builtin] = Dictionary(all.filter { $0.receiver == .function }.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })

    /// Methods by name, one entry per receiver that has it.
    static let methods: [String: [Builtin]] = Dictionary(grouping: all.filter { $0.receiver != .function }, by: \.name)

    /// The arity the compiler checks for a method name: the widest over its receivers (the
    /// receiver is known only when the call runs).
    static func methodArity(_ name: String) -> ClosedRange<Int>? {
        guard let entries = methods[name] else { return nil }
        return entries.map(\.arity).reduce(entries[0].arity) { min($0.lowerBound, $1.lowerBound)...max($0.upperBound, $1.upperBound) }
    }

    /// The entry for calling `name` on `base`, if its type has that method.
    static func method(_ entries: [Builtin], for base: Value) -> Builtin? {
        let receiver: Builtin.Receiver
        switch base {
        case .string: receiver = .string
        case .array, .json(.array): receiver = .array
        case .number: receiver = .number
        case .bool: receiver = .boolean
        case .date: receiver = .date
        case .object, .json(.object): receiver = .object
        default: return nil
        }
        return entries.first { $0.receiver == receiver }
    }

    /// The registered name closest to a misspelt one (`toLowercase` → `toLowerCase`).
    static func suggestion(for word: String, among names: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            if a.isEmpty { return b.count }
            if b.isEmpty { return a.count }
            var prev = Array(0...b.count)
            for i in 1...a.count {
                var cur = [i] + Array(repeating: 0, count: b.count)
                for j in 1...b.count {
                    cur[j] = Swift.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                }
                prev = cur
            }
            return prev[b.count]
        }
        let w = Array(word.lowercased())
        guard w.count <= 40 else { return nil }
        let scored = names.map { ($0, distance(w, Array($0.lowercased()))) }.min { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
        guard let (best, d) = scored, d <= Swift.max(1, w.count / 3) else { return nil }
        return best
    }

    static func didYouMean(_ word: String, among names: [String]) -> String {
        suggestion(for: word, among: names).map { "; did you mean '\($0)'?" } ?? ""
    }

    /// `help expressions`' list of built-ins, generated from the registry.
    public static var helpText: String {
        var lines: [String] = []
        for receiver in Builtin.Receiver.allCases {
            let entries = all.filter { $0.receiver == receiver }
            lines.append(receiver == .function ? "functions:" : "\(receiver.rawValue) methods:")
            let width = entries.map { $0.signature.count }.max() ?? 0
            for e in entries {
                lines.append("  " + e.signature + String(repeating: " ", count: width - e.signature.count + 2) + e.help)
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Method names, for completion after a `.`.
    public static var methodNames: [String] { Array(methods.keys).sorted() }
    /// Function names, for completion.
    public static var functionNames: [String] { all.filter { $0.receiver == .function }.map(\.name) }
}
