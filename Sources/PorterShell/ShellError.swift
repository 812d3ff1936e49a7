import Foundation

/// A command failed; `detail` holds extra lines (a caret under a query or an expression).
public struct ShellError: Error, CustomStringConvertible {
    public var message: String
    public var detail: [String] = []
    public init(_ message: String, detail: [String] = []) {
        self.message = message
        self.detail = detail
    }
    public var description: String { message }

    /// An error in `source` at a character range, drawn with a caret under it.
    static func at(_ message: String, source: String, range: Range<Int>, prefix: String) -> ShellError {
        let start = max(0, min(range.lowerBound, source.count))
        let length = max(1, min(range.count, source.count - start))
        return ShellError("\(message) (column \(start + 1))",
                          detail: ["  " + prefix + source, "  " + String(repeating: " ", count: prefix.count + start) + String(repeating: "^", count: length)])
    }
}
