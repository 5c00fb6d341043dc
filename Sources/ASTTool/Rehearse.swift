import ASTCore
import ASTEngine
import ASTRuntime
import ASTSemantics
import ASTSyntax
import ArgumentParser
import Foundation

/// `ast rehearse FIRST SECOND... --at T... -o OUT`: renders offline what a live patch
/// plays when each next version of a script is applied at its time.
struct Rehearse: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Render what a live patch plays as its versions are applied.",
    usage: """
      ast rehearse <first> <next>... --at <T>... --output <output>
              [--quant none|beat|bar] [--fade <TIME>] [--length <T>]
              [--rate <rate>] [--block-size <frames>]
      """,
    discussion: """
      Plays FIRST from the start, then applies each next version at its --at time (in \
      seconds; the first --at is the second file's), as 'ast watch' and the session \
      apply a saved or typed version while it plays: a binding whose expression is \
      unchanged keeps its state, a change of constants glides, any other change \
      crossfades that binding (equal power, --fade, 30 ms by default), and a version \
      with an error is rejected and changes nothing. With --quant beat or bar a version \
      lands on the next beat or bar of the tempo at or after its time. The render lasts \
      until the last version has played its 'out' (or --length seconds), and is written \
      to OUT in 32-bit floats (24-bit in FLAC) as it leaves the patch, before a sound \
      device's output stage (no limiter, no clipping).
      """)

  @Argument(help: "The versions of the script, in order.", completion: .file(extensions: ["ast"]))
  var files: [String]

  @Option(
    parsing: .singleValue,
    help: ArgumentHelp(
      "When the next version is applied, in seconds (one per next file).",
      valueName: "T"))
  var at: [String] = []

  @Option(
    name: .shortAndLong, help: "Write the rehearsal to this file.",
    completion: .file(extensions: AudioFileFormat.completionExtensions))
  var output: String

  @Option(
    help: ArgumentHelp(
      "Land each version at once, on a beat or on a bar.", valueName: "none|beat|bar"))
  var quant: String = "none"

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("How long a crossfade lasts: '30ms' or '0.03' seconds.", valueName: "TIME"))
  var fade: String = "30ms"

  @Option(parsing: .unconditional, help: ArgumentHelp("Render this many seconds.", valueName: "T"))
  var length: String?

  @Option(
    parsing: .unconditional, help: "The sample rate of generators before any 'rate' statement.")
  var rate: Int = 44_100

  @Option(parsing: .unconditional, help: "Frames rendered per block (a device's period).")
  var blockSize: Int = 256

  /// A time in seconds: a number, with `s` or `ms` after it or not (seconds).
  static func seconds(_ text: String) -> Double? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    let (number, scale): (Substring, Double) =
      trimmed.hasSuffix("ms")
      ? (trimmed.dropLast(2), 0.001)
      : trimmed.hasSuffix("s") ? (trimmed.dropLast(), 1) : (Substring(trimmed), 1)
    guard let value = Double(number), value.isFinite, value >= 0 else { return nil }
    return value * scale
  }

  func validate() throws {
    guard files.count >= 2 else {
      throw ValidationError("give the first version and at least one next version")
    }
    guard at.count == files.count - 1 else {
      throw ValidationError(
        "give one --at for each next version: \(files.count - 1) here, not \(at.count)")
    }
    for time in at where Self.seconds(time) == nil {
      throw ValidationError("--at '\(time)': give a time in seconds, such as 4 or 2.5s")
    }
    guard LiveQuantum(rawValue: quant) != nil else {
      throw ValidationError("--quant takes 'none', 'beat' or 'bar'")
    }
    guard let fadeSeconds = Self.seconds(fade), fadeSeconds <= 10 else {
      throw ValidationError("--fade '\(fade)': give a time up to 10 s, such as 30ms")
    }
    if let length, Self.seconds(length) == nil {
      throw ValidationError("--length '\(length)': give a time in seconds")
    }
    guard SampleRates.supported.contains(rate) else {
      let rates = SampleRates.supported
      throw ValidationError("--rate must be between \(rates.lowerBound) and \(rates.upperBound) Hz")
    }
    guard (16...65_536).contains(blockSize) else {
      throw ValidationError("--block-size must be between 16 and 65536")
    }
    guard AudioFileWriter.defaultFormat(for: output) != nil else {
      throw ValidationError("-o '\(output)': \(AudioFileWriter.unknownExtension)")
    }
  }

  func run() async throws {
    let sources = try files.map(loadScript)
    var standardError = StandardError()
    let directory = (files[0] as NSString).deletingLastPathComponent
    var checkOptions = CheckOptions(defaultSampleRate: rate)
    checkOptions.baseDirectory = directory.isEmpty ? nil : directory
    let token = CancellationToken()
    let signals = SignalWatcher(token: token, exitsAfter: 3)
    defer { signals.stop() }
    var options = LivePatch.Options()
    options.blockSize = blockSize
    options.fadeSeconds = Self.seconds(fade) ?? 0.03
    options.quantum = LiveQuantum(rawValue: quant) ?? .none
    options.baseDirectory = checkOptions.baseDirectory
    options.cancellation = token
    let later = zip(sources.dropFirst(), at).map {
      Rehearsal.Later(source: $0, seconds: Self.seconds($1) ?? 0)
    }
    let rehearsal: Rehearsal
    do {
      rehearsal = try await Rehearsal.prepare(
        first: sources[0], later: later, checkOptions: checkOptions, options: options)
    } catch let error as RehearsalError {
      let renderer = DiagnosticRenderer(source: error.source, usesColor: isatty(STDERR_FILENO) == 1)
      print(renderer.render(error.diagnostics), terminator: "", to: &standardError)
      throw ExitCode(ExitStatus.failure)
    }
    let patch = rehearsal.patch
    // A version whose length is not known before it plays (an effect's tail that rings
    // out) would keep the patch playing for ever: the rehearsal then needs --length.
    let unknown = ([(1, files[0], patch.first)] + rehearsal.scheduled(files)).first {
      $0.change.length == nil
    }
    if length == nil, let (version, file, _) = unknown {
      print(
        "ast: error: the length of version \(version)'s 'out' (\(file)) is not known before "
          + "it plays, so the rehearsal would not end; give --length", to: &standardError)
      throw ExitCode(ExitStatus.usage)
    }
    if let length, let seconds = Self.seconds(length) {
      patch.output.limit(frames: Int((seconds * Double(patch.output.sampleRate)).rounded()))
    }
    let collector = Task {
      while !Task.isCancelled {
        await patch.collectRetired()
        try? await Task.sleep(nanoseconds: 20_000_000)
      }
    }
    let summary: SignalSummary
    do {
      summary = try await Render.write(patch.output, to: output, encodingName: "f32")
    } catch {
      collector.cancel()
      if signals.exitStatus != nil {
        print("ast: interrupted", to: &standardError)
        throw ExitCode(signals.exitStatus ?? ExitStatus.failure)
      }
      throw fail(error)
    }
    collector.cancel()
    await patch.finish()
    let rate = Double(patch.output.sampleRate)
    print("version 1 (\(files[0])) from 0.000 s")
    for (index, outcome) in rehearsal.outcomes.enumerated() {
      let file = files[index + 1]
      switch outcome {
      case .scheduled(let version, let change, let rebuilt, let glided):
        var what: [String] = []
        if !rebuilt.isEmpty {
          what.append("rebuilt " + rebuilt.map { "'\($0)'" }.joined(separator: ", "))
        }
        if !glided.isEmpty {
          what.append("glided " + glided.map { "'\($0)'" }.joined(separator: ", "))
        }
        let detail = what.isEmpty ? "" : ": " + what.joined(separator: "; ")
        if let frame = change.landedFrame {
          print(
            "version \(version) (\(file)) applied at bar \(change.landedBar) "
              + "(\(NumberText.seconds(Double(frame) / rate)) s)\(detail)")
        } else {
          print("version \(version) (\(file)) did not land: the rehearsal ended before it")
        }
      case .rejected(let diagnostics, let source):
        let renderer = DiagnosticRenderer(source: source, usesColor: isatty(STDERR_FILENO) == 1)
        print(renderer.render(diagnostics), terminator: "", to: &standardError)
        print("version (\(file)) rejected: it changes nothing, and what played plays on")
      }
    }
    print(
      "wrote '\(output)': \(NumberText.seconds(Double(summary.frameCount) / rate)) s, "
        + "\(patch.output.sampleRate) Hz, \(NumberText.channels(patch.output.channelCount))")
  }
}
