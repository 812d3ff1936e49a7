import Foundation

/// Standard input copied to an owner-only file in a fresh temporary directory, for `import -` and
/// `validate -`: a source is read more than once (its first bytes tell its format, positions are
/// read back for columns, a mapped import goes through a file beside it), which a pipe cannot
/// do. Memory stays flat: the copy goes through a fixed buffer. `remove()` deletes the directory.
final class StandardInputCopy {
    let directory: String
    /// The copy: `stdin`, without an extension, so its format is `set import-format`'s, else its first bytes'.
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "porter-stdin-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw ShellError("cannot copy standard input: no temporary directory in \(NSTemporaryDirectory()) (\(String(cString: strerror(errno))))")
        }
        directory = String(cString: made)
        path = directory + "/stdin"
        let out = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard out >= 0 else {
            let why = String(cString: strerror(errno))
            rmdir(directory)
            throw ShellError("cannot copy standard input to \(path): \(why)")
        }
        defer { close(out) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let got = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if got < 0 && errno == EINTR { continue }
            if got < 0 {
                let why = String(cString: strerror(errno))
                remove()
                throw ShellError("cannot read standard input: \(why)")
            }
            if got == 0 { break }
            var written = 0
            while written < got {
                let n = buffer.withUnsafeBytes { write(out, $0.baseAddress! + written, got - written) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    let why = String(cString: strerror(errno))
                    remove()
                    throw ShellError("cannot copy standard input to \(directory): \(why)")
                }
                written += n
            }
        }
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}
