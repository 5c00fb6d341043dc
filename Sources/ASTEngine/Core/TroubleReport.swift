import Synchronization

/// Counts of numeric trouble found while rendering, by where it came from.
///
/// Nodes and sinks add counts with the origin tag of the script position that caused
/// them; the runner turns them into warnings after the render.
public final class TroubleReport: Sendable {
  /// A kind of trouble.
  public enum Kind: Sendable, Hashable {
    /// Samples beyond full scale clipped when writing an integer format to a target.
    case clipped(target: String)
    /// NaN or infinite samples produced (and replaced by 0).
    case nonFinite
    /// Bytes of an incomplete frame at the end of raw input, dropped (the count is
    /// in bytes).
    case partialFrame
    /// A file whose writing was given up because the signal's consumer stopped reading
    /// before the end (a `slice` of a `write`): nothing was written to the target.
    case unfinishedWrite(target: String)
  }

  /// One kind of trouble at one origin.
  public struct Key: Sendable, Hashable {
    /// The origin tag of the node or statement.
    public let origin: Int?
    /// What happened.
    public let kind: Kind
  }

  private let counts = Mutex<[Key: Int]>([:])

  /// Creates an empty report.
  public init() {}

  /// Adds `count` occurrences.
  public func add(_ kind: Kind, count: Int, origin: Int?) {
    guard count > 0 else { return }
    counts.withLock { $0[Key(origin: origin, kind: kind), default: 0] += count }
  }

  /// Everything counted so far.
  public var entries: [Key: Int] {
    counts.withLock { $0 }
  }
}

/// Replaces NaN and infinite samples by 0 and returns how many there were.
@inline(__always)
public func scrubNonFinite(_ samples: UnsafeMutablePointer<Float>, count: Int) -> Int {
  var bad = 0
  for index in 0..<count where !samples[index].isFinite {
    samples[index] = 0
    bad += 1
  }
  return bad
}
