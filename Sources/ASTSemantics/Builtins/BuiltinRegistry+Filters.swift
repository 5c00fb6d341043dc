import ASTCore
import ASTEngine
import ASTSyntax

/// The builtins of filters: RBJ biquads.
extension BuiltinRegistry {
  private static let gainDecibels = BuiltinParameter(BiquadNode.gain, .number, name: "gain_db")

  private static func filter(
    _ name: String, _ summary: String, _ frequencyName: String, q: Double? = nil,
    qSpelling: String? = nil, kind: BiquadKind
  ) -> Builtin {
    Builtin(
      name, group: .filters, summary,
      parameters: [
        input,
        BuiltinParameter(
          BiquadNode.frequency, .signal, name: frequencyName,
          summary:
            "the \(frequencyName == "cutoff" ? "cutoff" : "centre") frequency; an Audio sweeps it sample by sample (a state-variable filter of the same response)"
        ),
        qualityFactor(q, spelling: qSpelling),
      ], result: .sameAsInput, liftsToStreams: true,
      build: .effect { call, input in
        BiquadNode(
          input, kind: kind, frequency: try await call.modulation(frequencyName),
          q: try await call.number("q"))
      })
  }

  private static func shelf(
    _ name: String, _ summary: String, kind: @escaping @Sendable (Double) -> BiquadKind
  ) -> Builtin {
    Builtin(
      name, group: .filters, summary,
      parameters: [
        input,
        BuiltinParameter(
          BiquadNode.frequency, .signal, name: "freq", summary: "the corner frequency"),
        gainDecibels, qualityFactor(),
      ], result: .sameAsInput, liftsToStreams: true,
      build: .effect { call, input in
        BiquadNode(
          input, kind: kind(try await call.number("gain_db")),
          frequency: try await call.modulation("freq"), q: try await call.number("q"))
      })
  }

  static let filters: [Builtin] = [
    filter("lowpass", "RBJ low-pass biquad.", "cutoff", kind: .lowpass),
    filter("highpass", "RBJ high-pass biquad.", "cutoff", kind: .highpass),
    filter(
      "bandpass", "RBJ band-pass biquad (constant 0 dB peak gain).", "center", q: 1,
      qSpelling: "1.0", kind: .bandpass),
    filter("notch", "RBJ notch biquad.", "center", q: 1, qSpelling: "1.0", kind: .notch),
    Builtin(
      "eq", group: .filters, "RBJ peaking EQ biquad.",
      parameters: [
        input,
        BuiltinParameter(
          BiquadNode.frequency, .signal, name: "freq", summary: "the centre frequency"),
        gainDecibels, qualityFactor(1, spelling: "1.0"),
      ], result: .sameAsInput, liftsToStreams: true,
      build: .effect { call, input in
        BiquadNode(
          input, kind: .peaking(gainDB: try await call.number("gain_db")),
          frequency: try await call.modulation("freq"), q: try await call.number("q"))
      }),
    shelf("lowshelf", "RBJ low-shelf biquad.", kind: { .lowShelf(gainDB: $0) }),
    shelf("highshelf", "RBJ high-shelf biquad.", kind: { .highShelf(gainDB: $0) }),
  ]
}
