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

  private let state = Mutex<(limit: Int?, used: Int)>((nil, 0))

  /// The limit in bytes, or `nil` for none.
  public var limit: Int? {
    get { state.withLock { $0.limit } }
    set { state.withLock { $0.limit = newValue } }
  }

  /// The bytes charged so far.
  public var used: Int { state.withLock { $0.used } }

  /// Counts `bytes` written to `path`; throws ``AudioFileError`` naming the file when
  /// they take the total past the limit.
  public func charge(_ bytes: Int, writing path: String) throws {
    guard bytes > 0 else { return }
    let passed: Int? = state.withLock { state in
      state.used += bytes
      guard let limit = state.limit, state.used > limit else { return nil }
      return limit
    }
    if let limit = passed {
      throw AudioFileError(
        .writeFailed, .write, path: path,
        reason: "the run's output passed its limit of \(Self.megabytes(limit)) (--output-limit)")
    }
  }

  static func megabytes(_ bytes: Int) -> String {
    bytes % (1 << 20) == 0 ? "\(bytes >> 20) MB" : "\(bytes) bytes"
  }
}
