import ASTCore
import ASTEngine
import ASTSyntax
import Foundation

extension Checker {
  // MARK: Kinds and units

  /// Whether an argument fits its parameter's kind and unit; reports when not.
  mutating func checkKind(
    _ value: TypedExpr, parameter: BuiltinParameter, builtin: Builtin, isInput: Bool, lifted: Bool
  ) -> Bool {
    let type = value.type
    if type == .unknown { return true }
    let subject = builtin.subject(parameter)
    func mismatch(_ wanted: String, notes: [DiagnosticNote] = []) -> Bool {
      var notes = notes
      if notes.isEmpty, case .pattern = type {
        notes = [DiagnosticNote("play a pattern with 'voices PATTERN INSTRUMENT'")]
      }
      error(
        Self.IDs.typeMismatch, "\(subject) takes \(wanted), got \(type.article)", at: value.range,
        notes: notes)
      return false
    }
    switch parameter.kind {
    case .number:
      guard type.isNumber else {
        if type.isAudio {
          return mismatch(
            "a Number", notes: [DiagnosticNote("'\(parameter.name)' cannot follow a signal")])
        }
        return mismatch("a Number")
      }
      return checkUnit(value, parameter: parameter, subject: subject)
    case .signal:
      if type.isAudio { return true }
      guard type.isNumber else { return mismatch("a Number or an Audio") }
      return checkUnit(value, parameter: parameter, subject: subject)
    case .audio:
      if type.isAudio || (lifted && isInput) { return true }
      if type.isStream {
        let why =
          builtin.liftsToStreams && !isInput
          ? "only the first input can be a stream"
          : "'\(builtin.name)' needs the whole signal; 'join' the stream into an Audio first"
        return mismatch("an Audio", notes: [DiagnosticNote(why)])
      }
      return mismatch("an Audio")
    case .audioOrStream:
      return type.isAudio || type.isStream ? true : mismatch("an Audio or a Stream")
    case .stream:
      if type.isStream { return true }
      if type.isAudio {
        return mismatch(
          "a Stream",
          notes: [DiagnosticNote("cut the signal into chunks first, e.g. 'chunk x 0.5'")])
      }
      return mismatch("a Stream")
    case .audioList:
      guard case .list(let element) = type else {
        return mismatch(
          "a list of Audio", notes: [DiagnosticNote("write the signals in brackets: '[a, b]'")])
      }
      if case .list(let items, _, _) = value, items.isEmpty {
        error(Self.IDs.typeMismatch, "\(subject) needs at least one signal", at: value.range)
        return false
      }
      if element.isAudio || element == .unknown { return true }
      error(
        Self.IDs.typeMismatch,
        "\(subject) takes a list of Audio, got a list of \(element.kindName)",
        at: value.range)
      return false
    case .string:
      return type == .string ? true : mismatch("a String")
    case .choice(let options):
      guard type == .string else { return mismatch("a String") }
      if let text = value.stringValue, !options.contains(text) {
        let quoted = options.map { SourcePrinter.quote($0) }
        error(
          Self.IDs.invalidChoice,
          "\(subject) must be \(quoted.dropLast().joined(separator: ", ")) or \(quoted.last!), "
            + "got \(SourcePrinter.quote(text))", at: value.range)
        return false
      }
      return true
    case .anyValue:
      return true
    case .notation(let notation):
      guard type == .string else { return mismatch("a String") }
      if notation == .note, let text = value.stringValue,
        case .failure(let problem) = Pitch.midi(note: text)
      {
        report(problem, in: value, id: Self.IDs.invalidNote, what: "a note")
        return false
      }
      return true
    case .pattern:
      if case .pattern = type { return true }
      if type == .string {
        return mismatch(
          "a Pattern",
          notes: [DiagnosticNote("make one from the string with 'seq', e.g. 'seq \"c4 e4 g4\"'")])
      }
      return mismatch("a Pattern")
    case .instrument:
      // Checked as it was read (``checkInstrument(_:)``).
      return true
    }
  }

  /// Reports a mistake in a note name or pattern string at its place inside the string
  /// literal `value` (or at the value, when it is not a literal written here).
  mutating func report(
    _ problem: NotationError, in value: TypedExpr, id: DiagnosticID, what: String
  ) {
    let text = value.stringValue ?? ""
    error(
      id, "\(SourcePrinter.quote(text)) is not \(what): \(problem.message)",
      at: place(problem.offsets, inString: value.range),
      notes: problem.hint.map { [DiagnosticNote($0)] } ?? [])
  }

  /// The source range of the bytes `offsets` of the value of the string literal at
  /// `range`, escapes taken into account; the whole `range` when it is not a string
  /// literal (a name bound to one). An empty span covers the character after it.
  func place(_ offsets: Range<Int>, inString range: SourceRange) -> SourceRange {
    let bytes = Array(source.text(in: range).utf8)
    guard bytes.first == UInt8(ascii: "\""), bytes.count >= 2 else { return range }
    // Where each byte of the value is written: an escape's value byte at its backslash.
    var written: [Int] = []
    var index = 1
    while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
      written.append(index)
      index += bytes[index] == UInt8(ascii: "\\") && index + 1 < bytes.count ? 2 : 1
    }
    written.append(index)
    let start = written[min(offsets.lowerBound, written.count - 1)]
    var end = written[min(offsets.upperBound, written.count - 1)]
    if end <= start { end = min(start + 1, bytes.count) }
    return SourceRange(start: range.start + start, end: range.start + end)
  }

  /// Whether a number's dimension fits the parameter's unit.
  mutating func checkUnit(_ value: TypedExpr, parameter: BuiltinParameter, subject: String) -> Bool
  {
    guard case .number(let dimension?) = value.type else { return true }
    switch parameter.unit {
    case .none, .count, .kilobitsPerSecond:
      error(
        Self.IDs.unitMismatch, "\(subject) is a plain number, but this is \(dimension.noun)",
        at: value.range, notes: [DiagnosticNote("leave out the unit")])
      return false
    case .decibels:
      guard dimension != .gain, dimension != .level else { return true }
      error(
        Self.IDs.unitMismatch, "\(subject) takes decibels (db), but this is \(dimension.noun)",
        at: value.range)
      return false
    case .seconds, .hertz, .gain, .sampleRate:
      guard let wanted = parameter.unit.dimension, wanted != dimension else { return true }
      let units: String
      switch wanted {
      case .time: units = "ms or s"
      case .frequency: units = "hz or khz"
      case .gain: units = "db"
      case .level: units = "dbfs"
      }
      error(
        Self.IDs.unitMismatch,
        "\(subject) takes \(wanted.noun) (\(units)), but this is \(dimension.noun)",
        at: value.range)
      return false
    }
  }

  // MARK: Ranges

  /// Whether a constant lies in the parameter's range; reports when not, in the words the
  /// evaluator uses for a number computed while running.
  mutating func checkRange(
    _ value: Double, parameter: BuiltinParameter, builtin: Builtin, rate: Int?,
    at range: SourceRange
  ) -> Bool {
    guard let problem = parameter.validate(value, sampleRate: rate) else { return true }
    error(
      Self.IDs.outOfRange, problem.message(subject: builtin.subject(parameter)), at: range,
      notes: problem.diagnosticNotes)
    return false
  }

  /// A number as people write it: `0`, `0.5`, `24000`, `1e-06`.
  static func format(_ value: Double) -> String {
    NumberText.plain(value)
  }

  // MARK: Results

  /// The type a builtin call produces, checking that its signals fit together.
  mutating func resultType(
    of builtin: Builtin, arguments: [TypedExpr], input: TypedExpr?, lifted: Bool,
    range: SourceRange
  ) -> ValueType? {
    let inputFacts = input?.type.audioFacts ?? .unknown
    func wrap(_ facts: AudioFacts) -> ValueType { lifted ? .stream(facts) : .audio(facts) }
    func argument(_ name: String) -> TypedExpr? {
      builtin.parameters.firstIndex { $0.name == name }.map { arguments[$0] }
    }

    // Every other Audio argument (a modulator, a second input) must fit the main one.
    var base = inputFacts
    if builtin.result == .generator {
      base = AudioFacts(
        sampleRate: argument("rate")?.constantValue.flatMap(Self.wholeNumber), channelCount: 1)
    }
    let inputIndex = builtin.inputIndex
    for (index, parameter) in builtin.parameters.enumerated() where index != inputIndex {
      let value = arguments[index]
      guard case .audio(let facts) = value.type else { continue }
      if parameter.kind == .signal {
        if let expected = base.sampleRate, let actual = facts.sampleRate, expected != actual {
          error(
            Self.IDs.rateMismatch,
            "'\(parameter.name)' of '\(builtin.name)' is audio at \(actual) Hz, but the signal "
              + "is at \(expected) Hz", at: value.range,
            notes: [DiagnosticNote("resample it first: 'resample ... \(expected)'")])
          return nil
        }
        if let channels = facts.channelCount, channels != 1, let expected = base.channelCount,
          channels != expected
        {
          error(
            Self.IDs.channelMismatch,
            "'\(parameter.name)' of '\(builtin.name)' is \(AudioFacts.describe(channelCount: channels)) "
              + "but the signal is \(AudioFacts.describe(channelCount: expected))",
            at: value.range, notes: [DiagnosticNote("modulate with a mono signal")])
          return nil
        }
      } else if parameter.kind == .audio, builtin.result != .stereoPair {
        guard combine(base, facts, at: value.range, what: "'\(builtin.name)'") != nil else {
          return nil
        }
      }
    }

    switch builtin.result {
    case .generator:
      return .audio(base)
    case .widestOf(let names):
      let counts = names.compactMap { argument($0)?.type.audioFacts?.channelCount }
      return .audio(AudioFacts(sampleRate: inputFacts.sampleRate, channelCount: counts.max()))
    case .sameAsInput:
      // `print` takes any value, so its first argument, not a signal input, is passed on.
      return input?.type ?? arguments.first?.type ?? .unknown
    case .stereoOfInput:
      return wrap(AudioFacts(sampleRate: inputFacts.sampleRate, channelCount: 2))
    case .monoOfInput:
      return wrap(AudioFacts(sampleRate: inputFacts.sampleRate, channelCount: 1))
    case .stereoPair:
      let left = arguments[0].type.audioFacts ?? .unknown
      let right = arguments[1].type.audioFacts ?? .unknown
      for (side, facts, value) in [("left", left, arguments[0]), ("right", right, arguments[1])] {
        if let channels = facts.channelCount, channels != 1 {
          error(
            Self.IDs.channelMismatch,
            "'\(side)' of 'stereo' must be mono, got \(AudioFacts.describe(channelCount: channels))",
            at: value.range, notes: [DiagnosticNote("make it mono first with 'mono'")])
          return nil
        }
      }
      guard let facts = combine(left, right, at: range, what: "'stereo'") else { return nil }
      return .audio(AudioFacts(sampleRate: facts.sampleRate, channelCount: 2))
    case .fromList:
      guard case .list(let items, _, _) = arguments[0] else {
        if case .list(.audio(let facts)) = arguments[0].type { return .audio(facts) }
        return .audio(.unknown)
      }
      var facts = items.first?.type.audioFacts ?? .unknown
      for item in items.dropFirst() {
        guard
          let combined = combine(
            facts, item.type.audioFacts ?? .unknown, at: item.range, what: "'\(builtin.name)'")
        else { return nil }
        facts = combined
      }
      return .audio(facts)
    case .resampled:
      let rate = argument("rate")?.constantValue.flatMap(Self.wholeNumber)
      if let rate, let from = inputFacts.sampleRate,
        let problem = Resampler<Float>.ratioProblem(from: Double(from), to: Double(rate))
      {
        error(Self.IDs.unsupportedRate, problem, at: argument("rate")?.range ?? range)
        return nil
      }
      return wrap(AudioFacts(sampleRate: rate, channelCount: inputFacts.channelCount))
    case .chunked:
      return .stream(inputFacts)
    case .joined:
      return .audio(inputFacts)
    case .unit:
      return .unit
    case .subscribed:
      return .stream(.unknown)
    case .input:
      return .stream(
        AudioFacts(
          sampleRate: argument("rate")?.constantValue.flatMap(Self.wholeNumber),
          channelCount: argument("channels")?.constantValue.flatMap(Self.wholeNumber)))
    case .fileRead:
      return readType(arguments[0])
    case .number(let dimension):
      return .number(dimension)
    case .elementwise(let dimension):
      switch arguments.first?.type {
      case .audio(let facts)?: return .audio(facts)
      case .number?: return .number(dimension)
      default: return .unknown
      }
    case .pattern:
      return patternType(arguments: arguments, of: builtin)
    case .voices:
      return .audio(argument("instrument")?.type.audioFacts ?? .unknown)
    }
  }

  /// The type of `seq`: its facts when its string and options are known, after reading
  /// the string (a mistake in it is reported at its column, and gives `nil`).
  mutating func patternType(arguments: [TypedExpr], of builtin: Builtin) -> ValueType? {
    switch layOut(arguments, of: builtin) {
    case .success(let pattern)?:
      return .pattern(pattern.facts)
    case .failure(let problem)?:
      if let index = builtin.index(of: "pattern") {
        report(problem, in: arguments[index], id: Self.IDs.invalidPattern, what: "a pattern")
      }
      return nil
    case nil:
      return .pattern(nil)
    }
  }

  // MARK: Files

  /// A path as the evaluator will open it: within the sandbox when there is one
  /// (reporting a refusal at `range` and returning `nil`), else relative paths against
  /// the base directory.
  mutating func resolve(_ path: String, at range: SourceRange, writing: Bool) -> String? {
    switch Sandbox.open(
      path, in: options.sandbox, base: options.baseDirectory, writing: writing)
    {
    case .success(let opened):
      return opened
    case .failure(let refusal):
      error(Self.IDs.unreadableFile, refusal.message, at: range)
      return nil
    }
  }

  /// The type of `read PATH`: the file's facts when it exists now, or those of an
  /// earlier `write` of the same path.
  mutating func readType(_ path: TypedExpr) -> ValueType? {
    guard let text = path.stringValue else { return .audio(.unknown) }
    guard let resolved = resolve(text, at: path.range, writing: false) else { return nil }
    reads.append((resolved, path.range))
    if writtenPaths.contains(FilePaths.identity(of: resolved)) {
      // Refused by the read-and-write check; no second error here.
      return .audio(.unknown)
    }
    do {
      let reader = try AudioFileReader(path: resolved)
      defer { reader.close() }
      if reader.declaresPlaceholderLength {
        diagnostics.append(
          .warning(
            Self.IDs.placeholderLength,
            "'\(text)' declares no length in its header, only the placeholder of a writer "
              + "that could not seek; it is read to its end", at: path.range,
            notes: [DiagnosticNote("if it was cut short, what follows the cut is missing")]))
      }
      return .audio(
        AudioFacts(sampleRate: reader.info.sampleRate, channelCount: reader.info.channelCount))
    } catch let failure as AudioFileError {
      error(
        Self.IDs.unreadableFile, "cannot read '\(text)': \(failure.reason)", at: path.range)
      return nil
    } catch {
      return .audio(.unknown)
    }
  }

  /// Notes a `write` of a constant path, for the read-and-write check.
  mutating func noteWrite(_ path: TypedExpr, type: ValueType) {
    guard let text = path.stringValue else { return }
    guard let resolved = resolve(text, at: path.range, writing: true) else { return }
    guard AudioFileFormat(path: text) != nil else {
      error(
        Self.IDs.unreadableFile, "cannot write '\(text)': unknown file extension", at: path.range,
        notes: [DiagnosticNote("use .wav, .flac, .ogg, .mp3 or .aiff")])
      return
    }
    let directory = FilePaths.split(resolved).directory
    var isDirectory: ObjCBool = false
    if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory)
      || !isDirectory.boolValue
    {
      error(
        Self.IDs.unreadableFile, "cannot write '\(text)': the directory does not exist",
        at: path.range)
      return
    }
    writes.append((resolved, path.range, type))
    writtenPaths.insert(FilePaths.identity(of: resolved))
  }

  /// Reports the encoder settings of a `write` (`bitrate:`, `quality:`, `compression:`)
  /// that the format of its constant path does not take, or that its signal's rate
  /// does not allow, at the setting.
  mutating func checkEncoderSettings(_ arguments: [TypedExpr], of builtin: Builtin, type: ValueType)
  {
    guard let text = arguments[1].stringValue, let format = AudioFileFormat(path: text) else {
      return
    }
    for setting in EncoderSettings.Setting.allCases {
      guard let index = builtin.parameters.firstIndex(where: { $0.name == setting.rawValue })
      else { continue }
      if case .absent = arguments[index] { continue }
      let wrongFormat = setting.format != format
      // A value computed while running is checked then, unless no value would fit.
      guard let value = arguments[index].constantValue ?? (wrongFormat ? 0 : nil),
        let problem = EncoderSettings.problem(
          setting, value, for: format, sampleRate: type.audioFacts?.sampleRate)
      else { continue }
      error(
        wrongFormat ? Self.IDs.settingForOtherFormat : Self.IDs.outOfRange,
        problem.message(subject: "'\(setting.rawValue)' of '\(builtin.name)'"),
        at: arguments[index].range,
        notes: wrongFormat
          ? [DiagnosticNote("'\(text)' is \(format.displayName); leave the setting out")] : [])
    }
  }

  /// Reports files that the script both reads and writes, at the writes from the
  /// `first` on (those of the statements being checked), and files those writes write
  /// twice. Files are told apart by what they are (``FilePaths/identity(of:)``), not by
  /// how they are spelled.
  mutating func checkReadWriteConflicts(from first: Int = 0) {
    // Each file's first read, found once rather than for every write.
    var firstReads: [String: SourceRange] = [:]
    for read in reads {
      let identity = FilePaths.identity(of: read.path)
      if firstReads[identity] == nil { firstReads[identity] = read.range }
    }
    var firstWrites: [String: SourceRange] = [:]
    for write in writes[min(first, writes.count)...] {
      let identity = FilePaths.identity(of: write.path)
      let shown = source.text(in: write.range).trimmingCharacters(
        in: CharacterSet(charactersIn: "\""))
      if let read = firstReads[identity] {
        error(
          Self.IDs.readWriteConflict, "this script writes '\(shown)', which it also reads",
          at: write.range,
          notes: [
            DiagnosticNote(
              "read here; write to another file so the input stays intact", at: read)
          ])
      } else if let earlier = firstWrites[identity] {
        error(
          Self.IDs.writtenTwice, "this script writes '\(shown)' twice; the first would be lost",
          at: write.range,
          notes: [DiagnosticNote("first written here; write to another file", at: earlier)])
      }
      if firstWrites[identity] == nil { firstWrites[identity] = write.range }
    }
  }
}
