import PorterExpression
import PorterFormats
import PorterJobs
import PorterQuery
import PorterTenant

/// What the shell remembers between commands, and what `save` writes back as a script.
public struct Session {
    public enum OnError: String { case stop, `continue` }
    public enum Expanded: String { case auto, on, off }

    public var tenantPath: String?
    /// A remote tenant's address (Auth0 or `porter serve`); nil for the local tenant.
    public var remote: String?
    public var connection: String? = LocalTenant.defaultConnection
    /// The parsed query (its `source` is the text as typed, for `show`, `save` and Auth0).
    public var query: Query = .everyone
    /// Each column's expression keeps its source text (`expression.source`) for `save` and `edit`.
    public var columns: [Column] = []
    public var sort: SortSpec?
    public var format: ExportFormat = .csv
    public var previewSize = 10
    public var csv = CSVOptions()
    public var onError: OnError = .stop
    public var pretty = false
    /// The last export's target, for `save --with-export`.
    public var lastExport: (path: String, force: Bool)?
    public var quiet = false
    public var timing = false
    public var expanded: Expanded = .auto
    public var pager = true
    /// Attribute paths seen in users, for completion.
    public var seenPaths = Set<String>()
    /// Import maps (`map FIELD = EXPR` over `row`); none = the identity.
    public var mapping = ImportMapping()
    /// How CSV sources are read: numbers and booleans typed (`set csv-types`), and the
    /// delimiter (`set import-delimiter`; nil = auto: tab for .tsv, else comma).
    public var csvTypes = false
    public var importDelimiter: UInt8?
    /// JSON sources' records: the array under this top-level key (`set import-records`); nil: the top level.
    public var importRecords: String?
    /// Sources' format whatever their name, standard input included (`set import-format`); nil
    /// = auto: by extension, else by the first bytes.
    public var importFormat: SourceFormat?
    /// The source last previewed, validated or imported: `map` and `eval-row` try expressions on it.
    public var lastSource: String?

    /// The CSV reading options for `path`.
    public func csvSource(for path: String) -> CSVSourceOptions {
        CSVSourceOptions(delimiter: importDelimiter ?? (path.lowercased().hasSuffix(".tsv") ? 9 : UInt8(ascii: ",")), typed: csvTypes, records: importRecords, format: importFormat)
    }

    public init() {}

    /// The commands that rebuild this state. Never a secret: credentials come from the
    /// environment when the script runs.
    public func script() -> String {
        var lines = ["# porter session, replay with: porter -f FILE.porter"]
        if let remote {
            lines.append("# credentials from PORTER_CLIENT_ID/PORTER_CLIENT_SECRET or PORTER_TOKEN")
            lines.append("connect \(Words.quote(remote))")
        } else if let tenantPath {
            lines.append("connect local \(Words.quote(tenantPath))")
        }
        if let connection { lines.append("use \(Words.quote(connection))") }
        lines.append(query.source.isEmpty ? "query" : "query \(query.source)")
        lines.append("columns clear")
        for c in columns {
            lines.append("column add \(Words.quote(c.name)) = \(c.expression.source)")
        }
        if !mapping.isIdentity {
            lines.append("maps clear")
            lines += mapping.maps.map(\.scriptLine)
        }
        if let sort { lines.append("sort \(sort)") } else { lines.append("sort none") }
        lines.append("format \(format.rawValue)")
        for option in SessionOption.allCases where option.isSaved {
            lines.append("set \(option.name) \(Words.quote(option.value(in: self)))")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Splitting a command line into words: quotes group, backslash escapes.
public enum Words {
    public struct Failure: Error { public var message: String; public var column: Int }

    public static func split(_ text: String) throws(Failure) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        var column = 0
        var quoteColumn = 0
        for c in text {
            column += 1
            if escaped {
                current.append(c)
                escaped = false
                continue
            }
            if c == "\\" && quote != "'" {
                escaped = true
                inWord = true
                continue
            }
            if let q = quote {
                if c == q { quote = nil } else { current.append(c) }
                continue
            }
            if c == "\"" || c == "'" {
                quote = c
                quoteColumn = column
                inWord = true
                continue
            }
            if c.isWhitespace {
                if inWord { words.append(current); current = ""; inWord = false }
                continue
            }
            current.append(c)
            inWord = true
        }
        if quote != nil { throw Failure(message: "unterminated quote", column: quoteColumn) }
        if inWord { words.append(current) }
        return words
    }

    /// Quotes a word when it needs it, so `split` reads it back.
    public static func quote(_ s: String) -> String {
        if !s.isEmpty && !s.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "'" || $0 == "\\" || $0 == "#" }) { return s }
        return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
