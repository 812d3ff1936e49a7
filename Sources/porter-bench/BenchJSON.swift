import Foundation
import PorterJSON

/// json stream FILE      — PorterJSON's streaming reader, element by element
/// json document FILE    — PorterJSON parsing the whole file in memory
/// json foundation FILE  — Foundation's JSONSerialization on the whole file (the reference)
/// Each prints the element count and a checksum so no work can be optimised away.
func benchJSON(_ args: [String]) {
    guard args.count == 2 else {
        FileHandle.standardError.write("usage: porter-bench json stream|document|foundation FILE\n".data(using: .utf8)!)
        exit(2)
    }
    let path = args[1]
    let started = Date()
    var count = 0
    var checksum = 0
    do {
        switch args[0] {
        case "stream":
            let reader = try JSONStreamReader(path: path)
            while let element = try reader.next() {
                count += 1
                if case .object(let o) = element.value { checksum &+= o.count }
            }
        case "document":
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let value = try data.withUnsafeBytes { try JSON.parse(buffer: $0) }
            for element in value.arrayValue ?? [] {
                count += 1
                if case .object(let o) = element { checksum &+= o.count }
            }
        case "foundation":
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let value = try JSONSerialization.jsonObject(with: data)
            for element in value as? [Any] ?? [] {
                count += 1
                checksum &+= (element as? [String: Any])?.count ?? 0
            }
        default:
            FileHandle.standardError.write("porter-bench json: unknown mode \(args[0])\n".data(using: .utf8)!)
            exit(2)
        }
    } catch {
        FileHandle.standardError.write("porter-bench json: \(error)\n".data(using: .utf8)!)
        exit(1)
    }
    let seconds = Date().timeIntervalSince(started)
    print("json \(args[0]): \(count) elements, checksum \(checksum), \(String(format: "%.3f", seconds)) s")
}
