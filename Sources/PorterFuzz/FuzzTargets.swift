import PorterJSON
import PorterQuery
import PorterExpression

/// Property checks for the fuzz targets, shared by libFuzzer (`scripts/fuzz`) and by the test
/// that replays the committed corpus and regressions. A check traps with a message when a
/// property fails; inputs that are merely invalid are fine.
public enum FuzzTargets {
    public static let names = ["json", "projection", "query", "expression", "csv"]

    public static func check(_ target: String, _ bytes: [UInt8]) {
        switch target {
        case "json": JSONTarget.check(bytes)
        case "projection": ProjectionTarget.check(bytes)
        case "query": QueryTarget.check(bytes)
        case "expression": ExpressionTarget.check(bytes)
        case "csv": CSVTarget.check(bytes)
        default: fatalError("unknown fuzz target '\(target)' (one of \(names.joined(separator: ", ")))")
        }
    }

    static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("property failed: \(message())") }
    }
}
