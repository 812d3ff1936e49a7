import Foundation
import Testing

/// The interactive shell through a pseudo-terminal, driven by python3's pty (pty_session.py,
/// pty_display.py, pty_cancel.py). Part of the serialized end-to-end suite: it needs the machine to itself to
/// stay quick.
extension EndToEndTests {
    /// Runs one driver script against the real binary in a fresh home; it prints "ok" or why not.
    func drive(_ script: String) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else {
            Issue.record("python3 is missing (/usr/bin/python3; scripts/bootstrap installs it): the interactive shell was not driven through a pseudo-terminal")
            return
        }
        let home = NSTemporaryDirectory() + "porter-pty-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(script).path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = [path, Porter.binary, home]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        #expect(p.terminationStatus == 0, "\(script): \(text)")
        #expect(text.hasSuffix("ok\n"))
    }

    /// Tab completion, Ctrl-C at the prompt and during seed and export, Ctrl-D, history across runs.
    @Test func interactiveCompletionHistoryAndCtrlC() throws { try drive("pty_session.py") }

    /// At 60x20: expanded display, the pager, the start-up file, a path with a space, history kept on a kill.
    @Test func expandedDisplayPagerStartupFileAndCompletionInATerminal() throws { try drive("pty_display.py") }

    /// Ctrl-C during validate, diff and verify --file: stopped, nothing half-written, the shell kept.
    @Test func ctrlCStopsValidateDiffAndVerifyFile() throws { try drive("pty_cancel.py") }

    /// diff's progress line: reading, then comparing with done/total, the total both sides' users.
    @Test func diffProgressShowsTheTotalOfBothSides() throws { try drive("pty_diff.py") }
}
