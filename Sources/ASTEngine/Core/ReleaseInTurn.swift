import ASTCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Releases the links of a long chain of objects one after another, rather than each
/// inside the release of the one before, so that a chain of any length is released with
/// a stack of bounded depth.
///
/// A graph built from a long chain of bindings (`b = a |> gain 1`, `c = b |> gain 1`,
/// ...) holds each signal through the next. Released the ordinary way, the last link's
/// release releases the link before it, and so on down the chain, one stack frame per
/// link, until the stack overflows. A holder at a joint of the chain (a shared signal,
/// the stream of a binding) instead hands its reference to ``release(_:)`` when it is
/// released: the first such release on a thread releases the reference, and every joint
/// reached while it does so is queued and released after it, in turn.
public enum ReleaseInTurn {
  /// The references waiting on one thread, and whether a release on it is draining them.
  private final class Queue {
    var waiting: [AnyObject] = []
    var draining = false
  }

  /// The key of each thread's queue (made on first use and kept for the thread's life).
  private static let key: pthread_key_t = {
    var key = pthread_key_t()
    let status = pthread_key_create(&key, nil)
    precondition(status == 0, "cannot make the key of the release queue")
    return key
  }()

  private static var queue: Queue {
    if let raw = pthread_getspecific(key) {
      return Unmanaged<Queue>.fromOpaque(raw).takeUnretainedValue()
    }
    let queue = Queue()
    pthread_setspecific(key, Unmanaged.passRetained(queue).toOpaque())
    return queue
  }

  /// Takes the reference out of `reference` (leaving `nil`) and releases it: now, unless
  /// a release in turn is already under way on this thread, in which case it is
  /// released after the one under way, not inside it. A holder calls this from its
  /// `deinit` for the next link of a chain.
  public static func release<T: AnyObject>(_ reference: inout T?) {
    var object: AnyObject? = reference
    reference = nil
    guard object != nil else { return }
    let queue = self.queue
    queue.waiting.append(object!)
    // The queue holds the only reference now.
    object = nil
    guard !queue.draining else { return }
    queue.draining = true
    while let next = queue.waiting.popLast() {
      // Releasing `next` may queue more; they are released by this loop, in turn.
      _ = next
    }
    queue.draining = false
  }
}

/// A stream passed on unchanged that is a joint of a chain: its source is released in
/// turn (``ReleaseInTurn``), so a long chain of streams, each made from the one before,
/// is released without a stack as deep as the chain.
public final class ReleasedInTurnSource: ChunkSource {
  private var source: ChunkSource?

  /// Passes on the chunks of `source`.
  public init(_ source: ChunkSource) {
    self.source = source
    super.init(context: source.context)
  }

  override public func next() async throws -> AudioStream? {
    try await source?.next()
  }

  override public func finish() async throws {
    try await source?.finish()
  }

  deinit {
    ReleaseInTurn.release(&source)
  }
}
