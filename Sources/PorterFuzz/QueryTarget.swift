import Foundation
import PorterJSON
import PorterQuery

/// Parsing never crashes; a parsed query's canonical text re-parses to the same tree, source ranges aside (and
/// prints the same again); SQL translation and matching a fixed user do not crash.
enum QueryTarget {
    static func check(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let query = try? Query.parse(text) else { return }
        _ = query.sql(target: SQLTarget(searchColumn: "search"))
        _ = query.matches(user: FixedUser.value)
        let printed = query.description
        let again: Query
        do { again = try Query.parse(printed) } catch {
            FuzzTargets.require(false, "canonical form \(printed) of \(text) does not parse: \(error)")
            return
        }
        FuzzTargets.require(again.root.sameTree(as: query.root), "canonical form \(printed) of \(text) parses to another tree")
        FuzzTargets.require(again.description == printed, "canonical form is not stable: \(printed) → \(again.description)")
    }
}
