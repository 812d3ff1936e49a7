import PorterFormats
import PorterJSON
import PorterTenant

/// Tells the users a tenant refused because it already has them, identical, from real failures.
/// Used for every import job's errors (a job file sent again after an interrupted upload, an
/// import run again): those users are "skipped", not lost and not failed.
public enum ImportReconciler {
    /// Codes a tenant gives a user it already has (Auth0: matched on email, user_id, username).
    static let alreadyExists: Set<String> = ["DUPLICATED_USER", "CONFLICT", "CONFLICT_EMAIL", "CONFLICT_USERNAME"]

    /// The errors without those of users the tenant has, identical to the file's (the job
    /// errors carry the user as sent, secrets redacted; secrets are not compared). A user that
    /// exists but differs stays an error.
    public static func withoutUsersAlreadyThere(_ errors: [JobUserError], tenant: any Tenant) throws -> [JobUserError] {
        try errors.filter { err in
            guard !err.errors.isEmpty, err.errors.allSatisfy({ alreadyExists.contains($0["code"]?.stringValue ?? "") }),
                  let email = err.user["email"]?.stringValue?.lowercased() else { return true }
            return try !tenant.users(email: email).contains { ImportMatch.isSame(sent: err.user, stored: $0) }
        }
    }
}
