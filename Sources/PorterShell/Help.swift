/// `help` and `help NAME`: syntax and an example for every command, in groups.
public enum Help {
    static let options = "preview N, delimiter C|tab, bom on|off, formula-guard on|off, line-ending crlf|lf, pretty on|off, on-error stop|continue"
    static let optionNames = ["preview", "delimiter", "bom", "formula-guard", "line-ending", "pretty", "on-error"]

    static let entries: [(group: String, name: String, syntax: String, text: String, example: String)] = [
        ("Tenant", "connect", "connect local [PATH] | connect https://TENANT.auth0.com | connect http://127.0.0.1:PORT", "Open the embedded local tenant (default file: $PORTER_TENANT or ~/.local/share/porter/local.sqlite), an Auth0 tenant, or a 'porter serve'. Remote credentials come from PORTER_CLIENT_ID/PORTER_CLIENT_SECRET or PORTER_TOKEN, else are asked for without echo; never saved in scripts.", "connect https://acme.eu.auth0.com"),
        ("Tenant", "connections", "connections", "List the tenant's database connections.", "connections"),
        ("Tenant", "use", "use CONNECTION | use all", "Choose the connection that queries, exports and imports work on.", "use Username-Password-Authentication"),
        ("Tenant", "seed", "seed N", "Fill the local tenant with N generated, realistic users (for demos and rehearsals).", "seed 1000"),
        ("Select", "query", "query [LUCENE]", "Set the Auth0 user-search (v3) query: checked locally first (a caret marks an error), then run: count and the first rows. No argument selects everyone.", "query email.domain:acme.com AND NOT blocked:true"),
        ("Select", "count", "count", "Count the users the query selects.", "count"),
        ("Select", "preview", "preview [N]", "Show the columns for the first N matching users as a table that fits the terminal.", "preview 20"),
        ("Select", "explain", "explain [LUCENE]", "Show how porter reads a query (Lucene's rules: AND makes neighbours required, no precedence) and its SQL.", "explain a OR b AND c"),
        ("Columns", "columns", "columns | columns default | columns clear", "List the columns, add the usual eleven (Id, Given Name, …, Updated At), or remove them all.", "columns default"),
        ("Columns", "column", "column add NAME = EXPR | column rm NAME | column move NAME POS", "Add (or replace) a column computed by a JavaScript expression of `user`, checked and tried on the first users; remove or reorder columns.", "column add Plan = user.app_metadata?.plan ?? 'free'"),
        ("Columns", "eval", "eval EXPR", "Evaluate an expression on the first matching users.", "eval user.identities.map(i => i.provider).join(',')"),
        ("Output", "sort", "sort ATTRIBUTE [asc|desc] | sort none", "Order exports and previews by a top-level attribute.", "sort created_at desc"),
        ("Output", "format", "format csv|json|ndjson|import", "Export format; 'import' writes Auth0's bulk-import schema, re-importable as it is.", "format import"),
        ("Output", "set", "set OPTION VALUE", "Options: " + options + ".", "set delimiter ;"),
        ("Output", "show", "show", "Show the whole session state.", "show"),
        ("Jobs", "export", "export FILE [--force]", "Export the selected users with the columns, sort and format (atomically: a temporary file renamed into place). No 1,000-user cap: past the search API's window, a remote tenant's users come through an export job, filtered here and sorted on disk.", "export users.csv"),
        ("Jobs", "import", "import FILE [--upsert] [--external-id ID] [--send-completion-email] [--resume]", "Import a JSON array or NDJSON file of users (Auth0's import schema) into the connection; failed users go to FILE.errors.json. Remote tenants: every user is validated first, the valid ones go in jobs under 512,000 bytes, two at a time, recorded in a journal (FILE.porter-import/) so that --resume after Ctrl-C or a crash loses and repeats nobody (a job file whose upload was cut off is sent again and reconciled). A malformed or truncated file imports nobody. Users already there, identical, count as skipped; any failed user makes the command fail (scripts, -c).", "import legacy-users.json --upsert"),
        ("Jobs", "validate", "validate FILE [--strict] [--all]", "Check a file against Auth0's import schema and rules, with line and column (in characters), without importing. Errors are what Auth0 rejects; warnings are porter's stricter checks, which --strict makes a failure too (for CI). --all shows every problem, not the first 50.", "validate legacy-users.json --strict"),
        ("Jobs", "jobs", "jobs", "Recent jobs, newest first, with status and summary.", "jobs"),
        ("Jobs", "job", "job ID | job errors ID", "One job, or the users it rejected and why (hashes redacted).", "job errors job_abc123"),
        ("Jobs", "verify", "verify EMAIL", "Check a password (asked for, never echoed or saved) against the stored hash.", "verify ada@acme.com"),
        ("Session", "save", "save FILE.porter [--force]", "Write the session as a replayable script (never a secret).", "save monthly.porter"),
        ("Session", "run", "run FILE.porter", "Run a script (scripts may run scripts; cycles are refused).", "run monthly.porter"),
        ("Session", "history", "history", "Commands of this session.", "history"),
        ("Session", "help", "help [COMMAND]", "This help, or one command's.", "help column"),
        ("Session", "quit", "quit", "Leave (Ctrl-D also).", "quit"),
    ]

    public static func text(for name: String?) -> String {
        if let name {
            if name == "expressions" { return "Column expressions are JavaScript expressions of `user` (see Sources/PorterExpression/LANGUAGE.md): user.email, user.app_metadata?.plan ?? 'free', `${user.given_name} ${user.family_name}`, user.identities.map(i => i.provider).join(',')" }
            guard let e = entries.first(where: { $0.name == name || (name == "exit" && $0.name == "quit") }) else {
                return "no help for '\(name)'" + (nearest(name, in: entries.map(\.name)).map { "; did you mean '\($0)'?" } ?? "")
            }
            return "\(e.syntax)\n  \(e.text)\n  example: \(e.example)"
        }
        var lines: [String] = ["porter commands (help NAME for one; help expressions for column expressions):"]
        var group = ""
        for e in entries {
            if e.group != group {
                group = e.group
                lines.append("\n\(group):")
            }
            lines.append("  " + e.syntax)
        }
        lines.append("\nOne command per line; '#' starts a comment line; a trailing '\\' continues a line.")
        return lines.joined(separator: "\n")
    }

    /// The closest word by edit distance, if close enough to be a plausible typo.
    public static func nearest(_ word: String, in candidates: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var prev = Array(0...b.count)
            for i in 1...max(a.count, 1) where !a.isEmpty {
                var cur = [i] + Array(repeating: 0, count: b.count)
                for j in 1...max(b.count, 1) where !b.isEmpty {
                    cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                }
                prev = cur
            }
            return a.isEmpty ? b.count : prev[b.count]
        }
        let w = Array(word.lowercased())
        let best = candidates.map { ($0, distance(w, Array($0.lowercased()))) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= max(2, w.count / 3) else { return nil }
        return best.0
    }
}
