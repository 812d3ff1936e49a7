import Foundation
import Testing
import PorterRandom
import PorterFormats
@testable import PorterJobs
import PorterJSON
@testable import PorterQuery
import PorterTenant

/// What `import` (local tenant) and `validate` do, below the shell: all or nothing for a
/// malformed file, idempotent re-runs, resume, warnings and --strict, encodings, columns.
@Suite struct ImportCommandTests {
    let dir: String = {
        let d = NSTemporaryDirectory() + "porter-import-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    func write(_ name: String, _ text: String) throws -> String {
        let path = dir + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func users(_ n: Int) -> String {
        "[" + (0..<n).map { #"{"email":"u\#($0)@example.com","given_name":"G\#($0)"}"# }.joined(separator: ",\n") + "]"
    }

    /// A mapped source's file is validated once, as it is written (the job skips its second
    /// check): in-file duplicates are still refused, with their source line, and the job's
    /// total is the valid users.
    @Test func mappedImportRefusesInFileDuplicatesOnce() throws {
        let t = try LocalTenant(path: dir + "/mapped.sqlite")
        let options = ImportOptions(connectionID: try t.connections()[0].id)
        let csv = try write("dups.csv", "email,user_id\na@example.com,1\nb@example.com,2\nA@Example.com,3\nc@example.com,2\nd@example.com,4\n")
        var totals: [Int] = []
        let r = try LocalImport.run(t, source: csv, mapping: ImportMapping(), csv: CSVSourceOptions(), options: options, resume: false,
                                    progress: nil, total: { totals.append($0) })
        #expect(r.summaryLine.contains("3 inserted") && r.invalid == 2 && r.failed == 2, "\(r.summaryLine)")
        #expect(totals == [3])
        let errors = try JSON.parse(String(contentsOfFile: csv + ".errors.json", encoding: .utf8))
        let found = (errors.arrayValue ?? []).compactMap { e -> String? in
            guard let first = e["errors"]?.arrayValue?.first else { return nil }
            return "\(first["line"]?.intValue ?? 0) \(first["code"]?.stringValue ?? "") \(first["path"]?.stringValue ?? "")"
        }
        #expect(found == ["4 DUPLICATED_USER email", "5 DUPLICATED_USER user_id"], "\(found)")
        #expect(try t.count(query: .everyone, connectionName: nil) == 3)
    }

    @Test func localImportsAreAllOrNothingAndIdempotent() throws {
        let t = try LocalTenant(path: dir + "/t.sqlite")
        let options = ImportOptions(connectionID: try t.connections()[0].id)
        let good = try write("good.json", Self.users(5))
        let truncated = try write("truncated.json", String(Self.users(5).dropLast(30)))
        let failed = try LocalImport.run(t, path: truncated, options: options, resume: false, progress: nil)
        #expect(failed.failure?.contains("nothing was imported") == true, "\(failed.failure ?? "")")
        #expect(try t.count(query: .everyone, connectionName: nil) == 0, "a malformed file lands nobody")
        let first = try LocalImport.run(t, path: good, options: options, resume: false, progress: nil)
        #expect(first.failure == nil && first.summaryLine.contains("5 inserted"), "\(first.summaryLine)")
        // A re-run: the same users are there, identical: skipped, not failed.
        let again = try LocalImport.run(t, path: good, options: options, resume: false, progress: nil)
        #expect(again.failure == nil && again.summaryLine.contains("5 already there (identical), 0 failed"), "\(again.summaryLine)")
        #expect(!FileManager.default.fileExists(atPath: good + ".errors.json"))
        // A user that exists but differs is a failure, in the errors file.
        let changed = try write("changed.json", #"[{"email":"u0@example.com","given_name":"Other"}]"#)
        let c = try LocalImport.run(t, path: changed, options: options, resume: false, progress: nil)
        #expect(c.failure?.contains("changed.json.errors.json") == true)
        #expect(try String(contentsOfFile: changed + ".errors.json", encoding: .utf8).contains("DUPLICATED_USER"))
        #expect(throws: TenantError.self) { try LocalImport.run(t, path: good, options: options, resume: true, progress: nil) }
    }

    @Test func localImportResumesTheJobAStoppedProcessLeft() throws {
        let t = try LocalTenant(path: dir + "/t.sqlite")
        let path = try write("u.json", Self.users(3))
        // A job recorded but never run (the process stopped before its first batch).
        _ = try t.enqueueImport(file: path, options: ImportOptions(connectionID: try t.connections()[0].id), ownsFile: false)
        let r = try LocalImport.run(t, path: path, options: ImportOptions(connectionID: ""), resume: true, progress: nil)
        #expect(r.failure == nil && r.summaryLine.contains("3 inserted"), "\(r.summaryLine)")
        #expect(try t.unfinishedImport(file: path) == nil)
    }

    func validate(_ path: String, all: Bool = false, strict: Bool = false) throws -> (FileValidation.Summary, [String]) {
        var lines: [String] = []
        let s = try FileValidation.run(path: path, all: all, strict: strict) { lines.append($0) }
        return (s, lines)
    }

    @Test func validateWarnsAndStrictFails() throws {
        let path = try write("u.json", #"[{"email":"m@x.io","custom_password_hash":{"algorithm":"md5","hash":{"value":"not-hex","encoding":"hex"}}},{"email":"bad"},{"email":"ok@x.io"}]"#)
        let (s, lines) = try validate(path)
        #expect(s.users == 3 && s.rejected == 1 && s.warned == 1)
        #expect(lines.contains { $0.contains("warning: FORMAT custom_password_hash.hash.value: the hash cannot be read") }, "\(lines)")
        #expect(s.summaryLine == "3 users, 2 valid (1 of them with warnings), 1 that Auth0 would reject")
        #expect(s.failure == nil)
        #expect(try validate(path, strict: true).0.failure != nil)
        let warnOnly = try write("w.json", #"[{"email":"a@x.io","name":""}]"#)
        #expect(try validate(warnOnly).0.failure == nil)
        #expect(try validate(warnOnly, strict: true).0.failure?.contains("warnings") == true)
    }

    @Test func validateShowsFiftyOrAll() throws {
        let path = try write("bad.json", "[" + (0..<60).map { #"{"email":"bad\#($0)"}"# }.joined(separator: ",") + "]")
        let (some, shown) = try validate(path)
        #expect(shown.count == 50 && some.hidden == 10 && some.hiddenLine?.contains("--all") == true)
        let (every, all) = try validate(path, all: true)
        #expect(all.count == 60 && every.hidden == 0 && every.hiddenLine == nil)
    }

    @Test func encodingsAreNamedAndColumnsCountCharacters() throws {
        let text = #"[{"email":"é@example.com","name":"Zoë"}]"#
        let bom = dir + "/bom.json", utf16 = dir + "/utf16.json", utf16bom = dir + "/utf16bom.json"
        #expect(FileManager.default.createFile(atPath: bom, contents: Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)))
        #expect(FileManager.default.createFile(atPath: utf16, contents: text.data(using: .utf16LittleEndian)!))
        #expect(FileManager.default.createFile(atPath: utf16bom, contents: Data([0xFF, 0xFE]) + text.data(using: .utf16LittleEndian)!))
        #expect(try validate(bom).0.users == 1, "a UTF-8 byte-order mark is skipped")
        for f in [utf16, utf16bom] {
            #expect { _ = try validate(f) } throws: { ($0 as? TenantError)?.message.contains("UTF-16LE") == true }
        }
        // The 'x' after two 2-byte characters is character 15 (byte 17).
        let cols = try write("cols.json", "[{\"name\":\"éé\",x}]")
        #expect { _ = try validate(cols) } throws: { ($0 as? TenantError)?.message.contains("cols.json:1:15:") == true }
        let problem = try write("p.json", "[{\"email\":\"ok@x.io\"},  {\"email\":\"bad\",\"name\":\"ü\"}]")
        #expect(try validate(problem).1.first?.contains("p.json:1:24: user 1") == true)
    }

    @Test func oversizedUsersAreReported() throws {
        let big = String(repeating: "b", count: 600_000)
        let path = try write("big.json", #"[{"email":"a@example.com"},{"email":"big@example.com","user_metadata":{"blob":"\#(big)"}}]"#)
        let (s, lines) = try validate(path)
        #expect(s.rejected == 1 && lines.first?.contains("MAX_LENGTH") == true && lines.first?.contains("512000") == true, "\(lines)")
        let t = try LocalTenant(path: dir + "/t.sqlite")
        let r = try LocalImport.run(t, path: path, options: ImportOptions(connectionID: try t.connections()[0].id), resume: false, progress: nil)
        #expect(r.summaryLine.contains("1 inserted") && r.failed == 1, "\(r.summaryLine)")
    }

    /// Ctrl-C during a local import: the open batch is dropped, the job says so, and the error
    /// says what landed (here: nothing, the batch was still open).
    @Test func cancelledLocalImportSaysWhatLanded() throws {
        let t = try LocalTenant(path: dir + "/t.sqlite")
        let path = try write("u.json", Self.users(3000))
        var calls = 0
        let cancel = { calls += 1; return calls >= 5 }  // 2 looks while checking, then at users 0, 1024, 2048
        #expect {
            _ = try LocalImport.run(t, path: path, options: ImportOptions(connectionID: try t.connections()[0].id), resume: false, progress: nil, isCancelled: cancel)
        } throws: { e in
            guard let c = e as? ImportCancelled else { return false }
            return c.landed.total == 0 && c.description.contains("cancelled after 0 users")
        }
        #expect(try t.count(query: .everyone, connectionName: nil) == 0)
        let job = try #require(try t.recentJobs(limit: 1).first)
        #expect(job.status == "failed" && job.statusDetails == "cancelled after 0 users", "\(job)")
        #expect(try t.unfinishedImport(file: path) == nil)
    }
}

/// kill -9 at random moments of a local import (the real binary, small slow batches), then
/// `LocalImport.run(resume: true)`: every user in the tenant exactly once, with and without upsert.
@Suite(.serialized) struct LocalKillResumeTests {
    static let binary: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("porter").path
        return FileManager.default.isExecutableFile(atPath: beside) ? beside : root.appendingPathComponent(".build/debug/porter").path
    }()

    @Test(arguments: [false, true])
    func killedLocalImportResumes(upsert: Bool) throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary), "the porter binary is built beside the tests: \(Self.binary)")
        var rng = SplitMix(seed: upsert ? 17 : 5)
        for round in 0..<2 {
            let dir = NSTemporaryDirectory() + "porter-kill-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let path = dir + "/u.json"
            try ImportCommandTests.users(2000).write(toFile: path, atomically: true, encoding: .utf8)
            let tenantPath = dir + "/t.sqlite"
            let t = try LocalTenant(path: tenantPath)
            if upsert {
                // Some users there already: upsert updates them, before and after the kill.
                let some = dir + "/some.json"
                try ImportCommandTests.users(300).write(toFile: some, atomically: true, encoding: .utf8)
                _ = try t.runImport(file: some, options: ImportOptions(connectionID: try t.connections()[0].id), progress: nil)
            }
            let child = Process()
            child.executableURL = URL(fileURLWithPath: Self.binary)
            child.arguments = ["-c", "import \(path)" + (upsert ? " --upsert" : "")]
            child.currentDirectoryURL = URL(fileURLWithPath: dir)
            var env = ProcessInfo.processInfo.environment
            env["PORTER_TENANT"] = tenantPath
            env["HOME"] = dir
            env["PORTER_TEST_IMPORT_BATCH"] = "100"
            env["PORTER_TEST_IMPORT_PAUSE_MS"] = "30"
            child.environment = env
            child.standardOutput = FileHandle.nullDevice
            child.standardError = FileHandle.nullDevice
            try child.run()
            // Once the job exists, a random moment of its 20 batches.
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline, (try t.recentJobs(limit: 5).filter { $0.status == "processing" }.isEmpty) { usleep(5_000) }
            usleep(UInt32(rng.next() % 500_000))
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            let before = try t.count(query: .everyone, connectionName: nil)
            let r = try LocalImport.run(t, path: path, options: ImportOptions(connectionID: ""), resume: true, progress: nil)
            #expect(r.job.status == "completed" && r.failure == nil, "\(r.summaryLine) \(r.failure ?? "")")
            #expect(r.job.summary?.total == 2000, "every user of the file accounted for once: \(r.summaryLine)")
            let after = try t.count(query: .everyone, connectionName: nil)
            #expect(after == 2000, "every user exactly once")
            print("local kill/resume (upsert \(upsert), round \(round)): \(before) users when killed, \(after) of 2000 after --resume")
        }
    }
}

/// A small deterministic generator (tests never use the system's random source).
typealias SplitMix = SplitMix64

/// The one table of user attributes agrees with the lists that still live elsewhere.
@Suite struct UserAttributesTests {
    @Test func exportJobFieldsAreTheExportedAttributes() {
        #expect(Set(UserSource.exportFields) == Set(UserAttributes.all.filter(\.exportedByDefault).map(\.name)))
    }

    @Test func searchableAttributesAreTheQueryEngines() {
        #expect(Fields.searchableRoots == Set(UserAttributes.all.filter(\.searchable).map(\.name)).union(Fields.searchOnly))
    }

    @Test func importFormatOutputValidates() {
        // Every attribute `format import` keeps is importable, so its output re-imports.
        #expect(UserAttributes.keptByImportFormat.allSatisfy { UserAttributes.importable.contains($0) })
        #expect(UserAttributes.upsertableProfile.allSatisfy { UserAttributes.importable.contains($0) })
        // Auth0's upsert list (bulk-user-imports): app_metadata, user_metadata, email_verified, given_name,
        // family_name, name, nickname, picture (custom_password_hash apart).
        #expect(Set(UserAttributes.upsertableProfile) == ["app_metadata", "user_metadata", "email_verified", "given_name", "family_name", "name", "nickname", "picture"])
    }
}
