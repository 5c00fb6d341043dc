import ASTTestSupport
import Foundation
import Testing

@testable import ASTRuntime
@testable import ASTSemantics
@testable import ASTSyntax
@testable import ASTTool

@Suite("Golden corpus")
struct GoldenTests {
  static let gallery = GoldenRunner.scripts(in: [repositoryRoot + "/Scripts/examples"])
  static let errors = GoldenRunner.scripts(in: [repositoryRoot + "/Tests/Golden/errors"])

  @Test("every gallery script runs and matches its golden file", arguments: gallery)
  func galleryScript(path: String) async {
    let outcome = await GoldenRunner.run(script: path, update: false)
    #expect(outcome == .passed, "\(outcome)")
  }

  @Test("every error case reports what its golden file pins", arguments: errors)
  func errorCase(path: String) async {
    let outcome = await GoldenRunner.run(script: path, update: false)
    #expect(outcome == .passed, "\(outcome)")
  }

  @Test("the gallery has at least fifteen commented patches")
  func galleryShape() throws {
    #expect(Self.gallery.count >= 15)
    for path in Self.gallery {
      let text = try String(contentsOfFile: path, encoding: .utf8)
      #expect(text.hasPrefix("#"), "\(path) starts without a comment")
    }
  }

  @Test("every diagnostic identifier appears in the error corpus")
  func everyDiagnostic() throws {
    var seen: Set<String> = []
    for path in Self.errors {
      let golden = try String(contentsOfFile: GoldenRunner.goldenPath(for: path), encoding: .utf8)
      var inSection = false
      for line in golden.split(separator: "\n") {
        if line == "diagnostics:" {
          inSection = true
          continue
        }
        if !line.hasPrefix("  ") { inSection = false }
        if inSection, let id = line.split(separator: " ").last { seen.insert(String(id)) }
      }
    }
    let all = Lexer.IDs.all + Parser.IDs.all + Checker.IDs.all + Evaluator.IDs.all
    for id in all {
      #expect(seen.contains(id.rawValue), "no error case shows '\(id)'")
    }
  }
}

@Suite("Golden comparison")
struct GoldenComparisonTests {
  @Test("numbers may differ by 0.01 and envelope steps by one; nothing else")
  func tolerance() {
    let line =
      "out: 96000 frames, 48000 Hz, 2 channels, peak -6.02 dBFS, RMS -9.03 dBFS, envelope 9988"
    #expect(GoldenRecording.linesAgree(line, line.replacingOccurrences(of: "-6.02", with: "-6.03")))
    #expect(GoldenRecording.linesAgree(line, line.replacingOccurrences(of: "9988", with: "8999")))
    #expect(
      !GoldenRecording.linesAgree(line, line.replacingOccurrences(of: "-6.02", with: "-6.05")))
    #expect(
      !GoldenRecording.linesAgree(line, line.replacingOccurrences(of: "96000", with: "96001")))
    #expect(!GoldenRecording.linesAgree(line, line.replacingOccurrences(of: "9988", with: "7988")))
    #expect(
      !GoldenRecording.linesAgree(
        line, line.replacingOccurrences(of: "stereo", with: "mono") + " x"))
  }

  @Test("a failing case shows a line diff; a missing golden file fails; --update records")
  func outcomes() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let script = directory.file("t.ast")
    try "print 1\n".write(toFile: script, atomically: true, encoding: .utf8)
    #expect(await GoldenRunner.run(script: script, update: false) == .missing)
    #expect(await GoldenRunner.run(script: script, update: true) == .updated)
    #expect(await GoldenRunner.run(script: script, update: false) == .passed)
    try "print 2\n".write(toFile: script, atomically: true, encoding: .utf8)
    #expect(
      await GoldenRunner.run(script: script, update: false)
        == .failed(["line 4:", "-   1", "+   2"]))
  }
}

@Suite("Golden spectra")
struct GoldenSpectrumTests {
  /// The golden recording of `script`, run in a temporary directory.
  private func recording(_ script: String) async throws -> String {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("t.ast")
    try script.write(toFile: path, atomically: true, encoding: .utf8)
    return await GoldenRunner.record(script: path)
  }

  private static let bell = """
    fn bell f dur = sine (f + f * 2.8 * (sine (f * 1.4) dur |> fadeout dur)) dur
      |> adsr 2ms 800ms 0.0 10ms
    out = bell 440hz 2s |> gain -6db
    """

  @Test("the same patch, or one changed by a last bit, agrees with itself")
  func agrees() async throws {
    let first = try await recording(Self.bell)
    #expect(GoldenRecording.compare(expected: first, actual: try await recording(Self.bell)) == nil)
    let nudged = Self.bell.replacingOccurrences(of: "gain -6db", with: "gain -6.00001db")
    #expect(GoldenRecording.compare(expected: first, actual: try await recording(nudged)) == nil)
    let noise = try await recording("out = noise 2 |> lowpass 3000")
    #expect(
      GoldenRecording.compare(
        expected: noise,
        actual: try await recording("out = noise 2 |> lowpass 3000 |> gain 1.00001")
      ) == nil)
  }

  /// Whether `changed` fails against `golden` on its spectrum line.
  private func spectrumFails(_ golden: String, _ changed: String) -> Bool {
    let differences = GoldenRecording.compare(expected: golden, actual: changed) ?? []
    return differences.contains { $0.contains("spectrum:") }
  }

  @Test("a semitone, the FM ratio, a changed cutoff and a changed waveform each fail")
  func catchesChanges() async throws {
    let bell = try await recording(Self.bell)
    let semitone = Self.bell.replacingOccurrences(of: "bell 440hz", with: "bell 466.16hz")
    #expect(spectrumFails(bell, try await recording(semitone)))
    // A fifth up keeps length, peak, RMS and envelope: only the spectrum tells.
    let fifth = Self.bell.replacingOccurrences(of: "bell 440hz", with: "bell 660hz")
    let higher = try await recording(fifth)
    #expect(GoldenRecording.compare(expected: bell, actual: higher)?.count == 3)
    #expect(spectrumFails(bell, higher))
    let ratio = Self.bell.replacingOccurrences(of: "f * 1.4", with: "f * 1.5")
    #expect(spectrumFails(bell, try await recording(ratio)))

    let filtered = try await recording("out = saw 220 2 |> lowpass 1000")
    #expect(spectrumFails(filtered, try await recording("out = saw 220 2 |> lowpass 1200")))
    #expect(spectrumFails(filtered, try await recording("out = square 220 2 |> lowpass 1000")))
    // A noise's colour is pinned by its bands.
    let noise = try await recording("out = noise 2 |> lowpass 3000")
    #expect(spectrumFails(noise, try await recording("out = noise 2 |> lowpass 4000")))
  }

  @Test("the spectrum line reads a sine's frequency and level")
  func sineSpectrum() async throws {
    let text = try await recording("out = sine 1000 1 amp:0.5 rate:48000")
    let line = text.split(separator: "\n").first { $0.hasPrefix("  spectrum:") }
    let spectrum = try #require(line.flatMap { SpectrumLine(String($0)) })
    #expect(spectrum.peaks.count == 1)
    #expect(abs((spectrum.peaks.first?.frequency ?? 0) - 1000) < 1)
    #expect(abs((spectrum.peaks.first?.level ?? 0) + 6.02) < 0.2)
    #expect(spectrum.bands.count == 10)
    #expect(spectrum.bands[5] == 0)
  }
}
