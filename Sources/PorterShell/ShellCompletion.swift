import Foundation
import PorterExpression
import PorterTenant

// Tab completion, derived from the command table: the argument kind under the cursor decides
// the candidates. Pure (no libedit), so it is tested directly.
extension Shell {
    /// The word being typed at the end of `line` (backslash-escaped spaces belong to it) and
    /// its candidates, escaped as the shell reads them back.
    func completions(line: String) -> (word: String, candidates: [String]) {
        let (before, word) = Self.splitForCompletion(line)
        let raw = Self.unescape(word)
        guard let first = before.first else {
            return (word, Self.commands.filter { $0.hasPrefix(raw) }.sorted())
        }
        guard let spec = Self.spec(named: first) else { return (word, []) }
        var pool: [String] = []
        if raw.hasPrefix("-"), case .words = spec.syntax {
            pool = spec.flags.map(\.name)
        } else if let kind = spec.completionKind(before: Array(before.dropFirst())) {
            pool = candidates(for: kind, typed: raw, before: Array(before.dropFirst()))
        }
        return (word, pool.filter { $0.hasPrefix(raw) }.sorted().map(Self.escape))
    }

    /// Candidates for one argument kind (unfiltered, unescaped).
    func candidates(for kind: ArgumentKind, typed: String, before: [String]) -> [String] {
        switch kind {
        case .file: return Self.files(typed)
        case .connection: return ((try? tenant().connections(strategy: nil).map(\.name)) ?? []) + ["all"]
        case .connectTarget: return ["local"] + recentRemotes
        case .number, .email: return []
        case .choice(let words): return words
        case .sortAttribute: return ["none"] + Self.sortableAttributes + session.columns.map(\.name)
        case .option: return SessionOption.allCases.map(\.name)
        case .optionValue: return before.first.flatMap(SessionOption.init(rawValue:))?.choices ?? []
        case .jobID: return (before.isEmpty ? ["errors"] : []) + ((try? tenant().recentJobs(limit: 20).map(\.id)) ?? [])
        case .helpTopic: return Self.table.map(\.name) + Help.topics
        case .queryField: return ["AND", "OR", "NOT", "_exists_:"] + knownPaths().map { String($0.dropFirst(5)) + ":" }
        case .attribute: return knownPaths() + Self.builtinCompletions(typed)
        case .column: return session.columns.map(\.name) + knownPaths()
        }
    }

    /// Remote addresses this session has used (for `connect <Tab>`).
    var recentRemotes: [String] {
        let typed = history.reversed().compactMap { line -> String? in
            let w = line.split(separator: " ")
            return w.count == 2 && w[0] == "connect" && w[1].hasPrefix("http") ? String(w[1]) : nil
        }
        var seen = Set<String>()
        return ((session.remote.map { [$0] } ?? []) + typed).filter { seen.insert($0).inserted }
    }

    /// Built-ins from the expression registry: `….name(` after a dot, function names otherwise.
    static func builtinCompletions(_ typed: String) -> [String] {
        guard let dot = typed.lastIndex(of: "."), dot > typed.startIndex else { return Registry.functionNames.map { $0 + "(" } }
        let base = String(typed[..<dot])
        if Registry.functionNames.contains(where: { $0.hasPrefix(base + ".") }) {
            return Registry.functionNames.filter { $0.hasPrefix(base + ".") }.map { $0 + "(" }
        }
        return Registry.methodNames.map { base + "." + $0 + "(" }
    }

    func knownPaths() -> [String] {
        if session.seenPaths.isEmpty { _ = try? firstUsers(20) }
        return Array(session.seenPaths)
    }

    /// Words before the one being typed, and that word (as typed, escapes included).
    static func splitForCompletion(_ line: String) -> (before: [String], word: String) {
        var words: [String] = []
        var current = ""
        var escaped = false
        for c in line {
            if escaped { current.append(c); escaped = false; continue }
            if c == "\\" { current.append(c); escaped = true; continue }
            if c == " " || c == "\t" {
                if !current.isEmpty { words.append(current); current = "" }
                continue
            }
            current.append(c)
        }
        return (words.map(unescape), current)
    }

    static func unescape(_ s: String) -> String {
        var out = ""
        var escaped = false
        for c in s {
            if escaped { out.append(c); escaped = false } else if c == "\\" { escaped = true } else { out.append(c) }
        }
        return out
    }

    /// A candidate as the shell reads it back: spaces, quotes, `#` and backslashes escaped.
    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            if c == " " || c == "\\" || c == "\"" || c == "'" || c == "#" || c == "\t" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    static func files(_ typed: String) -> [String] {
        let expanded = Paths.expandingTilde(typed)
        let slash = expanded.lastIndex(of: "/")
        let dir = slash.map { String(expanded[...$0]) } ?? ""
        // Keep what the user typed (`~/`) in the candidate.
        let shownDir = typed.lastIndex(of: "/").map { String(typed[...$0]) } ?? ""
        let list = (try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? []
        let wantHidden = typed.split(separator: "/", omittingEmptySubsequences: false).last?.hasPrefix(".") ?? false
        return list.filter { wantHidden || !$0.hasPrefix(".") }.map { name in
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: dir + name, isDirectory: &isDir)
            return shownDir + name + (isDir.boolValue ? "/" : "")
        }
    }
}
