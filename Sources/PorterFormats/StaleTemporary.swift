import CTemporaryFiles
import Foundation

/// The signal handlers that remove AtomicFile's temporary files (CTemporaryFiles).
public enum TemporaryFiles {
    /// Installs them: at start, from the main thread (see porter_temporary_files.h).
    public static func installSignalHandlers() { porter_temporary_install() }
}

/// A temporary file `.NAME.porter-PID-N.tmp` that AtomicFile left beside NAME when its process
/// was killed with a signal it cannot catch (kill -9, the OOM killer, a power cut).
public struct StaleTemporary: Sendable, Equatable {
    public var path: String
    /// The process that was writing it (no longer running).
    public var pid: Int32

    static func prefix(_ name: String) -> String { "." + name + ".porter-" }

    /// Removes the temporaries of `name` in `directory` whose writer no longer runs, and
    /// returns them. A temporary of a process that is still running is left alone, unless that
    /// process started after the file was last written (its pid was reused).
    static func remove(directory: String, name: String) -> [StaleTemporary] {
        let start = prefix(name)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var removed: [StaleTemporary] = []
        for entry in entries where entry.hasPrefix(start) && entry.hasSuffix(".tmp") {
            let middle = entry.dropFirst(start.count).dropLast(4).split(separator: "-", omittingEmptySubsequences: false)
            guard middle.count == 2, let pid = Int32(middle[0]), pid > 0, UInt32(middle[1]) != nil, pid != getpid() else { continue }
            let path = directory + "/" + entry
            var st = stat()
            guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
            guard !isRunning(pid, writerOfFileModifiedAt: Double(st.st_mtim.tv_sec)) else { continue }
            if unlink(path) == 0 { removed.append(StaleTemporary(path: path, pid: pid)) }
        }
        return removed.sorted { $0.path < $1.path }
    }

    /// Whether `pid` runs and may have written a file last modified at `mtime` (seconds since 1970).
    static func isRunning(_ pid: Int32, writerOfFileModifiedAt mtime: Double) -> Bool {
        if kill(pid, 0) != 0 && errno == ESRCH { return false }
        // Linux: a process that started after the file's last write is not its writer.
        if let started = startTime(pid), started > mtime + 2 { return false }
        return true
    }

    /// When `pid` started (seconds since 1970), from /proc; nil where /proc cannot say.
    static func startTime(_ pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")"),
              let boot = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        // Fields after the command name: state is field 3, starttime (clock ticks after boot) field 22.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let ticks = Double(fields[19]),
              let line = boot.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
              let btime = Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces)) else { return nil }
        let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
        return hz > 0 ? btime + ticks / hz : nil
    }
}
