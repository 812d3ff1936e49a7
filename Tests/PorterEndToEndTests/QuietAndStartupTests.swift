import Foundation
import Testing

/// What cron sees: `-q` prints results and errors only; the start-up file runs unless `-X`.
@Suite(.serialized) struct QuietAndStartupTests {
    @Test func quietPrintsOnlyResultsAndErrors() throws {
        let p = try Porter()
        let loud = try p.run(["-c", "seed 20; use Username-Password-Authentication; query logins_count:>=0; columns default; format json; export out.json; count"])
        #expect(loud.status == 0, "\(loud.err)")
        #expect(loud.out.contains("seeded 20 users") && loud.out.contains("exported 20 rows"))
        let quiet = try p.run(["-q", "-c", "use Username-Password-Authentication; query logins_count:>=0; columns default; format json; export out.json --force; count"])
        #expect(quiet.status == 0, "\(quiet.err)")
        #expect(quiet.out == "20 users match\n20\n", "only results: \(quiet.out)")
        let failing = try p.run(["-q", "-c", "count; qeury x"])
        #expect(failing.status == 1)
        #expect(failing.err.contains("unknown command 'qeury'"))
    }

    @Test func startupFileRunsUnlessX() throws {
        let p = try Porter()
        try FileManager.default.createDirectory(atPath: p.dir + "/config/porter", withIntermediateDirectories: true)
        try p.write("config/porter/porterrc", "set delimiter ;\nbogus-command\n")
        let env = ["XDG_CONFIG_HOME": p.dir + "/config"]
        let r = try p.run(["-c", "show"], env: env)
        #expect(r.status == 0, "an error in the start-up file is reported, not fatal: \(r.err)")
        #expect(r.out.contains("delimiter ;"))
        #expect(r.err.contains("porterrc:2: unknown command 'bogus-command'"))
        let x = try p.run(["-X", "-c", "show"], env: env)
        #expect(x.out.contains("delimiter ,"))
        #expect(x.err.isEmpty)
    }

    @Test func tildeIsHomeInScripts() throws {
        let p = try Porter()
        // Porter() sets HOME to its directory.
        let r = try p.run(["-c", "seed 2; format json; export ~/home.json"])
        #expect(r.status == 0, "\(r.err)")
        #expect(FileManager.default.fileExists(atPath: p.dir + "/home.json"))
    }

    @Test func helpNamesEveryShellCommandFromTheCommandLine() throws {
        let p = try Porter()
        let r = try p.run(["help", "import"])
        #expect(r.status == 0)
        #expect(r.out.hasPrefix("import FILE|- [--upsert]"))
        #expect(try p.run(["help", "nosuch"]).status == 64)
    }

    @Test func editAppliesTheEditorsResultAsIfTyped() throws {
        let p = try Porter()
        let env = ["EDITOR": "sed -i s/acme/example/", "VISUAL": ""]
        let r = try p.run(["-c", "seed 10; query email.domain:acme.com; edit; show"], env: env)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("query       email.domain:example.com"))
        let c = try p.run(["-c", "column add E = user.email; edit E; columns"], env: ["EDITOR": "sed -i s/email/name/", "VISUAL": ""])
        #expect(c.out.contains("1. E = user.name"), "\(c.out)")
        let bad = try p.run(["-c", "column add E = user.email; edit E"], env: ["EDITOR": "sed -i s/email/\\(/", "VISUAL": ""])
        #expect(bad.status == 1)
        #expect(bad.err.contains("^"), "the edited expression is checked as if typed")
    }
}
