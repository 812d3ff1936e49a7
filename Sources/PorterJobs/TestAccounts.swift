import Foundation
import PorterFormats
import PorterJSON

/// One test account of `verify --file`: an email (or username) and its password. The password
/// stays in memory; nothing writes it anywhere.
public struct TestAccount: Sendable {
    public var email: String
    public var password: String
    public init(email: String, password: String) {
        self.email = email
        self.password = password
    }
}

/// Reads the accounts of `verify --file` through PorterFormats' ``RecordSource``: a CSV file
/// with `email` (or `username`) and `password` columns, or a JSON array or NDJSON of such
/// objects (format by extension, else sniffed). A record without them is an error with its line
/// and column; no message ever shows a password.
public enum TestAccounts {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func read(path: String) throws -> [TestAccount] {
        var accounts: [TestAccount] = []
        let source: RecordSource
        do { source = try RecordSource(path: path) } catch { throw Failure(description: "\(path):\(error.line):\(error.column): \(error.message)") }
        if source.format == .csv {
            let names = Set(source.header)
            guard names.contains("email") || names.contains("username"), names.contains("password") else {
                throw Failure(description: "\(path):1: the header row needs an email (or username) column and a password column; it has \(source.header.joined(separator: ", "))")
            }
        }
        while true {
            let record: SourceRecord?
            do { record = try source.next() } catch { throw Failure(description: "\(path):\(error.line):\(error.column): \(error.message)") }
            guard let record else { break }
            let at = "\(path):\(record.line):\(record.column)"
            if let problem = record.problem { throw Failure(description: "\(at): \(problem)") }
            guard case .object = record.row else { throw Failure(description: "\(at): an account is an object {\"email\": …, \"password\": …}, not \(record.row.typeName)") }
            let email = (record.row["email"]?.stringValue).flatMap { $0.isEmpty ? nil : $0 } ?? record.row["username"]?.stringValue ?? ""
            guard !email.isEmpty else { throw Failure(description: "\(at): the account has no email (a non-empty \"email\" or \"username\")") }
            guard let password = record.row["password"]?.stringValue else {
                throw Failure(description: "\(at): the account \(email) has no password (a string \"password\")")
            }
            accounts.append(TestAccount(email: email, password: password))
        }
        return accounts
    }
}
