import ArgumentParser
import PorterJSON

@main
struct Porter: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "porter",
        abstract: "Import users into and export users out of Auth0-compatible tenants.",
        version: "0.1.0"
    )
    func run() throws {
        print("porter 0.1.0: the shell is not built yet; see README.md")
    }
}
