import ASTCore
import Testing

@testable import ASTEngine

/// A signal that counts the frames rendered from it (not those skipped), with the
/// extent of what it passes on.
private final class CountingNode: AudioNode {
  let source: AudioNode
  var pulled = 0

  init(_ source: AudioNode) {
    self.source = source
    super.init(sameFormatAs: source)
  }

  override var extent: SignalExtent { source.extent }

  override func skip(_ frames: Int) async throws -> Int { try await source.skip(frames) }

  override func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    let count = try source.render(into: buffer, frames: frames)
    pulled += count
    return count
  }
}

@Suite("Sparse mixing")
struct SparseMixTests {
  func drain(_ node: AudioNode) async throws -> [Float] {
    let buffer = node.makeBuffer()
    var samples: [Float] = []
    while true {
      let count = try await node.pull(into: buffer, frames: node.context.blockSize)
      samples += UnsafeBufferPointer(start: buffer.channel(0), count: count)
      if count < node.context.blockSize { return samples }
    }
  }

  @Test("a padded input is pulled only while it sounds, and the sum is the dense one")
  func pullsOnlyWhatSounds() async throws {
    for blockSize in [1, 64, 1000] {
      let context = RenderContext(blockSize: blockSize)
      // 200 notes of 100 frames, one every 50 frames: two sound at once.
      let voices = (0..<200).map {
        CountingNode(
          PadNode(
            sawNote(100 + Double($0), frames: 100, context: context), before: $0 * 50, after: 0))
      }
      let mix = MixNode(voices)
      #expect(mix.extent == SignalExtent(start: 0, end: 199 * 50 + 100))
      let sparse = try await drain(mix)
      // Each voice is rendered from the block where it starts: its own 100 frames and
      // less than a block before them, where a dense mix renders all its leading silence.
      #expect(
        voices.allSatisfy { $0.pulled >= 100 && $0.pulled < 100 + blockSize },
        "block size \(blockSize)")
      // The same notes summed by arithmetic, which pulls every input every block.
      let dense = (0..<200).map {
        PadNode(sawNote(100 + Double($0), frames: 100, context: context), before: $0 * 50, after: 0)
          as AudioNode
      }
      .reduce(nil as AudioNode?) { sum, voice in
        sum.map { ArithmeticNode(.add, $0, voice) } ?? voice
      }
      let expected = try await drain(try #require(dense))
      #expect(sparse == expected, "block size \(blockSize)")
    }
  }

  @Test("a filter and an envelope after the pad pass its silence on, with equal samples")
  func effectsAfterThePad() async throws {
    let context = RenderContext(blockSize: 64)
    func note(_ k: Int) -> AudioNode {
      let padded = PadNode(
        sawNote(100 + Double(k), frames: 100, context: context), before: k * 50, after: 0)
      let filtered = BiquadNode(
        padded, kind: .lowpass, frequency: ParameterSignal(constant: 1000), q: 2)
      return EnvelopeNode(filtered, shape: .adsr(attack: 5, decay: 10, sustain: 0.5, release: 20))
    }
    let voices = (0..<100).map { CountingNode(note($0)) }
    let sparse = try await drain(MixNode(voices))
    #expect(voices.allSatisfy { $0.pulled < 100 + 64 + 1 })
    let dense = try await drain(
      (1..<100).reduce(note(0)) { sum, k in ArithmeticNode(.add, sum, note(k)) })
    #expect(sparse == dense)
  }

  @Test("a note holds no block of its own before it starts or after it ends")
  func notesHoldNoBlocks() async throws {
    let context = RenderContext(blockSize: 64)
    func note(_ k: Int) -> AudioNode {
      let padded = PadNode(sawNote(100, frames: 100, context: context), before: k * 50, after: 0)
      return EnvelopeNode(padded, shape: .adsr(attack: 5, decay: 10, sustain: 0.5, release: 20))
    }
    let before = context.memory.bytesHeld
    let mix = MixNode((0..<400).map(note))
    let buffer = mix.makeBuffer()
    var largest = 0
    while try await mix.pull(into: buffer, frames: 64) == 64 {
      largest = max(largest, context.memory.bytesHeld)
    }
    // Two or three notes sound at once: the blocks they hold while sounding, not 400.
    let perBlock = 64 * 4
    #expect(largest - before < 16 * perBlock + mix.channelCount * perBlock * 2)
  }

  @Test("silence and inputs that start late keep the mix's length")
  func lengths() async throws {
    let context = RenderContext(blockSize: 64)
    let late = PadNode(sawNote(200, frames: 10, context: context), before: 500, after: 30)
    let silent = SilenceNode(sampleRate: 8_000, frameCount: 900, context: context)
    let mix = MixNode([late, silent])
    #expect(mix.frameCount == 900)
    #expect(mix.extent == SignalExtent(start: 500, end: 510))
    let samples = try await drain(mix)
    #expect(samples.count == 900)
    #expect(samples[..<500].allSatisfy { $0 == 0 } && samples[510...].allSatisfy { $0 == 0 })
    #expect(samples[500..<510].contains { $0 != 0 })
  }

  @Test("extents shift, join and stay empty")
  func extents() {
    let a = SignalExtent(start: 10, end: 20)
    #expect(a.shifted(by: 5) == SignalExtent(start: 15, end: 25))
    #expect(a.union(SignalExtent(start: 30, end: nil)) == SignalExtent(start: 10, end: nil))
    #expect(a.union(.empty) == a)
    #expect(SignalExtent.empty.shifted(by: 7).isEmpty)
    #expect(SignalExtent(start: 1, end: Int.max).shifted(by: 1).end == nil)
  }
}
