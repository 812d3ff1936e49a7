import Foundation

/// One shell command, declared once: dispatch, argument parsing, usage errors, `help` and
/// completion are all derived from it (as swift-argument-parser derives them from one type).
struct CommandSpec: Sendable {
    enum Group: String, CaseIterable, Sendable {
        case tenant = "Tenant", select = "Select", columns = "Columns", maps = "Import maps", output = "Output", jobs = "Jobs", session = "Session"
    }

    /// A positional argument: its name in the synopsis and how it completes.
    struct Argument: Sendable {
        var name: String
        var kind: ArgumentKind
        var optional = false
    }

    /// A `--flag`, possibly with a value (`--external-id ID`).
    struct Flag: Sendable {
        var name: String
        var value: String? = nil
        var help: String
    }

    /// How the words after the name are read.
    enum Syntax: Sendable {
        /// Shell words (quotes group, `\` escapes), flags and positionals checked against the declaration.
        case words([Argument])
        /// The rest of the line as it is (a query, an expression); `completion` per word position.
        case text(String, completion: [ArgumentKind])
    }

    var name: String
    var aliases: [String] = []
    var group: Group
    var syntax: Syntax
    var flags: [Flag] = []
    /// More synopsis forms (`column rm NAME`), shown under the first.
    var otherForms: [String] = []
    var help: String
    var example: String
    var run: @Sendable (Shell, Invocation) throws -> Void

    var synopsis: String {
        var parts = [name]
        switch syntax {
        case .words(let args):
            for a in args { parts.append(a.optional ? "[\(a.name)]" : a.name) }
        case .text(let placeholder, _):
            if !placeholder.isEmpty { parts.append(placeholder) }
        }
        for f in flags { parts.append("[" + f.name + (f.value.map { " " + $0 } ?? "") + "]") }
        return parts.joined(separator: " ")
    }

    var forms: [String] { [synopsis] + otherForms }

    var usage: String { "usage: " + forms.joined(separator: " | ") }

    /// Reads the words after the command name, or says how the line is wrong.
    func parse(_ rest: String) throws -> Invocation {
        guard case .words(let arguments) = syntax else { return Invocation(text: rest) }
        let words: [String]
        do { words = try Words.split(rest) } catch { throw ShellError("\(error.message) at column \(error.column)") }
        var invocation = Invocation(text: rest)
        var i = 0
        while i < words.count {
            let w = words[i]
            if w.hasPrefix("--") && w.count > 2 {
                guard let flag = flags.first(where: { $0.name == w }) else {
                    let near = Help.nearest(w, in: flags.map(\.name))
                    throw ShellError("\(name) has no option \(w)" + (near.map { "; did you mean \($0)?" } ?? "") + " (\(usage))")
                }
                if let value = flag.value {
                    guard i + 1 < words.count else { throw ShellError("\(w) needs a value: \(w) \(value)") }
                    invocation.values[w] = words[i + 1]
                    i += 1
                } else {
                    invocation.flags.insert(w)
                }
            } else {
                let index = invocation.positionals.count
                let kind = index < arguments.count ? arguments[index].kind : nil
                invocation.positionals.append(kind == .file ? Paths.expandingTilde(w) : w)
            }
            i += 1
        }
        let required = arguments.filter { !$0.optional }.count
        guard (required...arguments.count).contains(invocation.positionals.count) else {
            throw ShellError(usage)
        }
        return invocation
    }

    /// The argument kind for the word being typed, given the words before it.
    func completionKind(before: [String]) -> ArgumentKind? {
        switch syntax {
        case .text(_, let kinds):
            guard !kinds.isEmpty else { return nil }
            return kinds[min(before.count, kinds.count - 1)]
        case .words(let arguments):
            if let last = before.last, let flag = flags.first(where: { $0.name == last }), flag.value != nil { return nil }
            var index = 0
            var skipValue = false
            for w in before {
                if skipValue { skipValue = false; continue }
                if let flag = flags.first(where: { $0.name == w }) { skipValue = flag.value != nil; continue }
                index += 1
            }
            guard !arguments.isEmpty else { return nil }
            return index < arguments.count ? arguments[index].kind : nil
        }
    }
}

/// What a command line said, read against its command's declaration.
struct Invocation {
    /// The text after the command name, as typed.
    var text: String
    var positionals: [String] = []
    var flags: Set<String> = []
    var values: [String: String] = [:]

    subscript(_ i: Int) -> String? { i < positionals.count ? positionals[i] : nil }
    func has(_ flag: String) -> Bool { flags.contains(flag) }
}

/// What an argument is, for completion (and `~` expansion of files).
enum ArgumentKind: Equatable, Sendable {
    case file, connection, connectTarget, number, sortAttribute, option, optionValue, jobID, helpTopic, queryField, attribute, column, email
    case choice([String])
}

enum Paths {
    /// `~` and `~/…` as the shell expands them (other users' `~name` are left as typed).
    static func expandingTilde(_ path: String) -> String {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        let home = ProcessInfo.processInfo.environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + path.dropFirst()
    }
}
