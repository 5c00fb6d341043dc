import Foundation
import Testing

@testable import ASTCore

/// A fresh directory under the system's temporary directory, removed by `cleanUp()`.
struct TemporaryDirectory {
  let path: String

  init() throws {
    let base = FileManager.default.temporaryDirectory.path
    path = base + "/ast-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  func file(_ name: String) -> String { path + "/" + name }

  func cleanUp() {
    try? FileManager.default.removeItem(atPath: path)
  }

  /// The names in the directory, sorted (hidden files included).
  func contents() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: path).sorted()
  }
}

/// The result of running a program to completion.
struct ProcessResult {
  var status: Int32
  var output: Data
  var errorText: String

  var text: String { String(decoding: output, as: UTF8.self) }
}

/// Runs `executable` with `arguments`, collecting its output; fails if it cannot start.
func run(_ executable: String, _ arguments: [String]) throws -> ProcessResult {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = arguments
  let output = Pipe()
  let errors = Pipe()
  process.standardOutput = output
  process.standardError = errors
  process.standardInput = FileHandle.nullDevice
  try process.run()
  // Standard output is read to its end first; the programs run here write little to
  // standard error, far less than a pipe holds.
  let outputData = output.fileHandleForReading.readDataToEndOfFile()
  let errorData = errors.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return ProcessResult(
    status: process.terminationStatus, output: outputData,
    errorText: String(decoding: errorData, as: UTF8.self))
}

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
    let result = try ASTCoreTests.run(path, arguments)
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

/// Interleaved samples of sines, one frequency per channel, at `amplitude`.
func sineSamples(
  frequencies: [Double], sampleRate: Int, frames: Int, amplitude: Double = 0.5
) -> [Double] {
  var samples: [Double] = []
  samples.reserveCapacity(frames * frequencies.count)
  for frame in 0..<frames {
    for frequency in frequencies {
      samples.append(
        amplitude * sin(2 * Double.pi * frequency * Double(frame) / Double(sampleRate)))
    }
  }
  return samples
}

/// The largest absolute difference between two sample arrays of equal length.
func maxDifference<A: BinaryFloatingPoint, B: BinaryFloatingPoint>(_ a: [A], _ b: [B]) -> Double {
  precondition(a.count == b.count, "lengths differ: \(a.count) and \(b.count)")
  var worst = 0.0
  for index in a.indices { worst = max(worst, abs(Double(a[index]) - Double(b[index]))) }
  return worst
}

/// Little-endian bytes of Int16 values.
func int16Bytes(_ values: [Int16]) -> [UInt8] {
  values.flatMap { value in withUnsafeBytes(of: value.littleEndian) { Array($0) } }
}

/// Little-endian bytes of Int32 values.
func int32Bytes(_ values: [Int32]) -> [UInt8] {
  values.flatMap { value in withUnsafeBytes(of: value.littleEndian) { Array($0) } }
}

/// Little-endian bytes of Float values.
func float32Bytes(_ values: [Float]) -> [UInt8] {
  values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
}

/// Little-endian bytes of Double values.
func float64Bytes(_ values: [Double]) -> [UInt8] {
  values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
}
