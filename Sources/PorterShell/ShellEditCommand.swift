import Foundation
import PorterExpression

// `edit`: the current query, or a column's expression, in $EDITOR (psql's \e); the result is
// applied as if typed, so it is checked the same way.
extension Shell {
    func edit(_ a: Invocation) throws {
        let column = a[0]
        let original: String
        if let column {
            guard let i = session.columns.firstIndex(where: { $0.name == column }) else { throw unknownColumn(column) }
            original = session.columns[i].expression.source
        } else {
            original = session.query.source
        }
        guard let edited = try runEditor(on: original) else {
            console.info("unchanged")
            return
        }
        if let column {
            try execute("column add \(Words.quote(column)) = \(edited)")
        } else {
            try execute("query \(edited)")
        }
    }

    /// The text after `$VISUAL`/`$EDITOR` (default vi) has edited it, as one line; nil when unchanged.
    func runEditor(on text: String) throws -> String? {
        let env = ProcessInfo.processInfo.environment
        let editor = [env["VISUAL"], env["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
        let path = FileManager.default.temporaryDirectory.path + "/porter-edit-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).txt"
        guard FileManager.default.createFile(atPath: path, contents: Data((text + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ShellError("cannot write a temporary file for the editor in \(FileManager.default.temporaryDirectory.path)")
        }
        defer { unlink(path) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        // The editor gets the terminal: standard input, output and error are inherited.
        p.arguments = ["-c", editor + " \"$1\"", "porter-edit", path]
        do { try p.run() } catch { throw ShellError("cannot start the editor '\(editor)': \(error.localizedDescription)") }
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw ShellError("the editor '\(editor)' exited with status \(p.terminationStatus); nothing changed") }
        guard let data = FileManager.default.contents(atPath: path) else { throw ShellError("the edited file is gone; nothing changed") }
        // Lines are joined as `\` continuations are: the result stays one command.
        let lines = ScriptLines.commands(String(decoding: data, as: UTF8.self)).map(\.text)
        let result = lines.joined(separator: " ")
        return result == text ? nil : result
    }
}
