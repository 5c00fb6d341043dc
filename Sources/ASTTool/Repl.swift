import ASTCore
import ASTEngine
import ASTLanguage
import ArgumentParser
import Dispatch
import Foundation
import Synchronization

/// `ast` alone: the interactive session.
struct Repl: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "repl",
    abstract: "Start an interactive session (what 'ast' alone does).",
    discussion: """
      On a terminal: line editing, history in ~/.ast_history, Tab completion, results \
      with a sparkline. ':help' lists the commands. From a pipe, statements are read \
      from standard input and their results printed, without a prompt.
      """)

  func run() throws {
    let interactive = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
    let session = Session(usesColor: interactive, showsSparklines: interactive)
    var failed = false
    if interactive {
      runInteractive(session)
    } else {
      failed = runPiped(session)
    }
    if failed { throw ExitCode(ExitStatus.failure) }
  }

  /// Submits an input, cancelling its render on Ctrl-C; waits for the reply.
  private func submit(_ input: String, to session: Session, watchInterrupts: Bool) -> Session.Reply
  {
    let token = CancellationToken()
    let box = ReplyBox()
    let done = DispatchSemaphore(value: 0)
    let finished = Mutex(false)
    if watchInterrupts {
      _ = LineEditor.takeInterrupt()
      Thread.detachNewThread {
        while !finished.withLock({ $0 }) {
          if LineEditor.takeInterrupt() { token.cancel() }
          usleep(20_000)
        }
      }
    }
    Task {
      box.reply = await session.submit(input, cancellation: token)
      done.signal()
    }
    done.wait()
    finished.withLock { $0 = true }
    return box.reply ?? Session.Reply(lines: [])
  }

  private func runInteractive(_ session: Session) {
    let home = ProcessInfo.processInfo.environment["HOME"]
    let historyPath = home.map { $0 + "/.ast_history" }
    guard let editor = LineEditor(historyPath: historyPath, complete: session.completions)
    else {
      _ = runPiped(session)
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
        return
      case .interrupted:
        pending = ""
        print("")
        continue
      case .line(let line):
        pending += pending.isEmpty ? line : "\n" + line
        if Session.needsMoreInput(pending) { continue }
        let input = pending
        pending = ""
        guard !input.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
        editor.remember(input)
        let reply = submit(input, to: session, watchInterrupts: true)
        for line in reply.lines { print(line) }
        if reply.quits { return }
      }
    }
  }

  /// Reads statements from standard input; returns whether any failed.
  private func runPiped(_ session: Session) -> Bool {
    var failed = false
    var pending = ""
    while let line = readLine(strippingNewline: true) {
      pending += pending.isEmpty ? line : "\n" + line
      if Session.needsMoreInput(pending) { continue }
      let input = pending
      pending = ""
      let reply = submit(input, to: session, watchInterrupts: false)
      for line in reply.lines { print(line) }
      failed = failed || reply.failed
      if reply.quits { return failed }
    }
    if !pending.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
      let reply = submit(pending, to: session, watchInterrupts: false)
      for line in reply.lines { print(line) }
      failed = failed || reply.failed
    }
    return failed
  }
}

/// The reply handed from the session's task to the waiting loop.
final class ReplyBox: @unchecked Sendable {
  var reply: Session.Reply?
}
