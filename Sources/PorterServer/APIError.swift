import PorterJSON
import PorterTenant

/// A Management API error: Auth0's `{statusCode, error, message, errorCode}`.
struct APIError: Error {
    var statusCode: Int
    var message: String
    var errorCode: Auth0ErrorCode?
    var headers: [(String, String)] = []

    init(_ status: Int, _ message: String, errorCode: Auth0ErrorCode? = nil) {
        self.statusCode = status
        self.message = message
        self.errorCode = errorCode
    }

    /// Auth0's wording: `Query validation error: 'MESSAGE' on property NAME.`
    static func badQuery(_ message: String, on property: String? = nil) -> APIError {
        APIError(400, "Query validation error: '\(message)'" + (property.map { " on property \($0)." } ?? ""), errorCode: .invalidQueryString)
    }
    static func badBody(_ message: String, on property: String? = nil) -> APIError {
        APIError(400, "Payload validation error: '\(message)'" + (property.map { " on property \($0)." } ?? ""), errorCode: .invalidBody)
    }

    /// A tenant error with the errorCode Auth0 gives that case (none where no source confirms one).
    init(_ e: TenantError, notFoundCode: Auth0ErrorCode? = nil) {
        var code: Auth0ErrorCode?
        switch e.status {
        case 400 where e.message.hasPrefix("invalid query") || e.message.hasPrefix("sort") || e.message.hasPrefix("You can only page"):
            code = .invalidQueryString
        case 400: code = .invalidBody
        case 404: code = notFoundCode
        case 429: code = .tooManyRequests
        default: code = nil
        }
        self.init(e.status, e.message, errorCode: code)
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 413: return "Request Entity Too Large"
        case 429: return "Too Many Requests"
        case 503: return "Service Unavailable"
        default: return "Internal Server Error"
        }
    }
}

/// An `/oauth/token` error, in OAuth 2's shape `{error, error_description}` (RFC 6749 §5.2).
struct OAuthError: Error {
    var statusCode: Int
    var error: String
    var description: String
    var retryAfter: Int?
    /// More members of the body (`mfa_token` of `mfa_required`).
    var extra: JSONObject = [:]
    /// More headers (a rate limit's `X-RateLimit-*`).
    var headers: [(String, String)] = []
}
