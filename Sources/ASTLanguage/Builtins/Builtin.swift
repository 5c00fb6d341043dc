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
}

/// The unit a number parameter is measured in, which decides what literals it takes.
public enum ParameterUnit: String, Sendable, Hashable {
  /// A plain number: a literal with a unit is an error.
  case none
  /// Seconds: `ms` and `s` literals, or a bare number of seconds.
  case seconds
  /// Hertz: `hz` and `khz` literals, or a bare number of hertz.
  case hertz
  /// A linear gain factor: `db` literals become gains (`-6db` is 0.501).
  case gain
  /// A level in decibels: a `db` literal gives its number of decibels (`-6db` is -6).
  case decibels
  /// A sample rate in hertz, a whole number.
  case sampleRate
  /// A whole number of things.
  case count
  /// A bitrate in kilobits per second, a plain number.
  case kilobitsPerSecond

  /// The dimension of numbers this unit accepts, or `nil` for plain numbers only.
  public var dimension: Dimension? {
    switch self {
    case .seconds: .time
    case .hertz, .sampleRate: .frequency
    case .gain, .decibels: .gain
    case .none, .count, .kilobitsPerSecond: nil
    }
  }

  /// How values are written in the reference: `s`, `Hz`, `dB`.
  public var symbol: String {
    switch self {
    case .none, .count: ""
    case .kilobitsPerSecond: "kbps"
    case .seconds: "s"
    case .hertz, .sampleRate: "Hz"
    case .gain: "linear"
    case .decibels: "dB"
    }
  }
}

/// One end of a parameter's valid range.
public enum RangeBound: Sendable, Hashable {
  /// The value itself is allowed.
  case inclusive(Double)
  /// Only values beyond it are allowed.
  case exclusive(Double)
  /// Half the sample rate of the signal (the Nyquist frequency), not included.
  case nyquist
}

/// The values a number parameter may take.
public struct ValueRange: Sendable, Hashable {
  /// The lower end, or `nil` for none.
  public var lower: RangeBound?
  /// The upper end, or `nil` for none.
  public var upper: RangeBound?
  /// Whether only whole numbers are allowed.
  public var isInteger: Bool

  /// Creates a range.
  public init(lower: RangeBound? = nil, upper: RangeBound? = nil, isInteger: Bool = false) {
    self.lower = lower
    self.upper = upper
    self.isInteger = isInteger
  }

  /// Zero or more.
  public static let nonNegative = ValueRange(lower: .inclusive(0))
  /// More than zero.
  public static let positive = ValueRange(lower: .exclusive(0))
  /// From 0 to 1.
  public static let unit = ValueRange(lower: .inclusive(0), upper: .inclusive(1))
  /// More than zero and below the Nyquist frequency.
  public static let audible = ValueRange(lower: .exclusive(0), upper: .nyquist)
}

/// A parameter's default.
public enum DefaultValue: Sendable, Hashable {
  /// A number, with the spelling the reference shows (`-1db`, `5ms`).
  case number(Double, spelling: String)
  /// A string.
  case string(String)
  /// The script's rate (set by `rate N`), else 44100 Hz.
  case scriptRate
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

  /// Whether the argument must be given.
  public var isRequired: Bool { defaultValue == nil }
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
  /// Compression.
  case dynamics
  /// Cutting and joining signals.
  case structure
  /// Chunks and channels.
  case streams
  /// Reading and writing files.
  case files
  /// Printing, tagging and measuring.
  case inspection
  /// Script-wide settings.
  case settings
}

/// A builtin function: its signature as data, its result rule and its evaluator entry.
public struct Builtin: Sendable, Hashable {
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

  /// Creates a builtin declaration.
  public init(
    _ name: String, group: BuiltinGroup, _ summary: String, parameters: [BuiltinParameter],
    result: ResultRule, liftsToStreams: Bool = false
  ) {
    self.name = name
    self.group = group
    self.summary = summary
    self.parameters = parameters
    self.result = result
    self.liftsToStreams = liftsToStreams
  }

  /// The evaluator entry this builtin maps to.
  public var operation: BuiltinOperation {
    BuiltinOperation(rawValue: name)!
  }

  /// The parameter called `name`, if any.
  public func parameter(named name: String) -> BuiltinParameter? {
    parameters.first { $0.name == name }
  }

  /// `lowpass x cutoff q:0.7071`: the name, required parameters, then optional ones
  /// with their defaults.
  public var signature: String {
    ([name]
      + parameters.map { parameter in
        if let defaultValue = parameter.defaultValue {
          if case .scriptRate = defaultValue { return parameter.name + ":rate" }
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
