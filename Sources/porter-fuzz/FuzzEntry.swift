import Foundation
import PorterFuzz

#if PORTER_FUZZ
// Built only by scripts/fuzz (-sanitize=fuzzer,address -DPORTER_FUZZ). SwiftPM names an executable's
// entry point porter_fuzz_main; it hands the command line to libFuzzer's driver.
let target: String = {
    guard let p = getenv("PORTER_FUZZ_TARGET") else { fatalError("set PORTER_FUZZ_TARGET to one of \(FuzzTargets.names)") }
    return String(cString: p)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    FuzzTargets.check(target, Array(UnsafeBufferPointer(start: data, count: count)))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
               _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("porter_fuzz_main")
public func porterFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc, argv = argv
    return runDriver(&argc, &argv, fuzzOne)
}
#else
/// Without the fuzzer: replays the files given as arguments through the checks of PORTER_FUZZ_TARGET.
@main enum Replay {
    static func main() throws {
        let target = ProcessInfo.processInfo.environment["PORTER_FUZZ_TARGET"] ?? "json"
        for path in CommandLine.arguments.dropFirst() {
            FuzzTargets.check(target, Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        }
    }
}
#endif
