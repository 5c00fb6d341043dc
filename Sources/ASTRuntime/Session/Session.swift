import ASTCore
import ASTEngine
import ASTSemantics
import ASTSyntax
import Foundation

/// An interactive session: statements are checked and run one input at a time against
/// the bindings made so far. A statement that fails changes nothing.
///
/// A session is driven by one caller at a time: it may be handed to the task that runs
/// an input, but two inputs must not run at once.
///
/// The session keeps what the checker knows after the accepted inputs (a
/// ``CheckedEnvironment``): each input alone is lexed, parsed and checked against it
/// (names may be bound again), and only its statements run. An expression statement's
/// value becomes `_`, and an input that starts with `|>` continues it: `|> lowpass 800`
/// means `_ = _ |> lowpass 800`. Completion and `:vars` read the environment; they check
/// nothing.
///
/// Each input is a ``Source`` of its own that continues the one before, so a diagnostic
/// shows the input's own text, numbered as the lines of the whole session, and a note
/// about an earlier input (where a function is defined) shows that input.
public final class Session: @unchecked Sendable {
  /// What an input produced: lines to show, and whether the session should end.
  public struct Reply: Sendable, Equatable {
    /// Lines for the user: results, or rendered diagnostics.
    public var lines: [String]
    /// Whether the input asked to quit.
    public var quits = false
    /// Whether the input failed (a diagnostic or an error).
    public var failed = false

    /// Creates a reply.
    public init(lines: [String], quits: Bool = false, failed: Bool = false) {
      self.lines = lines
      self.quits = quits
      self.failed = failed
    }
  }

  /// The display name of session input in diagnostics.
  public static let sourceName = "<repl>"

  /// An accepted input.
  private struct Entry {
    /// The input, placed after the entry before (see ``Source/init(name:text:after:)``).
    let source: Source
    /// Its statements as the session keeps them, for `:save`: the value kept as `_`
    /// bound to it (see ``SessionInputCheck/statements``).
    let statements: [Statement]
  }

  private var entries: [Entry] = []
  /// What the checker knows after the accepted inputs.
  var environment = CheckedEnvironment()
  var recipes: [String: TypedExpr] = [:]
  /// What plays in the background (`:play`), if anything.
  var playback: SessionPlayback?
  /// The ALSA device `:play` plays on (`:device`).
  public internal(set) var device = "default"
  /// The bytes of the inputs handed to the checker, for tests: each check is of one input.
  private(set) var checkedBytes = 0
  let baseDirectory: String?
  private let usesColor: Bool
  private let showsSparklines: Bool

  /// Creates an empty session.
  ///
  /// - Parameters:
  ///   - usesColor: colour diagnostics (on a terminal).
  ///   - showsSparklines: add an envelope sparkline to signal summaries (on a terminal).
  public init(baseDirectory: String? = nil, usesColor: Bool = false, showsSparklines: Bool = false)
  {
    self.baseDirectory = baseDirectory
    self.usesColor = usesColor
    self.showsSparklines = showsSparklines
  }

  /// The statements accepted so far as a script that `ast run` reproduces: names bound
  /// again are renamed so that each is bound once (see ``SessionScript``).
  public var script: String {
    SessionScript.script(from: entries.flatMap(\.statements))
  }

  /// Whether `text` is an unfinished statement that continues on the next line: an
  /// open bracket, or a last token that needs a right-hand side (`=`, `|>`, an operator,
  /// `:` or `,`).
  public static func needsMoreInput(_ text: String) -> Bool {
    let tokens = Lexer.tokenize(Source(name: sourceName, text: text)).tokens
    var depth = 0
    var last: TokenKind?
    for token in tokens where token.kind != .endOfFile {
      switch token.kind {
      case .leftParen, .leftBracket: depth += 1
      case .rightParen, .rightBracket: depth = max(0, depth - 1)
      default: break
      }
      if token.kind != .newline { last = token.kind }
    }
    if depth > 0 { return true }
    switch last {
    case .equals?, .pipe?, .plus?, .minus?, .star?, .slash?, .colon?, .comma?, .keywordFn?:
      return true
    default:
      return false
    }
  }

  /// Checks and runs one input (a statement, several separated by `;` or lines, or a
  /// `:command`).
  public func submit(_ input: String, cancellation: CancellationToken = CancellationToken()) async
    -> Reply
  {
    let trimmed = input.trimmingCharacters(in: .whitespacesAndNewlines)
    if trimmed.isEmpty { return Reply(lines: []) }
    if trimmed.hasPrefix(":") {
      return await command(trimmed, cancellation: cancellation)
    }
    return await run(input, cancellation: cancellation)
  }

  /// Checks `text` as the next input of the session, against its environment.
  func check(_ text: String, keepsLastValue: Bool) -> SessionInputCheck {
    let source = Source(name: Self.sourceName, text: text, after: entries.last?.source)
    checkedBytes += source.bytes.count
    return Checker.check(
      source, in: environment, keepsLastValue: keepsLastValue,
      options: CheckOptions(baseDirectory: baseDirectory, allowsRebinding: true))
  }

  /// Diagnostics about `source` as lines; their places may be in earlier inputs.
  func render(_ diagnostics: [Diagnostic], in source: Source) -> [String] {
    guard !diagnostics.isEmpty else { return [] }
    let renderer = DiagnosticRenderer(
      source: source, earlier: entries.map(\.source), usesColor: usesColor)
    let text = renderer.render(diagnostics)
    return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
  }

  private func run(_ text: String, cancellation: CancellationToken) async -> Reply {
    let checked = check(text, keepsLastValue: true)
    let result = checked.result
    let source = result.parse.source
    if result.parse.continuesValue, !environment.binds(CheckedEnvironment.lastValue) {
      return Reply(
        lines: ["error: there is no previous value for '|>' to continue"], failed: true)
    }
    guard let extended = checked.environment else {
      let diagnostics = result.diagnostics.map { Self.withCommandHint($0, in: source) }
      return Reply(lines: render(diagnostics, in: source), failed: true)
    }
    let evaluator = Evaluator(
      check: result,
      options: RunOptions(
        cancellation: cancellation, baseDirectory: baseDirectory, output: CollectedOutput()))
    evaluator.seed(recipes)
    var lines: [String] = []
    do {
      for statement in result.script.statements {
        let outcome = try await evaluator.perform(statement)
        lines += describe(statement, outcome)
      }
      // A binding just shown is the last value too; it has run already.
      if let alias = checked.lastValueAlias, let recipe = evaluator.bindings[alias] {
        evaluator.seed([CheckedEnvironment.lastValue: recipe])
      }
    } catch RenderError.cancelled {
      return Reply(lines: ["interrupted"], failed: true)
    } catch let error as RuntimeError {
      return Reply(lines: render([error.diagnostic], in: source), failed: true)
    } catch {
      return Reply(lines: ["error: \(error)"], failed: true)
    }
    if let printed = evaluator.options.output as? CollectedOutput {
      lines = printed.lines + lines
    }
    lines += render(evaluator.warnings(), in: source)
    for function in result.script.functions {
      lines.append("fn " + ([function.name] + function.parameters).joined(separator: " "))
    }
    recipes = evaluator.bindings
    // The last value of a `print` statement is what it printed, without printing again
    // each time '_' is used.
    if let printed = recipes[CheckedEnvironment.lastValue]?.printedValue {
      recipes[CheckedEnvironment.lastValue] = printed
    }
    environment = extended
    entries.append(Entry(source: source, statements: checked.statements))
    return Reply(lines: lines)
  }

  private func describe(_ statement: TypedStatement, _ outcome: StatementResult) -> [String] {
    // A `print` statement (kept as '_') has shown its value already.
    switch statement {
    case .expression(let value, _) where value.printedValue != nil:
      return []
    case .binding("_", let value, _) where value.printedValue != nil:
      return []
    default:
      break
    }
    var text: String
    switch outcome {
    case .signal(let summary, let envelope):
      text = summary.line
      if showsSparklines, !envelope.isEmpty { text += "  " + Self.sparkline(envelope) }
    case .number(let value):
      switch statement {
      case .binding(_, let expression, _), .expression(let expression, _):
        text = expression.type.text(for: value)
      case .setting:
        text = NumberText.plain(value)
      }
    case .string(let value): text = SourcePrinter.quote(value)
    case .list(let count): text = "List of \(count)"
    case .pattern(let header): text = header
    case .nothing:
      if case .setting(let setting, let value, _) = statement {
        return ["\(setting.name) \(NumberText.plain(value))"]
      }
      return []
    }
    if case .binding(let name, _, _) = statement, name != "_" { text = "\(name): " + text }
    return [text]
  }

  /// Eight-level block characters for peaks between 0 and 1.
  public static func sparkline(_ peaks: [Float]) -> String {
    let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    return String(peaks.map { levels[Int(EnvelopeCollector.level(of: $0))] })
  }

  // MARK: Commands

  /// The REPL commands with their one-line help.
  public static let commands: [(name: String, usage: String, summary: String)] = [
    (":help", ":help [NAME]", "this list, or a builtin's parameters"),
    (":type", ":type EXPR", "the type of an expression, without running it"),
    (":graph", ":graph NAME", "the graph behind a binding, as a tree"),
    (":vars", ":vars", "the bindings and functions of the session"),
    (":load", ":load FILE", "run a script into the session"),
    (":save", ":save FILE", "write the session as a script 'ast run' reproduces"),
    (":write", ":write NAME FILE", "render a binding into an audio file"),
    (":play", ":play [EXPR]", "play a value (the last one) in the background"),
    (":stop", ":stop", "fade out what is playing and stop"),
    (":devices", ":devices", "the ALSA devices that play"),
    (":device", ":device NAME", "play on this ALSA device (default: 'default')"),
    (":reset", ":reset", "forget every binding"),
    (":quit", ":quit", "leave (Ctrl-D works too)"),
  ]

  private func command(_ input: String, cancellation: CancellationToken) async -> Reply {
    let parts = input.split(separator: " ", maxSplits: 1).map(String.init)
    let name = parts[0]
    let argument = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
    switch name {
    case ":help", ":h":
      if argument.isEmpty {
        let width = Self.commands.map(\.usage.count).max() ?? 0
        return Reply(
          lines: Self.commands.map {
            $0.usage.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.summary
          } + [
            "Type a statement to run it. Its value is '_', which a line starting with '|>' "
              + "continues.",
            "':help NAME' describes a builtin (lowpass, sine, ...); 'ast help' lists them all.",
          ])
      }
      guard let builtin = BuiltinRegistry.builtin(named: argument) else {
        let hint = BuiltinRegistry.suggestion(for: argument).map { "; did you mean '\($0)'?" } ?? ""
        return Reply(lines: ["error: no builtin named '\(argument)'\(hint)"], failed: true)
      }
      return Reply(
        lines: BuiltinReference.help(for: builtin).split(
          separator: "\n", omittingEmptySubsequences: false
        )
        .dropLast().map(String.init))
    case ":type", ":t":
      guard !argument.isEmpty else { return usage(":type EXPR") }
      let result = check(argument, keepsLastValue: false).result
      if result.diagnostics.containsErrors {
        return Reply(lines: render(result.diagnostics, in: result.parse.source), failed: true)
      }
      var type: ValueType?
      switch result.script.statements.last {
      case .expression(let value, _)?, .binding(_, let value, _)?: type = value.type
      case .setting?, nil: type = nil
      }
      return Reply(lines: [type.map(String.init(describing:)) ?? "Unit"])
    case ":graph", ":g":
      guard let recipe = recipes[argument] else {
        return Reply(lines: ["error: '\(argument)' is not bound"], failed: true)
      }
      return Reply(lines: GraphOutline.lines(recipe))
    case ":vars", ":v":
      var lines = environment.bindings.map { "\($0.name): \($0.type)" }
      lines += environment.functions.map {
        "fn " + ([$0.name] + $0.parameters).joined(separator: " ")
      }
      return Reply(lines: lines.isEmpty ? ["(no bindings)"] : lines)
    case ":load", ":l":
      guard !argument.isEmpty else { return usage(":load FILE") }
      let path = resolve(argument)
      guard let data = FileManager.default.contents(atPath: path) else {
        return Reply(lines: ["error: cannot read '\(argument)'"], failed: true)
      }
      return await run(String(decoding: data, as: UTF8.self), cancellation: cancellation)
    case ":save", ":s":
      guard !argument.isEmpty else { return usage(":save FILE") }
      do {
        try TextFile.write(Array(script.utf8), to: resolve(argument), shownAs: argument)
        return Reply(lines: [
          "saved \(entries.count) statement\(entries.count == 1 ? "" : "s") to '\(argument)'"
        ])
      } catch {
        return Reply(
          lines: ["error: \(error)"], failed: true)
      }
    case ":write", ":w":
      let words = argument.split(separator: " ", maxSplits: 1).map(String.init)
      guard words.count == 2 else { return usage(":write NAME FILE") }
      guard recipes[words[0]] != nil else {
        return Reply(lines: ["error: '\(words[0])' is not bound"], failed: true)
      }
      return await run(
        "write \(words[0]) \(SourcePrinter.quote(words[1]))", cancellation: cancellation)
    case ":play", ":p":
      return await play(argument)
    case ":stop":
      return Reply(lines: [await stopPlaying() ?? "nothing is playing"])
    case ":devices":
      return listDevices()
    case ":device":
      guard !argument.isEmpty else { return Reply(lines: ["playing on '\(device)'"]) }
      device = argument
      return Reply(lines: ["playing on '\(device)' from the next ':play'"])
    case ":reset":
      entries = []
      environment = CheckedEnvironment()
      recipes = [:]
      return Reply(lines: ["session cleared"])
    case ":quit", ":q", ":exit":
      return Reply(lines: [], quits: true)
    default:
      let hint =
        Spelling.nearest(to: name, among: Self.commands.map(\.name)).map {
          "; did you mean '\($0)'?"
        } ?? ""
      return Reply(lines: ["error: unknown command '\(name)'\(hint)"], failed: true)
    }
  }

  private func usage(_ text: String) -> Reply {
    Reply(lines: ["usage: \(text)"], failed: true)
  }

  private func resolve(_ path: String) -> String {
    FilePaths.resolve(path, against: baseDirectory)
  }

  // MARK: Completion

  /// Candidates to complete the word before `cursor` (a character offset in `line`):
  /// REPL commands, file paths inside a string, named arguments of the builtin being
  /// called, bound names and builtins.
  public func completions(line: String, cursor: Int) -> [String] {
    let before = String(line.prefix(cursor))
    let after = line.dropFirst(cursor)
    if before.hasPrefix(":") {
      guard let space = before.firstIndex(of: " ") else {
        return Self.commands.map(\.name).filter { $0.hasPrefix(before) }
      }
      return commandArgumentCompletions(
        command: String(before[..<space]),
        arguments: String(before[before.index(after: space)...]))
    }
    // Inside a string: a choice of the parameter it is given to, else a file path. A
    // whole name gets the closing quote.
    if before.filter({ $0 == "\"" }).count % 2 == 1, let quote = before.lastIndex(of: "\"") {
      let prefix = String(before[before.index(after: quote)...])
      let closing = after.hasPrefix("\"") ? "" : "\""
      if let choices = choices(forStringAt: String(before[..<quote])) {
        return choices.filter { $0.hasPrefix(prefix) && !$0.isEmpty }.sorted().map { $0 + closing }
      }
      return pathCompletions(prefix).map { $0.hasSuffix("/") ? $0 : $0 + closing }
    }
    let word = Self.completionWord(before)
    let start = before.index(before.endIndex, offsetBy: -word.count)
    var candidates: [String] = []
    if let callee = calledBuiltin(in: String(before[..<start])) {
      candidates += callee.parameters.map { $0.name + ":" }
    }
    candidates += boundNames()
    candidates += BuiltinRegistry.all.map(\.name)
    return Array(Set(candidates.filter { $0.hasPrefix(word) && $0 != word })).sorted()
  }

  /// A command's name typed without its colon (`help`, `quit`) is an unknown name; the
  /// diagnostic then says how to type the command.
  static func withCommandHint(_ diagnostic: Diagnostic, in source: Source) -> Diagnostic {
    guard diagnostic.id == Checker.IDs.unknownName else { return diagnostic }
    let word = source.text(in: diagnostic.range)
    let command = word == "exit" ? ":quit" : ":" + word
    guard commands.contains(where: { $0.name == command }) else { return diagnostic }
    var hinted = diagnostic
    hinted.notes.append(
      DiagnosticNote("the session's commands start with ':': type '\(command)'"))
    return hinted
  }

  /// The part of the text before the cursor that completion replaces: inside a string,
  /// what follows its quote; after a command, its last argument; else the trailing name.
  public static func completionWord(_ before: String) -> String {
    if before.filter({ $0 == "\"" }).count % 2 == 1, let quote = before.lastIndex(of: "\"") {
      return String(before[before.index(after: quote)...])
    }
    if before.hasPrefix(":"), let space = before.lastIndex(of: " ") {
      return String(before[before.index(after: space)...])
    }
    var start = before.endIndex
    while start > before.startIndex {
      let previous = before[before.index(before: start)]
      guard previous.isLetter || previous.isNumber || previous == "_" || previous == ":" else {
        break
      }
      start = before.index(before: start)
    }
    return String(before[start...])
  }

  /// The session's binding and function names, as the environment holds them.
  private func boundNames() -> [String] {
    environment.names
  }

  /// Completions of a command's arguments: file names for `:save`, `:load` and the path
  /// of `:write`, names for `:write`'s first argument, `:graph` and `:help`.
  private func commandArgumentCompletions(command: String, arguments: String) -> [String] {
    let words = arguments.split(separator: " ", omittingEmptySubsequences: false)
    let word = String(words.last ?? "")
    let position = words.count - 1
    let names: [String]
    switch (command, position) {
    case (":save", 0), (":load", 0), (":write", 1):
      return pathCompletions(word)
    case (":write", 0), (":graph", 0):
      names = boundNames()
    case (":help", 0):
      names = BuiltinRegistry.all.map(\.name)
    default:
      return []
    }
    return names.filter { $0.hasPrefix(word) && $0 != word }.sorted()
  }

  /// The choices of the parameter whose string value starts after `text`, when `text`
  /// ends with `name:` inside a builtin call.
  private func choices(forStringAt text: String) -> [String]? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    guard trimmed.hasSuffix(":") else { return nil }
    let label = Self.completionWord(String(trimmed.dropLast()))
    guard !label.isEmpty,
      let builtin = calledBuiltin(in: String(trimmed.dropLast(label.count + 1))),
      case .choice(let options)? = builtin.parameter(named: label)?.kind
    else { return nil }
    return options
  }

  /// The builtin whose arguments are being typed at the end of `text`, if any.
  private func calledBuiltin(in text: String) -> Builtin? {
    let tokens = Lexer.tokenize(Source(name: Self.sourceName, text: text)).tokens
    var depth = 0
    for token in tokens.reversed() {
      switch token.kind {
      case .rightParen, .rightBracket: depth += 1
      case .leftParen, .leftBracket:
        if depth == 0 { return nil }
        depth -= 1
      case .pipe, .equals, .comma, .semicolon, .newline:
        if depth == 0 { return nil }
      case .identifier:
        if depth == 0, let name = token.text, let builtin = BuiltinRegistry.builtin(named: name) {
          return builtin
        }
      default:
        break
      }
    }
    return nil
  }

  private func pathCompletions(_ prefix: String) -> [String] {
    let (directoryPart, namePart) = FilePaths.split(prefix)
    let directory = resolve(directoryPart)
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
      return []
    }
    return names.filter { $0.hasPrefix(namePart) && !$0.hasPrefix(".") }.sorted().map { name in
      let full = directoryPart.isEmpty ? name : FilePaths.resolve(name, against: directoryPart)
      var isDirectory: ObjCBool = false
      _ = FileManager.default.fileExists(
        atPath: FilePaths.resolve(name, against: directory), isDirectory: &isDirectory)
      return isDirectory.boolValue ? full + "/" : full
    }
  }

}

/// Lines printed by `print` during one input, shown before the results.
final class CollectedOutput: RunOutput, @unchecked Sendable {
  private let lock = NSLock()
  private var collected: [String] = []

  func line(_ text: String) {
    let shown = text.terminalSafe(keepingTabs: true, keepingLineBreaks: true)
    lock.withLock { collected.append(shown) }
  }

  var lines: [String] { lock.withLock { collected } }
}

/// The graph behind a binding, as an indented outline of builtins and values.
enum GraphOutline {
  static func lines(_ expression: TypedExpr, indent: Int = 0) -> [String] {
    let pad = String(repeating: "  ", count: indent)
    switch expression {
    case .constant(let value, _, _):
      return [pad + NumberText.plain(value)]
    case .string(let value, _):
      return [pad + SourcePrinter.quote(value)]
    case .binding(let name, _, _), .parameter(let name, _, _, _):
      return [pad + name]
    case .list(let items, _, _):
      return [pad + "list"] + items.flatMap { lines($0, indent: indent + 1) }
    case .builtin(let builtin, let arguments, let lifted, let type, _):
      let head = pad + builtin.name + (lifted ? " (per chunk)" : "") + "  → \(type)"
      return [head] + arguments.flatMap { lines($0, indent: indent + 1) }
    case .function(let name, let arguments, let body, _, _):
      return [pad + "fn \(name)"] + arguments.flatMap { lines($0, indent: indent + 2) }
        + lines(body, indent: indent + 1)
    case .arithmetic(let op, let a, let b, let type, _):
      return [pad + op.rawValue + "  → \(type)"] + lines(a, indent: indent + 1)
        + lines(b, indent: indent + 1)
    case .negate(let a, let type, _):
      return [pad + "negate  → \(type)"] + lines(a, indent: indent + 1)
    case .invalid:
      return [pad + "<invalid>"]
    case .absent:
      return [pad + "<default>"]
    }
  }
}
