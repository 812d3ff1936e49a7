/// `help`, `help COMMAND` and `help TOPIC`, all derived from the command table and the
/// option table.
public enum Help {
    static let topics = ["query", "expressions", "formats", "set"]

    public static func text(for name: String?, session: Session = Session()) -> String {
        guard let name else { return overview() }
        switch name {
        case "expressions": return expressions
        case "formats": return formats
        default: break
        }
        guard let spec = Shell.spec(named: name) else {
            return "no help for '\(name)'" + (nearest(name, in: Shell.commands + topics).map { "; did you mean '\($0)'?" } ?? "")
        }
        switch spec.name {
        case "set": return command(spec) + "\n\n" + options(session)
        case "query": return command(spec) + "\n\n" + querySyntax
        default: return command(spec)
        }
    }

    static func command(_ spec: CommandSpec) -> String {
        var lines = spec.forms
        lines.append("  " + spec.help)
        for f in spec.flags { lines.append("  " + f.name + (f.value.map { " " + $0 } ?? "") + ": " + f.help) }
        if !spec.aliases.isEmpty { lines.append("  also: " + spec.aliases.joined(separator: ", ")) }
        lines.append("  example: " + spec.example)
        return lines.joined(separator: "\n")
    }

    static func overview() -> String {
        var lines: [String] = ["porter commands (help NAME for one; topics: help query, help expressions, help formats, help set):"]
        for group in CommandSpec.Group.allCases {
            lines.append("\n\(group.rawValue):")
            for spec in Shell.table where spec.group == group { lines.append("  " + spec.synopsis) }
        }
        lines.append("\nOne command per line; '#' at the start of a line or after a space (outside quotes) starts a comment; a trailing '\\' continues a line.")
        return lines.joined(separator: "\n")
    }

    static func options(_ session: Session) -> String {
        var lines = ["Options (set NAME VALUE; now):"]
        for o in SessionOption.allCases {
            lines.append("  \(Shell.pad(o.name, 17))\(Shell.pad(o.values, 15))\(Shell.pad(o.value(in: session), 7)) \(o.help)")
        }
        return lines.joined(separator: "\n")
    }

    static let querySyntax = """
    Auth0's user search (v3): Lucene query syntax as Elasticsearch's query_string reads it, over the
    user profile (Sources/PorterQuery/RULES.md has every rule and its source).
      email:ada@acme.com                 a field and a value (whole-value match: fields are not tokenized)
      name:"Ada Lovelace"  name:Ada\\ Lovelace   a phrase, or a space escaped
      email.domain:acme.com              the domain of the email
      _exists_:user_metadata.plan        users that have the field
      logins_count:[10 TO 100]  last_login:[* TO 2024-06]  created_at:>=2024-01-01   ranges
      name:j*  name:*son                 wildcards: '*' only; a leading one needs 3 other characters
      a:1 AND b:2   a:1 OR b:2   NOT blocked:true   -blocked:true   (a:1 OR b:2) AND c:3
    Lucene has no precedence: 'a OR b AND c' means a, +b, +c (b and c required). Keywords are upper
    case. Case-insensitive: email, name, given_name, family_name, nickname; everything else, metadata
    included, is case-sensitive. No wildcards or ranges on metadata. 'explain QUERY' shows the reading.
    examples:
      query email.domain:acme.com AND logins_count:>=100 AND NOT blocked:true
      count user_metadata.plan:pro
    """

    static let expressions = """
    Column expressions are JavaScript expressions of `user`, with JavaScript's semantics
    (Sources/PorterExpression/LANGUAGE.md lists every construct, function and method):
      user.email                                   an attribute path
      user.app_metadata?.plan ?? 'free'            optional chaining, nullish coalescing
      `${user.given_name} ${user.family_name}`     template literals
      user.identities.map(i => i.provider).join(',')
      user.logins_count > 100 ? 'active' : 'idle'
      new Date(user.created_at).getUTCFullYear()
      JSON.stringify(user.app_metadata)
    Each cell is evaluated in a sandbox (time, memory and output bounded); an error fails that cell only.
    examples:
      column add Plan = user.app_metadata?.plan ?? 'free'
      eval user.email.split('@')[1]
    """

    static let formats = """
    format csv     RFC 4180; columns required; 'set delimiter', 'set bom', 'set line-ending'; the
                   OWASP formula guard ('set formula-guard') prefixes cells starting with = + - @.
    format json    a JSON array: one object per user (the columns, or whole users without columns).
    format ndjson  one JSON object per line.
    format import  Auth0's bulk-import schema, with password hashes from the local tenant: an export
                   re-imports into another tenant as it is ('import FILE').
    Exports are atomic (a temporary file renamed into place); '-' writes standard output.
    examples:
      format csv
      export users.csv --force
    """

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
