import Foundation
import Testing

/// Files that survive every signal (issue 12): SIGINT, SIGTERM and SIGHUP during an export or
/// an import leave no temporary file, the previous target byte for byte and the tenant whole,
/// and porter ends as killed by the signal (a shell shows 128+N); after a kill -9, the next
/// export of the same target removes the temporary file the killed one left, and says so.
@Suite(.serialized) struct SignalTests {
    /// `porter ARGS` started in `p`'s directory, not waited for, with the signal state a shell
    /// gives it (the test runner's children inherit SIGINT, SIGTERM and SIGHUP blocked, which
    /// porter, like any program, leaves blocked): python3 clears the mask and execs porter.
    func start(_ p: Porter, _ args: [String], env: [String: String] = [:]) throws -> Process {
        try p.start(args, env: env, launcher: ["/usr/bin/python3", "-c", """
            import os, signal, sys
            signal.pthread_sigmask(signal.SIG_SETMASK, [])
            for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP): signal.signal(s, signal.SIG_DFL)
            os.execv(sys.argv[1], sys.argv[1:])
            """])
    }

    func temporaries(_ p: Porter) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: p.dir)) ?? []).filter { $0.contains(".porter-") && $0.hasSuffix(".tmp") }
    }

    /// Waits (up to 60 s) until `ready` holds or the child ends; false if it ended first.
    func wait(for child: Process, until ready: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && child.isRunning {
            if ready() { return true }
            usleep(5_000)
        }
        return false
    }

    /// A slow export (an expression column over 10,000 users) of big.csv, which exists.
    static let export = ["-c", "query logins_count:>=0; columns default; column add U = user.email.toUpperCase() + user.name.split(' ').join('-'); export big.csv --force"]

    @Test func everySignalDuringAnExportKeepsThePreviousFileAndLeavesNoTemporary() throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "python3 starts porter with a shell's signal state (scripts/bootstrap installs it)")
        let p = try Porter()
        #expect(try p.run(["tenant", "seed", "10000"]).status == 0)
        let previous = Data("the previous, complete export\n".utf8)
        for (sig, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM"), (SIGHUP, "SIGHUP")] {
            try previous.write(to: URL(fileURLWithPath: p.dir + "/big.csv"))
            let child = try start(p, Self.export)
            let writing = wait(for: child) { !temporaries(p).isEmpty }
            #expect(writing, "\(name): the export was writing its temporary file when the signal came")
            kill(child.processIdentifier, sig)
            child.waitUntilExit()
            #expect(child.terminationReason == .uncaughtSignal && child.terminationStatus == sig,
                    "\(name): porter ends as killed by \(name) (status 128+\(sig) in a shell), not \(child.terminationReason) \(child.terminationStatus)")
            #expect(temporaries(p).isEmpty, "\(name): temporary files left: \(temporaries(p))")
            #expect(try Data(contentsOf: URL(fileURLWithPath: p.dir + "/big.csv")) == previous, "\(name): big.csv is the previous version, byte for byte")
        }
        // Undisturbed, the same export replaces it.
        let r = try p.run(Self.export)
        #expect(r.status == 0, "\(r.err)")
        #expect(try p.read("big.csv").utf8.filter { $0 == 10 }.count == 10_001)

        // kill -9 cannot be caught: the next export of the same target removes what it left.
        try p.write("big.csv", "previous\n")
        let child = try start(p, Self.export)
        #expect(wait(for: child) { !temporaries(p).isEmpty })
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        let left = temporaries(p)
        #expect(left.count == 1, "kill -9 cannot be caught: its temporary file stays until the next run")
        #expect(try p.read("big.csv") == "previous\n")
        // Another target's export does not touch it; the next export of big.csv removes it.
        #expect(try p.run(["-c", "seed 1; format json; export other.json"]).status == 0)
        #expect(temporaries(p) == left)
        let again = try p.run(Self.export)
        #expect(again.status == 0, "\(again.err)")
        #expect(temporaries(p).isEmpty, "left: \(temporaries(p))")
        #expect(again.out.contains("removed \(p.dir)/\(left.first ?? "?"): a temporary file of big.csv left by porter process \(child.processIdentifier), which no longer runs"), "\(again.out)")
    }

    /// A local import of 20,000 users in slow batches of 1,000: each signal stops it between or
    /// inside a batch; what landed is whole batches, the tenant reads, `--resume` completes it
    /// with every user exactly once.
    @Test func everySignalDuringALocalImportLeavesWholeBatchesAndResumes() throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "python3 starts porter with a shell's signal state (scripts/bootstrap installs it)")
        let p = try Porter()
        let users = (0..<20_000).map { #"{"email":"u\#($0)@example.com","given_name":"G\#($0)"}"# }
        // 20 batches and 300 ms after each: the import is still storing users when the signal comes.
        let slow = ["PORTER_TEST_IMPORT_BATCH": "1000", "PORTER_TEST_IMPORT_PAUSE_MS": "300"]
        // The tenant exists before the polls below open it beside the import.
        #expect(try p.run(["tenant", "init"]).status == 0)
        var expected = 0
        for (sig, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM"), (SIGHUP, "SIGHUP")] {
            // Each round imports another 20,000 (their own emails).
            let file = "users-\(name).json"
            try p.write(file, "[" + users.map { $0.replacingOccurrences(of: "@example.com", with: "@\(name.lowercased()).example.com") }.joined(separator: ",\n") + "]")
            let child = try start(p, ["-c", "import \(file)"], env: slow)
            let started = wait(for: child) { (try? p.run(["-c", "count"]).out.split(separator: "\n").last.flatMap { Int($0) }) ?? 0 > expected }
            #expect(started, "\(name): the import was storing users when the signal came")
            kill(child.processIdentifier, sig)
            child.waitUntilExit()
            #expect(child.terminationReason == .uncaughtSignal && child.terminationStatus == sig, "\(name): \(child.terminationReason) \(child.terminationStatus)")
            #expect(temporaries(p).isEmpty, "\(name): temporary files left: \(temporaries(p))")
            let count = try p.run(["-c", "count"])
            #expect(count.status == 0, "\(name): the tenant reads after the signal: \(count.err)")
            let landed = (Int(count.out.split(separator: "\n").last ?? "") ?? -1) - expected
            #expect(landed > 0 && landed < 20_000 && landed % 1000 == 0, "\(name): whole batches landed, not \(landed) users")
            let resumed = try p.run(["-c", "import \(file) --resume"], env: ["PORTER_TEST_IMPORT_BATCH": "1000"])
            #expect(resumed.status == 0, "\(name): \(resumed.out)\(resumed.err)")
            expected += 20_000
            #expect(try p.run(["-c", "count"]).out.split(separator: "\n").last == "\(expected)", "\(name): every user exactly once after --resume")
        }
    }
}
