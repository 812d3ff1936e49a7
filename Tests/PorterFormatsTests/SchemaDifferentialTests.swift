import Foundation
import Testing
import PorterJSON
@testable import PorterFormats

/// porter's validator against Python's jsonschema over Auth0's published import schema plus
/// the rules of its prose (Fixtures/make-schema-corpus.py made the corpus and its verdicts:
/// random users and mutations of them, fixed seed). Both directions: porter must reject every
/// user the reference rejects and accept every user it accepts; porter's stricter checks are
/// warnings and do not count.
@Suite struct SchemaDifferentialTests {
    @Test func agreesWithJSONSchema() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/schema-corpus.json")
        let corpus = try JSON.parse(bytes: [UInt8](Data(contentsOf: url))).arrayValue ?? []
        #expect(corpus.count >= 2500)
        var wronglyAccepted: [String] = [], wronglyRejected: [String] = []
        var warned = 0
        for (i, c) in corpus.enumerated() {
            var v = ImportValidator()
            let all = v.check(c["user"] ?? .null, index: i)
            let errors = all.filter { !$0.warning }
            if all.contains(where: \.warning) { warned += 1 }
            let valid = c["valid"]?.boolValue ?? false
            let label = "#\(i) \(c["kind"]?.stringValue ?? ""): \(c["user"]?.serialized() ?? "")"
            if valid && !errors.isEmpty { wronglyRejected.append(label + " → " + errors.map { "\($0.code) \($0.path)" }.joined(separator: ", ")) }
            if !valid && errors.isEmpty { wronglyAccepted.append(label + " → jsonschema: " + (c["errors"]?.serialized() ?? "")) }
        }
        print("schema differential: \(corpus.count) users, \(corpus.filter { $0["valid"] == true }.count) valid per jsonschema, \(warned) with porter warnings; disagreements: \(wronglyAccepted.count) accepted by porter only, \(wronglyRejected.count) rejected by porter only")
        #expect(wronglyAccepted.isEmpty, "porter accepts what Auth0's schema rejects:\n\(wronglyAccepted.prefix(20).joined(separator: "\n"))")
        #expect(wronglyRejected.isEmpty, "porter rejects what Auth0's schema accepts:\n\(wronglyRejected.prefix(20).joined(separator: "\n"))")
    }
}
