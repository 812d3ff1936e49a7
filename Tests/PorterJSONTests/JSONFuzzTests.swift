import Foundation
import Testing
import PorterRandom
@testable import PorterJSON

/// Seeded random inputs: the parser and the stream reader must never crash, and must agree.
@Suite struct JSONFuzzTests {
    @Test func mutatedDocumentsNeverCrashAndReaderAgreesWithParser() throws {
        var rng = SplitMix64(seed: 2024)
        let alphabet = Array("{}[]\",:\\ \n0123456789-+.eEtrufalsn\u{01}é".utf8)
        let dir = NSTemporaryDirectory() + "porter-fuzz-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for round in 0..<400 {
            let base: JSON = .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in randomJSON(&rng, depth: 0) })
            var bytes = Array(base.serialized(pretty: round % 2 == 0).utf8)
            for _ in 0..<Int.random(in: 0...3, using: &rng) where !bytes.isEmpty {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[at] = alphabet.randomElement(using: &rng)!
                case 1: bytes.remove(at: at)
                default: bytes.insert(alphabet.randomElement(using: &rng)!, at: at)
                }
            }
            let whole = try? JSON.parse(bytes: bytes)
            let path = dir + "/\(round).json"
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
            var streamed: [JSON]? = []
            do {
                let reader = try JSONStreamReader(path: path, layout: .array, bufferSize: Int.random(in: 16...64, using: &rng))
                while let e = try reader.next() { streamed!.append(e.value) }
            } catch {
                streamed = nil
            }
            // Where the whole document is a valid array, streaming must give the same elements.
            if case .array(let elements)? = whole {
                #expect(streamed == elements, "round \(round): \(String(decoding: bytes, as: UTF8.self))")
            }
            // And the reader accepts nothing the parser rejects.
            if let streamed {
                #expect(whole == .array(streamed), "round \(round): \(String(decoding: bytes, as: UTF8.self))")
            }
        }
    }
}
