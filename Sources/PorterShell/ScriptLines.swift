/// How the text of a `.porter` script (or of `-c`, or standard input) becomes commands.
///
/// * A `#` starts a comment when it is at the start of a line or follows whitespace, outside
///   quotes (`'`, `"`, `` ` ``): `connect https://x.auth0.com   # note` is a command and a comment,
///   `query tag:a#b` and `column add X = '#' + user.name` keep their `#`.
/// * A line ending in an odd number of backslashes continues on the next line.
/// * A trailing carriage return (CRLF files) is dropped.
public enum ScriptLines {
    public struct Command: Equatable, Sendable {
        /// The line (1-based) where the command starts.
        public var line: Int
        public var text: String
    }

    public static func commands(_ lines: [String]) -> [Command] {
        var out: [Command] = []
        var pending: String?
        var startLine = 0
        for (i, raw) in lines.enumerated() {
            var line = raw
            if line.hasSuffix("\r") { line.removeLast() }
            line = stripComment(line)
            if pending == nil { startLine = i + 1 }
            let trailing = line.reversed().prefix { $0 == "\\" }.count
            if trailing % 2 == 1 {
                pending = (pending ?? "") + line.dropLast() + " "
                continue
            }
            let full = (pending ?? "") + line
            pending = nil
            let trimmed = full.trimmingWhitespace()
            if !trimmed.isEmpty { out.append(Command(line: startLine, text: trimmed)) }
        }
        if let pending {
            let trimmed = pending.trimmingWhitespace()
            if !trimmed.isEmpty { out.append(Command(line: startLine, text: trimmed)) }
        }
        return out
    }

    /// The line without its comment (trailing whitespace before the `#` is kept off too).
    public static func stripComment(_ line: String) -> String {
        var quote: Character?
        var escaped = false
        var previousIsSpace = true
        var index = line.startIndex
        while index < line.endIndex {
            let c = line[index]
            defer { index = line.index(after: index) }
            if escaped { escaped = false; previousIsSpace = false; continue }
            if c == "\\" { escaped = true; previousIsSpace = false; continue }
            if let q = quote {
                if c == q { quote = nil }
                previousIsSpace = false
                continue
            }
            if c == "'" || c == "\"" || c == "`" { quote = c; previousIsSpace = false; continue }
            if c == "#" && previousIsSpace {
                return String(line[..<index]).trimmingWhitespace(leading: false)
            }
            previousIsSpace = c.isWhitespace
        }
        return line
    }
}

extension String {
    func trimmingWhitespace(leading: Bool = true) -> String {
        var s = Substring(self)
        while let l = s.last, l.isWhitespace { s.removeLast() }
        if leading { while let f = s.first, f.isWhitespace { s.removeFirst() } }
        return String(s)
    }
}
