import Foundation
import Testing

/// The interactive shell through a pseudo-terminal, driven by pty_session.py (python3's pty).
/// Part of the serialized end-to-end suite: it needs the machine to itself to stay quick.
extension EndToEndTests {
    @Test func interactiveCompletionHistoryAndCtrlC() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else {
            Issue.record("python3 is missing (/usr/bin/python3; scripts/bootstrap installs it): the interactive shell was not driven through a pseudo-terminal")
            return
        }
        let home = NSTemporaryDirectory() + "porter-pty-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("pty_session.py").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = [script, Porter.binary, home]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.hasSuffix("ok\n"))
    }

    @Test func expandedDisplayPagerStartupFileAndCompletionInATerminal() throws {
        let home = NSTemporaryDirectory() + "porter-pty-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("pty_display.py").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = [script, Porter.binary, home]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.hasSuffix("ok\n"))
    }
}
