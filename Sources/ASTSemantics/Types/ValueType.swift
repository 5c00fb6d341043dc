import ASTCore
import ASTSyntax

/// What the checker knows about an audio signal: its sample rate and channel count,
/// where the script fixes them.
public struct AudioFacts: Sendable, Hashable, CustomStringConvertible {
  /// Frames per second, or `nil` when not known before running.
  public var sampleRate: Int?
  /// Channels, or `nil` when not known before running.
  public var channelCount: Int?

  /// Creates facts; `nil` means not known.
  public init(sampleRate: Int?, channelCount: Int?) {
    self.sampleRate = sampleRate
    self.channelCount = channelCount
  }

  /// Facts about nothing: rate and channels unknown.
  public static let unknown = AudioFacts(sampleRate: nil, channelCount: nil)

  /// `48000 Hz, stereo`, or the parts that are known; empty when nothing is.
  public var description: String {
    var parts: [String] = []
    if let sampleRate { parts.append("\(sampleRate) Hz") }
    if let channelCount { parts.append(Self.describe(channelCount: channelCount)) }
    return parts.joined(separator: ", ")
  }

  /// `mono`, `stereo` or `N channels`.
  public static func describe(channelCount: Int) -> String {
    NumberText.channels(channelCount)
  }
}

/// The kind of quantity a number stands for, from the unit of a literal.
public enum Dimension: String, Sendable, Hashable {
  /// A time in seconds (`ms`, `s`).
  case time
  /// A frequency in hertz (`hz`, `khz`).
  case frequency
  /// A linear gain (`db` literals become gains).
  case gain
  /// A level in dBFS, as `peak` and `rms` measure it: fits a parameter in decibels, not a
  /// linear gain.
  case level

  /// How the dimension is named in messages.
  public var noun: String {
    switch self {
    case .time: "a time"
    case .frequency: "a frequency"
    case .gain: "a gain"
    case .level: "a level in dBFS"
    }
  }
}

/// The type of a value in the language.
public indirect enum ValueType: Sendable, Hashable, CustomStringConvertible {
  /// A 64-bit float, with the dimension its units gave it, if any.
  case number(Dimension?)
  /// Text.
  case string
  /// A signal with what is known of its rate and channels.
  case audio(AudioFacts)
  /// A signal cut into AudioStream chunks.
  case stream(AudioFacts)
  /// A list of values of one type.
  case list(ValueType)
  /// Note events in musical time (what `seq` makes), with its cycles and events when
  /// its string is known before running.
  case pattern(PatternFacts?)
  /// The result of a statement that only acts.
  case unit
  /// A type not known when checking (a parameter of a function not yet called, or an
  /// expression whose error was already reported); it fits anywhere.
  case unknown

  /// `Number`, `String`, `Audio(48000 Hz, stereo)`, `Stream`, `List[Audio]`,
  /// `Pattern(2 cycles, 14 events)`, `Unit`.
  public var description: String {
    switch self {
    case .number: "Number"
    case .string: "String"
    case .audio(let facts):
      facts.description.isEmpty ? "Audio" : "Audio(\(facts))"
    case .stream(let facts):
      facts.description.isEmpty ? "Stream" : "Stream(\(facts))"
    case .list(let element): "List[\(element)]"
    case .pattern(let facts): facts.map { "Pattern(\($0))" } ?? "Pattern"
    case .unit: "Unit"
    case .unknown: "unknown"
    }
  }

  /// The audio facts of an Audio or Stream type.
  public var audioFacts: AudioFacts? {
    switch self {
    case .audio(let facts), .stream(let facts): facts
    default: nil
    }
  }

  /// Whether the type is a Number.
  public var isNumber: Bool {
    if case .number = self { return true }
    return false
  }

  /// Whether the type is Audio.
  public var isAudio: Bool {
    if case .audio = self { return true }
    return false
  }

  /// Whether the type is a Stream.
  public var isStream: Bool {
    if case .stream = self { return true }
    return false
  }
}

extension ValueType {
  /// A number of this type as people read it: a level in dBFS as summaries show it
  /// (`-6.02 dBFS`), times and frequencies with their unit (`2 s`, `440 Hz`), anything
  /// else plain.
  public func text(for value: Double) -> String {
    guard case .number(let dimension?) = self else { return NumberText.plain(value) }
    switch dimension {
    case .level: return NumberText.decibels(value) + " dBFS"
    case .time: return NumberText.plain(value) + " s"
    case .frequency: return NumberText.plain(value) + " Hz"
    case .gain: return NumberText.plain(value)
    }
  }
}
