import Foundation
import Testing
@testable import PorterJSON

/// Runs every file of JSONTestSuite (../shared/data/JSONTestSuite, beside the repository):
/// `y_` must parse, `n_` must be rejected, `i_` may go either way but must not crash.
@Suite struct JSONTestSuiteTests {
    static let directory: URL? = {
        var dir = URL(fileURLWithPath: #filePath)
        for _ in 0..<6 {
            dir.deleteLastPathComponent()
            let candidate = dir.appendingPathComponent("shared/data/JSONTestSuite/test_parsing")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        return nil
    }()

    static func files(_ prefix: String) -> [String] {
        guard let dir = directory,
              let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
        return names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }.sorted()
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory!.appendingPathComponent(name)))
    }

    @Test func suiteIsPresent() {
        #expect(Self.directory != nil, "JSONTestSuite not found beside the repository (../shared/data)")
        #expect(Self.files("y_").count > 90)
        #expect(Self.files("n_").count > 180)
    }

    @Test(arguments: files("y_"))
    func accepts(_ name: String) throws {
        let data = try Self.bytes(name)
        #expect(throws: Never.self, "\(name) must parse") { try JSON.parse(bytes: data) }
    }

    @Test(arguments: files("n_"))
    func rejects(_ name: String) throws {
        let data = try Self.bytes(name)
        #expect(throws: JSONError.self, "\(name) must be rejected") { try JSON.parse(bytes: data) }
    }

    @Test(arguments: files("i_"))
    func survives(_ name: String) throws {
        let data = try Self.bytes(name)
        do {
            // Accepted: what was read prints and reads back to the same value.
            let value = try JSON.parse(bytes: data)
            // Numbers past ±1.8e308 read as ±Infinity and print as null, as JavaScript's
            // JSON.parse and JSON.stringify do (the expression engine relies on it).
            if name.contains("huge_exp") || name.contains("overflow") {
                #expect(value.serialized().contains("null"), "\(name): \(value.serialized())")
                return
            }
            #expect(try JSON.parse(value.serialized()) == value, "\(name) does not round-trip")
            #expect(try JSON.parse(value.serialized(pretty: true)) == value, "\(name) does not round-trip pretty")
        } catch {
            // Rejected: with a position inside the input and a message.
            #expect(error.offset >= 0 && error.offset <= data.count, "\(name): offset \(error.offset) of \(data.count)")
            #expect(error.line >= 1 && error.column >= 1 && !error.message.isEmpty, "\(name): \(error)")
        }
    }

    /// Every accepted document also streams, when it is an array, with the same elements.
    @Test(arguments: files("y_"))
    func streamsArraysLikeTheParser(_ name: String) throws {
        let data = try Self.bytes(name)
        guard case .array(let expected) = try JSON.parse(bytes: data) else { return }
        let reader = try JSONStreamReader(path: Self.directory!.appendingPathComponent(name).path, layout: .array, bufferSize: 16)
        var got: [JSON] = []
        while let element = try reader.next() { got.append(element.value) }
        #expect(got == expected)
    }
}
