import Foundation
import Testing
import PorterRandom
@testable import PorterJSON

@Suite struct JSONWriterTests {
    @Test func compactAndPretty() throws {
        let v: JSON = ["a": [1, 2.5, "x"], "b": [:], "c": [], "d": nil, "e": true]
        #expect(v.serialized() == #"{"a":[1,2.5,"x"],"b":{},"c":[],"d":null,"e":true}"#)
        #expect(v.serialized(pretty: true) == """
        {
          "a": [
            1,
            2.5,
            "x"
          ],
          "b": {},
          "c": [],
          "d": null,
          "e": true
        }
        """)
    }

    @Test func escapes() {
        let s = JSON.string("q\"b\\n\n\r\t\u{08}\u{0C}\u{01}\u{1F}\u{2028}\u{2029}é😀/")
        #expect(s.serialized() == #""q\"b\\n\n\r\t\b\f\u0001\u001f\u2028\u2029é😀/""#)
    }

    @Test func integersAndExtremes() {
        #expect(JSON.int(Int64.min).serialized() == "-9223372036854775808")
        #expect(JSON.int(Int64.max).serialized() == "9223372036854775807")
        #expect(JSON.int(0).serialized() == "0")
        #expect(JSON.int(-7).serialized() == "-7")
        #expect(JSON.double(.nan).serialized() == "null")
        #expect(JSON.double(.infinity).serialized() == "null")
    }

    /// The cases of ECMA-262 Number::toString, checked against node.
    @Test(arguments: [
        (1.0, "1"), (-1.5, "-1.5"), (0.1 + 0.2, "0.30000000000000004"), (1e21, "1e+21"),
        (1e20, "100000000000000000000"), (123456789012345680000.0, "123456789012345680000"),
        (-0.0, "0"), (0.000001, "0.000001"), (0.0000001, "1e-7"), (1.5e-7, "1.5e-7"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (123.456, "123.456"), (1e16, "10000000000000000"), (2.5e25, "2.5e+25"), (100.0, "100"),
        (0.5, "0.5"), (1234567.125, "1234567.125"), (4.35, "4.35"), (1e-6, "0.000001"),
    ])
    func javaScriptNumberFormatting(_ value: Double, _ expected: String) {
        #expect(JSON.formatNumber(value) == expected)
    }

    @Test func smallestSubnormal() {
        #expect(JSON.formatNumber(Double.leastNonzeroMagnitude) == "5e-324")
    }


    @Test func roundTripsRandomValues() throws {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<2000 {
            let v = randomJSON(&rng, depth: 0)
            let text = v.serialized()
            #expect(try JSON.parse(text) == v, "\(text)")
            #expect(try JSON.parse(v.serialized(pretty: true)) == v)
        }
    }

    /// Node's JSON.stringify is the reference for compact output.
    @Test func agreesWithNode() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/node") else {
            Issue.record("node is missing (/usr/bin/node; scripts/bootstrap installs Debian's nodejs): the JSON writer was not compared with JSON.stringify")
            return
        }
        var rng = SplitMix64(seed: 7)
        // Node-safe: integers within 2^53 and no integer-like keys (JS orders those first).
        let values = (0..<300).map { _ in randomJSON(&rng, depth: 0, nodeSafe: true) }
        let input = values.map { $0.serialized() }.joined(separator: "\n")
        let out = try runNode("""
        const lines = require('fs').readFileSync(0, 'utf8').split('\\n');
        for (const l of lines) process.stdout.write(JSON.stringify(JSON.parse(l)).replace(/\\u2028/g,'\\\\u2028').replace(/\\u2029/g,'\\\\u2029') + '\\n');
        """, input: input)
        let got = out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (i, v) in values.enumerated() {
            #expect(got[i] == v.serialized(), "value \(i)")
        }
    }
}

func runNode(_ script: String, input: String) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/node")
    p.arguments = ["-e", script]
    let inPipe = Pipe(), outPipe = Pipe()
    p.standardInput = inPipe
    p.standardOutput = outPipe
    try p.run()
    inPipe.fileHandleForWriting.write(input.data(using: .utf8)!)
    try inPipe.fileHandleForWriting.close()
    let data = outPipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}


func randomString(_ rng: inout SplitMix64) -> String {
    let pool: [String] = ["a", "Z", "\"", "\\", "\n", "\u{01}", "é", "😀", "\u{2028}", " ", "/", "0", "\t", "中"]
    return (0..<Int.random(in: 0...8, using: &rng)).map { _ in pool.randomElement(using: &rng)! }.joined()
}

func randomJSON(_ rng: inout SplitMix64, depth: Int, nodeSafe: Bool = false) -> JSON {
    switch Int.random(in: 0..<(depth > 3 ? 6 : 8), using: &rng) {
    case 0: return .null
    case 1: return .bool(Bool.random(using: &rng))
    case 2: return .int(Int64.random(in: Int64.min...Int64.max, using: &rng) >> Int64.random(in: nodeSafe ? 11...62 : 0...62, using: &rng))
    case 3:
        let d = Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &rng))
        return d.isFinite && d != d.rounded() ? .double(d) : .double(Double.random(in: -1e6...1e6, using: &rng))
    case 4, 5: return .string(randomString(&rng))
    case 6: return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in randomJSON(&rng, depth: depth + 1, nodeSafe: nodeSafe) })
    default:
        var o = JSONObject()
        for _ in 0..<Int.random(in: 0...5, using: &rng) { o[(nodeSafe ? "k" : "") + randomString(&rng)] = randomJSON(&rng, depth: depth + 1, nodeSafe: nodeSafe) }
        return .object(o)
    }
}
