import Foundation
import Testing
import PorterRandom
import PorterJSON
@testable import PorterExpression

/// `btoa` and `atob` against node's (fixed seed, 606 cases): values and error classes.
@Suite struct Base64DifferentialTests {
    typealias Rng = SplitMix64

    /// Strings for btoa (mostly bytes, sometimes a character above U+00FF) and for atob (base64
    /// with and without padding, whitespace, url-safe and stray characters, wrong lengths).
    static func cases() -> [(String, String)] {
        var r = Rng(state: 18)
        var out: [(String, String)] = [("btoa", ""), ("atob", ""), ("atob", "===="), ("atob", "QQ"), ("atob", "QQ="), ("atob", "Q")]
        let b64 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let odd: [Character] = ["=", " ", "\n", "\t", "-", "_", ".", "é"]
        for _ in 0..<300 {
            var s = ""
            for _ in 0..<r.below(12) {
                let k = r.below(20)
                s.unicodeScalars.append(Unicode.Scalar(k == 0 ? UInt32(0x100 + r.below(0x500)) : (k < 6 ? UInt32(r.below(256)) : UInt32(32 + r.below(95))))!)
            }
            out.append(("btoa", s))
            var t = String((0..<r.below(16)).map { _ in b64[r.below(b64.count)] })
            switch r.below(6) {
            case 0: t += String(repeating: "=", count: (4 - t.count % 4) % 4)
            case 1: if !t.isEmpty { t.insert(odd[r.below(odd.count)], at: t.index(t.startIndex, offsetBy: r.below(t.count))) }
            case 2: t += "=" 
            default: break
            }
            out.append(("atob", t))
        }
        return out
    }

    @Test func matchesNode() throws {
        guard let node = ["/usr/bin/node", "/usr/local/bin/node"].first(where: FileManager.default.isExecutableFile) else {
            Issue.record("node is missing (scripts/bootstrap installs it): btoa/atob were not compared with node's")
            return
        }
        let cases = Self.cases()
        let input = JSON.array(cases.map { [.string($0.0), .string($0.1)] }).serialized()
        let script = """
        const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
        console.log(JSON.stringify(cases.map(([f, s]) => { try { return 'string:' + (f === 'btoa' ? btoa(s) : atob(s)); } catch (e) { return 'error:' + e.name; } })));
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: node)
        p.arguments = ["-e", script]
        let inPipe = Pipe(), outPipe = Pipe()
        p.standardInput = inPipe
        p.standardOutput = outPipe
        try p.run()
        inPipe.fileHandleForWriting.write(Data(input.utf8))
        try inPipe.fileHandleForWriting.close()
        let data = outPipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let expected = try JSON.parse(String(decoding: data, as: UTF8.self)).arrayValue ?? []
        #expect(expected.count == cases.count)
        var mismatches = 0
        for (i, c) in cases.enumerated() where i < expected.count {
            let e = try Expression.parse("\(c.0)(user.s)")
            let got = represent(e.evaluate(user: ["s": .string(c.1)]))
            if got != expected[i].stringValue {
                mismatches += 1
                if mismatches <= 5 { Issue.record("\(c.0)(\(JSON.string(c.1).serialized())): porter \(got), node \(expected[i].stringValue ?? "?")") }
            }
        }
        #expect(mismatches == 0, "\(mismatches) of \(cases.count) differ")
        #expect(throws: ExpressionError.self) { try Expression.parse("btoa()") }
    }
}
