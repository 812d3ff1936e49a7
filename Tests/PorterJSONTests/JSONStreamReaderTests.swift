import Foundation
import Testing
@testable import PorterJSON

@Suite struct JSONStreamReaderTests {
    func temp(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "porter-json-\(UUID().uuidString).json"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    func readAll(_ path: String, _ layout: JSONStreamReader.Layout = .auto, bufferSize: Int = 1 << 20) throws -> [JSONElement] {
        let reader = try JSONStreamReader(path: path, layout: layout, bufferSize: bufferSize)
        var out: [JSONElement] = []
        while let e = try reader.next() { out.append(e) }
        return out
    }

    @Test(arguments: [16, 37, 1 << 20])
    func arrayElementsWithPositions(bufferSize: Int) throws {
        let text = "[\n  {\"email\": \"a@x.io\", \"n\": \"line\\nbreak\"},\n  {\"email\": \"b@x.io\",\n   \"tags\": [1, [2]]},\n  \"s\", 42 ,null\n]\n"
        let path = try temp(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let elements = try readAll(path, bufferSize: bufferSize)
        #expect(elements.count == 5)
        #expect(elements.map(\.index) == [0, 1, 2, 3, 4])
        #expect(elements[0].line == 2 && elements[0].column == 3 && elements[0].offset == 4)
        #expect(elements[1].line == 3 && elements[1].column == 3)
        #expect(elements[2].line == 5 && elements[2].column == 3 && elements[2].value == "s")
        #expect(elements[3].value == 42 && elements[3].column == 8)
        #expect(elements[4].value == nil)
        #expect(elements[1].value["tags"] == [1, [2]])
        #expect(try JSON.parse(text) == .array(elements.map(\.value)))
    }

    @Test func ndjsonLinesSkippingBlankOnes() throws {
        let path = try temp("{\"a\":1}\n\n  {\"a\":2}\r\n{\"a\":3}")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let elements = try readAll(path, bufferSize: 16)
        #expect(elements.map { $0.value["a"] } == [1, 2, 3])
        #expect(elements.map(\.line) == [1, 3, 4])
        #expect(elements[1].column == 3)
    }

    @Test func errorsInsideAnElementPointIntoTheFile() throws {
        let path = try temp("[\n {\"a\": 1},\n {\"a\": tru}\n]")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try JSONStreamReader(path: path)
        _ = try reader.next()
        #expect(throws: JSONError(message: "invalid literal: expected 'true'", offset: 20, line: 3, column: 8)) {
            try reader.next()
        }
    }

    @Test func structuralErrors() throws {
        for (text, line, column) in [("[1 2]", 1, 4), ("[1,]", 1, 4), ("[1", 1, 3), ("[{\"a\":1}", 1, 9), ("[1] x", 1, 5), ("{\"a\":1}", 1, 1)] {
            let path = try temp(text)
            defer { try? FileManager.default.removeItem(atPath: path) }
            do {
                _ = try readAll(path, .array)
                Issue.record("\(text) should fail")
            } catch let error as JSONError {
                #expect(error.line == line && error.column == column, "\(text): \(error)")
            }
        }
    }

    @Test func emptyArrayAndEmptyFile() throws {
        let a = try temp("  [ ] \n")
        let b = try temp("")
        defer { try? FileManager.default.removeItem(atPath: a); try? FileManager.default.removeItem(atPath: b) }
        #expect(try readAll(a).isEmpty)
        #expect(try readAll(b, .ndjson).isEmpty)
        #expect(throws: JSONError.self) { try readAll(b, .array) }
    }

    @Test func elementSizeLimit() throws {
        let big = "[\"" + String(repeating: "x", count: 5000) + "\"]"
        let path = try temp(big)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try JSONStreamReader(path: path, limits: JSONLimits(maxElementBytes: 1000), bufferSize: 64)
        #expect(throws: JSONError.self) { try reader.next() }
    }

    @Test func missingFile() {
        #expect(throws: JSONError.self) { try JSONStreamReader(path: "/nonexistent/porter.json") }
    }
}
