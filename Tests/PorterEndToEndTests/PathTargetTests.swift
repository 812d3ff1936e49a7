import Foundation
import Testing

/// Paths as users type them: one-character names, `-`, devices, links, FIFOs.
@Suite(.serialized) struct PathTargetTests {
    /// Foundation on Linux traps on `deletingLastPathComponent` of a one-character path; every
    /// place a user's path reaches must survive it.
    @Test func oneCharacterPathsDoNotCrash() throws {
        let p = try Porter()
        let export = try p.run(["-c", "seed 3; format json; export a"])
        #expect(export.status == 0, "\(export.err)")
        #expect(try p.read("a").contains("user_id"))
        let local = try p.run(["-c", "connect local z; count"])
        #expect(local.status == 0, "\(local.err)")
        #expect(try p.run(["-c", "count"], env: ["PORTER_TENANT": "x"]).status == 0)
        #expect(try p.run(["tenant", "info", "--tenant", "y"]).status == 0)
        let save = try p.run(["-c", "save --force"])
        #expect(save.status == 1)
        #expect(save.err.contains("usage: save FILE.porter"))
        #expect(try p.run(["-c", "save s"]).status == 0)
    }

    @Test func dashIsStandardOutput() throws {
        let p = try Porter()
        let r = try p.run(["-c", "seed 4; query; format ndjson; export -"])
        #expect(r.status == 0, "\(r.err)")
        let lines = r.out.split(separator: "\n").filter { $0.hasPrefix("{") }
        #expect(lines.count == 4)
        #expect(r.err.contains("exported 4 rows to -"))
        #expect(!r.out.contains("exported"))
    }

    @Test func devicesAreRefusedLinksAreWrittenThroughFIFOsAreWritten() throws {
        let p = try Porter()
        _ = try p.run(["-c", "seed 2"])
        let device = try p.run(["-c", "format json; export /dev/null --force"])
        #expect(device.status == 1)
        #expect(device.err.contains("character device"))
        var st = stat()
        #expect(stat("/dev/null", &st) == 0 && st.st_mode & S_IFMT == S_IFCHR)

        try p.write("real.json", "old")
        #expect(symlink("real.json", p.dir + "/link.json") == 0)
        let link = try p.run(["-c", "format json; export link.json --force"])
        #expect(link.status == 0, "\(link.err)")
        var lst = stat()
        #expect(lstat(p.dir + "/link.json", &lst) == 0 && lst.st_mode & S_IFMT == S_IFLNK, "the link stays a link")
        #expect(try p.read("real.json").contains("user_id"))

        #expect(mkfifo(p.dir + "/fifo", 0o600) == 0)
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/cat")
        reader.arguments = [p.dir + "/fifo"]
        let out = Pipe()
        reader.standardOutput = out
        try reader.run()
        let fifo = try p.run(["-c", "format ndjson; export fifo"])
        let data = out.fileHandleForReading.readDataToEndOfFile()
        reader.waitUntilExit()
        #expect(fifo.status == 0, "\(fifo.err)")
        #expect(String(decoding: data, as: UTF8.self).split(separator: "\n").count == 2)
    }

    @Test func fileAndCommandsTogetherAreRefused() throws {
        let p = try Porter()
        try p.write("s.porter", "count\n")
        let r = try p.run(["-f", "s.porter", "-c", "count"])
        #expect(r.status != 0)
        #expect(r.err.contains("-f and -c cannot be combined"))
    }
}
