import PorterFormats

/// Every `set` option, declared once: `set`, `show`, `save`, `help set` and completion read it.
enum SessionOption: String, CaseIterable {
    case preview, delimiter, bom, formulaGuard = "formula-guard", lineEnding = "line-ending", pretty, onError = "on-error"
    case quiet, timing, expanded, pager
    case csvTypes = "csv-types", importDelimiter = "import-delimiter"
    case importRecords = "import-records", importFormat = "import-format"

    var name: String { rawValue }

    /// The values it takes, as help shows them.
    var values: String {
        switch self {
        case .preview: return "1-100"
        case .delimiter: return "CHAR|tab"
        case .lineEnding: return "crlf|lf"
        case .onError: return "stop|continue"
        case .expanded: return "auto|on|off"
        case .importDelimiter: return "auto|CHAR|tab"
        case .importRecords: return "none|KEY"
        case .importFormat: return "auto|csv|json|ndjson"
        default: return "on|off"
        }
    }

    /// Candidates for completion.
    var choices: [String] {
        switch self {
        case .preview: return ["5", "10", "20", "50", "100"]
        case .delimiter: return [",", ";", "tab", "|"]
        case .importDelimiter: return ["auto", ",", ";", "tab", "|"]
        case .importRecords: return ["none", "users"]
        default: return values.split(separator: "|").map(String.init)
        }
    }

    var help: String {
        switch self {
        case .preview: return "rows shown by preview, and users tried by eval and column add (first 5 of them)"
        case .delimiter: return "CSV field delimiter"
        case .bom: return "a UTF-8 byte-order mark first in CSV (for Excel)"
        case .formulaGuard: return "OWASP CSV-injection guard: cells starting with = + - @ get a leading '"
        case .lineEnding: return "CSV line ending (RFC 4180 says crlf)"
        case .pretty: return "indented JSON"
        case .onError: return "what a script does after a failed command"
        case .quiet: return "print only results and errors (no confirmations, notes or query previews); porter -q"
        case .timing: return "print how long each command took"
        case .expanded: return "one record per block when a table is wider than the terminal (auto), always (on) or never (off)"
        case .pager: return "page output taller than the terminal through $PAGER (default: less -FRX), interactive shell only"
        case .csvTypes: return "CSV sources: cells that are JSON numbers or true/false become numbers and booleans (off: every cell is text)"
        case .importDelimiter: return "CSV sources' field delimiter (auto: tab for .tsv files, else comma)"
        case .importFormat: return "sources' format, standard input included (import -, validate -): auto reads .csv/.tsv/.txt as CSV and .json/.ndjson/.jsonl as JSON, anything else (standard input too) as JSON if its first character is [ or {, else as CSV; csv, json (an array, or NDJSON) or ndjson read every source so"
        case .importRecords: return "JSON sources: the records are the array under this key of the file's top-level object ('users' for Firebase's auth:export and Keycloak's realm export); none: the file's top level"
        }
    }

    /// Written by `save` (display preferences are not part of a replayable session).
    var isSaved: Bool {
        switch self {
        case .quiet, .timing, .expanded, .pager: return false
        default: return true
        }
    }

    func value(in s: Session) -> String {
        func flag(_ b: Bool) -> String { b ? "on" : "off" }
        switch self {
        case .preview: return String(s.previewSize)
        case .delimiter: return s.csv.delimiter == 9 ? "tab" : String(UnicodeScalar(s.csv.delimiter))
        case .bom: return flag(s.csv.bom)
        case .formulaGuard: return flag(s.csv.formulaGuard)
        case .lineEnding: return s.csv.crlf ? "crlf" : "lf"
        case .pretty: return flag(s.pretty)
        case .onError: return s.onError.rawValue
        case .quiet: return flag(s.quiet)
        case .timing: return flag(s.timing)
        case .expanded: return s.expanded.rawValue
        case .pager: return flag(s.pager)
        case .csvTypes: return flag(s.csvTypes)
        case .importDelimiter: return s.importDelimiter.map { $0 == 9 ? "tab" : String(UnicodeScalar($0)) } ?? "auto"
        case .importRecords: return s.importRecords ?? "none"
        case .importFormat: return s.importFormat?.rawValue ?? "auto"
        }
    }

    func set(_ v: String, in s: inout Session) throws {
        func flag() throws -> Bool {
            switch v {
            case "on", "true", "yes": return true
            case "off", "false", "no": return false
            default: throw ShellError("\(name) takes on or off, not '\(v)'")
            }
        }
        switch self {
        case .preview:
            guard let n = Int(v), n > 0, n <= 100 else { throw ShellError("preview takes a number from 1 to 100") }
            s.previewSize = n
        case .delimiter:
            s.csv.delimiter = try Self.delimiter(v, name: name)
        case .bom: s.csv.bom = try flag()
        case .formulaGuard: s.csv.formulaGuard = try flag()
        case .lineEnding:
            guard ["crlf", "lf"].contains(v) else { throw ShellError("line-ending takes crlf or lf") }
            s.csv.crlf = v == "crlf"
        case .pretty: s.pretty = try flag()
        case .onError:
            guard let e = Session.OnError(rawValue: v) else { throw ShellError("on-error takes stop or continue") }
            s.onError = e
        case .quiet: s.quiet = try flag()
        case .timing: s.timing = try flag()
        case .expanded:
            guard let e = Session.Expanded(rawValue: v) else { throw ShellError("expanded takes auto, on or off") }
            s.expanded = e
        case .pager: s.pager = try flag()
        case .csvTypes: s.csvTypes = try flag()
        case .importDelimiter:
            if v == "auto" { s.importDelimiter = nil; return }
            s.importDelimiter = try Self.delimiter(v, name: name)
        case .importRecords:
            guard !v.isEmpty else { throw ShellError("import-records takes a key of the file's top-level object, or none") }
            s.importRecords = v == "none" ? nil : v
        case .importFormat:
            if v == "auto" { s.importFormat = nil; return }
            guard let f = SourceFormat(rawValue: v) else { throw ShellError("import-format takes auto, csv, json or ndjson, not '\(v)'") }
            s.importFormat = f
        }
    }

    /// One ASCII character (or `tab`) that is not a quote or a line break.
    static func delimiter(_ v: String, name: String) throws -> UInt8 {
        let d = v == "tab" ? "\t" : v
        guard d.utf8.count == 1, let b = d.utf8.first, b < 0x80, b != 0x22, b != 0x0A, b != 0x0D else {
            throw ShellError("\(name) must be one ASCII character (or 'tab'), not a quote or newline")
        }
        return b
    }
}
