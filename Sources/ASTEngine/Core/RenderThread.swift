import Foundation
import Synchronization

/// A thread of its own for a render, with a stack deep enough for any graph.
///
/// A render is synchronous, and each node's render calls its inputs', so a graph as deep
/// as the longest script allows (a chain of two hundred thousand nodes) goes that deep
/// on the thread's stack, deeper than the stack of a thread of the shared pool. Work run
/// through ``run(_:)`` has this thread as its task executor: the ready passes, the
/// renders and whatever they await run on it, in order, unless they wait on an actor.
public final class RenderThread: TaskExecutor, @unchecked Sendable {
  // Unchecked: the jobs are guarded by `state`, and the thread is read-only once made.
  /// The stack reserved for a render: address space, touched only as deep as it goes.
  public static let stackBytes = 1 << 30

  private struct State {
    var jobs: [UnownedJob] = []
    var stopping = false
  }

  private let state = Mutex(State())
  private let wake = DispatchSemaphore(value: 0)

  /// Set to a non-null value on render threads only.
  private static let marker: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
  }()

  /// Whether the calling thread is a render thread.
  public static var isCurrent: Bool { pthread_getspecific(marker) != nil }

  /// A smaller stack, tried when the system will not reserve ``stackBytes`` (a strict
  /// overcommit policy, a limit on address space).
  static let fallbackStackBytes = 64 << 20

  private init(stackBytes: Int) throws {
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setstacksize(&attributes, stackBytes)
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    let context = Unmanaged.passRetained(self).toOpaque()
    var thread = pthread_t()
    let status = pthread_create(
      &thread, &attributes,
      { context in
        let renderThread = Unmanaged<RenderThread>.fromOpaque(context!).takeRetainedValue()
        pthread_setspecific(RenderThread.marker, context)
        renderThread.loop()
        return nil
      }, context)
    guard status == 0 else {
      Unmanaged<RenderThread>.fromOpaque(context).release()
      throw RenderError.failed("cannot start a thread to render on (error \(status))")
    }
  }

  private func loop() {
    while true {
      wake.wait()
      while true {
        let (jobs, stopping) = state.withLock { state in
          defer { state.jobs.removeAll(keepingCapacity: true) }
          return (state.jobs, state.stopping)
        }
        if jobs.isEmpty {
          if stopping { return }
          break
        }
        for job in jobs { job.runSynchronously(on: asUnownedTaskExecutor()) }
      }
    }
  }

  /// Takes a job to run on the thread.
  public func enqueue(_ job: consuming ExecutorJob) {
    let unowned = UnownedJob(job)
    state.withLock { $0.jobs.append(unowned) }
    wake.signal()
  }

  private func stop() {
    state.withLock { $0.stopping = true }
    wake.signal()
  }

  /// A new render thread with ``stackBytes`` of stack, or ``fallbackStackBytes`` when the
  /// system will not reserve that much.
  private static func make() throws -> RenderThread {
    do {
      return try RenderThread(stackBytes: stackBytes)
    } catch {
      return try RenderThread(stackBytes: fallbackStackBytes)
    }
  }

  /// Starts `body` on a new render thread, from synchronous code, without going through
  /// the shared pool of threads (whose threads may all be busy or waiting), and calls
  /// `done` with its result when it ends; the thread ends after it.
  ///
  /// - Throws: ``RenderError/failed(_:)`` when no thread can be started.
  public static func start<T: Sendable>(
    _ body: @escaping @Sendable () async throws -> T,
    done: @escaping @Sendable (Result<T, any Error>) -> Void
  ) throws {
    let thread = try make()
    Task(executorPreference: thread) {
      defer { thread.stop() }
      do {
        done(.success(try await body()))
      } catch {
        done(.failure(error))
      }
    }
  }

  /// Runs `body` on a render thread: on a new one, which ends after it, or inline when
  /// the caller is on one already.
  ///
  /// - Throws: what `body` throws, or ``RenderError/failed(_:)`` when no thread can be
  ///   started.
  public static func run<T>(_ body: () async throws -> T) async throws -> T {
    if isCurrent { return try await body() }
    let thread = try make()
    defer { thread.stop() }
    return try await withTaskExecutorPreference(thread) { try await body() }
  }
}
