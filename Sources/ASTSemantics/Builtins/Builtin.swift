import ASTCore
import ASTEngine
import ASTSyntax

/// What a parameter accepts.
public enum ParameterKind: Sendable, Hashable {
  /// A Number, constant or computed.
  case number
  /// A Number (constant) or an Audio (modulation at audio rate).
  case signal
  /// An Audio signal: the input of an effect. Effects that lift to streams also take a
  /// Stream here.
  case audio
  /// An Audio or a Stream.
  case audioOrStream
  /// A Stream of chunks.
  case stream
  /// A list of Audio signals.
  case audioList
  /// A string.
  case string
  /// One of a few strings.
  case choice([String])
  /// Any value: Number, String, Audio or Stream.
  case anyValue
  /// A string in a notation the checker reads when it is known before running: a note
  /// name or a pattern.
  case notation(Notation)
  /// A Pattern (what `seq` makes).
  case pattern
  /// The name of a `fn` that makes one voice: its first parameter takes a frequency,
  /// its second a length in seconds, and it gives Audio.
  case instrument
}

/// The notations a string parameter can hold.
public enum Notation: Sendable, Hashable {
  /// A note name: `c#4`.
  case note
  /// A pattern in the mini-notation: `c4 e4 [g4 a4] ~`.
  case pattern
}

extension ParameterUnit {
  /// The dimension of numbers a parameter of this unit accepts, or `nil` for plain
  /// numbers only: seconds take `ms` and `s` literals, hertz `hz` and `khz`, a linear
  /// gain `db` literals as gains (`-6db` is 0.501), decibels a `db` literal's number of
  /// decibels (`-6db` is -6); a bare number is taken in the unit.
  public var dimension: Dimension? {
    switch self {
    case .seconds: .time
    case .hertz, .sampleRate: .frequency
    case .gain, .decibels: .gain
    case .none, .count, .kilobitsPerSecond: nil
    }
  }
}

/// One end of a parameter's valid range: the engine's, which nodes declare theirs with.
public typealias RangeBound = ParameterBound

/// The values a number parameter may take: the engine's range, which nodes declare
/// theirs with, so the checker, the reference and the running script use one range and
/// one wording.
public typealias ValueRange = ParameterRange

/// A parameter's default.
public enum DefaultValue: Sendable, Hashable {
  /// A number, with the spelling the reference shows (`-1db`, `5ms`).
  case number(Double, spelling: String)
  /// A string.
  case string(String)
  /// The script's rate (set by `rate N`), else 44100 Hz.
  case scriptRate
  /// The script's tempo (set by `tempo BPM`), else 120 beats a minute.
  case scriptTempo
  /// The script's meter (set by `meter BEATS`), else 4 beats a bar.
  case scriptMeter
  /// Left out, the argument is absent (``TypedExpr/absent(_:)``) and the builtin takes
  /// its own default, which the reference writes as `spelling`. Given, it can be
  /// refused where it does not apply (a `bitrate:` on a WAV `write`).
  case absent(spelling: String)

  /// How the default is written in the reference.
  public var spelling: String {
    switch self {
    case .number(_, let spelling): spelling
    case .string(let value): SourcePrinter.quote(value)
    case .scriptRate: "the script's rate"
    case .scriptTempo: "the script's tempo"
    case .scriptMeter: "the script's meter"
    case .absent(let spelling): spelling
    }
  }
}

/// One parameter of a builtin, declared as data.
public struct BuiltinParameter: Sendable, Hashable {
  /// The name, used for named arguments.
  public let name: String
  /// What it accepts.
  public let kind: ParameterKind
  /// The unit of numbers.
  public let unit: ParameterUnit
  /// The default, or `nil` when the argument is required.
  public let defaultValue: DefaultValue?
  /// The valid values of constant numbers, or `nil` for any.
  public let range: ValueRange?
  /// Whether it can only be given by name (`rate:`, `amp:`).
  public let isNamedOnly: Bool
  /// One line saying what it does.
  public let summary: String

  /// Creates a parameter.
  public init(
    _ name: String, _ kind: ParameterKind, unit: ParameterUnit = .none,
    default defaultValue: DefaultValue? = nil, range: ValueRange? = nil, namedOnly: Bool = false,
    _ summary: String
  ) {
    self.name = name
    self.kind = kind
    self.unit = unit
    self.defaultValue = defaultValue
    self.range = range
    self.isNamedOnly = namedOnly
    self.summary = summary
  }

  /// A parameter the node it reaches declares: the name (unless `name` gives scripts
  /// another), unit, default, range and summary come from `declared`. `defaultValue`
  /// replaces the declared default (`.scriptRate`, `.absent`), `spelling` says how the
  /// reference writes the declared one (`5ms` for 0.005; a plain number otherwise), and
  /// `summary` replaces the declared line where scripts need more (`an Audio modulates
  /// it`).
  public init(
    _ declared: NodeParameter, _ kind: ParameterKind, name: String? = nil,
    default defaultValue: DefaultValue? = nil, spelling: String? = nil, namedOnly: Bool = false,
    summary: String? = nil
  ) {
    self.init(
      name ?? declared.name, kind, unit: declared.unit,
      default: defaultValue
        ?? declared.defaultValue.map { .number($0, spelling: spelling ?? NumberText.plain($0)) },
      range: declared.range, namedOnly: namedOnly, summary ?? declared.summary)
  }

  /// Whether the argument must be given.
  public var isRequired: Bool { defaultValue == nil }

  /// What is wrong with `value` for this parameter (not finite, not whole, out of its
  /// range), or `nil` when it is allowed; a Nyquist bound is checked only at a known
  /// `sampleRate`. The checker asks of constants, the evaluator of numbers computed while
  /// running.
  package func validate(_ value: Double, sampleRate: Int?) -> ParameterError? {
    ParameterError(checking: value, name: name, unit: unit, range: range, sampleRate: sampleRate)
  }
}

extension ParameterError {
  /// The note on the Nyquist frequency, as a diagnostic carries it.
  package var diagnosticNotes: [DiagnosticNote] { note.map { [DiagnosticNote($0)] } ?? [] }
}

/// How a builtin's result type follows from its arguments.
public enum ResultRule: Sendable, Hashable {
  /// A mono Audio at the `rate:` argument or the script's rate.
  case generator
  /// The type of the first argument (Audio facts kept; a Stream stays a Stream).
  case sameAsInput
  /// The first argument made stereo.
  case stereoOfInput
  /// The first argument made mono.
  case monoOfInput
  /// Two Audio arguments as the left and right of a stereo Audio.
  case stereoPair
  /// Audio combining a list of Audio of one rate.
  case fromList
  /// The first argument at the rate given by the `rate` argument.
  case resampled
  /// A Stream with the facts of the Audio argument.
  case chunked
  /// An Audio with the facts of the Stream argument.
  case joined
  /// Nothing: the builtin only acts.
  case unit
  /// A Stream whose facts are not known before running.
  case subscribed
  /// A Stream at the `rate` and `channels` arguments.
  case input
  /// An Audio whose facts come from the file's header when it exists at check time.
  case fileRead
  /// A Number of the given dimension.
  case number(Dimension?)
  /// The first argument's type, with as many channels as the widest of the signal
  /// parameters named (a stereo signal laid over a mono one makes it stereo).
  case widestOf([String])
  /// A function of each sample: a Number of the given dimension for a Number, the
  /// Audio's type for an Audio.
  case elementwise(Dimension?)
  /// A Pattern laid out from its string, which the checker reads when it is known.
  case pattern
  /// Audio with the facts of what the instrument argument gives.
  case voices
}

/// The groups of the builtin reference.
public enum BuiltinGroup: String, Sendable, CaseIterable {
  /// Oscillators and noise.
  case generators
  /// Gain, mixing and channels.
  case level
  /// RBJ biquad filters.
  case filters
  /// Envelopes and fades.
  case envelopes
  /// Delay and reverb.
  case timeAndSpace = "time and space"
  /// Compression and distortion.
  case dynamics
  /// Cutting and joining signals.
  case structure
  /// Chunks and channels.
  case streams
  /// Reading and writing files.
  case files
  /// Printing, tagging and measuring.
  case inspection
  /// Notes, tempo, patterns and voices.
  case music
  /// Script-wide settings.
  case settings
}

/// A script-wide setting, made by a statement of its own and in force below it.
public enum ScriptSetting: Sendable, Hashable {
  /// The default sample rate of generators (`rate 48000`).
  case sampleRate
  /// Beats per minute, for beats and bars (`tempo 96`).
  case tempo
  /// Beats per bar (`meter 3`).
  case meter

  /// The statement's name: `rate`, `tempo`, `meter`.
  public var name: String {
    switch self {
    case .sampleRate: "rate"
    case .tempo: "tempo"
    case .meter: "meter"
    }
  }

  /// The statement as an example: `rate 48000`.
  public var example: String {
    switch self {
    case .sampleRate: "rate 48000"
    case .tempo: "tempo 96"
    case .meter: "meter 3"
    }
  }
}

/// What a builtin does besides computing its value, declared with it: the checker, the
/// evaluator, the sandbox and the fuzzer read these instead of lists of names.
public struct BuiltinEffects: Sendable, Hashable {
  /// A source that can be read only once.
  public enum Source: Sendable, Hashable {
    /// Standard input.
    case standardInput
    /// The channel named by the parameter.
    case channel(parameter: String)

    /// Whether it is a channel.
    public var isChannel: Bool {
      if case .channel = self { return true }
      return false
    }
  }

  /// What the file a builtin writes holds.
  public enum FileKind: Sendable, Hashable {
    /// Audio, which a script must not also read.
    case audio
    /// A picture.
    case picture
  }

  /// The file the builtin writes: the parameter naming it, and what it holds.
  public var writesFile: WrittenFile?
  /// Whether it prints.
  public var prints = false
  /// The parameters of the channel's name and of the stream it sends, when it sends a
  /// stream's chunks to a channel.
  public var publishes: Publication?
  /// The source it reads, which can be read only once.
  public var readsOnce: Source?
  /// Whether it holds the whole of its input in memory (`reverse`, `normalize`).
  public var holdsWholeSignal = false
  /// Whether it rings on after its input ends (`delay`, `reverb`).
  public var hasTail = false
  /// Whether its times must fit within its input's length (an envelope or a fade); the
  /// checker warns when they cannot.
  public var timesFitInput = false
  /// Whether its result is longer or shorter than its input by more than a tail (`pad`,
  /// `slice`, `repeat`), so what is known of its input's length does not carry over.
  public var changesLength = false
  /// The script-wide setting it makes, written as a statement of its own (`rate`).
  public var setting: ScriptSetting?
  /// The lowest sample rate of its input it works at, when it has one (a spectrogram's
  /// frequency axis starts at 20 Hz): the checker refuses audio at a lower rate known
  /// before running, and the evaluator audio at a lower rate while running.
  public var lowestInputRate: LowestRate?

  /// The lowest rate a builtin's input may have, and why.
  public struct LowestRate: Sendable, Hashable {
    /// The lowest rate, in hertz.
    public let rate: Int
    /// Why: `its frequency axis runs from 20 Hz up to half the sample rate`.
    public let reason: String

    /// Creates a lowest rate.
    public init(_ rate: Int, _ reason: String) {
      self.rate = rate
      self.reason = reason
    }

    /// The sentence refusing audio at `actual` Hz for `builtin`: `'spectrogram' takes
    /// audio at 41 Hz or more, got audio at 39 Hz`.
    public func message(for builtin: String, actual: Int) -> String {
      "'\(builtin)' takes audio at \(rate) Hz or more, got audio at \(actual) Hz"
    }
  }

  /// What a publishing builtin's parameters are.
  public struct Publication: Sendable, Hashable {
    /// The parameter naming the channel.
    public let channel: String
    /// The parameter of the stream sent.
    public let stream: String

    /// Creates a publication.
    public init(channel: String, stream: String) {
      self.channel = channel
      self.stream = stream
    }
  }

  /// A file a builtin writes.
  public struct WrittenFile: Sendable, Hashable {
    /// The parameter naming the file.
    public let parameter: String
    /// What the file holds.
    public let kind: FileKind

    /// Creates a written file.
    public init(parameter: String, kind: FileKind) {
      self.parameter = parameter
      self.kind = kind
    }
  }

  /// No effects: a value computed from its arguments.
  public static let none = BuiltinEffects()

  /// Creates effects.
  public init(
    writesFile: WrittenFile? = nil, prints: Bool = false,
    publishes: Publication? = nil, readsOnce: Source? = nil, holdsWholeSignal: Bool = false,
    hasTail: Bool = false, timesFitInput: Bool = false, changesLength: Bool = false,
    setting: ScriptSetting? = nil, lowestInputRate: LowestRate? = nil
  ) {
    self.prints = prints
    self.publishes = publishes
    self.readsOnce = readsOnce
    self.holdsWholeSignal = holdsWholeSignal
    self.hasTail = hasTail
    self.timesFitInput = timesFitInput
    self.changesLength = changesLength
    self.setting = setting
    self.writesFile = writesFile
    self.lowestInputRate = lowestInputRate
  }

  /// Whether running it shows outside the value: it writes, prints or publishes. A
  /// binding with such effects that nothing uses still runs.
  public var isObservable: Bool { writesFile != nil || prints || publishes != nil }
}

/// A builtin function, declared once: its signature as data, its result rule, its
/// effects, and how it builds its value when a script runs. Two builtins are the same
/// when their names are.
///
/// A class, so that each call in a typed script refers to its declaration rather than
/// holding a copy of it: a score of thousands of notes is thousands of calls.
public final class Builtin: Sendable, Hashable {
  /// The name scripts call it by.
  public let name: String
  /// The reference group it is listed in.
  public let group: BuiltinGroup
  /// One line saying what it does.
  public let summary: String
  /// The parameters in positional order.
  public let parameters: [BuiltinParameter]
  /// How the result type follows from the arguments.
  public let result: ResultRule
  /// Whether it also applies to a Stream, chunk by chunk, keeping its state across
  /// chunks.
  public let liftsToStreams: Bool
  /// What it does besides computing its value.
  public let effects: BuiltinEffects
  /// How it builds its value when a script runs, reading its arguments by name.
  public let build: BuiltinBuild
  /// Its value when every argument is a number or string known before running, for the
  /// checker to compute (`midi 69` is 440 Hz), or `nil` for a builtin computed while
  /// running. Given the arguments in parameter order, defaults filled in.
  public let fold: (@Sendable ([TypedExpr]) -> Double?)?

  /// Creates a builtin declaration.
  public init(
    _ name: String, group: BuiltinGroup, _ summary: String, parameters: [BuiltinParameter],
    result: ResultRule, liftsToStreams: Bool = false, effects: BuiltinEffects = .none,
    fold: (@Sendable ([TypedExpr]) -> Double?)? = nil, build: BuiltinBuild
  ) {
    self.fold = fold
    self.name = name
    self.group = group
    self.summary = summary
    self.parameters = parameters
    self.result = result
    self.liftsToStreams = liftsToStreams
    self.effects = effects
    self.build = build
  }

  /// Whether two declarations are of the same builtin (names are unique).
  public static func == (a: Builtin, b: Builtin) -> Bool { a.name == b.name }

  /// Hashes the name.
  public func hash(into hasher: inout Hasher) { hasher.combine(name) }

  /// The position of the parameter called `name`, if any.
  public func index(of name: String) -> Int? {
    parameters.firstIndex { $0.name == name }
  }

  /// The parameter called `name`, if any.
  public func parameter(named name: String) -> BuiltinParameter? {
    parameters.first { $0.name == name }
  }

  /// The position of its main input: the first parameter that takes a signal or a
  /// stream. It decides whether a call lifts to a stream, and its rate is the one Nyquist
  /// bounds refer to (a generator's is its `rate`).
  package var inputIndex: Int? {
    parameters.firstIndex { $0.kind == .audio || $0.kind == .audioOrStream || $0.kind == .stream }
  }

  /// How messages name one of its parameters: `'q' of 'lowpass'`.
  package func subject(_ parameter: BuiltinParameter) -> String {
    "'\(parameter.name)' of '\(name)'"
  }

  /// `lowpass x cutoff q:0.7071`: the name, required parameters, then optional ones
  /// with their defaults.
  public var signature: String {
    ([name]
      + parameters.map { parameter in
        if let defaultValue = parameter.defaultValue {
          switch defaultValue {
          case .scriptRate: return parameter.name + ":rate"
          case .scriptTempo: return parameter.name + ":tempo"
          case .scriptMeter: return parameter.name + ":meter"
          default: break
          }
          // A default described in words (`until silent`) is shown as `auto`.
          if case .absent(let spelling) = defaultValue, spelling.contains(" ") {
            return parameter.name + ":auto"
          }
          return parameter.name + ":" + defaultValue.spelling
        }
        return parameter.name
      }).joined(separator: " ")
  }
}

extension TypedExpr {
  /// The builtin this expression calls, if it is a builtin call.
  var calledBuiltin: Builtin? {
    guard case .builtin(let builtin, _, _, _, _) = self else { return nil }
    return builtin
  }

  /// The argument given for `parameter` of the builtin this expression calls.
  func argument(_ parameter: String) -> TypedExpr? {
    guard case .builtin(_, let arguments, _, _, _) = self,
      let index = calledBuiltin?.index(of: parameter), index < arguments.count
    else { return nil }
    return arguments[index]
  }

  /// The channel and stream of a call that publishes (`publish "bus" s`), if it is one.
  package var publication: (channel: TypedExpr, stream: TypedExpr)? {
    guard let publication = calledBuiltin?.effects.publishes,
      let channel = argument(publication.channel), let stream = argument(publication.stream)
    else { return nil }
    return (channel, stream)
  }

  /// The value a call that prints shows and passes on (`print x`), if it is one.
  package var printedValue: TypedExpr? {
    guard let builtin = calledBuiltin, builtin.effects.prints,
      let first = builtin.parameters.first
    else { return nil }
    return argument(first.name)
  }
}

extension TypedExpr {
  /// The channel a call that subscribes reads (`subscribe "bus"`), if it is one.
  package var subscribedChannel: TypedExpr? {
    guard case .channel(let parameter)? = calledBuiltin?.effects.readsOnce else { return nil }
    return argument(parameter)
  }
}
