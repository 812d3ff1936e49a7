import Foundation
import Testing
@testable import PorterShell

@Suite struct ShellUnitTests {
    @Test func words() throws {
        #expect(try Words.split(#"column add "Full Name" = x"#) == ["column", "add", "Full Name", "=", "x"])
        #expect(try Words.split(#"a 'b c' d\ e "q\"uote""#) == ["a", "b c", "d e", "q\"uote"])
        #expect(throws: Words.Failure.self) { try Words.split("say \"unterminated") }
        for s in ["plain", "with space", "quote\"d", "back\\slash", "", "#hash"] {
            #expect(try Words.split(Words.quote(s)) == [s])
        }
    }

    @Test func nearestCommand() {
        #expect(Help.nearest("qeury", in: Shell.commands) == "query")
        #expect(Help.nearest("exprot", in: Shell.commands) == "export")
        #expect(Help.nearest("zzzzzz", in: Shell.commands) == nil)
    }

    @Test func tableWidths() {
        #expect(Table.width(of: "abc") == 3)
        #expect(Table.width(of: "中文") == 4)
        #expect(Table.width(of: "😀") == 2)
        #expect(Table.width(of: "e\u{301}") == 1)
        #expect(Table.fit("abcdef", 4) == "abc…")
        #expect(Table.fit("中文中文", 5) == "中文…")
        let t = Table.render(headers: ["a", "b"], rows: [["1", String(repeating: "x", count: 100)]], maxWidth: 30)
        #expect(t.split(separator: "\n").allSatisfy { Table.width(of: String($0)) <= 30 })
        #expect(t.contains("…"))
    }

    @Test func saveRebuildsTheState() throws {
        let dir = NSTemporaryDirectory() + "porter-shell-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var output = ""
        let console = Console()
        console.out = { output += $0 }
        console.err = { output += $0 }
        let a = Shell(console: console)
        for line in ["connect local \(dir)/t.sqlite", "query email.domain:acme.com", "columns default", "column add \"My Plan\" = user.app_metadata?.plan ?? 'free'",
                     "column move Email 1", "sort created_at desc", "format ndjson", "set delimiter ;", "set bom on", "set on-error continue"] {
            try a.execute(line)
        }
        let script = a.session.script()
        let b = Shell(console: console)
        _ = try b.runLines(script.components(separatedBy: "\n"), source: "saved")
        #expect(b.session.script() == script)
        #expect(b.session.columns.map(\.name).first == "Email")
        #expect(b.session.columns.map(\.name).last == "My Plan")
        #expect(!script.contains("password"))
    }

    @Test func errorsNameTheColumn() throws {
        let console = Console()
        var errors = ""
        console.out = { _ in }
        console.err = { errors += $0 }
        let shell = Shell(console: console)
        let failed = try shell.runLines(["query name:*sa"], source: "x.porter")
        #expect(failed == 1)
        #expect(errors.contains("x.porter:1: a wildcard at the start of a term needs at least 3 other characters"))
        #expect(errors.contains("  query name:*sa\n             ^^^"))
    }
}
