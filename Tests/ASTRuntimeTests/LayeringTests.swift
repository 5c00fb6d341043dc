import ASTTestSupport
import Foundation
import Testing

/// The layer of each target: a target may import only targets of lower layers (and the
/// toolchain's and its dependencies' modules, which are not listed). The language is
/// layer 4, in three steps: the front end, the semantics, the runtime.
private let layers: [String: Double] = [
  "CSndFile": 1, "CMPG123": 1, "CALSA": 1, "CSoxr": 1, "CPNG": 1, "CFFTW": 1, "CEditLine": 1,
  "CInterrupt": 1,
  "CCleanup": 1,
  "CFuzzGuard": 1,
  "ASTCore": 2,
  "ASTEngine": 3,
  "ASTSyntax": 4.1, "ASTSemantics": 4.2, "ASTRuntime": 4.3,
  "ASTTool": 5, "ASTFuzzing": 5, "ASTFuzzTool": 6,
]

/// What each target may not import although it lies below: the fuzzer's command goes
/// through the fuzzing library, which runs the scripts it makes.
private let excluded: [String: Set<String>] = [
  "ASTFuzzTool": ["ASTRuntime"]
]

@Suite("Layering")
struct LayeringTests {
  @Test("every target imports only targets of layers below its own")
  func importsGoDownward() throws {
    let sources = repositoryRoot + "/Sources"
    let targets = try FileManager.default.contentsOfDirectory(atPath: sources).filter {
      !$0.hasPrefix(".")
    }
    #expect(
      Set(targets) == Set(layers.keys), "a target without a layer, or a layer without a target")
    for target in targets {
      guard let layer = layers[target] else { continue }
      let files =
        FileManager.default.enumerator(atPath: sources + "/" + target)?
        .compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
      for file in files {
        let text = try String(contentsOfFile: sources + "/\(target)/\(file)", encoding: .utf8)
        for line in text.split(separator: "\n") {
          let words = line.split(separator: " ")
          guard let index = words.firstIndex(of: "import"), index + 1 < words.count,
            words[..<index].allSatisfy({ $0.hasPrefix("@") })
          else { continue }
          let imported = String(words[index + 1])
          #expect(
            !(excluded[target] ?? []).contains(imported),
            "\(target)/\(file) imports \(imported), which it has no need of")
          guard let importedLayer = layers[imported] else { continue }
          #expect(
            importedLayer < layer,
            "\(target)/\(file) imports \(imported), which is not below it")
        }
      }
    }
  }
}
