/// How the text of a `.porter` script (or of `-c`, or standard input) becomes commands.
///
/// * A `#` starts a comment when it is at the start of a line or follows whitespace, outside
///   quotes (`'`, `"`, `` ` ``): `connect https://x.auth0.com   # note` is a command and a comment,
///   `query tag:a#b` and `column add X = '#' + user.name` keep their `#`.
/// * A line ending in an odd number of backslashes continues on the next line; a quote opened
///   before the backslash is still open on the next line (its `#` is no comment there).
/// * A trailing carriage return (CRLF files) is dropped; so is whitespace around a command,
///   except a whitespace escaped by a backslash (`query name:a\ ` keeps its space).
///
/// Reading is stable (the `script` fuzz target checks it): a command printed on a line of its
/// own, as `save` and `history` print them, reads back as the same command.
/// Works on Unicode scalars, not Characters: joining lines must not merge a backslash, a quote
/// or a space with a combining mark that follows it into another Character.
public enum ScriptLines {
    public struct Command: Equatable, Sendable {
        /// The line (1-based) where the command starts.
        public var line: Int
        public var text: String
    }

    /// The lines of a script's text, split at each LF (a CRLF line keeps its CR, which
    /// `commands` drops). Not `components(separatedBy: "\n")`: a String's "\r\n" is one
    /// Character, so a CRLF file would be one long line (found by the `script` fuzz target).
    public static func lines(_ text: String) -> [String] {
        text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { String(String.UnicodeScalarView($0)) }
    }

    /// The commands of a script's text (see `lines`).
    public static func commands(_ text: String) -> [Command] { commands(lines(text)) }

    public static func commands(_ lines: [String]) -> [Command] {
        var out: [Command] = []
        var pending: String.UnicodeScalarView?
        var quote: Unicode.Scalar?
        var startLine = 0
        for (i, raw) in lines.enumerated() {
            var line = raw.unicodeScalars
            if line.last == "\r" { line.removeLast() }
            if pending == nil { startLine = i + 1; quote = nil }
            line = strip(line, quote: &quote)
            let trailing = line.reversed().prefix { $0 == "\\" }.count
            if trailing % 2 == 1 {
                line.removeLast()
                pending = (pending ?? .init()) + line + [" "]
                continue
            }
            let full = (pending ?? .init()) + line
            pending = nil
            let trimmed = trim(full)
            if !trimmed.isEmpty { out.append(Command(line: startLine, text: String(trimmed))) }
        }
        if let pending {
            let trimmed = trim(pending)
            if !trimmed.isEmpty { out.append(Command(line: startLine, text: String(trimmed))) }
        }
        return out
    }

    /// The line without its comment (trailing whitespace before the `#` is kept off too).
    public static func stripComment(_ line: String) -> String {
        var quote: Unicode.Scalar?
        return String(strip(line.unicodeScalars, quote: &quote))
    }

    /// `line` up to its comment; `quote` is the quote open at its start (a continued line), and
    /// at its end.
    static func strip(_ line: String.UnicodeScalarView, quote: inout Unicode.Scalar?) -> String.UnicodeScalarView {
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
                return trim(line[..<index], leading: false)
            }
            previousIsSpace = c.properties.isWhitespace
        }
        return line
    }

    /// Whitespace off both ends (or only the end), but not a whitespace a backslash escapes,
    /// except a carriage return: an escaped one goes with its backslash (printed at the end of a
    /// line, `\` CR would read as a CRLF continuation).
    static func trim<S: BidirectionalCollection>(_ s: S, leading: Bool = true) -> String.UnicodeScalarView where S.Element == Unicode.Scalar {
        var end = s.endIndex
        while end > s.startIndex {
            let last = s.index(before: end)
            guard s[last].properties.isWhitespace else { break }
            let backslashes = s[..<last].reversed().prefix { $0 == "\\" }.count
            if backslashes % 2 == 1 {
                guard s[last] == "\r" else { break }
                end = s.index(before: last)
                continue
            }
            end = last
        }
        var start = s.startIndex
        if leading { while start < end, s[start].properties.isWhitespace { start = s.index(after: start) } }
        return String.UnicodeScalarView(s[start..<end])
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
