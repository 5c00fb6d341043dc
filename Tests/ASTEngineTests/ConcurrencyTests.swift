import ASTCore
import Dispatch
import Foundation
import Synchronization
import Testing

@testable import ASTEngine

/// A count shared by tasks and threads.
private final class Count: Sendable {
  private let value = Mutex(0)

  func add() { value.withLock { $0 += 1 } }

  var current: Int { value.withLock { $0 } }
}

@Suite("Cancellation, FFTW planning and the file writer's queue")
struct ConcurrencyTests {
  @Test("a token's handlers run once each, whichever threads cancel it")
  func handlersRunOnce() async {
    let token = CancellationToken()
    let runs = (0..<20).map { _ in Count() }
    for count in runs {
      token.onCancel { count.add() }
    }
    let withdrawn = Count()
    token.onCancel { withdrawn.add() }.remove()
    await withTaskGroup(of: Void.self) { group in
      for _ in 0..<8 {
        group.addTask { token.cancel() }
      }
      DispatchQueue.global().async { token.cancel() }
      token.cancel()
    }
    #expect(token.isCancelled)
    #expect(runs.map(\.current) == [Int](repeating: 1, count: 20))
    #expect(withdrawn.current == 0)
    // Registered once cancelled: it runs at once, on this thread.
    let late = Count()
    token.onCancel { late.add() }
    #expect(late.current == 1)
    token.cancel()
    #expect(late.current == 1)
  }

  @Test("a handler registered while another thread cancels runs exactly once")
  func registrationRacesCancel() async {
    for _ in 0..<200 {
      let token = CancellationToken()
      let runs = Count()
      await withTaskGroup(of: Void.self) { group in
        group.addTask { token.cancel() }
        group.addTask { token.onCancel { runs.add() } }
      }
      #expect(runs.current == 1)
    }
  }
}
