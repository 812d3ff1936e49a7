import HTTPTypes
import Hummingbird
import NIOCore
import PorterJSON

/// JSON answers, and errors turned into Auth0's bodies wherever they are thrown.
enum Reply {
    static func json(_ value: JSON, status: HTTPResponse.Status = .ok) -> Response {
        var h = HTTPFields()
        h[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(string: value.serialized())))
    }
}

extension APIError: HTTPResponseError {
    var status: HTTPResponse.Status { .init(code: statusCode) }

    var body: JSON {
        var o: JSONObject = ["statusCode": .int(Int64(statusCode)), "error": .string(Self.reason(statusCode)), "message": .string(message)]
        if let errorCode { o["errorCode"] = .string(errorCode.rawValue) }
        return .object(o)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var r = Reply.json(body, status: status)
        for (k, v) in headers { if let n = HTTPField.Name(k) { r.headers[n] = v } }
        return r
    }
}

extension OAuthError: HTTPResponseError {
    var status: HTTPResponse.Status { .init(code: statusCode) }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var body: JSONObject = ["error": .string(error), "error_description": .string(description)]
        for (k, v) in extra { body[k] = v }
        var r = Reply.json(.object(body), status: status)
        if let retryAfter { r.headers[HTTPField.Name("Retry-After")!] = String(retryAfter) }
        for (k, v) in headers { if let n = HTTPField.Name(k) { r.headers[n] = v } }
        r.headers[.cacheControl] = "no-store"
        return r
    }
}
