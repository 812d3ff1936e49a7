import Foundation
import PorterJSON

/// One test account of `verify --file`: an email (or username) and its password. The password
/// stays in memory; nothing writes it anywhere.
public struct TestAccount: Sendable {
    public var email: String
    public var password: String
    /// Where it is in the file (`line 3`, `record 2`), for messages.
    public var position: String
    public init(email: String, password: String, position: String) {
        self.email = email
        self.password = password
        self.position = position
    }
}

/// Reads the accounts of `verify --file`: a JSON array or NDJSON of objects with `email` (or
/// `username`) and `password`. A record without them is an error with its line and column (never
/// showing the password).
public enum TestAccounts {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func read(path: String) throws -> [TestAccount] {
        var accounts: [TestAccount] = []
        let reader: JSONStreamReader
        do { reader = try JSONStreamReader(path: path) } catch { throw Failure(description: error.message) }
        while true {
            let element: JSONElement?
            do { element = try reader.next() } catch { throw Failure(description: "\(path): line \(error.line), column \(error.column): \(error.message)") }
            guard let element else { break }
            let at = "\(path): line \(element.line), column \(element.column)"
            guard case .object = element.value else { throw Failure(description: "\(at): an account is an object {\"email\": …, \"password\": …}, not \(element.value.typeName)") }
            guard let email = (element.value["email"] ?? element.value["username"])?.stringValue, !email.isEmpty else {
                throw Failure(description: "\(at): the account has no email (a non-empty string \"email\" or \"username\")")
            }
            guard let password = element.value["password"]?.stringValue else {
                throw Failure(description: "\(at): the account \(email) has no password (a string \"password\")")
            }
            accounts.append(TestAccount(email: email, password: password, position: "line \(element.line)"))
        }
        return accounts
    }
}
