import ASTRuntime
import ASTSemantics
import ASTSyntax
import ASTTestSupport
import Foundation
import Testing

@Suite("Shell integration")
struct ShellTests {
  @Test("completion scripts for bash, zsh and fish name the commands, options and builtins")
  func completionScripts() throws {
    for shell in ["bash", "zsh", "fish"] {
      let result = try ast("--generate-completion-script", shell)
      #expect(result.status == 0, "\(shell): \(result.errorText)")
      for word in ["run", "convert", "sandbox", "memory-limit", "lowpass", "ast"] {
        #expect(result.text.contains(word), "\(shell) script lacks '\(word)'")
      }
    }
    // The bash script is valid bash.
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("ast.bash")
    try ast("--generate-completion-script", "bash").output.write(to: URL(fileURLWithPath: path))
    let syntax = try runProcess("/bin/bash", ["-n", path])
    #expect(syntax.status == 0, "\(syntax.errorText)")
  }

  @Test("every help text fits an 80-column terminal")
  func eightyColumns() throws {
    var commands = [
      "--help", "run --help", "play --help", "devices --help", "check --help", "test --help",
      "info --help", "convert --help", "help",
    ]
    commands += BuiltinRegistry.all.map { "help \($0.name)" }
    for command in commands {
      let result = try runProcess(
        "/bin/bash", ["-c", "COLUMNS=80 '\(astExecutable)' \(command)"])
      #expect(result.status == 0, "\(command): \(result.errorText)")
      for line in result.text.split(separator: "\n") where line.count > 80 {
        Issue.record("'ast \(command)' has a line of \(line.count) columns: \(line)")
      }
    }
  }
}

@Suite("A session fed through a pipe")
struct PipedSessionTests {
  @Test("each reply reaches the reader as it is made, while the input is still open")
  func repliesFlow() throws {
    let (process, input, descriptor) = try pipedAst([])
    input.write(Data("6 * 7\n".utf8))
    let reply = readBytes(descriptor, count: 3, seconds: 5)
    try input.close()
    #expect(waitForExit(process) == 0)
    #expect(String(decoding: reply, as: UTF8.self) == "42\n", "no reply while the input was open")
  }
}

@Suite("ast fmt")
struct FormatCommandTests {
  @Test("rewrites scripts in place, --check lists what would change, broken ones are left")
  func command() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let messy = directory.file("messy.ast")
    let tidy = directory.file("tidy.ast")
    let broken = directory.file("broken.ast")
    try "x=sine 440  1 # a\nout = x |>  gain 2\n".write(
      toFile: messy, atomically: true, encoding: .utf8)
    try "out = sine 440 1\n".write(toFile: tidy, atomically: true, encoding: .utf8)
    try "out = (sine 440 1\n".write(toFile: broken, atomically: true, encoding: .utf8)

    let checked = try ast("fmt", "--check", messy, tidy)
    #expect(checked.status == 1)
    #expect(checked.text == "would reformat \(messy)\n")
    #expect(
      try String(contentsOfFile: messy, encoding: .utf8)
        == "x=sine 440  1 # a\nout = x |>  gain 2\n")

    let formatted = try ast("fmt", messy, tidy)
    #expect(formatted.status == 0, "\(formatted.errorText)")
    #expect(formatted.text == "formatted \(messy)\n")
    #expect(
      try String(contentsOfFile: messy, encoding: .utf8)
        == "x = sine 440 1  # a\nout = x |> gain 2\n")
    #expect(try ast("fmt", "--check", messy, tidy).status == 0)

    let refused = try ast("fmt", broken)
    #expect(refused.status == 1)
    #expect(refused.errorText.contains("'\(broken)' does not parse, so it was not formatted"))
    #expect(try String(contentsOfFile: broken, encoding: .utf8) == "out = (sine 440 1\n")
  }

  @Test("keeps bytes that are not UTF-8, writes through a link, keeps the permissions")
  func bytesAndLinks() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let real = directory.file("real.ast")
    // Latin-1 in a string and a comment; a lone continuation byte; a cut sequence.
    let before: [UInt8] =
      Array("x  =  read \"caf".utf8) + [0xE9] + Array(".wav\" # ".utf8) + [0xFF, 0x80]
      + Array(" end\nout=x  # ".utf8) + [0xE2, 0x82] + Array("\n".utf8)
    try Data(before).write(to: URL(fileURLWithPath: real))
    #expect(chmod(real, 0o640) == 0)
    #expect(symlink("real.ast", directory.file("link.ast")) == 0)
    let result = try ast("fmt", directory.file("link.ast"))
    #expect(result.status == 0, "\(result.errorText)")
    let after: [UInt8] =
      Array("x = read \"caf".utf8) + [0xE9] + Array(".wav\"  # ".utf8) + [0xFF, 0x80]
      + Array(" end\nout = x  # ".utf8) + [0xE2, 0x82] + Array("\n".utf8)
    #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: real))) == after)
    var facts = stat()
    #expect(lstat(directory.file("link.ast"), &facts) == 0 && facts.st_mode & S_IFMT == S_IFLNK)
    #expect(stat(real, &facts) == 0 && facts.st_mode & 0o777 == 0o640)
    #expect(try directory.contents().sorted() == ["link.ast", "real.ast"])
  }

  @Test("leaves alone a file with stray bytes and the characters that would carry them")
  func strayBytesBesideTheirCarriers() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("both.ast")
    // U+F7E9 in a comment, and a stray 0xE9 in a string.
    let bytes: [UInt8] =
      Array("x  =  read \"caf".utf8) + [0xE9] + Array(".wav\"  # \u{F7E9}\nout=x\n".utf8)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let result = try ast("fmt", path)
    #expect(result.status == 1)
    #expect(
      result.errorText.contains("'\(path)' holds bytes that are not UTF-8 and also characters"),
      "\(result.errorText)")
    #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == bytes)
  }
}

@Suite("Pictures from the command line")
struct PictureCommandTests {
  /// The width and height in a PNG file's header.
  func pngSize(_ path: String) throws -> (Int, Int) {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    #expect(Array(bytes.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
    func word(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
    return (word(16), word(20))
  }

  @Test("spectrogram and --plot write PNG pictures of the expected size")
  func pictures() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let script = directory.file("tone.ast")
    try "out = stereo (sine 1khz 1 rate:8000) (sine 2khz 1 rate:8000) |> spectrogram \"s.png\"\n"
      .write(toFile: script, atomically: true, encoding: .utf8)
    let result = try bash(
      "cd '\(directory.path)' && '\(astExecutable)' run tone.ast --plot wave.png -o out.wav")
    #expect(result.status == 0, "\(result.errorText)")
    // A lane of 400 rows per channel, 6 rows between them, then a 16-pixel time axis.
    #expect(try pngSize(directory.file("s.png")) == (1200, 822))
    // One 200-pixel lane per channel, and the axis.
    #expect(try pngSize(directory.file("wave.png")) == (1200, 416))
  }
}
