import Foundation
import PorterExpression
import PorterFormats
import PorterJobs
import PorterJSON
import PorterQuery
import PorterClient
import PorterTenant

// The session: save, run, history, help.
extension Shell {
    func save(_ a: Invocation) throws {
        guard let path = a[0] else { throw ShellError("usage: save FILE.porter") }
        var script = session.script()
        if a.has("--with-export") {
            guard let last = session.lastExport else { throw ShellError("--with-export records the last export, and this session has not exported yet") }
            // --force: a replay from cron overwrites the previous run's file.
            script += "export \(Words.quote(last.path)) --force\n"
        }
        let result: Result<Void, WriterError> = Result { () throws(WriterError) in
            let f = try AtomicFile(path: path, force: a.has("--force"))
            try f.write(script)
            try f.commit()
        }
        if case .failure(let e) = result { throw ShellError(e.description) }
        console.info("saved the session to \(path)")
    }

    func run(_ a: Invocation) throws {
        try runScript(path: a[0] ?? "")
    }

    func showHistory() {
        for (i, h) in history.enumerated() { console.print(String(format: "%5d  ", i + 1) + h) }
    }

    func help(_ a: Invocation) throws {
        let text = Help.text(for: a[0], session: session)
        if text.hasPrefix("no help for") { throw ShellError(text) }
        console.page(text)
    }
}
