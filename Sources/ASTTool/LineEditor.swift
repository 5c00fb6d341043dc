import ASTRuntime
import ASTSemantics
import ASTSyntax
import CEditLine
import CInterrupt
import Foundation

/// Line editing through libedit: a prompt, history kept in a file, and Tab completion.
final class LineEditor {
  /// What a read returned.
  enum Input {
    /// A line (without its newline).
    case line(String)
    /// Ctrl-C at the prompt.
    case interrupted
    /// Ctrl-D on an empty line, or the end of input.
    case end
  }

  private let editor: OpaquePointer
  private let history: OpaquePointer
  private let historyPath: String?
  private var event = HistEvent()
  fileprivate var prompt = ""
  fileprivate let complete: (String, Int) -> [String]

  /// The most lines the history keeps.
  static let historySize: Int32 = 1000

  /// Opens an editor on the terminal; `complete` gives candidates for a line and cursor.
  init?(historyPath: String?, complete: @escaping (String, Int) -> [String]) {
    guard let editor = ast_el_init_standard("ast"), let history = history_init() else {
      return nil
    }
    self.editor = editor
    self.history = history
    self.historyPath = historyPath
    self.complete = complete
    _ = ast_history_set_size(history, &event, Self.historySize)
    _ = ast_history_set_unique(history, &event, 1)
    if let historyPath { _ = ast_history_load(history, &event, historyPath) }
    _ = ast_el_set_editor(editor, "emacs")
    _ = ast_el_set_history(editor, history)
    _ = ast_el_set_client_data(editor, Unmanaged.passUnretained(self).toOpaque())
    _ = ast_el_set_prompt(editor) { editor in
      guard let editor, let data = ast_el_get_client_data(editor) else { return nil }
      let this = Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue()
      return this.promptPointer
    }
    _ = ast_el_add_function(editor, "ast-complete", "complete a name") { editor, _ in
      guard let editor, let data = ast_el_get_client_data(editor) else { return UInt8(CC_ERROR) }
      return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue().completeLine()
    }
    _ = ast_el_bind(editor, "^I", "ast-complete")
    // Ctrl-C at the prompt is a key that ends the read as interrupted; while a render
    // runs (outside the editor) it raises SIGINT, which the handler records.
    _ = ast_el_read_interrupt_as_key(editor)
    _ = ast_el_add_function(editor, "ast-interrupt", "drop the line") { _, _ in
      ast_note_interrupt()
      return UInt8(CC_NEWLINE)
    }
    _ = ast_el_bind(editor, "^C", "ast-interrupt")
    _ = ast_install_interrupt_handler()
  }

  deinit {
    el_end(editor)
    history_end(history)
    promptStorage?.deallocate()
  }

  private var promptStorage: UnsafeMutablePointer<CChar>?

  fileprivate var promptPointer: UnsafeMutablePointer<CChar>? { promptStorage }

  /// Reads a line with `prompt`.
  func read(prompt: String) -> Input {
    promptStorage?.deallocate()
    promptStorage = strdup(prompt)
    _ = ast_take_interrupt()
    var count: Int32 = 0
    guard let text = el_gets(editor, &count) else {
      if ast_take_interrupt() != 0 {
        el_reset(editor)
        return .interrupted
      }
      return .end
    }
    if ast_take_interrupt() != 0 { return .interrupted }
    var line = String(cString: text)
    if line.hasSuffix("\n") { line.removeLast() }
    return .line(line)
  }

  /// Whether Ctrl-C was pressed since the last call (clears it).
  ///
  /// The flag has one definition, in the `CInterrupt` target's C source, so the signal
  /// handler and every reader share it in any build configuration.
  static func takeInterrupt() -> Bool {
    ast_take_interrupt() != 0
  }

  /// Adds an entry to the history and saves the history file.
  func remember(_ entry: String) {
    _ = ast_history_enter(history, &event, entry)
    if let historyPath { _ = ast_history_save(history, &event, historyPath) }
  }

  /// Completes the word before the cursor: inserts the common prefix of the candidates,
  /// and lists them when there are several.
  fileprivate func completeLine() -> UInt8 {
    var cursor: Int32 = 0
    var length: Int32 = 0
    guard let buffer = ast_el_line(editor, &cursor, &length) else { return UInt8(CC_ERROR) }
    let bytes = UnsafeRawBufferPointer(start: buffer, count: Int(length))
    let line = String(decoding: bytes, as: UTF8.self)
    let before = String(decoding: bytes.prefix(Int(cursor)), as: UTF8.self)
    let candidates = complete(line, before.count)
    guard !candidates.isEmpty else { return UInt8(CC_REFRESH_BEEP) }
    let word = Session.completionWord(before)
    let common = Self.commonPrefix(candidates)
    if common.count > word.count {
      _ = el_insertstr(editor, String(common.dropFirst(word.count)))
      return UInt8(CC_REFRESH)
    }
    guard candidates.count > 1 else { return UInt8(CC_REFRESH) }
    let listing = "\n" + candidates.joined(separator: "  ") + "\n"
    FileHandle.standardOutput.write(Data(listing.utf8))
    return UInt8(CC_REDISPLAY)
  }

  static func commonPrefix(_ words: [String]) -> String {
    guard var prefix = words.first else { return "" }
    for word in words.dropFirst() {
      while !word.hasPrefix(prefix) { prefix.removeLast() }
    }
    return prefix
  }
}
