import Foundation
import Testing
import PorterFuzz

/// Every committed seed and every input a fuzzer once failed on, through the same property
/// checks libFuzzer runs (`scripts/fuzz`): a regression traps here as it did there.
/// (`Tests/Fuzz/Regressions/Pending/` holds inputs of known, still open findings: not replayed.)
@Suite struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz")

    static func inputs(_ folder: String, _ target: String) -> [URL] {
        let dir = root.appendingPathComponent(folder).appendingPathComponent(target)
        return ((try? FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)) ?? []).sorted { $0.path < $1.path }
    }

    @Test(arguments: FuzzTargets.names)
    func corpusAndRegressionsKeepTheirProperties(_ target: String) throws {
        let seeds = Self.inputs("Corpus", target)
        #expect(!seeds.isEmpty, "Tests/Fuzz/Corpus/\(target) has seeds")
        for file in seeds + Self.inputs("Regressions", target) {
            FuzzTargets.check(target, [UInt8](try Data(contentsOf: file)))
        }
    }
}
