/// A JSON value: the one value type of the whole project.
///
/// The query matcher, the expression interpreter, the import validator and every
/// writer use it. Design choices, all for speed on the hot paths:
/// - integers that fit 64 bits stay `.int`, everything else is `.double`, so
///   numbers round-trip exactly through the parser and the writer;
/// - objects are ``JSONObject``: key order preserved, linear lookup for the small
///   objects users are made of, a hash index only for large ones.
public enum JSON: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSON])
    case object(JSONObject)
}

// MARK: - Accessors

extension JSON {
    /// The member `key` of an object; `nil` when this is not an object or has no such key.
    @inlinable
    public subscript(key: String) -> JSON? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// The element at `index` of an array; `nil` when out of range or not an array.
    @inlinable
    public subscript(index: Int) -> JSON? {
        if case .array(let array) = self, index >= 0, index < array.count { return array[index] }
        return nil
    }

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var arrayValue: [JSON]? { if case .array(let a) = self { return a } else { return nil } }
    public var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }

    /// The value as a `Double` for `.int` and `.double`, else `nil`.
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// The value as an `Int64` for `.int`, and for `.double` holding an exact integer.
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d):
            guard d.rounded() == d, let i = Int64(exactly: d) else { return nil }
            return i
        default: return nil
        }
    }

    /// Follows a dotted path of object keys (`"app_metadata.plan"`); no array indexes.
    public func value(atPath path: some StringProtocol) -> JSON? {
        var current = self
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            guard let next = current[String(part)] else { return nil }
            current = next
        }
        return current
    }

    /// A short name for the kind of value, as used in error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

// MARK: - Numbers compare by value

extension JSON {
    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)):
            return Double(exactly: a) == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a == b
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(b)
        case .int(let i): hasher.combine(Double(i))
        case .double(let d): hasher.combine(d)
        case .string(let s): hasher.combine(s)
        case .array(let a): hasher.combine(a)
        case .object(let o): hasher.combine(o)
        }
    }
}

// MARK: - Literals (handy in tests and in code that builds users)

extension JSON: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSON)...) {
        var object = JSONObject(minimumCapacity: elements.count)
        for (key, value) in elements { object[key] = value }
        self = .object(object)
    }
}

// MARK: - JSONObject

/// An ordered JSON object. Keys keep their insertion order; setting an existing key
/// replaces its value in place. Duplicate keys in parsed input: the last one wins
/// (as in JavaScript's `JSON.parse`), at the position of the first.
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var keys: [String]
    public private(set) var values: [JSON]
    /// Built only past `indexThreshold` members: user objects are small, and a linear
    /// scan of a few short keys beats hashing them.
    @usableFromInline var index: [String: Int]?

    @usableFromInline static let indexThreshold = 24

    public init() {
        keys = []
        values = []
        index = nil
    }

    public init(minimumCapacity: Int) {
        keys = []
        values = []
        keys.reserveCapacity(minimumCapacity)
        values.reserveCapacity(minimumCapacity)
        index = nil
    }

    /// Members in order; later duplicates replace earlier values.
    public init(_ members: some Sequence<(String, JSON)>) {
        self.init()
        for (k, v) in members { self[k] = v }
    }

    public init(dictionaryLiteral elements: (String, JSON)...) { self.init(elements) }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    @inlinable
    public func indexOf(_ key: String) -> Int? {
        if let index { return index[key] }
        // Comparing lengths first skips String's slower unequal-comparison path for most keys.
        let length = key.utf8.count
        var i = 0
        let n = keys.count
        while i < n {
            let candidate = keys[i]
            if candidate.utf8.count == length && candidate == key { return i }
            i += 1
        }
        return nil
    }

    public subscript(key: String) -> JSON? {
        @inlinable get {
            guard let i = indexOf(key) else { return nil }
            return values[i]
        }
        set {
            if let i = indexOf(key) {
                if let newValue {
                    values[i] = newValue
                } else {
                    removeMember(at: i)
                }
            } else if let newValue {
                appendNew(key, newValue)
            }
        }
    }

    /// Appends a member known not to be present (the parser checks first).
    @usableFromInline
    mutating func appendNew(_ key: String, _ value: JSON) {
        keys.append(key)
        values.append(value)
        if index != nil {
            index![key] = keys.count - 1
        } else if keys.count > Self.indexThreshold {
            var built = [String: Int](minimumCapacity: keys.count * 2)
            for (i, k) in keys.enumerated() { built[k] = i }
            index = built
        }
    }

    @usableFromInline
    mutating func removeMember(at i: Int) {
        keys.remove(at: i)
        values.remove(at: i)
        if index != nil {
            var built = [String: Int](minimumCapacity: keys.count * 2)
            for (j, k) in keys.enumerated() { built[k] = j }
            index = keys.count > Self.indexThreshold ? built : nil
        }
    }

    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSON? {
        guard let i = indexOf(key) else { return nil }
        let old = values[i]
        removeMember(at: i)
        return old
    }

    public func makeIterator() -> Zip2Sequence<[String], [JSON]>.Iterator {
        zip(keys, values).makeIterator()
    }

    /// Objects are equal when they have the same members, whatever their order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (k, v) in lhs {
            guard let other = rhs[k], other == v else { return false }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        // Order-independent, to agree with ==.
        var combined = 0
        for (k, v) in self {
            var h = Hasher()
            h.combine(k)
            h.combine(v)
            combined ^= h.finalize()
        }
        hasher.combine(count)
        hasher.combine(combined)
    }
}
