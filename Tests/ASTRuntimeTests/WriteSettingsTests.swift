import ASTCore
import ASTTestSupport
import Foundation
import Testing

@testable import ASTRuntime
@testable import ASTSemantics
@testable import ASTSyntax

@Suite("Encoder settings and output files while running")
struct WriteSettingsTests {
  /// Checks `text` against `directory` and runs it with `options` (`out` to `outPath`).
  func run(
    _ text: String, in directory: TemporaryDirectory, outPath: String? = nil,
    settings: EncoderSettings = EncoderSettings()
  ) async throws -> RunReport {
    let check = Checker.check(
      Source(name: "t.ast", text: text), options: CheckOptions(baseDirectory: directory.path))
    #expect(check.diagnostics.isEmpty, "\(check.diagnostics.map(\.message))")
    let options = RunOptions(
      baseDirectory: directory.path, output: CapturedOutput(),
      out: outPath.map { .file($0, settings) } ?? .summary)
    return try await Evaluator(check: check, options: options).run()
  }

  @Test("write takes the bitrate, quality and compression level it is given")
  func given() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    _ = try await run(
      """
      s = sine 440 1 |> gain 0.5
      write s "a.mp3" bitrate:96
      write s "b.mp3"
      write (stereo s s) "c.mp3" bitrate:320
      write s "d.flac" compression:0
      write s "e.flac" compression:8
      write s "f.ogg" quality:0
      write s "g.ogg" quality:9
      """, in: directory)
    #expect(try Sox.bitrate(directory.file("a.mp3")) == 96)
    #expect(try Sox.bitrate(directory.file("b.mp3")) == 192)
    #expect(try Sox.bitrate(directory.file("c.mp3")) == 320)
    #expect(try Sox.info("c", directory.file("c.mp3")) == "2")
    #expect(try fileSize(directory.file("d.flac")) > fileSize(directory.file("e.flac")))
    #expect(try Sox.raw16(directory.file("d.flac")) == Sox.raw16(directory.file("e.flac")))
    #expect(try fileSize(directory.file("f.ogg")) < fileSize(directory.file("g.ogg")))
  }

  @Test("a setting computed while running that does not fit is an error at the setting")
  func computed() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let text = "s = sine 440 1\nwrite s \"a.mp3\" bitrate:((peak s - rms s) * 0 + 100)\n"
    await #expect {
      _ = try await run(text, in: directory)
    } throws: { error in
      guard let error = error as? RuntimeError else { return false }
      return error.message
        == "'bitrate' of 'write' must be 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, "
        + "256 or 320 kbps for MP3 at 44100 Hz, got 100"
        && String(decoding: text.utf8.dropFirst(error.range.start), as: UTF8.self).hasPrefix(
          "(peak s - rms s) * 0 + 100)")
    }
    #expect(try directory.contents().isEmpty)
  }

  @Test("out is written with the run's settings; its failures are OutputErrors with the path")
  func out() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("out.mp3")
    _ = try await run(
      "out = sine 440 1", in: directory, outPath: path, settings: EncoderSettings(bitrate: 64))
    #expect(try Sox.bitrate(path) == 64)
    for (outPath, reason) in [
      ("x.opus", AudioFileWriter.unknownExtension),
      ("nowhere/x.wav", "the directory 'nowhere' does not exist"),
    ] {
      await #expect {
        _ = try await run("out = sine 440 1", in: directory, outPath: outPath)
      } throws: { error in
        guard let error = error as? OutputError else { return false }
        return error.target == .out && error.path == outPath && error.reason == reason
      }
    }
  }

  @Test("a write that fails while running names the path as the script wrote it")
  func scriptPath() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    try FileManager.default.createDirectory(
      atPath: directory.file("sub"), withIntermediateDirectories: false)
    let text = "write (sine 440 1) \"sub/x.wav\"\n"
    let check = Checker.check(
      Source(name: "t.ast", text: text), options: CheckOptions(baseDirectory: directory.path))
    #expect(check.diagnostics.isEmpty)
    // The directory goes away between the check and the run.
    try FileManager.default.removeItem(atPath: directory.file("sub"))
    let evaluator = Evaluator(
      check: check, options: RunOptions(baseDirectory: directory.path, output: CapturedOutput()))
    await #expect {
      try await evaluator.run()
    } throws: { error in
      (error as? RuntimeError)?.message
        == "cannot write 'sub/x.wav': the directory 'sub' does not exist"
    }
  }
}
