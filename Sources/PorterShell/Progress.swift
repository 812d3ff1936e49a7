import Foundation

/// One progress line on a TTY (rate, ETA); nothing when output is not a terminal.
final class Progress {
    let console: Console
    var label: String
    var total: Int?
    var started = Date()
    var last = Date.distantPast
    var shown = false
    /// Set when stdout carries data (`export -`): no progress line.
    var quiet = false

    init(console: Console, label: String, total: Int?) {
        self.console = console
        self.label = label
        self.total = total
    }

    func update(_ done: Int) {
        guard console.isTTY, !quiet, Date().timeIntervalSince(last) > 0.2 else { return }
        last = Date()
        let elapsed = max(Date().timeIntervalSince(started), 0.001)
        let rate = Double(done) / elapsed
        var line = "\(label) \(done)"
        if let total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            let bar = 24
            let filled = Int(fraction * Double(bar))
            line = "\(label) [" + String(repeating: "█", count: filled) + String(repeating: "·", count: bar - filled) + "] \(done)/\(total)"
            if rate > 0 { line += String(format: "  ETA %.0fs", Double(total - done) / rate) }
        }
        line += String(format: "  %.0f/s", rate)
        console.out("\r\u{1B}[2K" + line)
        shown = true
    }

    /// A new phase of the same command (diff: reading, then comparing): its own label, total,
    /// rate and ETA; its first update shows at once.
    func restart(label: String, total: Int?) {
        self.label = label
        self.total = total
        started = Date()
        last = .distantPast
    }

    func finish() {
        if shown { console.out("\r\u{1B}[2K") }
    }
}
