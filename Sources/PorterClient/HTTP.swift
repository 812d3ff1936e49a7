import CCurl
import Foundation

/// One HTTP exchange over libcurl, blocking the calling thread. Bodies are bytes, a multipart
/// form whose file parts libcurl streams from disk, or nothing; a response body goes to memory
/// or, for downloads, straight to a file.
public struct HTTPRequest: Sendable {
    public enum Body: Sendable {
        case none
        case bytes([UInt8], contentType: String)
        case multipart([MultipartPart])
    }
    public var method: String
    public var url: String
    public var headers: [String]
    public var body: Body
    /// Seconds for the whole exchange.
    public var timeout: Int
    /// Writes the response body to this file instead of memory.
    public var downloadPath: String?

    public init(method: String, url: String, headers: [String] = [], body: Body = .none, timeout: Int = 120, downloadPath: String? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.downloadPath = downloadPath
    }
}

public struct MultipartPart: Sendable {
    public var name: String
    public var value: String?
    public var filePath: String?
    public var contentType: String?
    public static func field(_ name: String, _ value: String) -> MultipartPart { .init(name: name, value: value) }
    public static func file(_ name: String, path: String, contentType: String) -> MultipartPart {
        .init(name: name, filePath: path, contentType: contentType)
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lower-cased; the last value wins.
    public var headers: [String: String]
    public var body: [UInt8]
}

/// A transfer that did not produce an HTTP response.
public struct TransportError: Error, CustomStringConvertible, Sendable {
    public var code: Int
    public var message: String
    /// Worth trying again: refused or reset connections, timeouts, empty replies.
    public var isTransient: Bool
    public var isCancelled: Bool { code == Int(CURLE_ABORTED_BY_CALLBACK.rawValue) }
    public var description: String { message }
}

/// State that libcurl's C callbacks reach through their user-data pointer.
final class TransferContext {
    var body: [UInt8] = []
    var headers: [String: String] = [:]
    var file: UnsafeMutablePointer<FILE>?
    var writeFailed = false
    let isCancelled: () -> Bool
    init(isCancelled: @escaping () -> Bool) { self.isCancelled = isCancelled }
}

public enum HTTP {
    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// Performs one exchange; throws ``TransportError`` when there is no HTTP response.
    public static func perform(_ request: HTTPRequest, isCancelled: @escaping () -> Bool = { false }) throws -> HTTPResponse {
        _ = globalInit
        guard let h = curl_easy_init() else { throw TransportError(code: -1, message: "libcurl could not start a transfer", isTransient: false) }
        defer { curl_easy_cleanup(h) }
        let context = TransferContext(isCancelled: isCancelled)
        let unmanaged = Unmanaged.passRetained(context)
        defer { unmanaged.release() }
        let user = unmanaged.toOpaque()

        porter_curl_setopt_string(h, CURLOPT_URL, request.url)
        porter_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        porter_curl_setopt_long(h, CURLOPT_TIMEOUT, request.timeout)
        porter_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT, 15)
        porter_curl_setopt_string(h, CURLOPT_USERAGENT, "porter/0.1")
        porter_curl_setopt_string(h, CURLOPT_ACCEPT_ENCODING, "")
        // Only http and https, also across redirects (a download location must not read a local file).
        porter_curl_setopt_string(h, CURLOPT_PROTOCOLS_STR, "http,https")
        porter_curl_setopt_string(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        porter_curl_setopt_long(h, CURLOPT_FOLLOWLOCATION, request.downloadPath != nil ? 1 : 0)

        var list: UnsafeMutablePointer<curl_slist>?
        for header in request.headers { list = curl_slist_append(list, header) }
        defer { curl_slist_free_all(list) }

        var mime: OpaquePointer?
        defer { if mime != nil { curl_mime_free(mime) } }
        switch request.body {
        case .none:
            if request.method == "POST" { porter_curl_setopt_string(h, CURLOPT_COPYPOSTFIELDS, "") }
        case .bytes(let bytes, let contentType):
            list = curl_slist_append(list, "Content-Type: \(contentType)")
            porter_curl_setopt_offset(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count))
            bytes.withUnsafeBufferPointer { b in
                _ = porter_curl_setopt_pointer(h, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: b.baseAddress ?? UnsafePointer(bitPattern: 1)!))
            }
        case .multipart(let parts):
            mime = curl_mime_init(h)
            for p in parts {
                let part = curl_mime_addpart(mime)
                curl_mime_name(part, p.name)
                if let path = p.filePath {
                    guard curl_mime_filedata(part, path) == CURLE_OK else {
                        throw TransportError(code: -1, message: "cannot read \(path)", isTransient: false)
                    }
                } else if let v = p.value {
                    curl_mime_data(part, v, Int(CURL_ZERO_TERMINATED))
                }
                if let t = p.contentType { curl_mime_type(part, t) }
            }
            porter_curl_setopt_pointer(h, CURLOPT_MIMEPOST, UnsafeMutableRawPointer(mime))
        }
        porter_curl_setopt_string(h, CURLOPT_CUSTOMREQUEST, request.method)
        if request.method == "GET" { porter_curl_setopt_long(h, CURLOPT_HTTPGET, 1) }
        porter_curl_setopt_slist(h, CURLOPT_HTTPHEADER, list)

        if let path = request.downloadPath {
            guard let f = fopen(path, "wb") else {
                throw TransportError(code: -1, message: "cannot write \(path): \(String(cString: strerror(errno)))", isTransient: false)
            }
            context.file = f
        }
        defer { if let f = context.file { fclose(f) } }

        porter_curl_setopt_pointer(h, CURLOPT_WRITEDATA, user)
        porter_curl_setopt_write(h, CURLOPT_WRITEFUNCTION) { data, size, count, user in
            let ctx = Unmanaged<TransferContext>.fromOpaque(user!).takeUnretainedValue()
            let n = size * count
            guard let data, n > 0 else { return n }
            if let f = ctx.file {
                if fwrite(data, 1, n, f) != n { ctx.writeFailed = true; return 0 }
            } else {
                data.withMemoryRebound(to: UInt8.self, capacity: n) { ctx.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: n)) }
            }
            return n
        }
        porter_curl_setopt_pointer(h, CURLOPT_HEADERDATA, user)
        porter_curl_setopt_write(h, CURLOPT_HEADERFUNCTION) { data, size, count, user in
            let ctx = Unmanaged<TransferContext>.fromOpaque(user!).takeUnretainedValue()
            let n = size * count
            guard let data else { return n }
            let line = data.withMemoryRebound(to: UInt8.self, capacity: n) { String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self) }
            if line.hasPrefix("HTTP/") { ctx.headers.removeAll() }  // a new response (redirect, 100 Continue)
            if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].lowercased()
                ctx.headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
            }
            return n
        }
        porter_curl_setopt_long(h, CURLOPT_NOPROGRESS, 0)
        porter_curl_setopt_pointer(h, CURLOPT_XFERINFODATA, user)
        porter_curl_setopt_xferinfo(h, CURLOPT_XFERINFOFUNCTION) { user, _, _, _, _ in
            Unmanaged<TransferContext>.fromOpaque(user!).takeUnretainedValue().isCancelled() ? 1 : 0
        }

        let code = curl_easy_perform(h)
        if code != CURLE_OK {
            if context.writeFailed {
                throw TransportError(code: Int(code.rawValue), message: "cannot write \(request.downloadPath ?? "the download"): disk full?", isTransient: false)
            }
            let transient: Set<CURLcode> = [CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT, CURLE_RECV_ERROR, CURLE_SEND_ERROR,
                                            CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_COULDNT_RESOLVE_HOST, CURLE_SSL_CONNECT_ERROR]
            let what = String(cString: curl_easy_strerror(code))
            throw TransportError(code: Int(code.rawValue), message: "\(request.method) \(HTTP.redacted(request.url)): \(what)", isTransient: transient.contains(code))
        }
        var status = 0
        porter_curl_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: context.headers, body: context.body)
    }

    /// A URL fit for a message: no query string (signed download URLs carry credentials there).
    public static func redacted(_ url: String) -> String {
        url.firstIndex(of: "?").map { String(url[..<$0]) + "?…" } ?? url
    }

    /// Percent-encodes a query or path component.
    public static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}
