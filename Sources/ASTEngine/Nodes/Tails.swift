/// How long an effect goes on after its input ends: echoes and reverberation ring out,
/// as a mixing desk's render lets them.
public enum EffectTail: Sendable, Equatable {
  /// The output ends with the input.
  case none
  /// Exactly this many frames after the input's end.
  case frames(Int)
  /// Until everything the effect still holds is below ``EffectTail/silence``, and at
  /// most `maximumFrames` frames after the input's end.
  case untilSilent(maximumFrames: Int)

  /// The level below which a tail counts as silent: -90 dBFS.
  public static let silence: Float = 3.162_277_7e-5

  /// The longest tail ``untilSilent(maximumFrames:)`` allows by default, in seconds.
  public static let defaultMaximumSeconds = 60.0

  /// The tail as an effect's parameter: left out, until silent; 0, none; else a length.
  public static let parameter = NodeParameter.time(
    "tail",
    "how long it rings on after its input ends: until it falls below -90 dBFS (at most "
      + "60 s) by default, 0 keeps the input's length, a time sets the tail's length")

  /// Until silent, for at most ``defaultMaximumSeconds`` at `sampleRate`.
  public static func untilSilent(sampleRate: Int) -> EffectTail {
    .untilSilent(maximumFrames: Int(defaultMaximumSeconds * Double(sampleRate)))
  }

  /// Exactly `frames` frames, or none for 0.
  public static func lasting(frames: Int) -> EffectTail {
    frames == 0 ? .none : .frames(frames)
  }
}

/// The bookkeeping of an effect's tail: feeds silence once the input has ended, and says
/// how many frames of tail are left.
struct TailFeed {
  let tail: EffectTail
  private var inputEnded = false
  private(set) var tailFrames = 0
  /// Set by the effect when what it holds has fallen silent.
  var isSilent = false

  init(_ tail: EffectTail) {
    self.tail = tail
  }

  /// The length of the effect's output, from its input's.
  func frameCount(input: Int?) -> Int? {
    guard let input else { return nil }
    switch tail {
    case .none: return input
    case .frames(let frames):
      // Unknown when the sum cannot be counted; the builders refuse such a tail.
      let (sum, overflow) = input.addingReportingOverflow(frames)
      return overflow ? nil : sum
    case .untilSilent: return nil
    }
  }

  /// Pulls up to `frames` frames of `input` into `buffer` and, past its end, silence for
  /// the tail; returns how many frames the effect is to process and where the tail
  /// begins among them.
  mutating func pull(_ input: AudioNode, into buffer: AudioBuffer, frames: Int) throws
    -> (count: Int, tailStart: Int)
  {
    // Past the input's end the buffer holds silence, which the tail is made of.
    let got = try pullPadded(input, into: buffer, frames: frames, ended: &inputEnded)
    guard inputEnded else { return (got, got) }
    let left: Int
    switch tail {
    case .none: left = 0
    case .frames(let total): left = total - tailFrames
    case .untilSilent(let maximum): left = isSilent ? 0 : maximum - tailFrames
    }
    let extra = max(0, min(frames - got, left))
    tailFrames += extra
    return (got + extra, got)
  }
}
