import Synchronization

/// The bytes a process may write to files and to standard output, counted together:
/// the bound that `--output-limit` sets for an untrusted script. Without a limit
/// (the default) nothing is refused.
///
/// The audio writers and the WAV stream charge what they write; passing the limit is
/// an error of the write that passed it, which then removes its temporary file.
public final class OutputBudget: Sendable {
  /// The budget of this process.
  public static let shared = OutputBudget()

  /// The limit in bytes; `Int.max` for none.
  private let bound = Atomic<Int>(.max)
  private let charged = Atomic<Int>(0)

  /// The limit in bytes, or `nil` for none.
  public var limit: Int? {
    get {
      let value = bound.load(ordering: .relaxed)
      return value == .max ? nil : value
    }
    set { bound.store(newValue ?? .max, ordering: .relaxed) }
  }

  /// Whether there is a limit: without one, writers need not measure what they wrote.
  public var isLimited: Bool { bound.load(ordering: .relaxed) != .max }

  /// The bytes charged so far.
  public var used: Int { charged.load(ordering: .relaxed) }

  /// Counts `bytes` written to `path`; throws ``AudioFileError`` naming the file when
  /// they take the total past the limit.
  public func charge(_ bytes: Int, writing path: String) throws {
    guard bytes > 0 else { return }
    let total = charged.wrappingAdd(bytes, ordering: .relaxed).newValue
    let limit = bound.load(ordering: .relaxed)
    if total > limit {
      throw AudioFileError(
        .writeFailed, .write, path: path,
        reason: "the run's output passed its limit of \(Self.megabytes(limit)) (--output-limit)")
    }
  }

  static func megabytes(_ bytes: Int) -> String {
    bytes % (1 << 20) == 0 ? "\(bytes >> 20) MB" : "\(bytes) bytes"
  }
}
