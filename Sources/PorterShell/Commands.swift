/// The shell's commands: the one place each command's name, syntax, help, example, arguments,
/// flags, completion and handler are declared.
extension Shell {
    static let table: [CommandSpec] = [
        // MARK: Tenant
        CommandSpec(name: "connect", group: .tenant,
                    syntax: .words([.init(name: "local|URL", kind: .connectTarget), .init(name: "PATH", kind: .file, optional: true)]),
                    otherForms: ["connect https://TENANT.auth0.com", "connect http://127.0.0.1:PORT"],
                    help: "Open the embedded local tenant (default file: $PORTER_TENANT or ~/.local/share/porter/local.sqlite), an Auth0 tenant, or a 'porter serve'. Remote credentials come from PORTER_CLIENT_ID/PORTER_CLIENT_SECRET or PORTER_TOKEN, else are asked for without echo; never saved in scripts.",
                    example: "connect https://acme.eu.auth0.com", run: { try $0.connect($1) }),
        CommandSpec(name: "connections", group: .tenant, syntax: .words([]),
                    help: "List the tenant's database connections.", example: "connections", run: { s, _ in try s.listConnections() }),
        CommandSpec(name: "use", group: .tenant, syntax: .words([.init(name: "CONNECTION|all", kind: .connection)]),
                    help: "Choose the connection that queries, exports and imports work on ('all': every connection).",
                    example: "use Username-Password-Authentication", run: { try $0.use($1) }),
        CommandSpec(name: "seed", group: .tenant, syntax: .words([.init(name: "N", kind: .number)]),
                    help: "Fill the local tenant with N generated, realistic users (for demos and rehearsals; up to 10,000,000).",
                    example: "seed 1000", run: { try $0.seed($1) }),
        CommandSpec(name: "export-hashes", group: .tenant, syntax: .words([.init(name: "FILE", kind: .file)]),
                    flags: [.init(name: "--force", help: "replace an existing file")],
                    help: "Write the local tenant's bcrypt password hashes (of the connection in use, or all) in the shape of Auth0's password-hash export (NDJSON: _id.$oid, alt_id, email, passwordHash, …), atomically and owner-only, to rehearse 'import PROFILES --hashes FILE' offline.",
                    example: "export-hashes hashes.ndjson", run: { try $0.exportHashes($1) }),

        // MARK: Select
        CommandSpec(name: "query", group: .select, syntax: .text("[LUCENE]", completion: [.queryField]),
                    help: "Set the Auth0 user-search (v3) query: checked locally first (a caret marks an error), then run: the count, and in the interactive shell the first rows. No argument selects everyone. 'help query' gives the syntax.",
                    example: "query email.domain:acme.com AND NOT blocked:true", run: { try $0.query($1.text) }),
        CommandSpec(name: "count", group: .select, syntax: .text("[LUCENE]", completion: [.queryField]),
                    help: "Count the users the session's query selects; with a query, count that one and leave the session's as it is.",
                    example: "count blocked:true", run: { try $0.count($1.text) }),
        CommandSpec(name: "preview", group: .select, syntax: .text("[N]", completion: [.choice(["import"]), .file, .number]),
                    otherForms: ["preview import FILE [N]"],
                    help: "Show the columns for the first N (at most 100) matching users as a table that fits the terminal (one record per block when it does not: 'set expanded'). 'preview import FILE' shows the first N users of FILE as the tenant would receive them, through the maps, each with the validator's problems ('help map').",
                    example: "preview 20", run: { try $0.previewCommand($1.text) }),
        CommandSpec(name: "explain", group: .select, syntax: .text("[LUCENE]", completion: [.queryField]),
                    help: "Show how porter reads a query (Lucene's rules: AND makes neighbours required, no precedence) and its SQL.",
                    example: "explain a:1 OR b:2 AND c:3", run: { try $0.explain($1.text) }),

        // MARK: Columns
        CommandSpec(name: "columns", group: .columns, syntax: .words([.init(name: "default|clear", kind: .choice(["default", "clear"]), optional: true)]),
                    help: "List the columns, add the usual eleven (Id, Given Name, …, Updated At), or remove them all.",
                    example: "columns default", run: { try $0.columns($1) }),
        CommandSpec(name: "column", group: .columns, syntax: .text("add NAME = EXPR", completion: [.choice(["add", "rm", "move"]), .column, .attribute]),
                    otherForms: ["column rm NAME", "column move NAME POSITION"],
                    help: "Add (or replace) a column computed by a JavaScript expression of `user`, checked and tried on the first users; remove or reorder columns. 'help expressions' lists what expressions can use.",
                    example: "column add Plan = user.app_metadata?.plan ?? 'free'", run: { try $0.column($1.text) }),
        CommandSpec(name: "edit", group: .columns, syntax: .words([.init(name: "COLUMN", kind: .column, optional: true)]),
                    help: "Edit the query, or a column's expression, in $VISUAL or $EDITOR (default vi), then apply it as if typed (psql's \\e). Lines are joined into one.",
                    example: "edit Plan", run: { try $0.edit($1) }),
        CommandSpec(name: "eval", group: .columns, syntax: .text("EXPR", completion: [.attribute]),
                    help: "Evaluate an expression on the first matching users.",
                    example: "eval user.identities.map(i => i.provider).join(',')", run: { try $0.eval($1.text) }),

        // MARK: Import maps
        CommandSpec(name: "map", group: .maps, syntax: .text("FIELD = EXPR", completion: [.choice(["rm"] + Shell.importFields), .attribute]),
                    otherForms: ["map rm FIELD"],
                    help: "Add (or replace) an import map: FIELD is a path into Auth0's import schema (email, given_name, app_metadata.plan, custom_password_hash, …), EXPR a JavaScript expression of `row`, one record of the source (a CSV row as an object of its header's names, text unless 'set csv-types on'; a JSON or NDJSON element as it is). EXPR may build objects; undefined leaves the field out. Checked, and tried on the first rows of the last previewed source. Maps apply in order to every record that 'import FILE', 'validate FILE' and 'preview import FILE' read; without maps a record is imported as it is (a CSV's header names are then Auth0 field paths: email,given_name,app_metadata.plan). A map that throws on a record rejects that record only, named with its line. Saved by 'save'.",
                    example: "map custom_password_hash = {algorithm: 'bcrypt', hash: {value: row.pw}}", run: { try $0.map($1.text) }),
        CommandSpec(name: "maps", group: .maps, syntax: .words([.init(name: "default|clear", kind: .choice(["default", "clear"]), optional: true)]),
                    help: "List the import maps; 'clear' removes them all (records are then imported as they are); 'default' writes that identity out as one map per field of the last previewed source that Auth0's import schema has, to edit map by map.",
                    example: "maps default", run: { try $0.maps($1) }),
        CommandSpec(name: "eval-row", group: .maps, syntax: .text("EXPR", completion: [.attribute]),
                    help: "Evaluate an expression of `row` on the first records of the last previewed (or validated, imported) source.",
                    example: "eval-row row.email.split('@')[1]", run: { try $0.evalRow($1.text) }),

        // MARK: Output
        CommandSpec(name: "sort", group: .output,
                    syntax: .words([.init(name: "ATTRIBUTE|COLUMN|none", kind: .sortAttribute), .init(name: "asc|desc", kind: .choice(["asc", "desc"]), optional: true)]),
                    help: "Order exports and previews by a sortable attribute (created_at, email, last_login, …) or a column that is one; 'sort none' for the tenant's order.",
                    example: "sort created_at desc", run: { try $0.sort($1) }),
        CommandSpec(name: "format", group: .output, syntax: .words([.init(name: "csv|json|ndjson|import", kind: .choice(["csv", "json", "ndjson", "import"]))]),
                    help: "Export format; 'import' writes Auth0's bulk-import schema, re-importable as it is. 'help formats' says more.",
                    example: "format import", run: { try $0.format($1) }),
        CommandSpec(name: "set", group: .output,
                    syntax: .words([.init(name: "OPTION", kind: .option, optional: true), .init(name: "VALUE", kind: .optionValue, optional: true)]),
                    help: "Set an option; 'set' alone lists every option with its value ('help set' explains them).",
                    example: "set delimiter ;", run: { try $0.set($1) }),
        CommandSpec(name: "show", group: .output, syntax: .words([]),
                    help: "Show the whole session state.", example: "show", run: { s, _ in s.show() }),

        // MARK: Jobs
        CommandSpec(name: "export", group: .jobs, syntax: .words([.init(name: "FILE|-", kind: .file)]),
                    flags: [.init(name: "--force", help: "replace an existing file")],
                    help: "Export the selected users with the columns, sort and format, atomically (a temporary file renamed into place; '-' is standard output, a FIFO is written as it is, a link is written through). No 1,000-user cap: past the search API's window, a remote tenant's users come through an export job, filtered here and sorted on disk.",
                    example: "export users.csv", run: { try $0.export($1) }),
        CommandSpec(name: "import", group: .jobs, syntax: .words([.init(name: "FILE|-", kind: .file)]),
                    flags: [.init(name: "--upsert", help: "update users that exist (matched by email)"),
                            .init(name: "--external-id", value: "ID", help: "the job's external id"),
                            .init(name: "--send-completion-email", help: "email the tenant's admins when the job ends"),
                            .init(name: "--resume", help: "continue an interrupted import (remote: from its journal; local: the job a stopped process left)"),
                            .init(name: "--hashes", value: "HASHES.ndjson", help: "join Auth0's password-hash export to FILE (an export job's NDJSON or CSV, gzipped or not, or porter's 'format import'): each user gets its bcrypt hash, matched on the user id with the email checked; users and hashes left out are listed in FILE.hashes-report.json"),
                            .init(name: "--import-without-hash", help: "with --hashes: import users the hash export has no hash for, without a password (else they are held back)")],
                    help: "Import a JSON array or NDJSON file of users (Auth0's import schema) into the connection, or any CSV, JSON or NDJSON through the import maps ('help map'; a CSV always goes through them, and without maps its header names are Auth0 field paths); failed users go to FILE.errors.json, with the source line and the map. A file that cannot be read to its end imports nobody. '-' reads standard input, in the format 'set import-format' says (auto: JSON if it starts with [ or {, else CSV); its failed users go to ./stdin.errors.json, and it cannot be resumed. Remote tenants: every user is validated first, the valid ones go in jobs under 512,000 bytes, two at a time, recorded in a journal (FILE.porter-import/) so that --resume after Ctrl-C or a crash loses and repeats nobody.",
                    example: "import legacy-users.json --upsert", run: { try $0.importFile($1) }),
        CommandSpec(name: "validate", group: .jobs, syntax: .words([.init(name: "FILE|-", kind: .file)]),
                    flags: [.init(name: "--strict", help: "fail on warnings too (porter's stricter checks), for CI"),
                            .init(name: "--all", help: "show every problem, not the first 50")],
                    help: "Check a file against Auth0's import schema and rules, with line and column (in characters), without importing ('-' reads standard input, in the format 'set import-format' says; auto: JSON if it starts with [ or {, else CSV). A CSV, or JSON when import maps are set, is checked as mapped: each problem names the source line, the map and the path. Errors are what Auth0 rejects; warnings are porter's stricter checks. With --strict either makes the command fail (for CI).",
                    example: "validate legacy-users.json --strict", run: { try $0.validate($1) }),
        // MARK: Diff (prove a migration)
        CommandSpec(name: "diff", group: .jobs,
                    syntax: .words([.init(name: "FILE|local|URL", kind: .file), .init(name: "PATH", kind: .file, optional: true)]),
                    flags: [.init(name: "--key", value: "email|user_id", help: "match users by email (default, as an upsert does) or by user_id (without 'auth0|', as an import strips it)"),
                            .init(name: "--report", value: "FILE", help: "write every difference, one a line: CSV, JSON or NDJSON by the extension, atomically"),
                            .init(name: "--force", help: "replace an existing report"),
                            .init(name: "--connection", value: "NAME", help: "the other tenant's connection (default: the session's)")],
                    otherForms: ["diff local [PATH]", "diff https://OTHER.auth0.com", "diff http://127.0.0.1:PORT"],
                    help: """
                    Compare every user of the session's connection (the whole connection, not the query) with a source: an import file or a porter export (JSON array or NDJSON, .gz too), a CSV or any JSON through the session's maps (as import reads it: 'help map'), the local tenant at PATH, or another tenant (credentials from PORTER_SOURCE_CLIENT_ID/PORTER_SOURCE_CLIENT_SECRET or PORTER_SOURCE_TOKEN, else as for connect). \
                    Reports users missing from the tenant, users only in the tenant, and users whose importable fields differ, field by field, with Auth0's import rules: tenant-managed attributes (identities, created_at, updated_at, logins_count, last_login, last_ip, and user_id when keyed by email) are not differences; email is compared without case; metadata is replaced on upsert, not merged, so whole objects are compared and each path that differs is listed; email_verified becomes false when the email changed unless the source says true; an import file's omitted attributes are left to the tenant (not compared), while a profile (export or tenant) is complete. \
                    Password hashes and MFA factors cannot be compared: the Management API never returns them (check passwords with verify). A key twice on a side is reported, not merged. \
                    Both sides stream (sorted on disk when needed), so memory stays flat. Read-only on both tenants. Like diff(1), the command fails (exit status 1 in porter -c/-f) when there are differences.
                    """,
                    example: "diff legacy-users.json --report diff.csv", run: { try $0.diff($1) }),
        CommandSpec(name: "jobs", group: .jobs, syntax: .words([]),
                    help: "Recent jobs, newest first, with status and summary.", example: "jobs", run: { s, _ in try s.jobs() }),
        CommandSpec(name: "job", group: .jobs, syntax: .words([.init(name: "ID|errors", kind: .jobID), .init(name: "ID", kind: .jobID, optional: true)]),
                    otherForms: ["job errors ID"],
                    help: "One job, or the users it rejected and why (hashes redacted).", example: "job errors job_abc123", run: { try $0.job($1) }),
        CommandSpec(name: "verify", group: .jobs, syntax: .words([.init(name: "EMAIL", kind: .email, optional: true)]),
                    flags: [.init(name: "--file", value: "ACCOUNTS", help: "check every account of a CSV file (email and password columns) or a JSON array or NDJSON of {\"email\", \"password\"}, one by one"),
                            .init(name: "--report", value: "FILE", help: "the failures (email and reason, never a password), CSV or JSON by extension (default ACCOUNTS.verify-failures.csv)"),
                            .init(name: "--rate", value: "N", help: "checks a second at most (remote default 4: Auth0 allows 300 a minute on free tenants; local: no limit)"),
                            .init(name: "--max-failures", value: "N", help: "failed checks of one user in this session before porter skips it (default 3, at most 9: Auth0 locks a user out of an address at 10)")],
                    help: "Check a password: on the local tenant against the stored hash (nothing changes); on a remote tenant (Auth0 or 'porter serve') by logging in through the Authentication API's password-realm grant (realm: the connection in use), with an application that has the Password grant (PORTER_VERIFY_CLIENT_ID/PORTER_VERIFY_CLIENT_SECRET, else asked for without echo). A remote success counts as a login on the tenant (logins_count, last_login, logs) and failures count toward its brute-force protection. The password comes from $PORTER_PASSWORD, else is asked for; it is never echoed, logged, saved or reported. --file checks a list of test accounts with a summary and a report of failures.",
                    example: "verify ada@acme.com", run: { try $0.verify($1) }),

        // MARK: Session
        CommandSpec(name: "save", group: .session, syntax: .words([.init(name: "FILE.porter", kind: .file)]),
                    flags: [.init(name: "--force", help: "replace an existing file"),
                            .init(name: "--with-export", help: "end the script with the last export (with --force), for cron")],
                    help: "Write the session as a replayable script (never a secret).", example: "save monthly.porter --with-export", run: { try $0.save($1) }),
        CommandSpec(name: "run", group: .session, syntax: .words([.init(name: "FILE.porter", kind: .file)]),
                    help: "Run a script (scripts may run scripts; cycles are refused).", example: "run monthly.porter", run: { try $0.run($1) }),
        CommandSpec(name: "history", group: .session, syntax: .words([]),
                    help: "Commands of this session.", example: "history", run: { s, _ in s.showHistory() }),
        CommandSpec(name: "help", aliases: ["?"], group: .session, syntax: .words([.init(name: "TOPIC", kind: .helpTopic, optional: true)]),
                    help: "This help, or a command's, or a topic's: query, expressions, formats, set.", example: "help column", run: { try $0.help($1) }),
        CommandSpec(name: "quit", aliases: ["exit"], group: .session, syntax: .words([]),
                    help: "Leave (Ctrl-D also).", example: "quit", run: { _, _ in throw QuitRequest() }),
    ]

    static func spec(named name: String) -> CommandSpec? {
        table.first { $0.name == name || $0.aliases.contains(name) }
    }

    /// Names and aliases, for completion and did-you-mean.
    public static var commands: [String] { table.flatMap { [$0.name] + $0.aliases.filter { $0 != "?" } } }
}
