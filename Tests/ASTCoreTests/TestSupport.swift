import ASTTestSupport
import Foundation

/// SoX, the independent reader and writer of audio files the tests compare against.
enum Sox {
  static let path: String = {
    for candidate in ["/usr/bin/sox", "/usr/local/bin/sox", "/bin/sox"]
    where FileManager.default.isExecutableFile(atPath: candidate) {
      return candidate
    }
    return "sox"
  }()

  /// Runs sox and requires it to succeed.
  @discardableResult
  static func run(_ arguments: [String]) throws -> ProcessResult {
    let result = try runProcess(path, arguments)
    if result.status != 0 {
      throw SoxFailure(message: "sox \(arguments.joined(separator: " ")): \(result.errorText)")
    }
    return result
  }

  /// One field of `sox --i`: `r` rate, `c` channels, `b` bits, `s` samples per channel, `e` encoding.
  static func info(_ flag: String, _ path: String) throws -> String {
    try run(["--i", "-\(flag)", path]).text.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// The file's samples as SoX decodes them, interleaved, as 32-bit floats (full scale 1).
  static func decode(_ path: String) throws -> [Float] {
    let raw = try run([path, "-t", "raw", "-e", "floating-point", "-b", "32", "-"]).output
    return raw.withUnsafeBytes { buffer in
      (0..<(raw.count / 4)).map { index in
        Float(
          bitPattern: UInt32(
            littleEndian: buffer.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
      }
    }
  }
}

struct SoxFailure: Error, CustomStringConvertible {
  let message: String
  var description: String { message }
}
