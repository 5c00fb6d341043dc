import ASTTestSupport
import Foundation
import Testing

@testable import ASTSyntax

@Suite("ast fmt: the canonical layout")
struct FormatterTests {
  func format(_ text: String) -> String? {
    if case .formatted(let result) = Formatter.format(Source(name: "t.ast", text: text)) {
      return result
    }
    return nil
  }

  /// The canonical one-line print of every statement: equal when two scripts have the
  /// same trees.
  func trees(_ text: String) -> String {
    SourcePrinter.print(Parser.parse(Source(name: "t.ast", text: text)).script)
  }

  @Test("spacing, one statement per line, blank lines, and pipes as written")
  func layout() {
    let messy = """
      rate   48000
      osc=sine 440hz  1.0;  lfo = sine 5 1



      out = osc
           |>lowpass 1khz q:0.9   |> gain (-6db)
      """
    #expect(
      format(messy) == """
        rate 48000
        osc = sine 440hz 1.0
        lfo = sine 5 1

        out = osc
          |> lowpass 1khz q:0.9
          |> gain -6db

        """)
  }

  @Test("comments stay: on their own lines, at a statement's end, and inside a statement")
  func comments() {
    let text = """
      # a patch
      x = sine 440 1   # the tone

      # the output
      out = x
        # filtered first
        |>  lowpass 800
      # the end
      """
    #expect(
      format(text) == """
        # a patch
        x = sine 440 1  # the tone

        # the output
        out = x
          # filtered first
          |>  lowpass 800
        # the end

        """)
  }

  @Test("a long line is broken at its pipes, and a closing list one item a line")
  func longLines() {
    let text =
      "voices = mix [sine 220 2 |> gain 0.5, sine 330 2 |> gain 0.4, sine 440 2 |> gain 0.3]\n"
      + "out = voices |> lowpass 2000 q:0.8 |> adsr 10ms 200ms 0.5 500ms |> gain -6db |> pad 0 1\n"
    #expect(
      format(text) == """
        voices = mix [
          sine 220 2 |> gain 0.5,
          sine 330 2 |> gain 0.4,
          sine 440 2 |> gain 0.3,
        ]
        out = voices
          |> lowpass 2000 q:0.8
          |> adsr 10ms 200ms 0.5 500ms
          |> gain -6db
          |> pad 0 1

        """)
  }

  @Test("formatting keeps the trees, and formatted text does not change again")
  func stable() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    var scripts: [String] = []
    for folder in ["Scripts/examples", "Tests/Golden/errors"] {
      let directory = root.appendingPathComponent(folder).path
      for name in try FileManager.default.contentsOfDirectory(atPath: directory)
      where name.hasSuffix(".ast") {
        scripts.append(directory + "/" + name)
      }
    }
    #expect(scripts.count >= 20)
    var unparsable: [String] = []
    for path in scripts {
      let text = try String(contentsOfFile: path, encoding: .utf8)
      guard let formatted = format(text) else {
        unparsable.append(URL(fileURLWithPath: path).lastPathComponent)
        continue
      }
      // The gallery and the corpus are kept formatted.
      #expect(formatted == text, "\(path) is not in the canonical layout (run ast fmt)")
      #expect(trees(formatted) == trees(text), "\(path)")
      #expect(format(formatted) == formatted, "\(path)")
    }
    // Only the scripts that show syntax errors on purpose cannot be formatted.
    #expect(unparsable.sorted() == ["lexical.ast", "nesting.ast", "syntax.ast"])
  }

  @Test("scripts with a syntax error are not formatted")
  func unparsable() {
    guard
      case .unparsable(let diagnostics) = Formatter.format(Source(name: "t.ast", text: "x = (1"))
    else {
      Issue.record("a broken script was formatted")
      return
    }
    #expect(diagnostics.containsErrors)
  }
}
