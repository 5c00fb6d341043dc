import ASTCore
import ASTTestSupport
import Foundation
import Testing

@testable import ASTRuntime
@testable import ASTSemantics
@testable import ASTSyntax

@Suite("Scripts from Swift")
struct ScriptRunnerTests {
  @Test("render a script from Swift, write its out, and read its errors")
  func renderAndWrite() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    try "out = sine 440 1 rate:8000 |> gain -6db\n".write(
      toFile: directory.file("song.ast"), atomically: true, encoding: .utf8)
    let path = directory.file("song.ast")
    let wav = directory.file("song.wav")
    let script = try ScriptRunner(path: path)
    let audio = try await script.render()
    print(audio.sampleRate, audio.frameCount)  // 8000 8000
    try await script.write(to: wav)
    #expect(audio.sampleRate == 8_000 && audio.frameCount == 8_000)
    #expect(try AudioSegment(contentsOfFile: wav).frameCount == 8_000)

    let broken = ScriptRunner(text: "out = sine 1s 440hz")
    await #expect(throws: ScriptError.self) { _ = try await broken.render() }
    do {
      _ = try await broken.render()
    } catch let error as ScriptError {
      #expect(error.diagnostics.first?.id == Checker.IDs.unitMismatch)
      #expect(error.message.contains("script.ast:1:12: error:"))
    }
  }
}
