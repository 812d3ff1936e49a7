import Foundation
import Testing
import PorterJSON
import PorterFormats
import PorterJobs
@testable import PorterExpression

/// A cell holding an unpaired surrogate keeps it in JSON output as `JSON.stringify(row)` writes
/// it (`\ud800`), on every writer path: streamed rows, pretty JSON and rows with two columns of
/// one name (written as objects); CSV holds U+FFFD. (The differential test compares the streamed
/// rows with node over generated expressions.)
@Suite struct LoneSurrogateExportTests {
    static let users: [JSON] = [["name": "Ada", "n": 1]]

    func export(_ columns: [(String, String)], _ format: ExportFormat, pretty: Bool = false) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("porter-lone-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).\(format.rawValue)").path
        defer { unlink(path) }
        var r = ExportRequest(query: .everyone, connectionName: nil, columns: try columns.map { Column(name: $0.0, expression: try Expression.parse($0.1)) },
                              sort: nil, format: format, path: path, pretty: pretty)
        r.csv.crlf = false
        _ = try ExportPipeline.run(r, tenant: ListTenant(Self.users))
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test func streamedRows() throws {
        let columns = [("a", "'x\\uD800'"), ("b", "[user.name, '\\uDC00', {k: '\\uD83D'}]"), ("c", "({'\\uD800': 1, '\\uDC00': 2, 2: 'two'})"),
                       ("d", "'\\uD83D' + '\\uDE00'"), ("e", "user.name")]
        #expect(try export(columns, .ndjson) == #"{"a":"x\ud800","b":["Ada","\udc00",{"k":"\ud83d"}],"c":{"2":"two","\ud800":1,"\udc00":2},"d":"😀","e":"Ada"}"# + "\n")
        #expect(try export(columns, .json) == "[\n" + #"{"a":"x\ud800","b":["Ada","\udc00",{"k":"\ud83d"}],"c":{"2":"two","\ud800":1,"\udc00":2},"d":"😀","e":"Ada"}"# + "\n]\n")
        #expect(try export([("a", "'x\\uD800'")], .csv) == "a\nx\u{FFFD}\n")
    }

    @Test func prettyAndDuplicateNames() throws {
        // Pretty: laid out as the writer lays out any object.
        let pretty = try export([("a", "'\\uD800'"), ("b", "[1, {k: '\\uDC00', e: []}]")], .json, pretty: true)
        #expect(pretty == "[\n  {\n    \"a\": \"\\ud800\",\n    \"b\": [\n      1,\n      {\n        \"k\": \"\\udc00\",\n        \"e\": []\n      }\n    ]\n  }\n]\n")
        let plain = try export([("a", "'x'"), ("b", "[1, {k: 'y', e: []}]")], .json, pretty: true)
        #expect(plain == pretty.replacingOccurrences(of: "\"\\ud800\"", with: "\"x\"").replacingOccurrences(of: "\"\\udc00\"", with: "\"y\""))
        // Two columns of one name: the last one's cell, where the name first appears.
        #expect(try export([("a", "'\\uD800'"), ("b", "1"), ("a", "'\\uDC00'")], .ndjson) == #"{"a":"\udc00","b":1}"# + "\n")
        #expect(try export([("a", "'\\uD800'"), ("b", "1"), ("a", "2")], .ndjson) == #"{"a":2,"b":1}"# + "\n")
    }
}
