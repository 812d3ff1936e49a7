import Foundation
import PorterShell

/// The `.porter` line reader (comments, quotes, `\` continuations, CRLF): never crashes; every
/// command is one trimmed line starting where it says; and reading is stable: the commands,
/// printed one per line (as `save` and `history` print them), read back as the same commands.
enum ScriptTarget {
    static func check(_ bytes: [UInt8]) {
        let lines = ScriptLines.lines(String(decoding: bytes, as: UTF8.self))
        let commands = ScriptLines.commands(lines)
        var previous = 0
        for c in commands {
            FuzzTargets.require(!c.text.isEmpty && !c.text.contains("\n"), "command \(c) is empty or has a newline")
            FuzzTargets.require(c.line > previous && c.line <= lines.count, "command \(c) starts at line \(c.line) after \(previous) of \(lines.count)")
            previous = c.line
        }
        let printed = commands.map(\.text).joined(separator: "\n")
        let again = ScriptLines.commands(printed)
        FuzzTargets.require(again.map(\.text) == commands.map(\.text),
                            "printed commands read back differently: \(commands.map(\.text)) → \(again.map(\.text))")
        FuzzTargets.require(again.map(\.line) == (0..<commands.count).map { $0 + 1 }, "printed commands are not one a line: \(again)")
    }
}
