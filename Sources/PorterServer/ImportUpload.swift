import Foundation
import Hummingbird
import MultipartKit
import NIOCore

/// The multipart/form-data body of `POST /api/v2/jobs/users-imports`, read as it arrives with
/// MultipartKit's parser: the `users` file part goes straight to disk (at most `fileLimit`
/// bytes, else 413), the other parts (small) into memory. Part parameters may come in any
/// order (`filename=…; name=…`, RFC 7578).
struct ImportUpload {
    var file: String?
    var fileBytes = 0
    var fields: [String: String] = [:]

    static let fieldLimit = 64 << 10

    static func read(_ body: RequestBody, contentType: String, fileLimit: Int, to path: String) async throws -> ImportUpload {
        let (type, params) = HeaderParameters.parse(contentType)
        guard type.lowercased() == "multipart/form-data", let boundary = params["boundary"], !boundary.isEmpty else {
            throw APIError.badBody("Expected a multipart/form-data body with a boundary")
        }
        let parser = MultipartParser(boundary: boundary)
        var upload = ImportUpload()
        var headers: [String: String] = [:]
        var handle: FileHandle?
        var value: [UInt8] = []
        var fieldBytes = 0
        var failure: APIError?
        defer { try? handle?.close() }
        var partName: String? { HeaderParameters.parse(headers["content-disposition"] ?? "").1["name"] }

        parser.onHeader = { name, v in headers[name.lowercased()] = v }
        parser.onBody = { buffer in
            guard failure == nil else { return }
            let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            if partName == "users" {
                upload.fileBytes += bytes.count
                if upload.fileBytes > fileLimit {
                    failure = APIError(413, "Payload content length greater than maximum allowed: \(fileLimit).")
                    return
                }
                if handle == nil {
                    _ = FileManager.default.createFile(atPath: path, contents: nil)
                    handle = FileHandle(forWritingAtPath: path)
                    upload.file = path
                }
                handle?.write(Data(bytes))
            } else {
                fieldBytes += bytes.count
                if fieldBytes > fieldLimit { failure = APIError(413, "Payload content length greater than maximum allowed: \(fileLimit)."); return }
                value += bytes
            }
        }
        parser.onPartComplete = {
            if let name = partName {
                if name == "users" {
                    if upload.file == nil { _ = FileManager.default.createFile(atPath: path, contents: nil); upload.file = path }
                } else if upload.fields[name] == nil {
                    upload.fields[name] = String(decoding: value, as: UTF8.self)
                }
            }
            headers = [:]
            value = []
        }
        do {
            for try await chunk in body {
                try parser.execute(chunk)
                if let failure { throw failure }
            }
        } catch let e as APIError {
            throw e
        } catch {
            throw APIError.badBody("Malformed multipart/form-data body")
        }
        return upload
    }
}

/// `type; a=b; c="d"` header values (Content-Type, Content-Disposition): parameter names
/// lower-cased, quotes and backslash escapes removed, in any order.
enum HeaderParameters {
    static func parse(_ header: String) -> (String, [String: String]) {
        var parts: [String] = []
        var current = "", quoted = false, escaped = false
        for c in header {
            if escaped { current.append(c); escaped = false; continue }
            if quoted && c == "\\" { escaped = true; continue }
            if c == "\"" { quoted.toggle(); continue }
            if c == ";" && !quoted { parts.append(current); current = ""; continue }
            current.append(c)
        }
        parts.append(current)
        var params: [String: String] = [:]
        for p in parts.dropFirst() {
            guard let eq = p.firstIndex(of: "=") else { continue }
            let k = p[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            if params[k] == nil { params[k] = String(p[p.index(after: eq)...]).trimmingCharacters(in: .whitespaces) }
        }
        return (parts[0].trimmingCharacters(in: .whitespaces), params)
    }
}
