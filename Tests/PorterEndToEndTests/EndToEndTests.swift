import Foundation
import Testing

/// Drives the real `porter` binary (built beside the test bundle): scripts, -c, stdin, exit codes.
struct Porter {
    static let binary: String = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("porter").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/porter").path
    }()

    let dir: String
    init() throws {
        dir = NSTemporaryDirectory() + "porter-e2e-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    struct Result { var out: String; var err: String; var status: Int32 }

    @discardableResult
    func run(_ args: [String], stdin: String? = nil, env: [String: String] = [:]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Porter.binary)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        p.environment = environment(env, columns: true)
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let r = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(out: String(decoding: o, as: UTF8.self), err: String(decoding: r, as: UTF8.self), status: p.terminationStatus)
    }

    /// The environment porter runs with here: this directory as its home, tenant and state,
    /// then `extra`.
    func environment(_ extra: [String: String], columns: Bool = false) -> [String: String] {
        var e = ProcessInfo.processInfo.environment
        e["PORTER_TENANT"] = dir + "/tenant.sqlite"
        e["HOME"] = dir
        e["XDG_STATE_HOME"] = dir + "/state"
        e["XDG_DATA_HOME"] = dir + "/data"
        if columns { e["COLUMNS"] = "100" }
        for (k, v) in extra { e[k] = v }
        return e
    }

    /// Starts porter in the background (to be killed mid-way), in this directory with this
    /// environment as `run` sets it, its output discarded. `launcher` runs first and execs porter
    /// (the signal tests' python3 that clears the inherited signal mask).
    func start(_ args: [String], env: [String: String] = [:], launcher: [String] = []) throws -> Process {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: launcher.first ?? Porter.binary)
        child.arguments = Array(launcher.dropFirst()) + (launcher.isEmpty ? [] : [Porter.binary]) + args
        child.currentDirectoryURL = URL(fileURLWithPath: dir)
        child.environment = environment(env)
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        child.standardInput = FileHandle.nullDevice
        try child.run()
        return child
    }

    func write(_ name: String, _ text: String) throws { try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
    func read(_ name: String) throws -> String { try String(contentsOfFile: dir + "/" + name, encoding: .utf8) }
}

@Suite(.serialized) struct EndToEndTests {
    @Test func helpAndVersionAreTrue() throws {
        let p = try Porter()
        let help = try p.run(["--help"])
        #expect(help.status == 0)
        for word in ["-f <file>", "-c <commands>", "PORTER_TENANT", "PORTER_HISTORY", "PORTER_PASSWORD", "NO_COLOR", "tenant"] {
            #expect(help.out.contains(word), "--help mentions \(word)")
        }
        #expect(try p.run(["--version"]).out == "porter 0.1.0\n")
        #expect(try p.run(["--bogus"]).status == 64)
    }

    @Test func commandsWithGoldenOutput() throws {
        let p = try Porter()
        #expect(try p.run(["tenant", "seed", "300"]).status == 0)
        let r = try p.run(["-c", "query email.domain:acme.com AND logins_count:>=250; count; columns clear; column add E = user.email; sort email asc; preview 3"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.isEmpty)
        let lines = r.out.split(separator: "\n").map(String.init)
        // UserGenerator is seeded: the same users every time.
        #expect(lines.first == "23 users match")
        #expect(lines.contains("23"))
        #expect(r.out.hasSuffix("E\n-------------------------\nada.thompson.176@acme.com\nalan.hopper.102@acme.com\nalan.hopper.252@acme.com\n3 rows\n"))
    }

    @Test func scriptsStopOnTheFirstErrorWithFileAndLine() throws {
        let p = try Porter()
        try p.write("bad.porter", "# a comment\nquery\nqeury blocked:true\ncount\n")
        let r = try p.run(["-f", "bad.porter"])
        #expect(r.status == 1)
        #expect(r.err == "bad.porter:3: unknown command 'qeury'; did you mean 'query'? (type 'help')\n")
        #expect(!r.out.contains("\n0\n"), "count after the error must not run")
        try p.write("go-on.porter", "set on-error continue\ncolumn rm Nope\ncount\n")
        let g = try p.run(["-f", "go-on.porter"])
        #expect(g.status == 1, "a failed command still fails the run")
        #expect(g.err.contains("go-on.porter:2: unknown column 'Nope'"))
        #expect(g.out.hasSuffix("0\n"), "count ran after the error")
    }

    @Test func continuationLinesAndCaretErrors() throws {
        let p = try Porter()
        try p.write("c.porter", "query email.domain:acme.com \\\n  AND name:*sa\n")
        let r = try p.run(["-f", "c.porter"])
        #expect(r.status == 1)
        #expect(r.err.contains("c.porter:1: a wildcard at the start of a term needs at least 3 other characters"))
        #expect(r.err.contains("^^^"))
    }

    @Test func standardInputIsAScriptWithoutPrompt() throws {
        let p = try Porter()
        let r = try p.run([], stdin: "seed 20\ncount\nformat json\nshow\n")
        #expect(r.status == 0, "\(r.err)")
        #expect(!r.out.contains("porter("), "no prompt when stdin is not a terminal")
        #expect(r.out.contains("\n20\n"))
        #expect(r.out.contains("format      json"))
    }

    @Test func saveThenReplayReproducesTheExportByteForByte() throws {
        let p = try Porter()
        #expect(try p.run(["tenant", "seed", "200"]).status == 0)
        let build = try p.run(["-c", "query logins_count:>100; columns default; column add Plan = user.app_metadata?.plan ?? 'free'; sort created_at desc; set delimiter ';'; export a.csv; save s.porter"])
        #expect(build.status == 0, "\(build.err)")
        let replay = try p.run(["-c", "run s.porter; export b.csv"])
        #expect(replay.status == 0, "\(replay.err)")
        let a = try p.read("a.csv"), b = try p.read("b.csv")
        #expect(a == b)
        #expect(a.hasPrefix("Id;Given Name;Family Name;"))
        #expect(try p.read("s.porter").contains("column add Plan = user.app_metadata?.plan ?? 'free'"))
    }

    @Test func repeatedDashCRunsEveryCommandInOrder() throws {
        let p = try Porter()
        try p.run(["-c", "seed 3"])
        let r = try p.run(["-c", "format ndjson", "-c", "export out.ndjson; count"])
        #expect(r.status == 0, "\(r.err)")
        #expect(try p.read("out.ndjson").split(separator: "\n").count == 3, "the first -c (format ndjson) ran before the second")
        #expect(r.out.hasSuffix("3\n"))
    }

    @Test func anUnwritableErrorsFileSaysTheUsersWereImported() throws {
        let p = try Porter()
        try p.write("users.json", #"[{"email":"a@example.com"},{"email":"not an email"}]"#)
        try FileManager.default.createDirectory(atPath: p.dir + "/users.json.errors.json", withIntermediateDirectories: true)
        let r = try p.run(["-c", "import users.json"])
        #expect(r.status == 1)
        #expect(r.err.contains("1 inserted") && r.err.contains("errors file could not be written") && r.err.contains("job errors"), "\(r.err)")
        #expect(try p.run(["-c", "count"]).out == "1\n")
    }

    @Test func scriptsCannotRunThemselves() throws {
        let p = try Porter()
        try p.write("loop.porter", "run loop.porter\n")
        let r = try p.run(["-f", "loop.porter"])
        #expect(r.status == 1)
        #expect(r.err.contains("already running"))
    }

    @Test func exportsRefuseToOverwriteAndImportReportsEveryFailedUser() throws {
        let p = try Porter()
        try p.write("users.json", #"[{"email":"a@x.io","password_hash":"$2b$04$abcdefghijklmnopqrstuuJ0Ip5Zc4hA4cY3S1D4QeKdXdK0pu1Wu"},{"email":"oops"},{"email":"b@x.io","extra":1}]"#)
        let r = try p.run(["--keep-going", "-c", "import users.json; format json; export out.json; export out.json"])
        #expect(r.status == 1)
        #expect(r.out.contains("1 inserted, 0 updated, 2 failed, 3 total"))
        #expect(r.err.contains("out.json already exists (use --force to replace it)"))
        let errors = try p.read("users.json.errors.json")
        #expect(errors.contains("\"FORMAT\"") && errors.contains("OBJECT_ADDITIONAL_PROPERTIES"))
        #expect(try p.read("out.json").contains("\"a@x.io\""))
    }

    @Test func verifyReadsThePasswordNeverEchoesIt() throws {
        let p = try Porter()
        let hash = "$2b$04$w2FMvuXqcKHaIRjRcGNlNOYKe4bI3mdzh/qaehuAxW.6GG3jjQM1C" // bcrypt of "hunter2", cost 4 (Python bcrypt)
        try p.write("u.json", #"[{"email":"v@x.io","password_hash":"\#(hash)"}]"#)
        #expect(try p.run(["-c", "import u.json"]).status == 0)
        let ok = try p.run(["-c", "verify v@x.io"], env: ["PORTER_PASSWORD": "hunter2"])
        #expect(ok.status == 0 && ok.out.contains("matches"), "\(ok.out)\(ok.err)")
        #expect(!ok.out.contains("hunter2"))
        let bad = try p.run(["-c", "verify v@x.io"], stdin: "wrong\n")
        #expect(bad.status == 1 && bad.err.contains("does NOT match"))
    }
}

extension EndToEndTests {
    /// Every command's error path: a non-zero status and a message that says what to do.
    @Test func everyCommandFailsClearly() throws {
        let p = try Porter()
        let cases: [(String, String)] = [
            ("connect", "usage: connect local"), ("connect ftp://x", "not 'ftp://x'"), ("use nosuch", "no connection named 'nosuch'"),
            ("query name:*sa", "at least 3"), ("query (a", "^"), ("preview x", "usage: preview"), ("columns bogus", "usage: columns"),
            ("column add", "usage: column add"), ("column rm nope", "unknown column 'nope'"), ("column move nope 1", "unknown column 'nope'"),
            ("eval user.(", "^"), ("sort email sideways", "usage: sort"), ("format xml", "usage: format"), ("set nope 1", "unknown option 'nope'"),
            ("set preview -1", "from 1 to 100"), ("export", "usage: export"), ("export a.csv", "CSV needs columns"), ("import", "usage: import"),
            ("import missing.json", "no such file"), ("import --bogus", "import has no option --bogus"), ("validate", "usage: validate"),
            ("validate missing.json", "cannot open missing.json"), ("job", "usage: job"), ("job job_nope", "does not exist"),
            ("job errors job_nope", "does not exist"), ("verify", "usage: verify"), ("seed x", "usage: seed"), ("save", "usage: save"),
            ("run missing.porter", "cannot read missing.porter"), ("help nosuchcmd", "no help for 'nosuchcmd'"), ("quack", "unknown command 'quack'"),
            ("connect https://t.auth0.com", "no credentials"), ("connect http://example.com", "refusing plain http"),
        ]
        for (command, expected) in cases {
            let r = try p.run(["-c", command], env: ["PORTER_CLIENT_ID": "", "PORTER_CLIENT_SECRET": "", "PORTER_TOKEN": "", "AUTH0_CLIENT_ID": "", "AUTH0_TOKEN": ""])
            #expect(r.status == 1, "\(command) fails")
            #expect((r.out + r.err).contains(expected), "\(command): \(r.out)\(r.err)")
            #expect(!(r.out + r.err).contains("Fatal error"), "\(command) does not crash")
        }
    }
}
