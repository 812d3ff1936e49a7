import Foundation
import Testing

/// A read-only tenant says so in words through the real binary (issue 12). Root writes any file
/// whatever its mode, so as root porter runs as nobody (setpriv); otherwise as the user, with
/// the file and its directory made read-only. (Full and locked tenants: PorterTenantTests/StorageProblemTests.)
@Suite(.serialized) struct StorageErrorTests {
    @Test func aReadOnlyTenantSaysSoAndWhatToDo() throws {
        let p = try Porter()
        #expect(try p.run(["tenant", "seed", "3"]).status == 0)
        let tenant = p.dir + "/tenant.sqlite"
        var args = ["-c", "seed 2"]
        var binary = Porter.binary
        if getuid() == 0 {
            guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
                Issue.record("setpriv is missing (util-linux): a read-only tenant cannot be tried as root")
                return
            }
            args = ["--reuid=65534", "--regid=65534", "--clear-groups", Porter.binary] + args
            binary = "/usr/bin/setpriv"
            // nobody may read and enter the directory, not write it or the tenant.
            chmod(p.dir, 0o755)
            chmod(tenant, 0o644)
        } else {
            chmod(tenant, 0o444)
            chmod(p.dir, 0o555)
        }
        defer { chmod(p.dir, 0o755) }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: binary)
        child.arguments = args
        child.currentDirectoryURL = URL(fileURLWithPath: "/")
        var env = ProcessInfo.processInfo.environment
        env["PORTER_TENANT"] = tenant
        env["HOME"] = p.dir
        child.environment = env
        let err = Pipe()
        child.standardError = err
        child.standardOutput = FileHandle.nullDevice
        try child.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        #expect(child.terminationStatus == 1, "\(text)")
        #expect(text.contains(tenant) && (text.contains("is read-only") || text.contains("cannot open the local tenant")), "\(text)")
        #expect(text.contains("writable"), "says what to do: \(text)")
        #expect(!text.contains("SQLite error") && !text.contains("INSERT"), "\(text)")
        // Untouched: still the three users.
        #expect(try p.run(["-c", "count"]).out.split(separator: "\n").last == "3")
    }
}
