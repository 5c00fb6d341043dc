import Testing

@testable import ASTEngine

@Suite("Block kernels")
struct BlockKernelTests {
  @Test("16-bit samples deinterleave to floats divided by 32768, for 1, 2 and 3 channels")
  func deinterleaveShorts() {
    for channels in 1...3 {
      let frames = 1_000
      let samples = (0..<(frames * channels)).map { Int16(truncatingIfNeeded: $0 * 7919 - 32768) }
      let buffer = AudioBuffer(channelCount: channels, capacity: frames)
      buffer.deinterleave(int16: samples, frames: frames, channels: channels)
      var mismatches = 0
      for frame in 0..<frames {
        for channel in 0..<channels
        where buffer.channel(channel)[frame] != Float(samples[frame * channels + channel]) / 32768 {
          mismatches += 1
        }
      }
      #expect(mismatches == 0, "\(channels) channels")
    }
  }

  @Test("the elementwise kernels give the scalar results for every operation")
  func elementwise() {
    let x: [Float] = (0..<37).map { Float($0) * 0.37 - 5 }
    let y: [Float] = (0..<37).map { Float($0 % 5) - 2 }
    let operations: [(SignalOperation, (Float, Float) -> Float)] = [
      (.add, (+)), (.subtract, (-)), (.multiply, (*)), (.divide, (/)),
    ]
    for (operation, scalar) in operations {
      var output = [Float](repeating: 0, count: 37)
      BlockKernels.apply(operation, x, y, into: &output, count: 37)
      #expect(output.elementsEqual(zip(x, y).map(scalar)) { $0 == $1 || ($0.isNaN && $1.isNaN) })
      BlockKernels.apply(operation, x, 3, numberFirst: false, into: &output, count: 37)
      #expect(output == x.map { scalar($0, 3) })
      BlockKernels.apply(operation, x, 3, numberFirst: true, into: &output, count: 37)
      #expect(output == x.map { scalar(3, $0) })
    }
    var scaled = x
    BlockKernels.scale(&scaled, count: 37, by: 0.5)
    #expect(scaled == x.map { $0 * 0.5 })
    BlockKernels.multiply(&scaled, by: y, count: 37)
    #expect(scaled == zip(x, y).map { $0 * 0.5 * $1 })
    BlockKernels.accumulate(&scaled, x, count: 37)
    #expect(scaled == zip(x, y).map { $0 * 0.5 * $1 + $0 })
    var clipped = [Float](repeating: 0, count: 37)
    BlockKernels.clip(x, into: &clipped, count: 37, limit: 2)
    #expect(clipped == x.map { min(max($0, -2), 2) })
  }
}
