import ASTCore
import ASTTestSupport
import Foundation
import Testing

/// The `ast` executable built beside the test bundle.
let astExecutable: String = {
  let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
  return executable.deletingLastPathComponent().appendingPathComponent("ast").path
}()

/// Runs the built `ast` with `arguments`.
func ast(_ arguments: String...) throws -> ProcessResult {
  try runProcess(astExecutable, arguments)
}

@Suite("The ast command")
struct CommandTests {
  @Test("--version prints the version")
  func version() throws {
    let result = try ast("--version")
    #expect(result.status == 0)
    #expect(result.text.trimmingCharacters(in: .whitespacesAndNewlines) == ASTVersion.current)
  }

  @Test("--help prints the usage")
  func usage() throws {
    let result = try ast("--help")
    #expect(result.status == 0)
    #expect(result.text.contains("USAGE: ast <subcommand>"))
    #expect(result.text.contains("convert"))
  }

  @Test("an unknown option is a usage error with exit status 2")
  func usageError() throws {
    let result = try ast("--frobnicate")
    #expect(result.status == 2)
    #expect(result.errorText.contains("frobnicate"))
  }

  @Test("convert resamples, remixes and re-encodes; info describes the result")
  func convertAndInfo() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let input = directory.file("in.wav")
    let samples = (0..<44_100).map { 0.5 * sin(2 * Double.pi * 440 * Double($0) / 44_100) }
    try AudioSegment(samples: samples, encoding: .int16).export(to: input)

    let output = directory.file("out.flac")
    let converted = try ast(
      "convert", input, output, "--rate", "48000", "--channels", "2", "--encoding", "s24",
      "--gain", "-6")
    #expect(converted.status == 0, "\(converted.errorText)")
    let segment = try AudioSegment(contentsOfFile: output)
    #expect(segment.sampleRate == 48_000)
    #expect(segment.channelCount == 2)
    #expect(segment.encoding == .int24)
    #expect(segment.frameCount == 48_000)
    #expect(abs(segment.peakDBFS - (-12.04)) < 0.05)

    let info = try ast("info", output)
    #expect(info.status == 0)
    #expect(info.text.contains("flac int24, 48000 Hz, stereo, 48000 frames (1.000 s)"))
  }

  @Test("a missing input is reported with its name and exit status 1, and nothing is written")
  func missingInput() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let result = try ast("convert", directory.file("nope.wav"), directory.file("out.wav"))
    #expect(result.status == 1)
    #expect(
      result.errorText == "ast: error: cannot read '\(directory.file("nope.wav"))': no such file\n")
    #expect(try directory.contents().isEmpty)
  }

  @Test("info of a garbage file fails with a clear message")
  func garbageInfo() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("noise.wav")
    _ = FileManager.default.createFile(
      atPath: path, contents: Data((0..<2_000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }))
    let result = try ast("info", path)
    #expect(result.status == 1)
    #expect(result.errorText.hasPrefix("ast: error: cannot read '\(path)': "))
  }

  @Test("a bad option value is a usage error")
  func badOptionValue() throws {
    let result = try ast("convert", "a.wav", "b.wav", "--encoding", "s12")
    #expect(result.status == 2)
    #expect(result.errorText.contains("s12"))
    let rate = try ast("convert", "a.wav", "b.wav", "--rate", "0")
    #expect(rate.status == 2)
    #expect(rate.errorText.contains("--rate must be a positive number of Hz"))
  }
}

@Suite("ast check")
struct CheckCommandTests {
  @Test("a correct script checks with status 0 and prints nothing")
  func clean() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("ok.ast")
    try "osc = sine 440 1.0\nout = gain osc 0.5 |> chunk 0.5\n".write(
      toFile: path, atomically: true, encoding: .utf8)
    let result = try ast("check", path)
    #expect(result.status == 0)
    #expect(result.text.isEmpty)
    #expect(result.errorText.isEmpty)
  }

  @Test("every error is reported with its place, then a count, with status 1")
  func errors() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("bad.ast")
    try "a = sine 440Hz 1\nout = a |>\nb = (1 +\n".write(
      toFile: path, atomically: true, encoding: .utf8)
    let result = try ast("check", path)
    #expect(result.status == 1)
    #expect(
      result.errorText == """
        \(path):1:13: error: unknown unit 'Hz' after '440'
           1 | a = sine 440Hz 1
             |             ^^
        note: units are lower-case: write '440hz'
        \(path):2:11: error: expected an expression after '|>', found end of line
           2 | out = a |>
             |           ^
        \(path):3:9: error: expected an expression after '+', found end of file
           3 | b = (1 +
             |         ^
        3 errors

        """)
  }

  @Test("--dump prints the tree")
  func dump() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("tree.ast")
    try "out = sine 440 1 |> gain -6db\n".write(toFile: path, atomically: true, encoding: .utf8)
    let result = try ast("check", "--dump", path)
    #expect(result.status == 0)
    #expect(
      result.text == """
        binding out 1:1-1:30
          pipe 1:7-1:30
            call 1:7-1:17
              identifier sine 1:7-1:11
              number 440 1:12-1:15
              number 1 1:16-1:17
            call 1:21-1:30
              identifier gain 1:21-1:25
              number -6db 1:26-1:30

        """)
  }

  @Test("a missing script is an error naming it")
  func missing() throws {
    let result = try ast("check", "/nonexistent/x.ast")
    #expect(result.status == 1)
    #expect(result.errorText == "ast: error: cannot read '/nonexistent/x.ast': no such file\n")
  }
}

@Suite("ast check with the type checker, and ast help")
struct CheckTypesCommandTests {
  @Test("--types prints each binding with its type")
  func types() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("t.ast")
    try """
    rate 48000
    lfo = sine 5hz 2s
    fn voice f = saw f 1 |> lowpass (f * 4)
    out = pan (voice 220) 0.5 |> chunk 500ms
    """.write(toFile: path, atomically: true, encoding: .utf8)
    let result = try ast("check", "--types", path)
    #expect(result.status == 0, "\(result.errorText)")
    #expect(
      result.text == """
        lfo: Audio(48000 Hz, mono)
        fn voice f (checked at each call)
        out: Stream(48000 Hz, stereo)

        """)
  }

  @Test("type errors are reported like syntax errors, all in one run")
  func typeErrors() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("t.ast")
    try "x = sine 1s 440hz\ny = lowpass x 1000 q:0\n".write(
      toFile: path, atomically: true, encoding: .utf8)
    let result = try ast("check", path)
    #expect(result.status == 1)
    #expect(result.errorText.hasSuffix("3 errors\n"))
    #expect(
      result.errorText.contains(
        "\(path):2:22: error: 'q' of 'lowpass' must be greater than 0, got 0"))
  }

  @Test("--diagnostics json prints one object per line")
  func json() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("t.ast")
    try "osc = sine 440 1\nout = osk\n".write(toFile: path, atomically: true, encoding: .utf8)
    let result = try ast("check", "--diagnostics", "json", path)
    #expect(result.status == 1)
    let lines = result.text.split(separator: "\n")
    #expect(lines.count == 1)
    let object = try #require(
      JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
    #expect(object["file"] as? String == path)
    #expect(object["line"] as? Int == 2)
    #expect(object["column"] as? Int == 7)
    #expect(object["endLine"] as? Int == 2)
    #expect(object["endColumn"] as? Int == 10)
    #expect(object["severity"] as? String == "error")
    #expect(object["id"] as? String == "unknown-name")
    #expect(object["message"] as? String == "unknown name 'osk'")
    let notes = try #require(object["notes"] as? [[String: Any]])
    #expect(notes.first?["message"] as? String == "did you mean 'osc'?")
  }

  @Test("help lists the builtins and describes one")
  func help() throws {
    let all = try ast("help")
    #expect(all.status == 0)
    #expect(all.text.contains("  lowpass    RBJ low-pass biquad."))
    let one = try ast("help", "lowpass")
    #expect(one.status == 0)
    #expect(one.text.hasPrefix("lowpass x cutoff q:0.7071\n"))
    let typo = try ast("help", "lowpas")
    #expect(typo.status == 1)
    #expect(typo.errorText == "ast: error: no builtin named 'lowpas'; did you mean 'lowpass'?\n")
    let command = try ast("help", "convert")
    #expect(command.text.contains("USAGE: ast convert"))
  }
}

@Suite("ast run")
struct RunCommandTests {
  func script(_ text: String, in directory: TemporaryDirectory, name: String = "s.ast") throws
    -> String
  {
    let path = directory.file(name)
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test("without -o it prints the summary of out")
  func summary() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = try script("osc = sine 440 1.0\nout = gain osc 0.5 |> chunk 0.5\n", in: directory)
    let result = try ast("run", path)
    #expect(result.status == 0, "\(result.errorText)")
    #expect(
      result.text
        == "Stream(44100 Hz, mono) 2 chunks of 0.500 s, 1.000 s, peak -6.02 dBFS, RMS -9.03 dBFS\n")
  }

  @Test("-o writes out, with --rate as the default rate; SoX reads it")
  func output() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = try script("out = sine 440 2 |> lowpass 1000 |> gain -6db\n", in: directory)
    let result = try ast("run", path, "-o", directory.file("out.flac"), "--rate", "48000")
    #expect(result.status == 0, "\(result.errorText)")
    let segment = try AudioSegment(contentsOfFile: directory.file("out.flac"))
    #expect(segment.sampleRate == 48_000)
    #expect(segment.frameCount == 96_000)
    // -6 dB, less the low-pass filter's small loss at 440 Hz.
    #expect(abs(segment.peakDBFS - -6.02) < 0.3)
  }

  @Test("-o - writes WAV to standard output")
  func standardOutput() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = try script("out = sine 440 0.5 rate:8000\n", in: directory)
    let result = try ast("run", path, "-o", "-")
    #expect(result.status == 0)
    #expect(result.output.prefix(4) == Data("RIFF".utf8))
    #expect(result.output.count == 44 + 4_000 * 2)
  }

  @Test("print, write and side-effecting statements run in order")
  func effects() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = try script(
      """
      x = sine 440 1 rate:8000
      print (duration x)
      print x
      tone = x |> gain 0.5 |> write "tone.wav"
      print "done"
      """, in: directory)
    let result = try ast("run", path)
    #expect(result.status == 0, "\(result.errorText)")
    #expect(
      result.text == "1 s\nAudio(8000 Hz, mono) 1.000 s, peak 0.00 dBFS, RMS -3.01 dBFS\ndone\n")
    #expect(FileManager.default.fileExists(atPath: directory.file("tone.wav")) == false)
  }

  @Test("clipping when writing 16-bit is a warning at the statement, with a count")
  func clippingWarning() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = try script(
      "x = sine 440 1 rate:8000\nwrite (gain x 2) \"loud.wav\"\n", in: directory)
    let result = try ast("run", path)
    #expect(result.status == 0)
    #expect(result.errorText.hasPrefix("\(path):2:1: warning: "))
    #expect(result.errorText.contains("samples clipped when writing '"))
  }

  @Test("a script with errors does not run; a runtime error names its statement")
  func errors() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let bad = try script("out = sine 1s 440\n", in: directory, name: "bad.ast")
    let checked = try ast("run", bad)
    #expect(checked.status == 1)
    #expect(checked.errorText.contains("error: 'freq' of 'sine' takes a frequency"))
    // /proc exists but takes no new files: the failure comes while running.
    let full = try script(
      "write (sine 440 1) \"/proc/ast-test.wav\"\n", in: directory, name: "full.ast")
    let failed = try ast("run", full)
    #expect(failed.status == 1)
    #expect(failed.errorText.hasPrefix("\(full):1:1: error: cannot write '/proc/ast-test.wav'"))
    let noOut = try script("x = 1\n", in: directory, name: "noout.ast")
    let missing = try ast("run", noOut, "-o", directory.file("x.wav"))
    #expect(missing.status == 2)
    #expect(
      missing.errorText
        == "ast: error: -o '\(directory.file("x.wav"))': '\(noOut)' binds no 'out' to write\n")
  }

  @Test("a failing publisher stops the run: its error is reported and out is not written")
  func failingPublisher() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = try script(
      """
      rate 8000
      publish "a" (write (chunk (sine 100 1) 0.01) "/proc/ast-test.wav")
      out = join (subscribe "a")
      """, in: directory)
    let result = try ast("run", path, "-o", directory.file("out.wav"))
    #expect(result.status == 1)
    #expect(result.errorText.hasPrefix("\(path):2:1: error: cannot write '/proc/ast-test.wav'"))
    #expect(FileManager.default.fileExists(atPath: directory.file("out.wav")) == false)
  }

  @Test("memory stays flat: ten minutes through a five-node pipe costs no more than ten seconds")
  func constantMemory() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    func measure(_ seconds: Int) throws -> Int {
      let path = try script(
        """
        lfo = sine 0.5 \(seconds) rate:16000
        out = saw (220 + 30 * lfo) \(seconds) rate:16000
          |> lowpass 1200 q:1.2
          |> delay 120ms feedback:0.3
          |> compress
          |> gain -6db
        """, in: directory, name: "m\(seconds).ast")
      let result = try runMeasuringMemory(
        astExecutable, ["run", path, "-o", directory.file("m\(seconds).wav")])
      #expect(result.status == 0)
      return result.peakKilobytes
    }
    let short = try measure(10)
    let long = try measure(600)
    // A render that held its signal would need 600 s * 16000 * 4 bytes = 38 MB more.
    #expect(long - short < 32 * 1024, "10 s: \(short) KB, 600 s: \(long) KB")
  }
}

@Suite("ast without arguments: the session")
struct ReplCommandTests {
  /// Runs `ast` with `input` on standard input.
  func session(_ input: String) throws -> ProcessResult {
    try runProcess(astExecutable, [], input: Data(input.utf8))
  }

  @Test("from a pipe: no prompt, one result per statement, multi-line input, errors go on")
  func piped() throws {
    let result = try session(
      "sine 440 1\nx = mix [sine 440 1 rate:8000,\n  silence 1 rate:8000]\n|> gain 0.5\ny = osk\n2 * 3\n"
    )
    #expect(result.status == 1)
    #expect(
      result.text == """
        Audio(44100 Hz, mono) 1.000 s, peak 0.00 dBFS, RMS -3.01 dBFS
        x: Audio(8000 Hz, mono) 1.000 s, peak 0.00 dBFS, RMS -3.01 dBFS
        Audio(8000 Hz, mono) 1.000 s, peak -6.02 dBFS, RMS -9.03 dBFS
        <repl>:5:5: error: unknown name 'osk'
           5 | y = osk
             |     ^^^
        6

        """)
  }

  @Test("a clean piped session exits with status 0")
  func clean() throws {
    let result = try session("sine 440 1\n:quit\nsine 1 1\n")
    #expect(result.status == 0)
    #expect(result.text == "Audio(44100 Hz, mono) 1.000 s, peak 0.00 dBFS, RMS -3.01 dBFS\n")
  }
}

@Suite("ast on a terminal")
struct TerminalSessionTests {
  @Test(
    "prompt, a result, a completion, an error that does not end the session, history, Ctrl-C, Ctrl-D"
  )
  func interactive() throws {
    let home = try TemporaryDirectory()
    defer { home.cleanUp() }
    let terminal = try PseudoTerminal(astExecutable, [], environment: ["HOME": home.path])
    #expect(terminal.waitFor("ast> "))
    terminal.type("osc = sine 440 1 rate:8000\r")
    #expect(terminal.waitFor("osc: Audio(8000 Hz, mono) 1.000 s, peak 0.00 dBFS, RMS -3.01 dBFS"))
    // Tab completes a builtin's name: 'lowp' + Tab + ' osc 800' runs a low-pass.
    var mark = terminal.screen.count
    terminal.type("lowp\t")
    usleep(300_000)
    terminal.type(" osc 800\r")
    #expect(terminal.waitFor("Audio(8000 Hz, mono) 1.000 s", after: mark))
    #expect(!terminal.screen.dropFirst(mark).contains("unknown name"))
    // An error is shown and the session goes on.
    mark = terminal.screen.count
    terminal.type("y = osk\r")
    #expect(terminal.waitFor("<repl>:", after: mark))
    #expect(terminal.waitFor("unknown name 'osk'", after: mark))
    #expect(terminal.waitFor("ast> ", after: mark))
    // Up-arrow recalls the last line.
    mark = terminal.screen.count
    terminal.type("\u{1B}[A")
    #expect(terminal.waitFor("y = osk", after: mark))
    terminal.type("\u{3}")
    #expect(terminal.waitFor("ast> ", after: mark))
    // Ctrl-C during a long render cancels it and returns to the prompt.
    mark = terminal.screen.count
    terminal.type("sine 440 100000 rate:48000 |> lowpass 1000\r")
    usleep(500_000)
    terminal.type("\u{3}")
    #expect(terminal.waitFor("interrupted", after: mark, seconds: 20))
    #expect(terminal.waitFor("ast> ", after: mark))
    // The session still works, then Ctrl-D leaves with status 0.
    mark = terminal.screen.count
    terminal.type("2 * 21\r")
    #expect(terminal.waitFor("42", after: mark))
    terminal.type("\u{4}")
    #expect(terminal.waitForExit() == 0)

    // History is kept across sessions: the next session recalls the last line.
    let next = try PseudoTerminal(astExecutable, [], environment: ["HOME": home.path])
    #expect(next.waitFor("ast> "))
    mark = next.screen.count
    next.type("\u{1B}[A")
    #expect(next.waitFor("2 * 21", after: mark))
    // Ctrl-C flushes pending input, so Ctrl-D waits for the fresh prompt.
    mark = next.screen.count
    next.type("\u{3}")
    #expect(next.waitFor("ast> ", after: mark))
    // The prompt may show before libedit has put the terminal back in raw mode, and a
    // Ctrl-D typed in that moment was once lost: wait as a person would.
    usleep(200_000)
    next.type("\u{4}")
    #expect(next.waitForExit() == 0)
  }
}

@Suite("ast test")
struct GoldenCommandTests {
  @Test("passes a pinned script, fails a changed one with a diff, and counts")
  func command() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let script = directory.file("tone.ast")
    try "out = sine 440 0.1 rate:8000\n".write(toFile: script, atomically: true, encoding: .utf8)
    let missing = try ast("test", directory.path)
    #expect(missing.status == 1)
    #expect(missing.text.contains("no golden file"))
    let recorded = try ast("test", "--update", directory.path)
    #expect(recorded.status == 0)
    #expect(recorded.text.hasSuffix("1 passed, 0 failed\n"))
    #expect(try ast("test", script).text == "PASS \(script)\n1 passed, 0 failed\n")
    try "out = sine 440 0.2 rate:8000\n".write(toFile: script, atomically: true, encoding: .utf8)
    let changed = try ast("test", directory.path)
    #expect(changed.status == 1)
    #expect(changed.text.contains("FAIL \(script)"))
    #expect(changed.text.contains("- out: 800 frames"))
    #expect(changed.text.contains("+ out: 1600 frames"))
    #expect(changed.text.hasSuffix("0 passed, 1 failed\n"))
  }
}

@Suite("ast run --tempo")
struct TempoOptionTests {
  @Test("--tempo replaces the script's tempo for beats, bars and patterns")
  func tempo() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let script = directory.file("beat.ast")
    try "tempo 96\nfn ping freq dur = sine freq dur\nout = voices (seq \"c4 e4\" cycles:2) ping\n"
      .write(toFile: script, atomically: true, encoding: .utf8)
    let own = try ast("run", script)
    #expect(own.status == 0)
    // Two bars at 96 bpm: 5 s.
    #expect(own.text.contains("5.000 s"), "\(own.text)")
    let faster = try ast("run", script, "--tempo", "120")
    #expect(faster.status == 0)
    #expect(faster.text.contains("4.000 s"), "\(faster.text)")
    let wrong = try ast("run", script, "--tempo", "0")
    #expect(wrong.status == 2)
    #expect(wrong.errorText.contains("--tempo must be between 1 and 1000"))
  }
}
