import ASTCore
import ASTEngine
import ASTSemantics
import ASTSyntax
import Foundation

/// Golden recordings of scripts: what a script printed, its diagnostics, its exit status
/// and a fingerprint of every audio file it wrote and of `out`, as the text of a golden
/// file, and the comparison of two recordings with tolerance.
///
/// Fingerprints give frames, rate, channels, peak and RMS (to 0.01 dB) and a 16-column
/// envelope (each column's peak in 6 dB steps, 0 for -54 dBFS or less, 9 for -6 dBFS or
/// more), then a line of its spectrum (``PowerSpectrum``): the strongest peaks that
/// stand out (`frequency/level`) and the share of the energy in each octave band from
/// 31 Hz (dB, floored at -60). Comparison is line by line: numbers may differ by up to
/// 0.011 and envelope steps by one; peaks must pair up within 1% of their frequency (at
/// least 3 Hz) and 1 dB, bands within 1 dB; everything else must match. So a semitone
/// (6%), a changed filter or a changed waveform fails, a last-bit difference does not.
public enum GoldenRecording {
  /// The recording of a run of `source` in `directory`, where its relative paths lead
  /// and where it writes; `input` reads `inputDescriptor`. Files of the directory named
  /// in `inputs` are not fingerprinted. With `sandbox`, every file the script names must
  /// lie in it.
  public static func record(
    _ source: Source, in directory: String, inputs: Set<String>, inputDescriptor: Int32,
    sandbox: Sandbox?
  ) async -> [String] {
    var checkOptions = CheckOptions(baseDirectory: directory)
    checkOptions.sandbox = sandbox
    let check = Checker.check(source, options: checkOptions)
    var diagnostics = check.diagnostics
    var output: [String] = []
    var status = 0
    var outPrint: String?
    if diagnostics.containsErrors {
      status = 1
    } else {
      let captured = CollectedOutput()
      var options = RunOptions(baseDirectory: directory, output: captured)
      options.keepsOut = true
      options.sandbox = sandbox
      options.inputDescriptor = inputDescriptor
      let evaluator = Evaluator(check: check, options: options)
      do {
        let report = try await evaluator.run()
        diagnostics += report.warnings
        outPrint = report.outAudio.map(fingerprint)
      } catch let error as RuntimeError {
        diagnostics += evaluator.warnings() + [error.diagnostic]
        status = 1
      } catch {
        diagnostics.append(.error(Evaluator.IDs.runtimeError, "\(error)", at: .zero))
        status = 1
      }
      output = captured.lines
    }
    var lines = ["status: \(status)"]
    lines.append("output:")
    lines += output.map { "  " + $0 }
    lines.append("diagnostics:")
    lines += diagnostics.map {
      "  \(source.location(of: $0.range.start)) \($0.severity.rawValue) \($0.id)"
    }
    let rendered = DiagnosticRenderer(source: source).render(diagnostics)
    lines.append("stderr:")
    lines += rendered.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map {
      "  " + $0
    }
    if let outPrint { lines.append("out: " + outPrint) }
    let written = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
      .filter { !inputs.contains($0) && AudioFileFormat(path: $0) != nil }.sorted()
    for file in written {
      let full = FilePaths.resolve(file, against: directory)
      if let segment = try? AudioSegment(contentsOfFile: full) {
        lines.append("file \(file): " + fingerprint(segment))
      } else {
        lines.append("file \(file): unreadable")
      }
    }
    return lines
  }

  // MARK: Fingerprints

  /// The fingerprint of rendered samples: its line, then its spectrum line.
  package static func fingerprint(_ audio: RenderedAudio) -> String {
    fingerprint(
      frames: audio.frameCount, rate: audio.sampleRate, channels: audio.channels.count,
      frame: { index, channel in Double(audio.channels[channel][index]) })
  }

  /// The fingerprint of a file's samples, decoded once for both lines.
  package static func fingerprint(_ segment: AudioSegment) -> String {
    let samples = segment.samples()
    let channels = segment.channelCount
    return fingerprint(
      frames: segment.frameCount, rate: segment.sampleRate, channels: channels,
      frame: { index, channel in samples[index * channels + channel] })
  }

  /// `  spectrum: peaks 440.0/-6.02 880.0/-18.10 bands -60.0 -3.1 ...`: the peaks by
  /// frequency, then the octave bands.
  static func spectrumLine(_ spectrum: PowerSpectrum) -> String {
    let peaks = spectrum.peaks().sorted { $0.frequency < $1.frequency }.map {
      String(format: "%.1f/%.2f", $0.frequency, $0.level)
    }
    let bands = spectrum.bandLevels().map { String(format: "%.1f", $0 > -0.05 ? 0 : $0) }
    return "  spectrum: peaks \(peaks.isEmpty ? "-" : peaks.joined(separator: " ")) bands "
      + bands.joined(separator: " ")
  }

  private static func fingerprint(
    frames: Int, rate: Int, channels: Int, frame: (Int, Int) -> Double
  ) -> String {
    var peak = 0.0
    var squares = 0.0
    var columns = [Double](repeating: 0, count: 16)
    for index in 0..<frames {
      let column = frames > 0 ? min(15, index * 16 / frames) : 0
      for channel in 0..<channels {
        let value = abs(frame(index, channel))
        peak = max(peak, value)
        squares += value * value
        columns[column] = max(columns[column], value)
      }
    }
    func decibels(_ value: Double) -> Double { value > 0 ? 20 * log10(value) : -.infinity }
    let rms = frames > 0 ? (squares / Double(frames * channels)).squareRoot() : 0
    let envelope = columns.prefix(frames > 0 ? 16 : 0).map { value -> String in
      guard value > 0 else { return "0" }
      return String(min(9, max(0, Int(((20 * log10(value)) + 60) / 6))))
    }.joined()
    return "\(frames) frames, \(rate) Hz, \(channels) channel\(channels == 1 ? "" : "s"), "
      + NumberText.levels(peakDBFS: decibels(peak), rmsDBFS: decibels(rms))
      + ", envelope \(envelope.isEmpty ? "-" : envelope)"
      + "\n"
      + spectrumLine(
        PowerSpectrum(frames: frames, channels: channels, sampleRate: rate, sample: frame))
  }

  // MARK: Comparison

  /// `nil` when the two recordings agree within tolerance, else the lines that differ.
  public static func compare(expected: String, actual: String) -> [String]? {
    let want = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let got = actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var differences: [String] = []
    for index in 0..<max(want.count, got.count) {
      let a = index < want.count ? want[index] : nil
      let b = index < got.count ? got[index] : nil
      if let a, let b, linesAgree(a, b) { continue }
      differences.append("line \(index + 1):")
      if let a { differences.append("- " + a) }
      if let b { differences.append("+ " + b) }
    }
    return differences.isEmpty ? nil : differences
  }

  /// Whether two lines agree: the same words, numbers within 0.011, envelopes within a step.
  package static func linesAgree(_ a: String, _ b: String) -> Bool {
    if a == b { return true }
    if let left = SpectrumLine(a), let right = SpectrumLine(b) { return left.agrees(with: right) }
    let left = a.split(separator: " ")
    let right = b.split(separator: " ")
    guard left.count == right.count else { return false }
    for index in left.indices where left[index] != right[index] {
      let x = left[index].trimmingCharacters(in: CharacterSet(charactersIn: ",()"))
      let y = right[index].trimmingCharacters(in: CharacterSet(charactersIn: ",()"))
      let isEnvelope = index > 0 && left[index - 1] == "envelope" && right[index - 1] == "envelope"
      if isEnvelope, x.count == y.count, x.allSatisfy(\.isNumber), y.allSatisfy(\.isNumber),
        zip(x, y).allSatisfy({ abs(Int(String($0))! - Int(String($1))!) <= 1 })
      {
        continue
      }
      if !isEnvelope, x.contains("."), let u = Double(x), let v = Double(y), abs(u - v) <= 0.011 {
        continue
      }
      return false
    }
    return true
  }
}

/// A golden file's spectrum line, read back for comparison.
struct SpectrumLine {
  var peaks: [PowerSpectrum.Peak]
  var bands: [Double]

  /// Reads `  spectrum: peaks F/L ... bands B ...`; `nil` for any other line.
  init?(_ line: String) {
    let words = line.split(separator: " ")
    guard words.first == "spectrum:", words.count >= 3, words[1] == "peaks",
      let bandsAt = words.firstIndex(of: "bands")
    else { return nil }
    peaks = []
    for word in words[2..<bandsAt] where word != "-" {
      let parts = word.split(separator: "/")
      guard parts.count == 2, let frequency = Double(parts[0]), let level = Double(parts[1])
      else { return nil }
      peaks.append(PowerSpectrum.Peak(frequency: frequency, level: level))
    }
    var bands: [Double] = []
    for word in words[(bandsAt + 1)...] {
      guard let value = Double(word) else { return nil }
      bands.append(value)
    }
    self.bands = bands
  }

  /// Whether the two pair up: each peak of either has one in the other within 1% of its
  /// frequency (at least 3 Hz) and 1 dB, except a weak one near the other's cut-off
  /// (a peak at the edge of being listed), and the bands are within 1 dB.
  func agrees(with other: SpectrumLine) -> Bool {
    guard bands.count == other.bands.count,
      zip(bands, other.bands).allSatisfy({ abs($0 - $1) <= 1.0 })
    else { return false }
    return Self.covered(peaks, by: other.peaks) && Self.covered(other.peaks, by: peaks)
  }

  private static func covered(_ peaks: [PowerSpectrum.Peak], by others: [PowerSpectrum.Peak])
    -> Bool
  {
    let weakest = others.map(\.level).min() ?? -.infinity
    let full = others.count >= 4
    return peaks.allSatisfy { peak in
      if others.contains(where: {
        abs($0.frequency - peak.frequency) <= max(3, 0.01 * peak.frequency)
          && abs($0.level - peak.level) <= 1
      }) {
        return true
      }
      // Listed on one side only because it sits at the other's limit of four.
      return full && peak.level <= weakest + 1
    }
  }
}
