import Testing

@testable import ASTEngine

@Suite("The render thread")
struct RenderThreadTests {
  @Test("work runs on a render thread, and a render inside a render runs where it is")
  func runsOnItsThread() async throws {
    #expect(!RenderThread.isCurrent)
    let (outer, inner) = try await RenderThread.run {
      let outer = RenderThread.isCurrent
      // Awaiting on the way keeps the work on the thread, the task's executor.
      try await Task.sleep(nanoseconds: 1_000_000)
      let inner = try await RenderThread.run { RenderThread.isCurrent }
      return (outer && RenderThread.isCurrent, inner)
    }
    #expect(outer && inner)
    #expect(!RenderThread.isCurrent)
    // How deep a render may go on it: `ReleaseInTurnTests` renders a chain of 300,000
    // shared signals, each render calling the next.
  }
}
