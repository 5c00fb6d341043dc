import ASTCore
import ASTEngine
import ASTRuntime
import ASTSemantics
import ASTSyntax
import ArgumentParser
import CInterrupt
import Dispatch
import Foundation

/// `ast` alone: the interactive session.
struct Repl: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "repl",
    abstract: "Start an interactive session (what 'ast' alone does).",
    discussion: """
      On a terminal: line editing, history in ~/.ast_history, Tab completion, results \
      with a sparkline. ':help' lists the commands. From a pipe, statements are read \
      from standard input and their results printed, without a prompt.
      """)

  // On the main actor: reading the terminal (libedit, readLine) blocks the main thread,
  // never a thread of the concurrency pool, while each statement runs in the pool.
  @MainActor
  func run() async throws {
    let interactive = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
    let session = Session(usesColor: interactive, showsSparklines: interactive)
    var failed = false
    if interactive {
      await runInteractive(session)
    } else {
      failed = await runPiped(session)
    }
    if failed { throw ExitCode(ExitStatus.failure) }
  }

  /// Submits an input, cancelling its render on Ctrl-C, and returns the reply.
  @MainActor
  private func submit(_ input: String, to session: Session, watchInterrupts: Bool) async
    -> Session.Reply
  {
    let token = CancellationToken()
    let watch = watchInterrupts ? InterruptWatch(cancelling: token) : nil
    defer { watch?.stop() }
    return await session.submit(input, cancellation: token)
  }

  @MainActor
  private func runInteractive(_ session: Session) async {
    let home = ProcessInfo.processInfo.environment["HOME"]
    let historyPath = home.map { $0 + "/.ast_history" }
    guard let editor = LineEditor(historyPath: historyPath, complete: session.completions)
    else {
      _ = await runPiped(session)
      return
    }
    print(
      "ast \(ASTVersion.current): type a statement; ':help' (with the colon) lists the "
        + "commands; Ctrl-D leaves")
    var pending = ""
    while true {
      switch editor.read(prompt: pending.isEmpty ? "ast> " : "...> ") {
      case .end:
        print("")
        // Leaving fades out what plays.
        if let played = await session.stopPlaying() { print(played) }
        return
      case .interrupted:
        pending = ""
        print("")
        // Ctrl-C at the prompt stops what plays, with its fade-out.
        if session.isPlaying, let played = await session.stopPlaying() { print(played) }
        continue
      case .line(let line):
        pending += pending.isEmpty ? line : "\n" + line
        if Session.needsMoreInput(pending) { continue }
        let input = pending
        pending = ""
        guard !input.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
        editor.remember(input)
        let reply = await submit(input, to: session, watchInterrupts: true)
        for line in reply.lines { print(line) }
        if reply.quits {
          if let played = await session.stopPlaying() { print(played) }
          return
        }
      }
    }
  }

  /// Reads statements from standard input; returns whether any failed.
  @MainActor
  private func runPiped(_ session: Session) async -> Bool {
    var failed = false
    var pending = ""
    while let line = readLine(strippingNewline: true) {
      pending += pending.isEmpty ? line : "\n" + line
      if Session.needsMoreInput(pending) { continue }
      let input = pending
      pending = ""
      let reply = await submit(input, to: session, watchInterrupts: false)
      for line in reply.lines { print(line) }
      // Each reply reaches the reader as it is made: a program driving the session
      // through a pipe sees "playing ..." while it plays, not at the end.
      _ = ast_flush_standard_output()
      failed = failed || reply.failed
      if reply.quits { break }
    }
    if !pending.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
      let reply = await submit(pending, to: session, watchInterrupts: false)
      for line in reply.lines { print(line) }
      failed = failed || reply.failed
    }
    // Piped input ends; what it started playing plays to its end.
    if let played = await session.finishPlaying() { print(played) }
    return failed
  }
}

/// Ctrl-C while a statement runs: cancels its token.
///
/// At the prompt libedit reads Ctrl-C as a key; while a statement runs the terminal
/// raises SIGINT, whose handler (in `CInterrupt`) records it and writes a byte to a
/// wake-up pipe. A read source on that pipe wakes this watch, which takes the record and
/// cancels the token: nothing polls.
final class InterruptWatch {
  private let source: (any DispatchSourceRead)?

  /// Starts watching, forgetting any Ctrl-C from before. (Without the handler's pipe,
  /// which the line editor sets up, there is nothing to watch.)
  init(cancelling token: CancellationToken) {
    ast_drain_interrupt_wakes()
    _ = LineEditor.takeInterrupt()
    let descriptor = ast_interrupt_wake_descriptor()
    guard descriptor >= 0 else {
      source = nil
      return
    }
    let source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: .global())
    source.setEventHandler {
      ast_drain_interrupt_wakes()
      if LineEditor.takeInterrupt() { token.cancel() }
    }
    source.resume()
    self.source = source
  }

  /// Stops watching.
  func stop() {
    source?.cancel()
  }
}
