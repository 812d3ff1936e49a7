import Foundation
import GRDB

/// SQLite's failures of the tenant file in words: which file, what happened, what to do.
/// Never the raw "SQLite error 13 … while executing INSERT INTO users (…)".
public enum StorageProblem {
    /// The words for `error` if it is an SQLite failure of the tenant at `path`, else nil.
    public static func words(for error: Error, path: String) -> String? {
        guard let e = error as? DatabaseError else { return nil }
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        switch e.resultCode {
        case .SQLITE_READONLY, .SQLITE_PERM:
            return "the local tenant \(path) is read-only (\(readOnlyReason(path, dir))): nothing was stored. "
                + "Make the file and its directory writable (SQLite writes \(URL(fileURLWithPath: path).lastPathComponent)-wal and -shm beside it), "
                + "or copy the tenant somewhere writable and 'connect local COPY'"
        case .SQLITE_FULL:
            return full(path, dir)
        case .SQLITE_IOERR:
            if freeBytes(dir).map({ $0 < 1 << 20 }) == true { return full(path, dir) }
            return "the local tenant \(path) could not be read or written (an I/O error from the disk: \(e.message ?? "no details")): "
                + "the change in progress was not stored; check the disk (dmesg), then run the command again"
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return "the local tenant \(path) is locked by another process (another porter, or 'porter serve' on the same file) and held it past porter's wait (10 s): "
                + "nothing was stored; wait for it to finish or stop it, then run the command again"
        case .SQLITE_CANTOPEN:
            let why = FileManager.default.fileExists(atPath: dir) ? readOnlyReason(path, dir) : "its directory \(dir) does not exist"
            return "cannot open the local tenant \(path) (\(why)): give a path in a writable directory ('connect local PATH', or PORTER_TENANT)"
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return "\(path) is not a porter tenant, or it is damaged (SQLite: \(e.message ?? "not a database")): "
                + "keep it aside for inspection and open another file ('connect local PATH'); 'sqlite3 \(path) \"PRAGMA integrity_check\"' says what is wrong"
        default:
            return "the local tenant \(path) failed: \(e.message ?? "unknown SQLite failure") (the change in progress was not stored)"
        }
    }

    static func full(_ path: String, _ dir: String) -> String {
        "the disk holding the local tenant \(path) is full (\(freeBytes(dir).map { "\($0 / 1024) KiB free" } ?? "no space left") in \(dir)): "
            + "the change in progress was not stored (an import keeps its finished batches: 'import FILE --resume' continues it); "
            + "free some space (df -h \(dir)), then run the command again"
    }

    static func readOnlyReason(_ path: String, _ dir: String) -> String {
        var fs = statvfs()
        if statvfs(dir, &fs) == 0, fs.f_flag & UInt(ST_RDONLY) != 0 { return "it is on a read-only file system" }
        if FileManager.default.fileExists(atPath: path), access(path, W_OK) != 0 { return "the file is not writable" }
        if access(dir, W_OK) != 0 { return "its directory \(dir) is not writable" }
        return "SQLite could not write it"
    }

    static func freeBytes(_ dir: String) -> UInt64? {
        var fs = statvfs()
        guard statvfs(dir, &fs) == 0 else { return nil }
        return UInt64(fs.f_bavail) * UInt64(fs.f_frsize)
    }
}
