import ASTSyntax

/// The graphs a run of a script builds, in order: each expression statement, each
/// binding that writes, prints, plots or publishes but that nothing uses (it runs as a
/// statement of its own), and `out`, last.
package struct RunPlan {
  /// A graph the run builds and renders to its end.
  package struct Root {
    /// The value rendered.
    package let value: TypedExpr
    /// The statement it comes from.
    package let range: SourceRange
  }

  /// The graphs, in the order the run builds them.
  package let roots: [Root]
  /// The bindings that run as statements of their own.
  package let executed: Set<String>

  package init(_ script: TypedScript) {
    // Bindings come before their uses, so walking backwards every user of a binding is
    // seen before the binding itself.
    var live: Set<String> = []
    var executed: Set<String> = []
    for statement in script.statements.reversed() {
      switch statement {
      case .binding(let name, let value, _):
        if name != "out", !live.contains(name), value.hasEffects { executed.insert(name) }
        if name == "out" || live.contains(name) || executed.contains(name) {
          live.formUnion(value.referencedBindings)
        }
      case .expression(let value, _):
        live.formUnion(value.referencedBindings)
      case .setting:
        break
      }
    }
    var roots: [Root] = []
    var out: Root?
    for statement in script.statements {
      switch statement {
      case .binding(let name, let value, let range):
        if name == "out" { out = Root(value: value, range: range) }
        if executed.contains(name) { roots.append(Root(value: value, range: range)) }
      case .expression(let value, let range):
        roots.append(Root(value: value, range: range))
      case .setting:
        break
      }
    }
    if let out { roots.append(out) }
    self.roots = roots
    self.executed = executed
  }
}

extension TypedStatement {
  /// Whether running the statement reads a source that can be read only once (standard
  /// input, a subscription).
  var readsOnceOnlySource: Bool {
    switch self {
    case .binding(_, let value, _), .expression(let value, _):
      var found = false
      value.visit { expression in
        if case .builtin(let builtin, _, _, _, _) = expression, builtin.effects.readsOnce != nil {
          found = true
        }
      }
      return found
    case .setting:
      return false
    }
  }
}

extension TypedExpr {
  /// The names of the script bindings this expression refers to directly.
  package var referencedBindings: Set<String> {
    var names: Set<String> = []
    visit { if case .binding(let name, _, _) = $0 { names.insert(name) } }
    return names
  }
}

/// Finds the sources that can be read only once (standard input, a subscription) and
/// the places a run would read each of them.
///
/// A signal bound to a name is built once per graph and shared by its uses there; a
/// stream or a list is built again at each use; a number is computed once for the whole
/// run. So a source is read again when a second graph uses it, when a stream that holds
/// it is used twice, or (standard input) when a second `input` is read at all.
struct ReadOnceAnalysis {
  /// A source: the call that makes it, in the expansion of the function calls around it.
  struct SourceKey: Hashable {
    let call: SourceRange
    let instance: [SourceRange]
  }

  enum Atom: Hashable {
    case source(SourceKey)
    case sharedBinding(String)
    case numberBinding(String)
  }

  /// An atom of a value, with the outermost place in that value that leads to it.
  struct Use {
    let atom: Atom
    let site: SourceRange
  }

  /// What a source is, for messages.
  struct SourceInfo {
    let isStandardInput: Bool
    let channel: String?
  }

  /// A second reading of a source.
  struct Finding {
    let info: SourceInfo
    let site: SourceRange
    let first: SourceRange
    let sameGraph: Bool
    /// A second `input` (another call than the first), rather than a second use of one.
    let anotherInput: Bool
  }

  private var summaries: [String: [Use]] = [:]
  private var infos: [SourceKey: SourceInfo] = [:]

  /// The arguments of the function call whose body is being summarised.
  private final class Frame {
    let arguments: [[Use]]
    let instance: [SourceRange]
    var sharedTaken: Set<Int> = []

    init(arguments: [[Use]], instance: [SourceRange]) {
      self.arguments = arguments
      self.instance = instance
    }
  }

  /// Every second reading in a script of these statements, in the order the run would
  /// make them.
  static func findings(in statements: [TypedStatement]) -> [Finding] {
    var analysis = ReadOnceAnalysis()
    for statement in statements {
      if case .binding(let name, let value, _) = statement {
        analysis.summaries[name] = analysis.summarize(value, frames: [])
      }
    }
    return analysis.findings(
      RunPlan(TypedScript(statements: statements, bindings: [], functions: [])))
  }

  private mutating func findings(_ plan: RunPlan) -> [Finding] {
    var findings: [Finding] = []
    var reported: Set<SourceKey> = []
    var readBefore: [SourceKey: SourceRange] = [:]
    var firstInput: (key: SourceKey, site: SourceRange)?
    var numbersDone: Set<String> = []
    for root in plan.roots {
      var readHere: [SourceKey: SourceRange] = [:]
      var sharedDone: Set<String> = []
      var work = summarize(root.value, frames: []).reversed().map { $0 }
      var order: [(SourceKey, SourceRange)] = []
      while let use = work.popLast() {
        switch use.atom {
        case .source(let key):
          order.append((key, use.site))
        case .sharedBinding(let name):
          guard sharedDone.insert(name).inserted else { continue }
          work += (summaries[name] ?? []).reversed().map { Use(atom: $0.atom, site: use.site) }
        case .numberBinding(let name):
          guard numbersDone.insert(name).inserted else { continue }
          work += (summaries[name] ?? []).reversed().map { Use(atom: $0.atom, site: use.site) }
        }
      }
      for (key, site) in order {
        guard let info = infos[key], !reported.contains(key) else { continue }
        if let first = readHere[key] ?? readBefore[key] {
          reported.insert(key)
          findings.append(
            Finding(
              info: info, site: site, first: first, sameGraph: readHere[key] != nil,
              anotherInput: false))
          continue
        }
        readHere[key] = site
        if info.isStandardInput {
          if let firstInput, firstInput.key != key {
            reported.insert(key)
            findings.append(
              Finding(
                info: info, site: site, first: firstInput.site, sameGraph: false,
                anotherInput: true))
            continue
          }
          firstInput = firstInput ?? (key, site)
        }
      }
      for (key, site) in readHere where readBefore[key] == nil { readBefore[key] = site }
    }
    return findings
  }

  /// The atoms that evaluating `expression` once reaches, each with its outermost place.
  private mutating func summarize(_ expression: TypedExpr, frames: [Frame]) -> [Use] {
    switch expression {
    case .constant, .string, .invalid, .absent:
      return []
    case .binding(let name, let type, let range):
      switch type {
      case .audio: return [Use(atom: .sharedBinding(name), site: range)]
      case .number: return [Use(atom: .numberBinding(name), site: range)]
      default: return (summaries[name] ?? []).map { Use(atom: $0.atom, site: range) }
      }
    case .parameter(_, let index, let type, let range):
      guard let frame = frames.last, index < frame.arguments.count else { return [] }
      if case .audio = type {
        guard frame.sharedTaken.insert(index).inserted else { return [] }
      }
      return frame.arguments[index].map { Use(atom: $0.atom, site: range) }
    case .list(let items, _, _):
      return items.flatMap { summarize($0, frames: frames) }
    case .builtin(let builtin, let arguments, _, _, let range):
      var uses = arguments.flatMap { summarize($0, frames: frames) }
      if let source = builtin.effects.readsOnce {
        let key = SourceKey(call: range, instance: frames.last?.instance ?? [])
        switch source {
        case .standardInput:
          infos[key] = SourceInfo(isStandardInput: true, channel: nil)
        case .channel(let parameter):
          let name = builtin.index(of: parameter).flatMap {
            $0 < arguments.count ? arguments[$0].stringValue : nil
          }
          infos[key] = SourceInfo(isStandardInput: false, channel: name)
        }
        uses.append(Use(atom: .source(key), site: range))
      }
      return uses
    case .function(_, let arguments, let body, _, let range):
      let frame = Frame(
        arguments: arguments.map { summarize($0, frames: frames) },
        instance: (frames.last?.instance ?? []) + [range])
      // Placed at the call: the body's own places are the same for every call.
      return summarize(body, frames: frames + [frame]).map { Use(atom: $0.atom, site: range) }
    case .arithmetic(_, let left, let right, _, _):
      return summarize(left, frames: frames) + summarize(right, frames: frames)
    case .negate(let operand, _, _):
      return summarize(operand, frames: frames)
    }
  }
}

extension Checker {
  /// Reports second readings of a source that can be read only once: a second graph
  /// using standard input or a subscription, a stream holding one used twice, or a
  /// second `input` (see ``ReadOnceAnalysis/findings(in:)``).
  mutating func reportReadOnceFindings(_ findings: [ReadOnceAnalysis.Finding]) {
    for finding in findings {
      let what =
        finding.info.isStandardInput
        ? "standard input"
        : finding.info.channel.map { "the subscription to '\($0)'" } ?? "a subscription"
      let message: String
      var notes: [DiagnosticNote] = []
      if finding.anotherInput {
        message =
          "a second 'input' would split standard input with the first; standard input can be "
          + "read only once"
        notes.append(DiagnosticNote("the first 'input' is read here", at: finding.first))
        notes.append(DiagnosticNote("bind one 'input' to a name and use that name"))
      } else {
        message =
          finding.sameGraph
          ? "this reads \(what) a second time in one statement; a stream is built again at "
            + "each use, and \(what) can be read only once"
          : "this reads \(what) again, after an earlier statement read it; \(what) can be "
            + "read only once"
        notes.append(DiagnosticNote("it is first read here", at: finding.first))
        let hint: String
        if finding.sameGraph {
          hint =
            "'join' it once and bind the signal to a name: a named signal is read once and "
            + "shared by its uses in a statement"
        } else if finding.info.isStandardInput {
          hint = "use it in one statement, where a named signal can be used several times"
        } else {
          hint = "use it in one statement, or 'subscribe' again for a second copy of the channel"
        }
        notes.append(DiagnosticNote(hint))
      }
      error(Self.IDs.readTwice, message, at: finding.site, notes: notes)
    }
  }
}
