import ASTCore
import Foundation
import Testing

/// The `ast` executable built beside the test bundle.
let astExecutable: String = {
  let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
  return executable.deletingLastPathComponent().appendingPathComponent("ast").path
}()

struct CommandResult {
  var status: Int32
  var output: String
  var errors: String
}

/// Runs the built `ast` with `arguments`.
func ast(_ arguments: String...) throws -> CommandResult {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: astExecutable)
  process.arguments = arguments
  let output = Pipe()
  let errors = Pipe()
  process.standardOutput = output
  process.standardError = errors
  process.standardInput = FileHandle.nullDevice
  try process.run()
  let outputData = output.fileHandleForReading.readDataToEndOfFile()
  let errorData = errors.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return CommandResult(
    status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
    errors: String(decoding: errorData, as: UTF8.self))
}

func temporaryDirectory() throws -> String {
  let path = FileManager.default.temporaryDirectory.path + "/ast-tool-" + UUID().uuidString
  try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}

@Suite("The ast command")
struct CommandTests {
  @Test("--version prints the version")
  func version() throws {
    let result = try ast("--version")
    #expect(result.status == 0)
    #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == ASTVersion.current)
  }

  @Test("with no arguments it prints its usage")
  func usage() throws {
    let result = try ast()
    #expect(result.status == 0)
    #expect(result.output.contains("USAGE: ast <subcommand>"))
    #expect(result.output.contains("convert"))
  }

  @Test("an unknown option is a usage error with exit status 2")
  func usageError() throws {
    let result = try ast("--frobnicate")
    #expect(result.status == 2)
    #expect(result.errors.contains("frobnicate"))
  }

  @Test("convert resamples, remixes and re-encodes; info describes the result")
  func convertAndInfo() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let input = directory + "/in.wav"
    let samples = (0..<44_100).map { 0.5 * sin(2 * Double.pi * 440 * Double($0) / 44_100) }
    try AudioSegment(samples: samples, encoding: .int16).export(to: input)

    let output = directory + "/out.flac"
    let converted = try ast(
      "convert", input, output, "--rate", "48000", "--channels", "2", "--encoding", "s24",
      "--gain", "-6")
    #expect(converted.status == 0, "\(converted.errors)")
    let segment = try AudioSegment(contentsOfFile: output)
    #expect(segment.sampleRate == 48_000)
    #expect(segment.channelCount == 2)
    #expect(segment.encoding == .int24)
    #expect(segment.frameCount == 48_000)
    #expect(abs(segment.peakDBFS - (-12.04)) < 0.05)

    let info = try ast("info", output)
    #expect(info.status == 0)
    #expect(info.output.contains("flac int24, 48000 Hz, stereo, 48000 frames (1.000 s)"))
  }

  @Test("a missing input is reported with its name and exit status 1, and nothing is written")
  func missingInput() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let result = try ast("convert", directory + "/nope.wav", directory + "/out.wav")
    #expect(result.status == 1)
    #expect(result.errors == "ast: error: cannot read '\(directory)/nope.wav': no such file\n")
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
  }

  @Test("info of a garbage file fails with a clear message")
  func garbageInfo() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/noise.wav"
    _ = FileManager.default.createFile(
      atPath: path, contents: Data((0..<2_000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }))
    let result = try ast("info", path)
    #expect(result.status == 1)
    #expect(result.errors.hasPrefix("ast: error: cannot read '\(path)': "))
  }

  @Test("a bad option value is a usage error")
  func badOptionValue() throws {
    let result = try ast("convert", "a.wav", "b.wav", "--encoding", "s12")
    #expect(result.status == 2)
    #expect(result.errors.contains("s12"))
    let rate = try ast("convert", "a.wav", "b.wav", "--rate", "0")
    #expect(rate.status == 2)
    #expect(rate.errors.contains("--rate must be a positive number of Hz"))
  }
}
