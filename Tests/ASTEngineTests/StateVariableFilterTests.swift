import Foundation
import Testing

@testable import ASTEngine

@Suite("The state-variable filter of modulated frequencies")
struct StateVariableFilterTests {
  static let kinds: [BiquadKind] = [
    .lowpass, .highpass, .bandpass, .notch, .peaking(gainDB: 6), .peaking(gainDB: -9),
    .lowShelf(gainDB: 6), .lowShelf(gainDB: -12), .highShelf(gainDB: 6), .highShelf(gainDB: -12),
  ]

  /// The first `count` samples of the response to a unit impulse: of the RBJ biquad, and
  /// of the state-variable filter with the frequency held.
  func impulseResponses(_ kind: BiquadKind, frequency: Double, q: Double, count: Int)
    -> (biquad: [Float], variable: [Float])
  {
    var impulse = [Float](repeating: 0, count: count)
    impulse[0] = 1
    var fromBiquad = [Float](repeating: 0, count: count)
    var fromVariable = [Float](repeating: 0, count: count)
    let frequencies = [Float](repeating: Float(frequency), count: count)
    let coefficients = BiquadCoefficients(
      kind: kind, frequency: frequency, q: q, sampleRate: 48_000)
    impulse.withUnsafeBufferPointer { x in
      fromBiquad.withUnsafeMutableBufferPointer { y in
        _ = BiquadNode.filter(
          x.baseAddress!, into: y.baseAddress!, count: count, coefficients, state: (0, 0))
      }
      fromVariable.withUnsafeMutableBufferPointer { y in
        frequencies.withUnsafeBufferPointer { f in
          _ = StateVariableFilter(kind: kind, q: q).filter(
            x.baseAddress!, into: y.baseAddress!, count: count, frequencies: f.baseAddress!,
            sampleRate: 48_000, state: (0, 0))
        }
      }
    }
    return (fromBiquad, fromVariable)
  }

  @Test(
    "with the frequency held it is the RBJ filter: impulse responses agree to 1e-6",
    arguments: kinds)
  func matchesTheCookbook(_ kind: BiquadKind) {
    for (frequency, q) in [(100.0, 0.7071), (1_000, 4), (12_000, 0.5), (20_000, 2)] {
      let (biquad, variable) = impulseResponses(kind, frequency: frequency, q: q, count: 4_096)
      let worst = zip(biquad, variable).map { abs(Double($0) - Double($1)) }.max() ?? 0
      #expect(worst < 1e-6, "\(kind) at \(frequency) Hz, Q \(q): \(worst)")
    }
  }
}
