/// A JavaScript string: a sequence of UTF-16 code units, compared, indexed and measured as such.
/// Well-formed text (every string of user data, nearly every string an expression builds) is kept
/// as a Swift `String`; a string holding an unpaired surrogate (`'\uD800'`, `'😀'.slice(0, 1)`)
/// keeps its code units, which a Swift `String` cannot hold. Either way it is one value with one
/// meaning: its code units.
public struct JSString: Sendable, Equatable, CustomStringConvertible {
    enum Storage: Sendable {
        case text(String)
        /// Code units with at least one unpaired surrogate.
        case units([UInt16])
    }
    let storage: Storage

    public init(_ s: String) { storage = .text(s) }

    /// The string of these code units (kept as text when they are well-formed UTF-16).
    init<C: Collection>(units: C) where C.Element == UInt16 {
        if Self.wellFormed(units) {
            storage = .text(String(decoding: units, as: UTF16.self))
        } else {
            storage = .units(Array(units))
        }
    }

    static let empty = JSString("")

    static func wellFormed<C: Collection>(_ u: C) -> Bool where C.Element == UInt16 {
        var i = u.startIndex
        while i < u.endIndex {
            let c = u[i]
            if c >= 0xD800 && c <= 0xDBFF {
                let j = u.index(after: i)
                guard j < u.endIndex, u[j] >= 0xDC00 && u[j] <= 0xDFFF else { return false }
                i = u.index(after: j)
                continue
            }
            if c >= 0xDC00 && c <= 0xDFFF { return false }
            i = u.index(after: i)
        }
        return true
    }

    /// Whether every surrogate is paired (String.prototype.isWellFormed).
    public var isWellFormed: Bool {
        if case .text = storage { return true }
        return false
    }

    /// The code units.
    var units: [UInt16] {
        switch storage {
        case .text(let s): return Array(s.utf16)
        case .units(let u): return u
        }
    }

    /// Length in code units.
    var count: Int {
        switch storage {
        case .text(let s): return s.utf16.count
        case .units(let u): return u.count
        }
    }

    var isEmpty: Bool {
        switch storage {
        case .text(let s): return s.isEmpty
        case .units(let u): return u.isEmpty
        }
    }

    /// The text as a UTF-8 writer makes it: each unpaired surrogate becomes U+FFFD (what node
    /// writes to a UTF-8 stream, so what a CSV cell holds).
    public var text: String {
        switch storage {
        case .text(let s): return s
        case .units(let u): return String(decoding: u, as: UTF16.self)
        }
    }

    /// The text when it is well-formed (nil when it holds an unpaired surrogate).
    var wellFormedText: String? {
        if case .text(let s) = storage { return s }
        return nil
    }

    public var description: String { text }

    /// Equality of code units (never canonical equivalence: `'\u212B' !== '\u00C5'`).
    static func same(_ a: JSString, _ b: JSString) -> Bool {
        switch (a.storage, b.storage) {
        case (.text(let x), .text(let y)): return x.utf8.count == y.utf8.count && x.utf8.elementsEqual(y.utf8)
        case (.units(let x), .units(let y)): return x == y
        default: return false // one is well-formed, the other is not
        }
    }

    public static func == (a: JSString, b: JSString) -> Bool { same(a, b) }

    static func + (a: JSString, b: JSString) -> JSString {
        switch (a.storage, b.storage) {
        case (.text(let x), .text(let y)): return JSString(x + y)
        default: return JSString(units: a.units + b.units) // a lone high + a lone low surrogate make a pair
        }
    }

    /// Code-unit order (IsLessThan on strings).
    static func less(_ a: JSString, _ b: JSString) -> Bool {
        if case .text(let x) = a.storage, case .text(let y) = b.storage { return Compare.utf16Less(x, y) }
        return a.units.lexicographicallyPrecedes(b.units)
    }
}

extension JSString {
    /// The one-unit string at code unit `i` (in range).
    func unit(at i: Int) -> JSString {
        switch storage {
        case .text(let s):
            let u = s.utf16
            return JSString(units: CollectionOfOne(u[u.index(u.startIndex, offsetBy: i)]))
        case .units(let u): return JSString(units: CollectionOfOne(u[i]))
        }
    }
}
