import ASTCore

/// The unit a parameter's value is measured in.
public enum ParameterUnit: String, Sendable, Hashable {
  /// A plain number.
  case none
  /// Seconds.
  case seconds
  /// Hertz.
  case hertz
  /// A linear gain factor: 1 keeps the level, 0.5 is about -6 dB.
  case gain
  /// A level in decibels.
  case decibels
  /// A sample rate in hertz, a whole number.
  case sampleRate
  /// A whole number of things.
  case count
  /// A bitrate in kilobits per second.
  case kilobitsPerSecond

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

  /// A value as a message shows it: frequencies and times with their unit (`30000 Hz`,
  /// `0.5 s`), anything else as a plain number (`2`).
  public func text(for value: Double) -> String {
    let number = NumberText.plain(value)
    switch self {
    case .hertz: return number + " Hz"
    case .seconds: return number + " s"
    case .none, .gain, .decibels, .sampleRate, .count, .kilobitsPerSecond: return number
    }
  }
}

/// One end of a parameter's valid range.
public enum ParameterBound: Sendable, Hashable {
  /// The value itself is allowed.
  case inclusive(Double)
  /// Only values beyond it are allowed.
  case exclusive(Double)
  /// Half the sample rate of the signal (the Nyquist frequency), not included.
  case nyquist
}

/// The values a number parameter may take, and the words that say so (`between 0 and 1`,
/// `greater than 0`), which the checker, the reference and the running script share.
public struct ParameterRange: Sendable, Hashable, CustomStringConvertible {
  /// The lower end, or `nil` for none.
  public var lower: ParameterBound?
  /// The upper end, or `nil` for none.
  public var upper: ParameterBound?
  /// Whether only whole numbers are allowed.
  public var isInteger: Bool

  /// Creates a range.
  public init(
    lower: ParameterBound? = nil, upper: ParameterBound? = nil, isInteger: Bool = false
  ) {
    self.lower = lower
    self.upper = upper
    self.isInteger = isInteger
  }

  /// Zero or more.
  public static let nonNegative = ParameterRange(lower: .inclusive(0))
  /// More than zero.
  public static let positive = ParameterRange(lower: .exclusive(0))
  /// From 0 to 1.
  public static let unit = ParameterRange(lower: .inclusive(0), upper: .inclusive(1))
  /// More than zero and below the Nyquist frequency.
  public static let audible = ParameterRange(lower: .exclusive(0), upper: .nyquist)
  /// The sample rates the project supports: whole numbers in ``SampleRates/supported``.
  public static let sampleRates = ParameterRange(
    lower: .inclusive(Double(SampleRates.supported.lowerBound)),
    upper: .inclusive(Double(SampleRates.supported.upperBound)), isInteger: true)

  /// `between 0 and 1`, `greater than 0`, `greater than 0 and below the Nyquist frequency
  /// (half the sample rate)`, `a whole number and at least 0`.
  public var description: String {
    func lower(_ bound: ParameterBound) -> String? {
      switch bound {
      case .inclusive(let x): "at least \(NumberText.plain(x))"
      case .exclusive(let x): "greater than \(NumberText.plain(x))"
      case .nyquist: nil
      }
    }
    func upper(_ bound: ParameterBound) -> String {
      switch bound {
      case .inclusive(let x): "at most \(NumberText.plain(x))"
      case .exclusive(let x): "less than \(NumberText.plain(x))"
      case .nyquist: "below the Nyquist frequency (half the sample rate)"
      }
    }
    if case .inclusive(let low)? = self.lower, case .inclusive(let high)? = self.upper {
      return "between \(NumberText.plain(low)) and \(NumberText.plain(high))"
    }
    var parts: [String] = []
    if let low = self.lower.flatMap(lower) { parts.append(low) }
    if let high = self.upper { parts.append(upper(high)) }
    if isInteger { parts.insert("a whole number", at: 0) }
    return parts.joined(separator: " and ")
  }
}

/// A value a parameter does not take, with what is wrong in the words every check uses:
/// `'feedback' of 'delay' must be greater than -1 and less than 1, got 2`.
public struct ParameterError: Error, Sendable, Hashable, CustomStringConvertible {
  /// What is wrong with the value.
  public enum Problem: Sendable, Hashable {
    /// It is NaN or infinite.
    case notFinite
    /// It has a fraction where only whole numbers are allowed.
    case notWhole
    /// It lies outside the range.
    case outside(ParameterRange)
    /// It lies at or above the Nyquist frequency of `sampleRate`, the range's upper end.
    case aboveNyquist(ParameterRange, sampleRate: Int)
    /// A whole number larger (in size) than 2^53, beyond which not every whole number
    /// can be told apart and counts overflow.
    case tooLarge
    /// A time (in seconds) that at `sampleRate` is more frames than a signal may have
    /// (``SignalLength/maximumFrames``).
    case tooLong(sampleRate: Int)
  }

  /// The largest whole number a parameter takes: 2^53.
  public static let largestWhole = Double(1 << 53)

  /// The parameter's name.
  public let name: String
  /// The value refused.
  public let value: Double
  /// The parameter's unit, which messages show the value with.
  public let unit: ParameterUnit
  /// What is wrong.
  public let problem: Problem

  /// The error of `value` for the parameter `name` whose values lie in `range` (any
  /// finite number when `nil`), or `nil` when the value is allowed. A Nyquist bound, and
  /// the longest time a signal can last (for a parameter in seconds), are checked only
  /// when `sampleRate` is known.
  public init?(
    checking value: Double, name: String, unit: ParameterUnit = .none, range: ParameterRange?,
    sampleRate: Int?
  ) {
    self.name = name
    self.value = value
    self.unit = unit
    guard value.isFinite else {
      problem = .notFinite
      return
    }
    guard let range else { return nil }
    if range.isInteger, value != value.rounded() {
      problem = .notWhole
      return
    }
    var fits = true
    switch range.lower {
    case .inclusive(let bound)?: fits = fits && value >= bound
    case .exclusive(let bound)?: fits = fits && value > bound
    case .nyquist?, nil: break
    }
    var nyquistRate: Int?
    switch range.upper {
    case .inclusive(let bound)?: fits = fits && value <= bound
    case .exclusive(let bound)?: fits = fits && value < bound
    case .nyquist?:
      if let sampleRate, value >= Double(sampleRate) / 2 {
        fits = false
        nyquistRate = sampleRate
      }
    case nil: break
    }
    guard !fits else {
      if range.isInteger, abs(value) > Self.largestWhole {
        problem = .tooLarge
        return
      }
      // A time is taken as frames at the rate, which a signal has at most so many of.
      if unit == .seconds, let sampleRate,
        value > SignalLength.longestSeconds(sampleRate: sampleRate)
      {
        problem = .tooLong(sampleRate: sampleRate)
        return
      }
      return nil
    }
    problem = nyquistRate.map { .aboveNyquist(range, sampleRate: $0) } ?? .outside(range)
  }

  /// The sentence with `subject` naming the parameter: `'q' of 'lowpass' must be greater
  /// than 0, got -1`.
  public func message(subject: String) -> String {
    switch problem {
    case .notFinite:
      "\(subject) must be a finite number"
    case .notWhole:
      "\(subject) must be a whole number, got \(NumberText.plain(value))"
    case .outside(let range), .aboveNyquist(let range, _):
      "\(subject) must be \(range), got \(unit.text(for: value))"
    case .tooLarge:
      "\(subject) must be a whole number of at most 2^53 (\(NumberText.plain(Self.largestWhole))), "
        + "got \(NumberText.plain(value))"
    case .tooLong(let rate):
      "\(subject) must be at most \(unit.text(for: SignalLength.longestSeconds(sampleRate: rate))) "
        + "at \(rate) Hz, the longest a signal can be, got \(unit.text(for: value))"
    }
  }

  /// What the Nyquist frequency is, when the value reached it: `at 44100 Hz the Nyquist
  /// frequency is 22050 Hz`.
  public var note: String? {
    switch problem {
    case .aboveNyquist(_, let rate):
      return "at \(rate) Hz the Nyquist frequency is \(NumberText.plain(Double(rate) / 2)) Hz"
    case .tooLong:
      return "a signal has at most \(SignalLength.maximumText), about 6,500 years at 44100 Hz"
    default:
      return nil
    }
  }

  /// The sentence with the parameter's name as its subject.
  public var description: String { message(subject: "'\(name)'") }
}

/// A node's parameter, declared once as data on the node: its name, unit, default,
/// valid range and a line saying what it does. The language's builtin declarations read
/// these, and values are checked against them before they reach the node.
///
/// What a node does with a modulating signal outside the range is its own affair and is
/// documented on the node (a filter clamps its frequency, drive passes the signal
/// through); only constants, and numbers computed while a script runs, are checked.
public struct NodeParameter: Sendable, Hashable {
  /// The parameter's name.
  public let name: String
  /// The unit of its values.
  public let unit: ParameterUnit
  /// The value it takes when none is given, or `nil` when one must be given.
  public let defaultValue: Double?
  /// The values it takes, or `nil` for any finite number.
  public let range: ParameterRange?
  /// One line saying what it does.
  public let summary: String

  /// Declares a parameter.
  public init(
    _ name: String, unit: ParameterUnit = .none, default defaultValue: Double? = nil,
    range: ParameterRange? = nil, _ summary: String
  ) {
    self.name = name
    self.unit = unit
    self.defaultValue = defaultValue
    self.range = range
    self.summary = summary
  }

  /// A length of time in seconds, zero or more.
  public static func time(_ name: String, default defaultValue: Double? = nil, _ summary: String)
    -> NodeParameter
  {
    NodeParameter(name, unit: .seconds, default: defaultValue, range: .nonNegative, summary)
  }

  /// The same parameter with another default.
  public func withDefault(_ value: Double) -> NodeParameter {
    NodeParameter(name, unit: unit, default: value, range: range, summary)
  }

  /// What is wrong with `value` for this parameter, or `nil` when it is allowed. A bound
  /// at the Nyquist frequency is checked only when `sampleRate` is given.
  public func validate(_ value: Double, sampleRate: Int?) -> ParameterError? {
    ParameterError(checking: value, name: name, unit: unit, range: range, sampleRate: sampleRate)
  }
}
