import Foundation
import Testing
@testable import PorterShell

/// The command table is the one source of dispatch, usage errors, help and completion.
@Suite struct CommandTableTests {
    func quietShell() -> Shell {
        let console = Console()
        console.out = { _ in }
        console.err = { _ in }
        return Shell(console: console)
    }

    @Test func everyCommandHasHelpAndAnExampleThatParses() throws {
        #expect(Set(Shell.table.map(\.name)).count == Shell.table.count, "names are unique")
        for spec in Shell.table {
            let help = Help.text(for: spec.name)
            #expect(!help.hasPrefix("no help"), "\(spec.name)")
            #expect(help.contains("example: \(spec.example)"), "\(spec.name)")
            #expect(spec.example.hasPrefix(spec.name), "\(spec.name)'s example runs \(spec.name)")
            for f in spec.flags { #expect(help.contains(f.name), "\(spec.name) documents \(f.name)") }
            let rest = String(spec.example.dropFirst(spec.name.count)).trimmingCharacters(in: .whitespaces)
            #expect(throws: Never.self, "\(spec.example)") { _ = try spec.parse(rest) }
        }
        for topic in Help.topics { #expect(!Help.text(for: topic).hasPrefix("no help"), "\(topic)") }
        #expect(Help.text(for: "set").contains("formula-guard"))
        #expect(Help.text(for: "query").contains("_exists_"))
    }

    @Test func usageErrorsComeFromTheDeclaration() throws {
        let shell = quietShell()
        #expect { try shell.execute("export") } throws: { "\($0)".contains("usage: export FILE|- [--force]") }
        #expect { try shell.execute("export a.csv --upsert") } throws: { "\($0)".contains("export has no option --upsert") }
        #expect { try shell.execute("import f.json --extrnal-id x") } throws: { "\($0)".contains("did you mean --external-id?") }
        #expect { try shell.execute("import f.json --external-id") } throws: { "\($0)".contains("--external-id needs a value") }
        #expect { try shell.execute("jobs now") } throws: { "\($0)".contains("usage: jobs") }
        #expect { try shell.execute("job errors") } throws: { "\($0)".contains("job errors ID") }
        #expect { try shell.execute("set nope on") } throws: { "\($0)".contains("unknown option 'nope'") }
    }

    /// Every argument kind the table uses completes without a tenant error or a crash, and
    /// flags complete only the command's own.
    @Test func completionForEveryArgumentKind() throws {
        let dir = NSTemporaryDirectory() + "porter-complete-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/with space", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: dir + "/with space/it's.csv", contents: Data())
        let shell = quietShell()
        try shell.execute("connect local \(dir)/t.sqlite")
        try shell.execute("seed 3")
        for spec in Shell.table {
            var kinds: [ArgumentKind] = []
            switch spec.syntax {
            case .words(let args): kinds = args.map(\.kind)
            case .text(_, let c): kinds = c
            }
            for kind in kinds { _ = shell.candidates(for: kind, typed: "", before: []) }
        }
        #expect(shell.completions(line: "exp").candidates == ["explain", "export", "export-hashes"])
        #expect(shell.completions(line: "export a --").candidates == ["--force"])
        #expect(shell.completions(line: "import a --").candidates == ["--external-id", "--hashes", "--import-without-hash", "--resume", "--send-completion-email", "--upsert"])
        #expect(shell.completions(line: "set ").candidates.contains("formula-guard"))
        #expect(shell.completions(line: "set line-ending ").candidates == ["crlf", "lf"])
        #expect(shell.completions(line: "use ").candidates.contains("Username-Password-Authentication"))
        #expect(shell.completions(line: "connect ").candidates.contains("local"))
        #expect(shell.completions(line: "sort cr").candidates == ["created_at"])
        #expect(shell.completions(line: "help exp").candidates == ["explain", "export", "export-hashes", "expressions"])
        #expect(shell.completions(line: "eval user.em").candidates.contains("user.email"))
        // Files with spaces and quotes come back escaped, and an escaped prefix completes.
        #expect(shell.completions(line: "export \(dir)/wi").candidates == ["\(dir)/with\\ space/"])
        #expect(shell.completions(line: "import \(dir)/with\\ space/").candidates == ["\(dir)/with\\ space/it\\'s.csv"])
        #expect(try Words.split("import \(dir)/with\\ space/it\\'s.csv") == ["import", "\(dir)/with space/it's.csv"])
    }

    @Test func tildeIsHome() throws {
        let spec = try #require(Shell.spec(named: "export"))
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        #expect(try spec.parse("~/out.csv").positionals == [home + "/out.csv"])
        #expect(try spec.parse("'~/literal'").positionals == [home + "/literal"])
        #expect(try spec.parse("a~b").positionals == ["a~b"])
    }

    @Test func optionsTableDrivesSetShowAndSave() throws {
        let shell = quietShell()
        for option in SessionOption.allCases {
            let value = option.choices.last!
            try shell.execute("set \(option.name) \(value)")
            #expect(option.value(in: shell.session) == value, "\(option.name)")
        }
        let script = shell.session.script()
        for option in SessionOption.allCases where option.isSaved {
            #expect(script.contains("set \(option.name) "), "save writes \(option.name)")
        }
    }

    @Test func expandedDisplayWhenColumnsDoNotFit() {
        let rows = [["auth0|1234567890", "ada.lovelace@example.com", "Ada Lovelace", "2024-01-01T00:00:00.000Z"]]
        let headers = ["user_id", "email", "name", "created_at"]
        #expect(Table.naturalWidth(headers: headers, rows: rows) > 60)
        let text = Table.renderExpanded(headers: headers, rows: rows, maxWidth: 60)
        #expect(text.hasPrefix("-[ RECORD 1 ]"))
        #expect(text.contains("email      | ada.lovelace@example.com"))
        #expect(text.split(separator: "\n").allSatisfy { Table.width(of: String($0)) <= 60 })
        var out = ""
        let console = Console()
        console.out = { out += $0 }
        console.width = 60
        console.table(headers: headers, rows: rows)
        #expect(out.hasPrefix("-[ RECORD 1 ]"))
        out = ""
        console.width = 200
        console.table(headers: headers, rows: rows)
        #expect(out.hasPrefix("user_id"))
    }
}
