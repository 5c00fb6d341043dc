import ASTCore
import ArgumentParser
import Foundation

/// The `ast` command: audio streams and scripts from the terminal.
@main
struct ASTCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ast",
    abstract: "Streaming audio processing: AudioStream values, audio files and effects.",
    version: ASTVersion.current,
    subcommands: [Info.self, Convert.self]
  )
}

/// Writes `ast: error: MESSAGE` to standard error and fails with exit status 1.
func fail(_ error: any Error) -> ExitCode {
  var standardError = StandardError()
  print("ast: error: \(error)", to: &standardError)
  return ExitCode(1)
}

struct StandardError: TextOutputStream {
  mutating func write(_ string: String) {
    FileHandle.standardError.write(Data(string.utf8))
  }
}

/// Formats a level in dBFS with two decimals, or `-inf`.
func formatDecibels(_ value: Double) -> String {
  value.isFinite ? String(format: "%.2f", value) : "-inf"
}
