import Foundation
import PorterFormats
import PorterJSON
import PorterTenant

/// One side of a diff: a named stream of users.
public struct DiffSide {
    /// For messages: `the tenant`, a file name, another tenant's address.
    public var name: String
    /// Hands every user over, in the side's own order.
    public var forEach: ((JSON) throws -> Void) throws -> Void
    /// The side already comes in key order (the local tenant ordered by email in SQL): it is
    /// streamed without a sort, its order checked as it goes.
    public var inKeyOrder: Bool

    /// Hands every user over as its JSON text instead (valid during the call), for a side that
    /// has it already (the local tenant's stored profiles): sorted without a parse.
    public var forEachText: (((UnsafeRawBufferPointer) throws -> Void) throws -> Void)?
    /// The side can be read on another thread while the caller reads the other side (its
    /// reading touches nothing the caller's thread uses: a file, a local tenant).
    public var concurrent = false
    /// How many users the side has, when it can tell without reading them all (a tenant,
    /// through its query): the total of diff's progress while reading. Called only with progress.
    public var count: (() throws -> Int)?

    public init(name: String, inKeyOrder: Bool = false, forEach: @escaping ((JSON) throws -> Void) throws -> Void) {
        self.name = name
        self.inKeyOrder = inKeyOrder
        self.forEach = forEach
    }

    public init(name: String, forEachText: @escaping ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) {
        self.name = name
        inKeyOrder = false
        self.forEachText = forEachText
        forEach = { body in try forEachText { try body(JSON.parse(buffer: $0)) } }
    }
}

extension DiffSide {
    /// Users of a JSON array or NDJSON file (Auth0's import schema, or a porter export in the
    /// json, ndjson or import format), gzipped when the name ends in `.gz`.
    public static func file(_ path: String) -> DiffSide {
        var side = DiffSide(name: path) { body in
            do {
                let reader = path.hasSuffix(".gz") ? JSONStreamReader(source: try GunzipSource(path: path), name: path) : try ImportFile.open(path)
                while let e = try reader.next() { try body(e.value) }
            } catch let e as JSONError where e.line > 0 {
                // Where the file is wrong, in characters.
                let column = path.hasSuffix(".gz") ? e.column : ImportFile.characterColumn(path, offset: e.offset, byteColumn: e.column)
                throw TenantError("\(path):\(e.line):\(column): \(e.message)")
            } catch let e as JSONError {
                throw TenantError(e.message)
            }
        }
        side.concurrent = true
        return side
    }

    /// Records of a CSV or any JSON source through the session's import mapping (`map FIELD =
    /// EXPR` over `row`), each as the user an import would send. A record the import would reject
    /// is still compared (the tenant should not have it) and handed to `rejected`.
    public static func mapped(_ path: String, mapping: ImportMapping, csv: CSVSourceOptions,
                              rejected: @escaping (MappedUser) -> Void = { _ in }) -> DiffSide {
        DiffSide(name: path) { body in
            do {
                let source = try MappedSource(path: path, mapping: mapping, csv: csv)
                while let m = try source.next() {
                    if m.rejected { rejected(m) }
                    try body(m.user)
                }
            } catch let e as SourceError {
                throw TenantError("\(path):\(e.line):\(e.column): \(e.message)")
            }
        }
    }

    /// Every user of a tenant's connection (nil: all): the local tenant's stored profiles as
    /// they are (in storage order, read sequentially: faster than in email order through the
    /// index, even with the sort); a remote tenant through ``UserSource`` (paged search, or an
    /// export job past the search window).
    public static func tenant(_ t: any Tenant, connection: String?, name: String, scratchDirectory: String = NSTemporaryDirectory(),
                              isCancelled: @escaping () -> Bool = { false }, onStatus: @escaping (String) -> Void = { _ in }) -> DiffSide {
        if let local = t as? LocalTenant {
            var side = DiffSide(name: name) { body in try local.forEachProfileText(query: .everyone, connectionName: connection, body) }
            side.concurrent = true
            side.count = { try local.count(query: .everyone, connectionName: connection) }
            return side
        }
        var source = UserSource(tenant: t, query: .everyone, connectionName: connection, sort: nil)
        source.isCancelled = isCancelled
        source.onStatus = onStatus
        source.scratchDirectory = scratchDirectory
        var side = DiffSide(name: name) { body in try source.forEach(body) }
        side.count = { try t.count(query: .everyone, connectionName: connection) }
        return side
    }
}
