import ASTCore
import Testing

@testable import ASTEngine

/// Long chains of graphs are released link by link, not each inside the one before, so
/// the stack does not grow with the chain.
@Suite("Releasing long chains")
struct ReleaseInTurnTests {
  /// Far more links than a thread's stack holds frames for when each release nests the
  /// next one: released the ordinary way, such a chain overflows the stack.
  static let links = 300_000

  @Test("a chain of shared signals, each read by the next, renders and is released")
  func sharedSignals() async throws {
    let context = RenderContext()
    var node: AudioNode? = SilenceNode(sampleRate: 8_000, frameCount: 100, context: context)
    for _ in 0..<Self.links {
      node = SharedSignal(node!, factory: nil).makeReader()
    }
    // Pulling it goes as deep as the chain, but not on the thread's stack.
    let summary = try await Render.drain(node!)
    #expect(summary.frameCount == 100)
    node = nil
    #expect(node == nil)
  }

  @Test("a chain of streams, each passing on the one before, is released")
  func streams() async throws {
    let context = RenderContext()
    let signal = SilenceNode(sampleRate: 8_000, frameCount: 100, context: context)
    var source: ChunkSource? = try ChunkerSource(signal, framesPerChunk: 50)
    for _ in 0..<Self.links {
      source = ReleasedInTurnSource(source!)
    }
    let summary = try await Render.drain(source!)
    #expect(summary?.chunkCount == 2)
    source = nil
    #expect(source == nil)
  }

  @Test("a release in turn inside another one waits for it, on the same thread")
  func nested() {
    final class Link {
      var held: Link?
      let released: () -> Void

      init(_ next: Link?, released: @escaping () -> Void) {
        held = next
        self.released = released
      }

      deinit {
        released()
        ReleaseInTurn.release(&held)
      }
    }
    var order: [Int] = []
    var chain: Link?
    for index in 0..<5 {
      chain = Link(chain) { order.append(index) }
    }
    chain = nil
    // The last link made goes first, then each it held, one after another.
    #expect(order == [4, 3, 2, 1, 0])
  }
}
