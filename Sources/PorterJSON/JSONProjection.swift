/// One step of a path into a JSON document: an object member or an array element.
public enum JSONPathStep: Hashable, Sendable {
    case key(String)
    case index(Int)
}

/// What a projected path found, in the bytes of the document itself (valid as long as they are).
public enum ProjectedValue {
    /// Every container on the path exists and the last one lacks the key or index
    /// (JavaScript's `undefined`).
    case missing
    case null
    case bool(Bool)
    /// A string without escapes, valid UTF-8: its bytes between the quotes.
    case string(UnsafeRawBufferPointer)
    /// An array or an object: its text as it stands in the document (checked for balanced
    /// brackets and strings only). In a document `JSONWriter` wrote compact, exactly what the
    /// writer writes for its value.
    case container(UnsafeRawBufferPointer)
    /// A number: its text as it stands in the document (checked for its characters only).
    case number(UnsafeRawBufferPointer)
    /// Anything else: a string with escapes, a step into a
    /// value that is not the container the step needs, a key written with escapes. The
    /// caller parses the document to know.
    case other
}

/// Picks the values of a fixed set of paths out of JSON text in one pass, without building the
/// document: members no path needs are skipped over, nothing is allocated. Where the scan
/// cannot be sure of the answer it says `.other` and the caller parses as usual, so a
/// projection never disagrees with `JSON.parse` followed by a lookup (duplicate keys: the last
/// wins, as in the parser).
///
/// The scan checks structure where it reads (quotes, colons, commas, literals) and is lenient
/// inside what it skips, so a caller must not use it to decide that a document is valid.
public struct JSONProjection: Sendable {
    struct Node: Sendable {
        var key: [UInt8] = []
        /// An array element (`index`), else an object member (`key`). A negative index matches
        /// no element: it is always missing.
        var isIndex = false
        var index = 0
        var children: [Int] = []
        /// Paths that end here.
        var terminals: [Int] = []
        /// Paths that go on below here.
        var below: [Int] = []
    }

    var nodes: [Node] = [Node()]
    public let pathCount: Int

    public init(paths: [[JSONPathStep]]) {
        pathCount = paths.count
        for (p, steps) in paths.enumerated() {
            var n = 0
            for step in steps {
                nodes[n].below.append(p)
                let child = nodes[n].children.first { c in
                    switch step {
                    case .key(let k): return !nodes[c].isIndex && nodes[c].key == Array(k.utf8)
                    case .index(let i): return nodes[c].isIndex && nodes[c].index == i
                    }
                }
                if let child {
                    n = child
                } else {
                    var node = Node()
                    switch step {
                    case .key(let k): node.key = Array(k.utf8)
                    case .index(let i): node.isIndex = true; node.index = i
                    }
                    nodes.append(node)
                    nodes[n].children.append(nodes.count - 1)
                    n = nodes.count - 1
                }
            }
            nodes[n].terminals.append(p)
        }
    }

    /// Fills `values` (one per path, in the order given to `init`). Returns false when the
    /// text is not JSON as far as the scan read it; `values` is then all `.other`.
    public func project(_ text: UnsafeRawBufferPointer, into values: inout [ProjectedValue]) -> Bool {
        values.removeAll(keepingCapacity: true)
        values.append(contentsOf: repeatElement(.other, count: pathCount))
        guard let base = text.baseAddress, !text.isEmpty else { return false }
        let ok = nodes.withUnsafeBufferPointer { nodes in
            var scan = Scan(p: base.assumingMemoryBound(to: UInt8.self), end: text.count, nodes: nodes)
            return scan.visit(0, &values) && { scan.whitespace(); return scan.i == scan.end }()
        }
        if !ok {
            for k in values.indices { values[k] = .other }
        }
        return ok
    }

    struct Scan {
        let p: UnsafePointer<UInt8>
        let end: Int
        /// The path tree, borrowed for the scan.
        let nodes: UnsafeBufferPointer<Node>
        var i = 0

        @inline(__always) mutating func whitespace() {
            while i < end, p[i] == 0x20 || p[i] == 0x0A || p[i] == 0x0D || p[i] == 0x09 { i += 1 }
        }

        /// At a quote: moves past the closing quote. nil when unterminated or holding a raw
        /// control character; otherwise whether it had escapes and non-ASCII bytes.
        @inline(__always) mutating func string() -> (start: Int, end: Int, escaped: Bool, ascii: Bool)? {
            i += 1
            let start = i
            var escaped = false, ascii = true
            while i < end {
                let b = p[i]
                if b == 0x22 {
                    i += 1
                    return (start, i - 1, escaped, ascii)
                }
                if b == 0x5C {
                    escaped = true
                    i += 2
                    continue
                }
                if b < 0x20 { return nil }
                if b >= 0x80 { ascii = false }
                i += 1
            }
            return nil
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let n = word.utf8CodeUnitCount
            guard i + n <= end else { return false }
            let w = word.utf8Start
            for k in 0..<n where p[i + k] != w[k] { return false }
            i += n
            return true
        }

        /// Skips one value. Inside arrays and objects only strings and brackets are tracked.
        mutating func skip() -> Bool {
            guard i < end else { return false }
            switch p[i] {
            case 0x22: return string() != nil
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while i < end {
                    switch p[i] {
                    case 0x22:
                        if string() == nil { return false }
                        continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth == 0 {
                            i += 1
                            return true
                        }
                    default: break
                    }
                    i += 1
                }
                return false
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            default:
                let start = i
                while i < end {
                    let b = p[i]
                    guard b &- 0x30 < 10 || b == 0x2D || b == 0x2B || b == 0x2E || b == 0x65 || b == 0x45 else { break }
                    i += 1
                }
                return i > start
            }
        }

        /// At the value of node `n`: records it for the paths ending here, descends for those below.
        mutating func visit(_ n: Int, _ values: inout [ProjectedValue]) -> Bool {
            whitespace()
            guard i < end else { return false }
            let b = p[i]
            if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") {
                let start = i
                if nodes[n].children.isEmpty {
                    guard skip() else { return false }
                } else {
                    for path in nodes[n].below { values[path] = .other }
                    guard b == UInt8(ascii: "{") ? object(n, &values) : array(n, &values) else { return false }
                }
                for t in nodes[n].terminals { values[t] = .container(UnsafeRawBufferPointer(start: p + start, count: i - start)) }
                return true
            }
            // Not a container: every path below is for the parser to judge (`"abc".length`).
            for path in nodes[n].below { values[path] = .other }
            var found = ProjectedValue.other
            switch b {
            case 0x22:
                guard let s = string() else { return false }
                if !s.escaped && (s.ascii || Self.validUTF8(p + s.start, s.end - s.start)) {
                    found = .string(UnsafeRawBufferPointer(start: p + s.start, count: s.end - s.start))
                }
            case UInt8(ascii: "t"):
                guard literal("true") else { return false }
                found = .bool(true)
            case UInt8(ascii: "f"):
                guard literal("false") else { return false }
                found = .bool(false)
            case UInt8(ascii: "n"):
                guard literal("null") else { return false }
                found = .null
            default:
                let start = i
                guard skip() else { return false }
                found = .number(UnsafeRawBufferPointer(start: p + start, count: i - start))
            }
            for t in nodes[n].terminals { values[t] = found }
            return true
        }

        mutating func object(_ n: Int, _ values: inout [ProjectedValue]) -> Bool {
            // Keys not present are undefined; index steps on an object are left to the parser.
            for c in nodes[n].children where !nodes[c].isIndex { mark(c, .missing, &values) }
            i += 1
            whitespace()
            if i < end, p[i] == UInt8(ascii: "}") {
                i += 1
                return true
            }
            var opaque = false
            while true {
                whitespace()
                guard i < end, p[i] == 0x22, let k = string() else { return false }
                whitespace()
                guard i < end, p[i] == UInt8(ascii: ":") else { return false }
                i += 1
                whitespace()
                if k.escaped && !opaque {
                    // The key's real text needs decoding: the parser decides every key here.
                    opaque = true
                    for c in nodes[n].children where !nodes[c].isIndex { mark(c, .other, &values) }
                }
                let length = k.end - k.start
                var match = -1
                if !opaque {
                    for c in nodes[n].children where !nodes[c].isIndex && nodes[c].key.count == length {
                        let same = nodes[c].key.withUnsafeBufferPointer { key in
                            var q = 0
                            while q < length && key[q] == p[k.start + q] { q += 1 }
                            return q == length
                        }
                        if same { match = c; break }
                    }
                }
                if match >= 0 {
                    if !visit(match, &values) { return false }
                } else if !skip() {
                    return false
                }
                whitespace()
                guard i < end else { return false }
                if p[i] == UInt8(ascii: ",") { i += 1; continue }
                if p[i] == UInt8(ascii: "}") { i += 1; return true }
                return false
            }
        }

        mutating func array(_ n: Int, _ values: inout [ProjectedValue]) -> Bool {
            // Elements not present are undefined; key steps on an array (`length`) are left to the parser.
            for c in nodes[n].children where nodes[c].isIndex { mark(c, .missing, &values) }
            i += 1
            whitespace()
            if i < end, p[i] == UInt8(ascii: "]") {
                i += 1
                return true
            }
            var k = 0
            while true {
                whitespace()
                var match = -1
                for c in nodes[n].children where nodes[c].isIndex && nodes[c].index == k { match = c; break }
                if match >= 0 {
                    if !visit(match, &values) { return false }
                } else if !skip() {
                    return false
                }
                k += 1
                whitespace()
                guard i < end else { return false }
                if p[i] == UInt8(ascii: ",") { i += 1; continue }
                if p[i] == UInt8(ascii: "]") { i += 1; return true }
                return false
            }
        }

        /// The paths ending at `n` get `value`; those going on below it cannot be answered
        /// without the value, which is absent (`undefined.x` is an error for the evaluator).
        func mark(_ n: Int, _ value: ProjectedValue, _ values: inout [ProjectedValue]) {
            for t in nodes[n].terminals { values[t] = value }
            for path in nodes[n].below { values[path] = .other }
        }

        static func validUTF8(_ start: UnsafePointer<UInt8>, _ count: Int) -> Bool {
            var it = UnsafeBufferPointer(start: start, count: count).makeIterator()
            var codec = UTF8()
            while true {
                switch codec.decode(&it) {
                case .scalarValue: continue
                case .emptyInput: return true
                case .error: return false
                }
            }
        }
    }
}
