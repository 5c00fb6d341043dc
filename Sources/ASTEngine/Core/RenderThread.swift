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

  private static let marker = "ast.render-thread"

  /// Whether the calling thread is a render thread.
  public static var isCurrent: Bool {
    Thread.current.threadDictionary[marker] != nil
  }

  private init() {
    let thread = Thread { [self] in loop() }
    thread.stackSize = Self.stackBytes
    thread.name = "ast render"
    thread.start()
  }

  private func loop() {
    Thread.current.threadDictionary[Self.marker] = true
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

  /// Runs `body` on a render thread: on a new one, which ends after it, or inline when
  /// the caller is on one already.
  public static func run<T>(_ body: () async throws -> T) async throws -> T {
    if isCurrent { return try await body() }
    let thread = RenderThread()
    defer { thread.stop() }
    return try await withTaskExecutorPreference(thread) { try await body() }
  }
}
