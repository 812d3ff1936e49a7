import CEditLine
import Foundation

/// The interactive shell over libedit: history across sessions, Emacs keys, tab completion,
/// Ctrl-C that cancels the running command (or clears the line) and keeps the shell.
public final class LineEditor {
    let shell: Shell
    let historyPath: String

    nonisolated(unsafe) static var current: LineEditor?
    nonisolated(unsafe) static var candidates: [String] = []

    public init(shell: Shell) {
        self.shell = shell
        let env = ProcessInfo.processInfo.environment
        if let p = env["PORTER_HISTORY"], !p.isEmpty {
            historyPath = p
        } else if let xdg = env["XDG_STATE_HOME"], !xdg.isEmpty {
            historyPath = xdg + "/porter/history"
        } else {
            historyPath = NSHomeDirectory() + "/.porter_history"
        }
    }

    /// Lines that look like they carry a secret never reach the history file.
    static func isSecret(_ line: String) -> Bool {
        let l = line.lowercased()
        return ["secret", "password", "token", "client_id="].contains { l.contains($0) } && (l.contains("=") || l.contains(":"))
    }

    public func run() -> Int32 {
        LineEditor.current = self
        setlocale(LC_CTYPE, "")  // libedit shows and edits non-ASCII characters only in a UTF-8 locale
        porter_install_sigint()
        porter_install_completion { text, state in
            guard let text else { return nil }
            if state == 0 { LineEditor.candidates = LineEditor.current?.complete(String(cString: text)) ?? [] }
            guard Int(state) < LineEditor.candidates.count else { return nil }
            return strdup(LineEditor.candidates[Int(state)])
        }
        try? FileManager.default.createDirectory(atPath: URL(fileURLWithPath: historyPath).deletingLastPathComponent().path, withIntermediateDirectories: true)
        _ = read_history(historyPath)
        shell.isCancelled = { porter_sigint_pending() != 0 }
        shell.readSecret = { prompt in
            FileHandle.standardOutput.write(Data(prompt.utf8))
            porter_echo(0)
            defer { porter_echo(1); print("") }
            return readLine()
        }
        shell.console.print("porter 0.1 — tenant: local, connection: \(shell.session.connection ?? "all"). Type 'help', Tab completes, Ctrl-D quits.")
        var pending = ""
        var status: Int32 = 0
        while true {
            _ = porter_take_sigint()
            guard let raw = readline(pending.isEmpty ? shell.prompt : "...> ") else {
                if porter_take_sigint() != 0 {
                    // Ctrl-C at the prompt: drop the line, keep the shell.
                    pending = ""
                    print("")
                    continue
                }
                print("")
                break
            }
            var line = String(cString: raw)
            free(raw)
            if line.hasSuffix("\\") {
                line.removeLast()
                pending += line + " "
                continue
            }
            line = pending + line
            pending = ""
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            if !LineEditor.isSecret(trimmed) {
                add_history(trimmed)
                shell.history.append(trimmed)
                // Saved as each command is run, so a crash or a kill loses none of the session.
                saveHistory()
            }
            do {
                try shell.execute(trimmed)
            } catch is QuitRequest {
                break
            } catch {
                shell.report(error, at: nil)
                status = 1
            }
            if porter_take_sigint() != 0 { shell.console.note("cancelled") }
        }
        saveHistory()
        _ = status
        return 0
    }

    func saveHistory() {
        // Write to a temporary file and rename, ignoring SIGHUP meanwhile (a hang-up while
        // writing once truncated the history to nothing).
        signal(SIGHUP, SIG_IGN)
        let tmp = historyPath + ".tmp"
        if write_history(tmp) == 0 { rename(tmp, historyPath) } else { unlink(tmp) }
        signal(SIGHUP, SIG_DFL)
    }

    /// Completion candidates for the word being typed, from the line so far.
    func complete(_ text: String) -> [String] {
        let line = String(cString: porter_line_buffer())
        let before = line.components(separatedBy: .whitespaces).filter { !$0.isEmpty }
        let typingFirst = before.isEmpty || (before.count == 1 && !line.hasSuffix(" "))
        var pool: [String]
        if typingFirst {
            pool = Shell.commands
        } else {
            switch before[0] {
            case "use": pool = ((try? shell.tenant().connections(strategy: nil).map(\.name)) ?? []) + ["all"]
            case "format": pool = ["csv", "json", "ndjson", "import"]
            case "set": pool = before.count <= 2 && !(before.count == 2 && line.hasSuffix(" ")) ? Help.optionNames : ["on", "off", "stop", "continue", "crlf", "lf", "tab"]
            case "columns": pool = ["default", "clear"]
            case "column": pool = before.count <= 2 && !(before.count == 2 && line.hasSuffix(" ")) ? ["add", "rm", "move"] : shell.session.columns.map(\.name) + paths()
            case "help": pool = Shell.commands + ["expressions"]
            case "sort": pool = before.count <= 2 && !(before.count == 2 && line.hasSuffix(" ")) ? ["none", "created_at", "updated_at", "last_login", "email", "user_id", "name", "logins_count"] : ["asc", "desc"]
            case "job": pool = ["errors"] + ((try? shell.tenant().recentJobs(limit: 20).map(\.id)) ?? [])
            case "export", "import", "validate", "run", "save": pool = files(text) + ["--force", "--upsert", "--external-id", "--send-completion-email"]
            case "eval": pool = paths()
            case "query":
                pool = ["AND", "OR", "NOT", "_exists_:"] + paths().map { String($0.dropFirst(5)) + ":" }
            default: pool = []
            }
        }
        return pool.filter { $0.hasPrefix(text) }.sorted()
    }

    func paths() -> [String] {
        if shell.session.seenPaths.isEmpty { _ = try? shell.firstUsers(20) }
        return Array(shell.session.seenPaths)
    }

    func files(_ prefix: String) -> [String] {
        let dir = prefix.contains("/") ? String(prefix[..<prefix.lastIndex(of: "/")!]) + "/" : ""
        let list = (try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? []
        return list.filter { !$0.hasPrefix(".") }.map { name in
            var isDir: ObjCBool = false
            let full = dir + name
            _ = FileManager.default.fileExists(atPath: full, isDirectory: &isDir)
            return full + (isDir.boolValue ? "/" : "")
        }
    }
}
