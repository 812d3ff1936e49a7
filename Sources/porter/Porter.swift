import ArgumentParser
import Foundation
import PorterFormats
import PorterShell
import PorterTenant

@main
struct Porter: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "porter",
        abstract: "An interactive shell to import users into and export users out of Auth0-compatible tenants.",
        discussion: """
        With no arguments and a terminal, porter opens the interactive shell on the embedded local tenant. Commands are the same everywhere: in the shell, with -c, in a .porter script (-f) and on standard input when it is not a terminal. Type 'help' in the shell, or 'porter help COMMAND', for the commands.

        Environment:
        PORTER_TENANT: the local tenant's SQLite file (default: $XDG_DATA_HOME/porter/local.sqlite, else ~/.local/share/porter/local.sqlite).
        PORTER_RC: the start-up file, run first unless -X (default: $XDG_CONFIG_HOME/porter/porterrc, else ~/.config/porter/porterrc).
        PORTER_HISTORY: the shell's history file (default: $XDG_STATE_HOME/porter/history, else ~/.porter_history).
        PORTER_PASSWORD: the password 'verify EMAIL' checks (else asked for without echo).
        PORTER_CLIENT_ID, PORTER_CLIENT_SECRET: a machine-to-machine application's credentials for 'connect https://TENANT.auth0.com' (AUTH0_CLIENT_ID / AUTH0_CLIENT_SECRET also work; else asked for without echo).
        PORTER_TOKEN: a Management API token to use instead (never cached).
        XDG_CACHE_HOME: where tokens are cached until they expire (porter/tokens.json, owner-only).
        NO_COLOR: no colour, even on a terminal (nor with TERM=dumb).
        PAGER: the pager for output taller than the terminal (default: less -FRX; 'set pager off').
        COLUMNS: table width when the terminal's cannot be read.

        Exit status: 0 on success, 1 when a command of a script or of -c failed, 64 for a usage error.
        """,
        version: "porter \(PorterVersion.number)",
        subcommands: [TenantCommand.self, ServeCommand.self]
    )

    @Option(name: .customShort("f"), help: ArgumentHelp("Run a .porter script, then exit.", valueName: "file"))
    var file: String?

    @Option(name: .customShort("c"), help: ArgumentHelp("Run commands separated by ';', then exit; repeated, each runs in order (as psql's -c).", valueName: "commands"))
    var commands: [String] = []

    @Flag(name: .long, help: "Keep going after a failed command in scripts (same as 'set on-error continue').")
    var keepGoing = false

    @Flag(name: .customShort("q"), help: "Quiet: print only results and errors (same as 'set quiet on'), for cron.")
    var quiet = false

    @Flag(name: .customShort("X"), help: "Do not read the start-up file ($PORTER_RC, else $XDG_CONFIG_HOME/porter/porterrc).")
    var noStartupFile = false

    /// `porter help COMMAND` for a shell command prints that command's help (ArgumentParser's
    /// own `help` knows only the subcommands).
    static func main() {
        let args = Array(CommandLine.arguments.dropFirst())
        if args.count == 2, args[0] == "help", !["tenant", "serve"].contains(args[1]) {
            let text = Help.text(for: args[1])
            if text.hasPrefix("no help for") {
                FileHandle.standardError.write(Data((text + "\n").utf8))
                Foundation.exit(64)
            }
            print(text)
            Foundation.exit(0)
        }
        main(nil)
    }

    /// The start-up file: commands run before anything else, as psql's psqlrc.
    static var startupFile: String {
        let env = ProcessInfo.processInfo.environment
        if let p = env["PORTER_RC"], !p.isEmpty { return p }
        let config = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.config")
        return config + "/porter/porterrc"
    }

    func run() throws {
        // SIGINT, SIGTERM and SIGHUP remove an export's temporary file; installed before any thread starts.
        TemporaryFiles.installSignalHandlers()
        let shell = Shell()
        if !commands.isEmpty && file != nil {
            throw ValidationError("-f and -c cannot be combined: run the script with -f, or its commands with -c ('run FILE' runs a script from -c)")
        }
        var failed = false
        if !noStartupFile && FileManager.default.fileExists(atPath: Porter.startupFile) {
            // Its errors are reported (file:line) but do not stop porter, as psql does with psqlrc.
            do { try shell.runScript(path: Porter.startupFile) } catch is ScriptFailed {} catch { shell.report(error, at: Porter.startupFile) }
        }
        if keepGoing { shell.session.onError = .continue }
        if quiet {
            shell.session.quiet = true
            shell.console.quiet = true
        }
        do {
            if !commands.isEmpty {
                let lines = commands.flatMap(Porter.splitCommands)
                failed = try shell.runLines(lines, source: "-c") > 0
            } else if let file {
                do { try shell.runScript(path: file) } catch let e as ScriptFailed { _ = e; failed = true } catch let e as ShellError {
                    shell.report(e, at: nil)
                    failed = true
                }
            } else if isatty(0) == 1 {
                let status = LineEditor(shell: shell).run()
                if status != 0 { throw ExitCode(status) }
            } else {
                var lines: [String] = []
                while let l = readLine(strippingNewline: true) { lines.append(l) }
                failed = try shell.runLines(lines, source: "stdin") > 0
            }
        } catch is QuitRequest {
        }
        if failed { throw ExitCode(1) }
    }

    /// Splits `-c` text at `;` outside quotes.
    static func splitCommands(_ s: String) -> [String] {
        var out: [String] = []
        var current = ""
        var quote: Character?
        for c in s {
            if let q = quote {
                if c == q { quote = nil }
                current.append(c)
            } else if c == "'" || c == "\"" || c == "`" {
                quote = c
                current.append(c)
            } else if c == ";" {
                out.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        out.append(current)
        return out.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

struct TenantCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant",
        abstract: "Manage the embedded local tenant.",
        subcommands: [Init.self, Seed.self, Info.self, ExportHashes.self]
    )

    struct Options: ParsableArguments {
        @Option(name: .long, help: ArgumentHelp("The local tenant file (default: $PORTER_TENANT or ~/.local/share/porter/local.sqlite).", valueName: "path"))
        var tenant: String?
        func open() throws -> LocalTenant { try LocalTenant(path: tenant ?? LocalTenant.defaultPath) }
    }

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create the tenant file (with the Username-Password-Authentication connection).")
        @OptionGroup var options: Options
        func run() throws {
            let t = try options.open()
            print("local tenant at \(t.path): \(try t.connections(strategy: nil).map(\.name).joined(separator: ", "))")
        }
    }

    struct Seed: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add N generated, realistic users to the tenant.")
        @OptionGroup var options: Options
        @Argument(help: "How many users.") var count: Int
        func run() throws {
            let shell = Shell()
            shell.session.tenantPath = options.tenant
            if try shell.runLines(["seed \(count)"], source: "seed") > 0 { throw ExitCode(1) }
        }
    }

    struct ExportHashes: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "export-hashes",
            abstract: "Write the tenant's bcrypt password hashes in the shape of Auth0's password-hash export (NDJSON), to rehearse 'import PROFILES --hashes FILE'.")
        @OptionGroup var options: Options
        @Option(name: .long, help: ArgumentHelp("Only this connection's users (default: every connection).", valueName: "name"))
        var connection: String?
        @Flag(name: .long, help: "Replace an existing file.") var force = false
        @Argument(help: "The file to write (owner-only).") var file: String
        func run() throws {
            let shell = Shell()
            shell.session.tenantPath = options.tenant
            shell.session.connection = connection
            if try shell.runLines(["export-hashes \(Words.quote(file))" + (force ? " --force" : "")], source: "export-hashes") > 0 { throw ExitCode(1) }
        }
    }

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the tenant's connections and user count.")
        @OptionGroup var options: Options
        func run() throws {
            let t = try options.open()
            print("tenant: \(t.path)")
            for c in try t.connections(strategy: nil) {
                print("  \(c.name) (\(c.id)): \(try t.count(query: .everyone, connectionName: c.name)) users")
            }
        }
    }
}
