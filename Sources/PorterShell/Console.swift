import Foundation

/// Where output goes, and whether it may be decorated.
public final class Console {
    public var out: (String) -> Void = { s in FileHandle.standardOutput.write(Data(s.utf8)) }
    public var err: (String) -> Void = { s in FileHandle.standardError.write(Data(s.utf8)) }
    public var isTTY: Bool
    public var color: Bool
    public var width: Int
    public var height: Int
    /// Results and errors only: confirmations (`info`) and notes are left out.
    public var quiet = false
    /// Set by the interactive shell: only there is long output paged.
    public var interactive = false
    var expanded: Session.Expanded = .auto
    var pager = true

    public init() {
        let env = ProcessInfo.processInfo.environment
        isTTY = isatty(1) == 1
        // No colour for NO_COLOR, a dumb terminal, or output that is not a terminal.
        color = isTTY && env["NO_COLOR"] == nil && env["TERM"] != "dumb"
        var ws = winsize()
        let sized = ioctl(1, UInt(TIOCGWINSZ), &ws) == 0 && ws.ws_col > 0
        width = sized ? Int(ws.ws_col) : Int(env["COLUMNS"] ?? "") ?? 120
        height = sized && ws.ws_row > 0 ? Int(ws.ws_row) : Int(env["LINES"] ?? "") ?? 24
    }

    func applyOptions(_ s: Session) {
        quiet = s.quiet
        expanded = s.expanded
        pager = s.pager
    }

    /// A result: always printed.
    public func print(_ s: String = "") { out(s + "\n") }
    public func error(_ s: String) { err(paint(s, "31") + "\n") }
    /// A confirmation ("using X", "exported N rows"): not under `quiet`.
    public func info(_ s: String) { if !quiet { out(s + "\n") } }
    /// A dim aside: not under `quiet`.
    public func note(_ s: String) { if !quiet { out(paint(s, "2") + "\n") } }
    func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }

    /// A table that fits: columns as they are when they fit the width, else (with `expanded
    /// auto`) one record per block, as psql's `\x auto`.
    func table(headers: [String], rows: [[String]]) {
        let vertical: Bool
        switch expanded {
        case .on: vertical = true
        case .off: vertical = false
        case .auto: vertical = !rows.isEmpty && Table.naturalWidth(headers: headers, rows: rows) > width
        }
        page(vertical ? Table.renderExpanded(headers: headers, rows: rows, maxWidth: width)
                      : Table.render(headers: headers, rows: rows, maxWidth: width))
    }

    /// Text taller than the terminal goes through `$PAGER` (default `less -FRX`) in the
    /// interactive shell; elsewhere it is printed as it is.
    public func page(_ text: String) {
        let lines = text.reduce(into: 1) { n, c in if c == "\n" { n += 1 } }
        guard interactive, isTTY, pager, lines >= height - 1 else { return print(text) }
        let command = ProcessInfo.processInfo.environment["PAGER"].flatMap { $0.isEmpty ? nil : $0 } ?? "less -FRX"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        let input = Pipe()
        p.standardInput = input
        do { try p.run() } catch { return print(text) }
        // A pager that quits early closes the pipe: ignore SIGPIPE meanwhile.
        let previous = signal(SIGPIPE, SIG_IGN)
        try? input.fileHandleForWriting.write(contentsOf: Data((text + "\n").utf8))
        try? input.fileHandleForWriting.close()
        p.waitUntilExit()
        signal(SIGPIPE, previous)
    }
}
