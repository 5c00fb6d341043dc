import ASTCore
import ASTSemantics
import ASTSyntax
import Foundation

/// An `.ast` script for Swift code: checked, run, and its `out` rendered or written.
///
/// ```swift
/// let script = try ScriptRunner(path: "song.ast")
/// let audio = try await script.render()          // `out`'s samples, per channel
/// try await script.write(to: "song.wav")         // or `out` written to a file
/// ```
///
/// A script with errors throws ``ScriptError`` with every diagnostic, rendered the way
/// `ast check` shows them. Relative paths in the script are taken against the script's
/// own directory.
public struct ScriptRunner: Sendable {
  /// The script's text.
  public let source: Source
  /// The directory relative paths in the script are taken against.
  public let baseDirectory: String?

  /// Loads the script at `path`.
  ///
  /// - Throws: ``ScriptError`` when it cannot be read.
  public init(path: String) throws {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ScriptError(message: "cannot read '\(path)'", diagnostics: [])
    }
    source = Source(name: path, bytes: [UInt8](data))
    let directory = (path as NSString).deletingLastPathComponent
    baseDirectory = directory.isEmpty ? nil : directory
  }

  /// A script given as text; relative paths are taken against `baseDirectory` (the
  /// current directory when `nil`).
  public init(text: String, name: String = "script.ast", baseDirectory: String? = nil) {
    source = Source(name: name, text: text)
    self.baseDirectory = baseDirectory
  }

  /// Checks the script; returns its warnings.
  ///
  /// - Throws: ``ScriptError`` when it has errors.
  @discardableResult
  public func check(sampleRate: Int = 44_100) throws -> [Diagnostic] {
    try checked(sampleRate: sampleRate).diagnostics
  }

  /// Runs the script and returns the samples of `out` (a stream is joined).
  ///
  /// - Parameter sampleRate: the rate of generators before any `rate` statement.
  /// - Throws: ``ScriptError`` for an error in the script or while running it.
  public func render(sampleRate: Int = 44_100) async throws -> RenderedAudio {
    let check = try checked(sampleRate: sampleRate)
    guard check.script.bindings.contains(where: { $0.name == "out" }) else {
      throw ScriptError(message: "'\(source.name)' binds no 'out' to render", diagnostics: [])
    }
    var options = RunOptions(baseDirectory: baseDirectory, output: SilentOutput())
    options.keepsOut = true
    let report = try await run(check, options)
    guard let audio = report.outAudio else {
      throw ScriptError(message: "'out' of '\(source.name)' is not audio", diagnostics: [])
    }
    return audio
  }

  /// Runs the script and writes `out` to `path` (the format from its extension).
  ///
  /// - Throws: ``ScriptError`` for an error in the script or while running it.
  public func write(to path: String, sampleRate: Int = 44_100) async throws {
    let check = try checked(sampleRate: sampleRate)
    let options = RunOptions(
      baseDirectory: baseDirectory, output: SilentOutput(), out: .file(path, EncoderSettings()))
    _ = try await run(check, options)
  }

  private func checked(sampleRate: Int) throws -> CheckResult {
    let check = Checker.check(
      source,
      options: CheckOptions(baseDirectory: baseDirectory, defaultSampleRate: sampleRate))
    if check.diagnostics.containsErrors {
      throw ScriptError(
        message: DiagnosticRenderer(source: source).render(check.diagnostics),
        diagnostics: check.diagnostics)
    }
    return check
  }

  private func run(_ check: CheckResult, _ options: RunOptions) async throws -> RunReport {
    do {
      return try await Evaluator(check: check, options: options).run()
    } catch let error as RuntimeError {
      throw ScriptError(
        message: DiagnosticRenderer(source: source).render(error.diagnostic),
        diagnostics: [error.diagnostic])
    } catch let error as OutputError {
      throw ScriptError(message: error.description, diagnostics: [])
    }
  }
}

/// A script that could not be read, checked or run: its diagnostics, and all of them
/// rendered as text (file, line, column, the source line and a caret).
public struct ScriptError: Error, CustomStringConvertible, Sendable {
  /// The rendered diagnostics, or a sentence when there are none.
  public let message: String
  /// The diagnostics.
  public let diagnostics: [Diagnostic]

  /// The message.
  public var description: String { message }
}

/// Output that is dropped: `print` lines of a script run from Swift.
package struct SilentOutput: RunOutput {
  /// Output that drops everything.
  package init() {}

  /// Drops the line.
  package func line(_ text: String) {}
}
