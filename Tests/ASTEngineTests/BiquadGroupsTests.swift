import Foundation
import Testing

@testable import ASTEngine

@Suite("The biquad four samples at a time")
struct BiquadGroupsTests {
  /// A deterministic noise of `count` samples in -1...1.
  static func noise(_ count: Int) -> [Float] {
    var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
    return (0..<count).map { _ in
      seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Float(Int64(bitPattern: seed >> 11) % 2_000_001 - 1_000_000) / 1_000_000
    }
  }

  /// `x` filtered by the groups in blocks of the given sizes, repeated to the end.
  static func grouped(_ x: [Float], _ c: BiquadCoefficients, blocks: [Int]) -> [Float] {
    let groups = BiquadGroups(c)
    var state = BiquadGroups.State()
    var y = [Float](repeating: 0, count: x.count)
    var at = 0
    var turn = 0
    x.withUnsafeBufferPointer { x in
      y.withUnsafeMutableBufferPointer { y in
        while at < x.count {
          let count = min(blocks[turn % blocks.count], x.count - at)
          groups.filter(
            x.baseAddress! + at, into: y.baseAddress! + at, count: count, lane: at % 4,
            state: &state)
          at += count
          turn += 1
        }
      }
    }
    return y
  }

  @Test(
    "agrees with the sample-by-sample transposed direct form II to 1e-6",
    arguments: StateVariableFilterTests.kinds)
  func matchesTheSampleBySampleFilter(_ kind: BiquadKind) {
    let x = Self.noise(8_192)
    for (frequency, q) in [(30.0, 0.7071), (1_000, 4), (12_000, 0.5), (20_000, 2)] {
      let c = BiquadCoefficients(kind: kind, frequency: frequency, q: q, sampleRate: 48_000)
      var reference = [Float](repeating: 0, count: x.count)
      x.withUnsafeBufferPointer { x in
        reference.withUnsafeMutableBufferPointer { y in
          _ = BiquadNode.filter(
            x.baseAddress!, into: y.baseAddress!, count: x.count, c, state: (0, 0))
        }
      }
      let grouped = Self.grouped(x, c, blocks: [4_096])
      let worst = zip(grouped, reference).map { abs(Double($0) - Double($1)) }.max() ?? 0
      #expect(worst < 1e-6, "\(kind) at \(frequency) Hz, Q \(q): \(worst)")
    }
  }

  @Test("gives the same samples, bit for bit, whatever the block sizes")
  func blockSizesDoNotMatter() {
    let x = Self.noise(5_000)
    let c = BiquadCoefficients(kind: .lowpass, frequency: 2_000, q: 4, sampleRate: 48_000)
    let whole = Self.grouped(x, c, blocks: [5_000])
    for blocks in [[1], [3], [5, 2, 7], [4], [128], [1, 1, 2, 13, 64]] {
      let cut = Self.grouped(x, c, blocks: blocks)
      #expect(cut.map(\.bitPattern) == whole.map(\.bitPattern), "blocks \(blocks)")
    }
  }
}
