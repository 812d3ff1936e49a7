import Foundation
import PorterExpression
import PorterFormats
import PorterJSON
import PorterQuery
import PorterTenant

/// A named column: an attribute path or any expression.
public struct Column: Sendable {
    public var name: String
    public var expression: PorterExpression.Expression
    public init(name: String, expression: PorterExpression.Expression) {
        self.name = name
        self.expression = expression
    }
}

public enum ExportFormat: String, Sendable, CaseIterable {
    case csv, json, ndjson
    /// A JSON array in Auth0's bulk-import schema: re-imports into another tenant as it is.
    case `import`
}

public struct ExportRequest {
    public var query: Query
    public var connectionName: String?
    public var columns: [Column]
    public var sort: SortSpec?
    public var format: ExportFormat
    public var path: String
    public var csv: CSVOptions
    public var force: Bool
    public var pretty: Bool
    /// Where a remote export's download and sort runs go; the target's directory by default.
    public var scratchDirectory: String
    /// Off only in tests, to compare the local tenant's fast paths with the general one.
    var allowsProjection = true

    public init(query: Query, connectionName: String?, columns: [Column], sort: SortSpec?, format: ExportFormat, path: String,
                csv: CSVOptions = .init(), force: Bool = false, pretty: Bool = false) {
        self.query = query
        self.connectionName = connectionName
        self.columns = columns
        self.sort = sort
        self.format = format
        self.path = path
        self.csv = csv
        self.force = force
        self.pretty = pretty
        // Not NSString.deletingLastPathComponent: Foundation on Linux traps on a one-character path.
        scratchDirectory = path == "-" ? FileManager.default.temporaryDirectory.path : URL(fileURLWithPath: path).deletingLastPathComponent().path
    }
}

public struct ExportReport: Sendable {
    public var rows = 0
    public var failedCells = 0
    /// The first few cell errors: row, column, message.
    public var errors: [String] = []
    public var seconds = 0.0
}

/// select → fetch → columns → write, streaming: memory does not grow with the user count.
public enum ExportPipeline {
    public static func run(_ r: ExportRequest, tenant: any Tenant, progress: ((Int) -> Void)? = nil, status: @escaping (String) -> Void = { _ in },
                           isCancelled: @escaping () -> Bool = { false }) throws -> ExportReport {
        let started = Date()
        var report = ExportReport()
        let writerFormat: OutputFormat
        switch r.format {
        case .csv: writerFormat = .csv
        case .json, .import: writerFormat = .json
        case .ndjson: writerFormat = .ndjson
        }
        let writer = try TableWriter(path: r.path, format: writerFormat, columns: r.columns.map(\.name), csv: r.csv, pretty: r.pretty, force: r.force)
        for stale in writer.removedStale {
            status("removed \(stale.path): a temporary file of \(r.path) left by porter process \(stale.pid), which no longer runs")
        }
        do {
            func tick() throws {
                if report.rows & 1023 == 0 {
                    if isCancelled() { throw Cancelled() }
                    progress?(report.rows)
                }
            }
            let local = r.allowsProjection && r.format != .import ? tenant as? LocalTenant : nil
            if let local, r.columns.isEmpty, r.format == .ndjson || (r.format == .json && !r.pretty) {
                // Whole users from the local tenant: the stored text is what the writer would write.
                try local.forEachProfileText(query: r.query, connectionName: r.connectionName, sort: r.sort) { text in
                    try tick()
                    try writer.writeObject(text: text)
                    report.rows += 1
                }
            } else if let local, writer.streamsRows, let projection = Self.projection(r.columns) {
                // Plain attribute paths from the local tenant: cells come straight out of the
                // stored JSON text (the writer's compact output, so arrays and objects are copied
                // as they stand); a row is parsed only for a cell the projection cannot answer.
                var values: [ProjectedValue] = []
                try local.forEachProfileText(query: r.query, connectionName: r.connectionName, sort: r.sort) { text in
                    try tick()
                    _ = projection.project(text, into: &values)
                    try writeRow(values, of: text, columns: r.columns, to: writer, &report)
                    report.rows += 1
                }
            } else {
                var cells: [JSON?] = []
                // Cells that hold an unpaired surrogate, as JSON text (JSON and NDJSON): rare.
                var texts: [(column: Int, text: [UInt8])] = []
                let jsonOutput = writerFormat != .csv
                var source = UserSource(tenant: tenant, query: r.query, connectionName: r.connectionName, sort: r.sort)
                source.includeHashes = r.format == .import
                source.isCancelled = isCancelled
                source.onStatus = status
                source.scratchDirectory = r.scratchDirectory
                var handled = false
                if r.allowsProjection, r.format != .import, writer.streamsRows, let projection = Self.projection(r.columns) {
                    // Plain attribute paths from a remote tenant: as from the local one, cells come
                    // out of each user's text (an export job's lines are not parsed, see forEachText).
                    var values: [ProjectedValue] = []
                    handled = try source.forEachText { text in
                        try tick()
                        _ = projection.project(text, into: &values)
                        // Containers are written from the parsed value, not copied: a remote file's
                        // text need not be the writer's compact form.
                        for k in values.indices { if case .container = values[k] { values[k] = .other } }
                        try writeRow(values, of: text, columns: r.columns, to: writer, &report)
                        report.rows += 1
                    }
                }
                if !handled {
                    try source.forEach { user in
                        try tick()
                        if r.format == .import {
                            try writer.writeObject(ImportFormat.user(from: user))
                        } else if r.columns.isEmpty {
                            try writer.writeObject(user)
                        } else {
                            cells.removeAll(keepingCapacity: true)
                            texts.removeAll(keepingCapacity: true)
                            for (k, c) in r.columns.enumerated() {
                                let v = Self.value(c, user, &report)
                                if jsonOutput, let v, let text = Cell.loneSurrogateJSONText(v) { texts.append((k, text)) }
                                cells.append(v.flatMap(Cell.json))
                            }
                            try writer.writeRow(cells, jsonText: texts)
                        }
                        report.rows += 1
                    }
                }
            }
            try writer.finish()
        } catch {
            writer.abort()
            throw error
        }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    /// One row from the projected values of a user's stored text; the text is parsed only for a
    /// cell the projection leaves to the expression.
    static func writeRow(_ values: [ProjectedValue], of text: UnsafeRawBufferPointer, columns: [Column], to writer: TableWriter,
                         _ report: inout ExportReport) throws {
        var user: JSON?
        var row = writer.beginRow()
        for (k, value) in values.enumerated() {
            // Numbers go through the expression's number type (JavaScript's).
            try row.append(value, copyingNumbers: false) {
                if user == nil { user = try JSON.parse(buffer: text) }
                return cell(columns[k], user!, &report)
            }
        }
        try writer.write(row)
    }

    /// One column's cell for one user; a failed expression leaves the cell empty and is counted.
    static func cell(_ c: Column, _ user: JSON, _ report: inout ExportReport) -> JSON? {
        value(c, user, &report).flatMap(Cell.json)
    }

    /// One column's value for one user; nil (counted) when the expression fails.
    static func value(_ c: Column, _ user: JSON, _ report: inout ExportReport) -> PorterExpression.Value? {
        switch c.expression.evaluate(user: user) {
        case .success(let v): return v
        case .failure(let e):
            report.failedCells += 1
            if report.errors.count < 5 { report.errors.append("row \(report.rows + 1), column '\(c.name)': \(e.message)") }
            return nil
        }
    }

    /// A projection of the columns' paths when every column is a plain attribute path.
    static func projection(_ columns: [Column]) -> JSONProjection? {
        guard !columns.isEmpty else { return nil }
        var paths: [[JSONPathStep]] = []
        for c in columns {
            guard let steps = c.expression.attributeSteps else { return nil }
            paths.append(steps)
        }
        return JSONProjection(paths: paths)
    }
}

/// Users in Auth0's bulk-import schema, from profiles as the API returns them.
public enum ImportFormat {
    static let kept = UserAttributes.keptByImportFormat

    /// Drops read-only attributes (identities, logins, dates, …) and strips the `auth0|`
    /// prefix from user_id, as the import expects.
    public static func user(from profile: JSON) -> JSON {
        var out = JSONObject()
        if case .string(let id)? = profile["user_id"] {
            out["user_id"] = .string(id.hasPrefix("auth0|") ? String(id.dropFirst(6)) : id)
        }
        for key in kept {
            if let v = profile[key], !v.isNull { out[key] = v }
        }
        // Hashes, where the tenant has them (the local tenant passes them along for this format).
        if let h = profile["password_hash"] { out["password_hash"] = h }
        if let h = profile["custom_password_hash"] { out["custom_password_hash"] = h }
        if case .object(var app)? = out["app_metadata"] {
            for k in app.keys where ImportValidator.reservedAppMetadata.contains(k) { app[k] = nil }
            out["app_metadata"] = .object(app)
        }
        return .object(out)
    }
}

