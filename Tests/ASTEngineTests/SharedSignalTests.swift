import Testing

@testable import ASTEngine

@Suite("Shared signals")
struct SharedSignalTests {
  /// Counts the graphs built, so a test can tell a shared render from a rebuilt one.
  final class Builds {
    var count = 0
  }

  func noise(_ frames: Int, _ context: RenderContext) -> AudioNode {
    NoiseNode(
      color: .white, seed: 7, amplitude: ParameterSignal(constant: 1), sampleRate: 8_000,
      frameCount: frames, context: context)
  }

  func shared(_ frames: Int, _ context: RenderContext, builds: Builds, ringFrames: Int = 1 << 16)
    -> SharedSignal
  {
    builds.count += 1
    return SharedSignal(
      noise(frames, context),
      factory: {
        builds.count += 1
        return self.noise(frames, context)
      }, ringFrames: ringFrames)
  }

  /// Pulls `node` to its end in pieces of `step` frames.
  func samples(_ node: AudioNode, step: Int) async throws -> [Float] {
    let buffer = node.makeBuffer()
    var result: [Float] = []
    while true {
      let count = try await node.pull(into: buffer, frames: step)
      result += Array(UnsafeBufferPointer(start: buffer.channel(0), count: count))
      if count < step { return result }
    }
  }

  @Test("readers in lockstep get the same samples from one render")
  func lockstep() async throws {
    let context = RenderContext(blockSize: 64)
    let reference = try await samples(noise(1_000, context), step: 64)
    let builds = Builds()
    let signal = shared(1_000, context, builds: builds)
    let readers = [signal.makeReader(), signal.makeReader(), signal.makeReader()]
    let buffers = readers.map { $0.makeBuffer() }
    var results = [[Float]](repeating: [], count: 3)
    var ended = false
    while !ended {
      // Uneven pulls: the readers drift a little apart but stay within the ring.
      for (index, reader) in readers.enumerated() {
        let wanted = [64, 17, 40][index]
        let count = try await reader.pull(into: buffers[index], frames: wanted)
        results[index] += Array(UnsafeBufferPointer(start: buffers[index].channel(0), count: count))
        if index == 0, count < wanted { ended = true }
      }
    }
    for (index, reader) in readers.enumerated() where index > 0 {
      results[index] += try await samples(reader, step: 64)
    }
    for result in results { #expect(result == reference, "a reader's samples") }
    #expect(builds.count == 1)
  }

  @Test("a reader left behind the ring rebuilds the signal and skips to its place")
  func detach() async throws {
    let context = RenderContext(blockSize: 64)
    let reference = try await samples(noise(5_000, context), step: 64)
    let builds = Builds()
    let signal = shared(5_000, context, builds: builds, ringFrames: 256)
    let first = signal.makeReader()
    let second = signal.makeReader()
    // The second reader takes 50 frames, then the first runs to the end, far ahead.
    let buffer = second.makeBuffer()
    let count = try await second.pull(into: buffer, frames: 50)
    let head = Array(UnsafeBufferPointer(start: buffer.channel(0), count: count))
    let whole = try await samples(first, step: 64)
    let rest = try await samples(second, step: 64)
    #expect(whole == reference, "the reader ahead")
    #expect(head + rest == reference, "the reader left behind")
    #expect(builds.count == 2)
  }

  @Test("a single reader reads straight from the source")
  func single() async throws {
    let context = RenderContext(blockSize: 64)
    let reference = try await samples(noise(300, context), step: 64)
    let builds = Builds()
    let reader = shared(300, context, builds: builds).makeReader()
    #expect(try await samples(reader, step: 50) == reference)
    #expect(try await reader.pull(into: reader.makeBuffer(), frames: 64) == 0)
    #expect(builds.count == 1)
  }
}
