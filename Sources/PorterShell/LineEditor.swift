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
            // Echo off before the prompt shows: what is typed as soon as it appears is not echoed.
            porter_echo(0)
            FileHandle.standardOutput.write(Data(prompt.utf8))
            defer { porter_echo(1); print("") }
            return readLine()
        }
        shell.interactive = true
        shell.console.print("porter \(PorterVersion.number) — tenant: local, connection: \(shell.session.connection ?? "all"). Type 'help', Tab completes, Ctrl-D quits.")
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

    /// Completion candidates for libedit's word `text`: the shell completes the whole word at
    /// the end of the line (escaped spaces included), and libedit replaces only its own word,
    /// so the part before it is taken off each candidate.
    func complete(_ text: String) -> [String] {
        let line = String(cString: porter_line_buffer())
        let (word, candidates) = shell.completions(line: line)
        guard word.hasSuffix(text) else {
            porter_set_completion_append(32)
            return candidates
        }
        porter_set_completion_append(candidates.count == 1 && candidates[0].hasSuffix("/") ? 0 : 32)
        let lead = word.count - text.count
        return candidates.filter { $0.count >= lead }.map { String($0.dropFirst(lead)) }
    }
}
