import Foundation
import Testing
import PorterRandom
import PorterJSON
@testable import PorterExpression

/// `**` and `Math.pow` against node's, bit for bit (fixed seed): random doubles of every
/// exponent, and the edges (subnormals, huge, ±0, ±Infinity, NaN, negative bases with integer
/// exponents, y = ±0.5, ±1, 2, bases near 1 with huge exponents, results that over- and underflow).
@Suite struct PowDifferentialTests {
    static func pairs() -> [(Double, Double)] {
        var r = SplitMix64(state: 2026)
        func unit() -> Double { Double(r.next() >> 11) / 9007199254740992 }
        let edgeX: [Double] = [0, -0.0, 1, -1, 2, -2, 0.5, -0.5, 10, -10, 3, -3, .infinity, -.infinity, .nan, .leastNonzeroMagnitude,
                               -.leastNonzeroMagnitude, .leastNormalMagnitude, 2.225073858507201e-308, .greatestFiniteMagnitude,
                               -.greatestFiniteMagnitude, 1 + .ulpOfOne, 1 - .ulpOfOne / 2, -(1 + .ulpOfOne), 1.0000001, 0.9999999,
                               1e-300, 1e300, 4294967296, 9007199254740992, -9007199254740993, 0.1, 7, -7, 1.5, 2.5, 1e-10]
        let edgeY: [Double] = [0, -0.0, 1, -1, 2, -2, 3, -3, 0.5, -0.5, 1.5, -1.5, .infinity, -.infinity, .nan, 1023, 1024, 1025, -1074,
                               -1075, -1076, 53, 54, 9007199254740992, 9007199254740993, -9007199254740991, 2147483648, 2147483647,
                               4294967297, 1.8446744073709552e19, 1e300, -1e300, .leastNonzeroMagnitude, 0.3333333333333333, 1e-10, 100.5]
        var out: [(Double, Double)] = []
        for x in edgeX { for y in edgeY { out.append((x, y)) } }
        for i in 0..<12_000 {
            let x: Double, y: Double
            switch i % 8 {
            case 0: x = Double(bitPattern: r.next()); y = Double(bitPattern: r.next()) // any double, NaN payloads included
            case 1: x = unit() * 100; y = (unit() - 0.5) * 60
            case 2: x = 1 + (unit() - 0.5) * 1e-6; y = (unit() - 0.5) * 1e10 // near 1, |y| past 2^31
            case 3: x = -Double(r.below(60)) - (r.chance(percent: 30) ? unit() : 0); y = Double(r.below(800) - 400) // negative bases, integer y
            case 4: x = unit() * 10; y = (unit() - 0.5) * 2200 // over- and underflow
            case 5: x = Double(bitPattern: r.next() & 0x000F_FFFF_FFFF_FFFF); y = (unit() - 0.5) * 4 // subnormal bases
            case 6: x = (unit() - 0.5) * 1e6; y = [0.5, -0.5, 2, -1, 1, 3, -2][r.below(7)]
            default: x = Double(r.below(40)) - 20; y = Double(r.below(40)) - 20 + (r.chance(percent: 20) ? 0.5 : 0)
            }
            out.append((x, y))
        }
        return out
    }

    static func hex(_ d: Double) -> String { d.isNaN ? "nan" : String(d.bitPattern, radix: 16) }

    @Test func powMatchesNodeBitForBit() throws {
        guard let node = ["/usr/bin/node", "/usr/local/bin/node"].first(where: FileManager.default.isExecutableFile) else {
            Issue.record("node is missing (scripts/bootstrap installs it): ** and Math.pow were not compared with node's")
            return
        }
        let pairs = Self.pairs()
        // Bit patterns both ways: no decimal round trip between the two sides.
        let input = pairs.map { Self.hex($0.0) + " " + Self.hex($0.1) }.joined(separator: "\n")
        let script = """
        const lines = require('fs').readFileSync(0, 'utf8').split('\\n');
        const b = new BigUint64Array(1), f = new Float64Array(b.buffer);
        const d = h => { if (h === 'nan') return NaN; b[0] = BigInt('0x' + h); return f[0]; };
        const h = v => { if (isNaN(v)) return 'nan'; f[0] = v; return b[0].toString(16); };
        const out = [];
        for (const l of lines) { const [x, y] = l.split(' ').map(d); const p = Math.pow(x, y), q = x ** y; out.push(h(p) === h(q) ? h(p) : 'pow ' + h(p) + ' but ** ' + h(q)); }
        process.stdout.write(out.join('\\n'));
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: node)
        p.arguments = ["-e", script]
        let inPipe = Pipe(), outPipe = Pipe()
        p.standardInput = inPipe
        p.standardOutput = outPipe
        try p.run()
        let writer = Thread {
            inPipe.fileHandleForWriting.write(Data(input.utf8))
            try? inPipe.fileHandleForWriting.close()
        }
        writer.start()
        let data = outPipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let expected = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(expected.count == pairs.count)
        var differences = 0
        for (i, (x, y)) in pairs.enumerated() where i < expected.count {
            let got = Self.hex(Operators.jsPow(x, y))
            if got != expected[i] {
                differences += 1
                if differences <= 10 { Issue.record("\(x) ** \(y): porter \(got) (\(Operators.jsPow(x, y))), node \(expected[i])") }
            }
        }
        print("pow differential: \(pairs.count) (x, y) pairs compared bit for bit with node, \(differences) differences")
        #expect(differences == 0)
    }

    /// The operator and Math.pow in expressions reach the same function (and constant folding too).
    @Test func operatorAndMathPowInExpressions() throws {
        let user: JSON = ["x": .double(5.091437319987976e-309), "y": .double(0.7604707667415738)]
        let want = Operators.jsPow(5.091437319987976e-309, 0.7604707667415738)
        for source in ["user.x ** user.y", "Math.pow(user.x, user.y)", "5.091437319987976e-309 ** 0.7604707667415738"] {
            guard case .success(.number(let d)) = try Expression.parse(source).evaluate(user: user) else {
                Issue.record("\(source) did not give a number")
                continue
            }
            #expect(d.bitPattern == want.bitPattern, "\(source)")
        }
        // node: 3.565041083466913e-235 (the C library's pow gives the neighbouring double).
        #expect(want == 3.565041083466913e-235)
    }
}
