/// Terminal tables that fit the width, measuring text in terminal columns (wide CJK and
/// emoji count 2, combining marks 0) and marking truncation with `…`.
public enum Table {
    public static func width(of s: String) -> Int {
        var w = 0
        for ch in s { w += width(of: ch) }
        return w
    }

    static func width(of ch: Character) -> Int {
        guard let scalar = ch.unicodeScalars.first else { return 0 }
        let v = scalar.value
        if v < 0x20 || (0x7F..<0xA0).contains(v) { return 0 }
        if ch.unicodeScalars.count > 1, ch.unicodeScalars.contains(where: { $0.properties.isEmojiPresentation || $0.value == 0xFE0F }) { return 2 }
        if scalar.properties.isEmojiPresentation { return 2 }
        switch v {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return 2
        default:
            return scalar.properties.generalCategory == .nonspacingMark ? 0 : 1
        }
    }

    /// Cuts `s` to at most `limit` columns, ending with `…` when cut.
    public static func fit(_ s: String, _ limit: Int) -> String {
        let clean = s.replacingOccurrences(of: "\r\n", with: "⏎").replacingOccurrences(of: "\n", with: "⏎").replacingOccurrences(of: "\t", with: " ")
        if width(of: clean) <= limit { return clean }
        var out = ""
        var w = 0
        for ch in clean {
            let cw = width(of: ch)
            if w + cw > limit - 1 { break }
            out.append(ch)
            w += cw
        }
        return out + "…"
    }

    static func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - width(of: s))) }

    /// Renders rows under headers within `maxWidth` columns: wide columns shrink first.
    public static func render(headers: [String], rows: [[String]], maxWidth: Int) -> String {
        guard !headers.isEmpty else { return "" }
        var widths = headers.map { width(of: $0) }
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count {
                widths[i] = max(widths[i], min(width(of: cell.replacingOccurrences(of: "\n", with: "⏎")), 60))
            }
        }
        let separators = 3 * (headers.count - 1)
        var budget = max(maxWidth - separators, headers.count * 3)
        // Shrink the widest column until everything fits.
        while widths.reduce(0, +) > budget, let widest = widths.indices.max(by: { widths[$0] < widths[$1] }), widths[widest] > 3 {
            widths[widest] -= 1
        }
        budget = widths.reduce(0, +)
        var lines: [String] = []
        lines.append(zip(headers, widths).map { pad(fit($0, $1), $1) }.joined(separator: " | "))
        lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-"))
        for row in rows {
            lines.append(widths.indices.map { i in pad(fit(i < row.count ? row[i] : "", widths[i]), widths[i]) }.joined(separator: " | "))
        }
        return lines.map { line in
            var l = line
            while l.last == " " { l.removeLast() }
            return l
        }.joined(separator: "\n")
    }
}

extension Table {
    /// The width the table would take with no column cut (cells capped as `render` caps them).
    static func naturalWidth(headers: [String], rows: [[String]]) -> Int {
        var widths = headers.map { width(of: $0) }
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count {
                widths[i] = max(widths[i], min(width(of: cell.replacingOccurrences(of: "\n", with: "⏎")), 60))
            }
        }
        return widths.reduce(0, +) + 3 * max(0, headers.count - 1)
    }

    /// One block per row, a line per column (psql's expanded display); values cut to the width.
    public static func renderExpanded(headers: [String], rows: [[String]], maxWidth: Int) -> String {
        let nameWidth = min(headers.map { width(of: $0) }.max() ?? 0, max(8, maxWidth / 3))
        let valueWidth = max(4, maxWidth - nameWidth - 3)
        var lines: [String] = []
        for (n, row) in rows.enumerated() {
            let title = "-[ RECORD \(n + 1) ]"
            lines.append(title + String(repeating: "-", count: max(0, min(maxWidth, nameWidth + 3 + 20) - width(of: title))))
            for (i, h) in headers.enumerated() {
                var line = pad(fit(h, nameWidth), nameWidth) + " | " + fit(i < row.count ? row[i] : "", valueWidth)
                while line.last == " " { line.removeLast() }
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n")
    }
}
