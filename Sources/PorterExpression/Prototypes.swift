/// The methods JavaScript's built-in prototypes hold (node 20), by name: reading one as a property
/// (`typeof user.email.toUpperCase`, `'toString' in {}`) finds a function, as in JavaScript,
/// whether or not porter can call it.
enum Prototypes {
    static let object: Set<String> = ["constructor", "__defineGetter__", "__defineSetter__", "hasOwnProperty", "__lookupGetter__",
                                      "__lookupSetter__", "isPrototypeOf", "propertyIsEnumerable", "toString", "valueOf", "toLocaleString"]
    static let string: Set<String> = object.union(["anchor", "at", "big", "blink", "bold", "charAt", "charCodeAt", "codePointAt", "concat",
        "endsWith", "fontcolor", "fontsize", "fixed", "includes", "indexOf", "isWellFormed", "italics", "lastIndexOf", "link", "localeCompare",
        "match", "matchAll", "normalize", "padEnd", "padStart", "repeat", "replace", "replaceAll", "search", "slice", "small", "split", "strike",
        "sub", "substr", "substring", "sup", "startsWith", "toWellFormed", "trim", "trimStart", "trimLeft", "trimEnd", "trimRight",
        "toLocaleLowerCase", "toLocaleUpperCase", "toLowerCase", "toUpperCase"])
    static let array: Set<String> = object.union(["at", "concat", "copyWithin", "fill", "find", "findIndex", "findLast", "findLastIndex",
        "lastIndexOf", "pop", "push", "reverse", "shift", "unshift", "slice", "sort", "splice", "includes", "indexOf", "join", "keys", "entries",
        "values", "forEach", "filter", "flat", "flatMap", "map", "every", "some", "reduce", "reduceRight", "toReversed", "toSorted",
        "toSpliced", "with"])
    static let number: Set<String> = object.union(["toExponential", "toFixed", "toPrecision"])
    static let boolean: Set<String> = object
    static let date: Set<String> = object.union(["toDateString", "toTimeString", "toISOString", "toUTCString", "toGMTString", "getDate",
        "setDate", "getDay", "getFullYear", "setFullYear", "getHours", "setHours", "getMilliseconds", "setMilliseconds", "getMinutes",
        "setMinutes", "getMonth", "setMonth", "getSeconds", "setSeconds", "getTime", "setTime", "getTimezoneOffset", "getUTCDate",
        "setUTCDate", "getUTCDay", "getUTCFullYear", "setUTCFullYear", "getUTCHours", "setUTCHours", "getUTCMilliseconds",
        "setUTCMilliseconds", "getUTCMinutes", "setUTCMinutes", "getUTCMonth", "setUTCMonth", "getUTCSeconds", "setUTCSeconds", "getYear",
        "setYear", "toJSON", "toLocaleDateString", "toLocaleTimeString"])
    static let function: Set<String> = object.union(["apply", "bind", "call"])

    /// Every name some prototype holds: a member read whose name is none of them needs no
    /// look-up when the value lacks it (decided once, when compiled).
    static let anyName: Set<String> = string.union(array).union(number).union(date).union(function)

    /// The prototype methods of a value's type.
    static func methods(of v: Value) -> Set<String> {
        switch v {
        case .string: return string
        case .array, .json(.array): return array
        case .number: return number
        case .bool: return boolean
        case .date: return date
        case .function: return function
        default: return object
        }
    }

    /// The method `name` read as a property: a function value (calling it directly is a TypeError).
    static func method(_ v: Value, _ name: String) -> Value? {
        methods(of: v).contains(name) ? .function(FunctionValue(kind: .builtin("\(Builtins.describe(v)).\(name)"))) : nil
    }
}
