import ASTLanguage
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
      "--help", "run --help", "check --help", "test --help", "info --help", "convert --help",
      "help",
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
