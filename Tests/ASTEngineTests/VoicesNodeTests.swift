import ASTCore
import Testing

@testable import ASTEngine

@Suite("Voices: sparse polyphony")
struct VoicesNodeTests {
  /// `count` notes one every `spacing` frames, each `length` frames long.
  func voices(
    count: Int, spacing: Int, length: Int, maximum: Int = 64, context: RenderContext
  ) async throws -> VoicesNode {
    let notes = (0..<count).map {
      VoicesNode.Note(start: $0 * spacing, frequency: 100 + Double($0 % 24), duration: 0.01)
    }
    return try await VoicesNode.make(
      notes: notes, length: count * spacing, gain: 1, maximum: maximum, rate: 8_000, channels: 1,
      context: context
    ) { frequency, _ in sawNote(frequency, frames: length, context: context) }
  }

  /// Renders `node` to its end; returns the samples and the most memory held meanwhile.
  func drain(_ node: AudioNode) async throws -> (samples: [Float], mostHeld: Int) {
    let buffer = node.makeBuffer()
    var samples: [Float] = []
    var mostHeld = 0
    while true {
      let count = try await node.pull(into: buffer, frames: node.context.blockSize)
      mostHeld = max(mostHeld, node.context.memory.bytesHeld)
      samples += UnsafeBufferPointer(start: buffer.channel(0), count: count)
      if count < node.context.blockSize { return (samples, mostHeld) }
    }
  }

  @Test("10,000 notes cost the voices that sound: work per note and memory stay flat")
  func sparse() async throws {
    var figures: [(held: Int, framesPerNote: Double)] = []
    for count in [1_000, 10_000] {
      let context = RenderContext(blockSize: 256)
      // A note every 40 frames, 100 frames long: at most three sound at once.
      let node = try await voices(count: count, spacing: 40, length: 100, context: context)
      #expect(node.frameCount == (count - 1) * 40 + 100)
      let (samples, held) = try await drain(node)
      #expect(samples.count == (count - 1) * 40 + 100)
      #expect(node.voicesBuilt == count)
      #expect(node.mostSounding <= 3 + 256 / 40 + 1, "\(node.mostSounding)")
      figures.append((held, Double(node.voiceFrames) / Double(count)))
    }
    // Each voice renders its own frames and less than a block of silence before them.
    #expect(figures.allSatisfy { $0.framesPerNote <= 100 + 256 }, "\(figures)")
    // Ten times the notes hold no more memory.
    #expect(figures[1].held <= figures[0].held, "\(figures)")
  }

  @Test("the sum is the same for every block size, and equals the notes laid out by hand")
  func blockSizes() async throws {
    var outputs: [[Float]] = []
    for blockSize in [1, 64, 4096] {
      let context = RenderContext(blockSize: blockSize)
      let node = try await voices(count: 50, spacing: 37, length: 120, context: context)
      outputs.append(try await drain(node).samples)
    }
    #expect(outputs[0] == outputs[1])
    #expect(outputs[0] == outputs[2])
    // By hand: each note's tone added at its start.
    let context = RenderContext(blockSize: 1024)
    var expected = [Float](repeating: 0, count: 49 * 37 + 120)
    for k in 0..<50 {
      let (tone, _) = try await drain(
        sawNote(100 + Double(k % 24), frames: 120, context: context))
      for (index, sample) in tone.enumerated() { expected[k * 37 + index] += sample }
    }
    #expect(outputs[0] == expected)
    // Built ahead on the builder's task, as when played, the voices sum the same.
    for blockSize in [1, 64, 4096] {
      let context = RenderContext(blockSize: blockSize, isRealtime: true)
      let node = try await voices(count: 50, spacing: 37, length: 120, context: context)
      #expect(try await drain(node).samples == expected, "\(blockSize)")
    }
  }

  @Test("played, 2,000 notes are built ahead and freed by the builder, the sum unchanged")
  func builder() async throws {
    let offline = try await drain(
      voices(count: 2_000, spacing: 40, length: 100, context: RenderContext(blockSize: 128)))
    let context = RenderContext(blockSize: 128, isRealtime: true)
    let node = try await voices(count: 2_000, spacing: 40, length: 100, context: context)
    let played = try await drain(node)
    #expect(played.samples == offline.samples)
    #expect(node.voicesBuilt == 2_000)
    // The builder keeps at most 49 voices built ahead, whatever the number of notes: a
    // voice here is an oscillator and a pad, a block of 128 frames or less each.
    #expect(played.mostHeld <= offline.mostHeld + 49 * 2 * 128 * 4, "\(played.mostHeld)")
  }

  @Test("above the limit the oldest voice fades out over 5 ms from the new one's start")
  func limit() async throws {
    let context = RenderContext(blockSize: 64)
    // Notes every 100 frames, 1000 frames long, at most two at once.
    let notes = (0..<3).map {
      VoicesNode.Note(start: $0 * 100, frequency: 0, duration: 0.1)
    }
    let node = try await VoicesNode.make(
      notes: notes, length: 300, gain: 1, maximum: 2, rate: 8_000, channels: 1, context: context
    ) { _, _ in
      // A constant 1: the sum counts the voices sounding.
      ConstantTestNode(value: 1, frames: 1000, context: context)
    }
    let (samples, _) = try await drain(node)
    #expect(samples.count == 1200)
    #expect(samples[50] == 1)
    #expect(samples[150] == 2)
    // The third note starts at 200: the first fades over 40 frames (5 ms at 8 kHz).
    #expect(samples[199] == 2)
    #expect(samples[200] == 3)
    #expect(abs(samples[220] - (2 + 0.5)) < 1e-6)
    #expect(samples[240] == 2)
    #expect(samples[1099] == 2)
    #expect(samples[1100] == 1)
    #expect(samples[1199] == 1)
  }
}

/// A signal of one value, for counting voices.
final class ConstantTestNode: AudioNode {
  let value: Float
  var position = 0

  init(value: Float, frames: Int, context: RenderContext) {
    self.value = value
    super.init(sampleRate: 8_000, channelCount: 1, frameCount: frames, context: context)
  }

  override func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    let count = min(frames, frameCount! - position)
    for index in 0..<count { buffer.channel(0)[index] = value }
    position += count
    return count
  }
}
