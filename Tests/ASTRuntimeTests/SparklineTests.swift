import ASTEngine
import Testing

@testable import ASTRuntime
@testable import ASTSemantics
@testable import ASTSyntax

@Suite("Session sparklines")
struct SparklineTests {
  /// The sparkline at the end of the reply to `input`.
  private func sparkline(_ input: String) async -> String {
    let session = Session(showsSparklines: true)
    let line = await session.submit(input).lines.last ?? ""
    return String(line.split(separator: " ").last ?? "")
  }

  @Test("each column summarises exactly its share: a rhythm shows as alternating blocks")
  func rhythm() async {
    let alternating = String(repeating: "█▁", count: 16)
    #expect(await sparkline("repeat (sine 440 0.25s |> pad 0 0.25s) 16") == alternating)
    // At a rate whose quarter seconds are no multiple of any power of two.
    #expect(
      await sparkline("repeat (sine 440 0.25s rate:44099 |> pad 0 0.25s) 16") == alternating)
  }

  @Test("a stream, whose length is not known before, is summarised by its share too")
  func stream() async {
    let alternating = String(repeating: "█▁", count: 16)
    #expect(
      await sparkline("repeat (sine 440 0.25s |> pad 0 0.25s) 16 |> chunk 0.1") == alternating)
  }

  @Test("the collector's columns for a known length, an unknown one, and a long unknown one")
  func collector() throws {
    let frames = 100_000
    let buffer = AudioBuffer(channelCount: 1, capacity: frames)
    for frame in 0..<frames { buffer.channel(0)[frame] = frame / 25_000 % 2 == 0 ? 1 : 0.3 }
    let collectors = [
      EnvelopeCollector(columns: 4, frames: frames), EnvelopeCollector(columns: 4),
      EnvelopeCollector(columns: 4, exactLimit: 64),
    ]
    for collector in collectors {
      try collector.add(buffer, frames: frames)
      #expect(Session.sparkline(collector.columns()) == "█▃█▃", "\(collector.columns())")
    }
    // Shorter than the columns: a column a frame.
    let short = EnvelopeCollector(columns: 32)
    try short.add(buffer, frames: 3)
    #expect(Session.sparkline(short.columns()) == "███")
  }
}
