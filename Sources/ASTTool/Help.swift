import ASTRuntime
import ASTSemantics
import ASTSyntax
import ArgumentParser

/// `ast help [NAME]`: the builtin reference.
struct Help: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "builtins",
    abstract: "Show the builtin reference: all builtins, or one builtin's parameters.",
    aliases: ["help"])

  @Argument(
    help: "A builtin (or a command) to describe.",
    completion: .list(
      BuiltinRegistry.all.map(\.name) + ["run", "check", "test", "info", "convert"]))
  var name: String?

  @Flag(help: "Print the whole reference as Markdown (docs/builtins.md).")
  var markdown = false

  func run() throws {
    if markdown {
      print(BuiltinReference.markdown(), terminator: "")
      return
    }
    guard let name else {
      print(BuiltinReference.overview(), terminator: "")
      return
    }
    let commands: [String: any ParsableCommand.Type] = [
      "run": Run.self, "check": Check.self, "test": Test.self, "info": Info.self,
      "convert": Convert.self, "repl": Repl.self, "fmt": Format.self,
    ]
    if BuiltinRegistry.builtin(named: name) == nil, let command = commands[name] {
      print(ASTCommand.helpMessage(for: command))
      return
    }
    guard let builtin = BuiltinRegistry.builtin(named: name) else {
      var message = "ast: error: no builtin named '\(name)'"
      if let suggestion = BuiltinRegistry.suggestion(for: name) {
        message += "; did you mean '\(suggestion)'?"
      }
      var standardError = StandardError()
      print(message, to: &standardError)
      throw ExitCode(ExitStatus.failure)
    }
    print(BuiltinReference.help(for: builtin), terminator: "")
  }
}
