import ASTCore
import ASTRuntime
import ASTSemantics
import ASTSyntax
import ArgumentParser
import CInterrupt
import Foundation

/// The `ast` command: audio streams and scripts from the terminal.
@main
struct ASTCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ast",
    abstract: "Streaming audio processing: AudioStream values, audio files and effects.",
    version: ASTVersion.current,
    subcommands: [
      Repl.self, Run.self, Play.self, Devices.self, Check.self, Test.self, Format.self, Help.self,
      Info.self, Convert.self, Rehearse.self,
    ],
    defaultSubcommand: Repl.self
  )

  /// Runs the command (awaiting those that run scripts); usage errors exit with
  /// status 2, other failures with 1.
  static func main() async {
    // From the first moment: a terminating signal removes the temporary files of the
    // writers, whatever the command is doing.
    TemporaryFiles.installSignalHandlers()
    do {
      var command = try parseAsRoot()
      if var command = command as? any AsyncParsableCommand {
        try await command.run()
      } else {
        try command.run()
      }
      // What was printed must have reached standard output: a full disk or a closed
      // file there is a failure, not a success with nothing written.
      let failure = ast_flush_standard_output()
      if failure != 0 {
        var standardError = StandardError()
        let reason = String(cString: strerror(failure))
        print(
          "ast: error: cannot write standard output: \(reason.lowercased())", to: &standardError)
        Foundation.exit(ExitStatus.failure)
      }
    } catch {
      if exitCode(for: error) == .validationFailure {
        var standardError = StandardError()
        var message = fullMessage(for: error)
        if message.hasPrefix("Error: ") { message = "ast: error: " + message.dropFirst(7) }
        print(message, to: &standardError)
        Foundation.exit(ExitStatus.usage)
      }
      exit(withError: error)
    }
  }
}

/// The exit statuses of `ast`.
enum ExitStatus {
  /// A script, file or runtime error.
  static let failure: Int32 = 1
  /// The command line was wrong.
  static let usage: Int32 = 2
  /// The reader of standard output went away (128 + SIGPIPE, as a shell reports it).
  static let brokenPipe: Int32 = 141
}

/// The script at `path`, or the failure that names it, as an exit.
func loadScript(_ path: String) throws -> Source {
  do {
    return try Source(contentsOfFile: path)
  } catch {
    throw fail(error)
  }
}

/// Writes `ast: error: MESSAGE` to standard error and fails with exit status 1.
func fail(_ error: any Error) -> ExitCode {
  var standardError = StandardError()
  print("ast: error: \(error)", to: &standardError)
  return ExitCode(ExitStatus.failure)
}

struct StandardError: TextOutputStream {
  mutating func write(_ string: String) {
    FileHandle.standardError.write(Data(string.utf8))
  }
}
