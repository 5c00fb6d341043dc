import ASTSyntax

extension Checker {
  /// Reports channels that feed themselves: a `publish` whose stream reads, through
  /// `subscribe` and the bindings it uses, the channel it sends to, directly or through
  /// other channels. Each subscription would wait for chunks that only its own
  /// publication can send, so the run would never end. Reported at the publication
  /// that closes the cycle, with the subscription it reads.
  mutating func checkChannelCycles(_ statements: [TypedStatement]) {
    var values: [String: TypedExpr] = [:]
    var publications: [(channel: String, range: SourceRange, stream: TypedExpr)] = []
    for statement in statements {
      switch statement {
      case .binding(let name, let value, _):
        values[name] = value
      case .expression(let value, _):
        value.visit { expression in
          guard case .builtin(let builtin, let arguments, _, _, let range) = expression,
            let publication = builtin.effects.publishes,
            let channelIndex = builtin.index(of: publication.channel),
            let streamIndex = builtin.index(of: publication.stream),
            let channel = arguments[channelIndex].stringValue
          else { return }
          publications.append((channel, range, arguments[streamIndex]))
        }
      case .setting:
        break
      }
    }
    guard !publications.isEmpty else { return }
    // For each publication, the channels its stream subscribes to, with where.
    var edges:
      [String: [(from: String, to: String, publish: SourceRange, subscribe: SourceRange)]] = [:]
    for publication in publications {
      for (channel, place) in Self.subscriptions(in: publication.stream, values: values) {
        edges[channel, default: []].append((channel, publication.channel, publication.range, place))
      }
    }
    // A cycle: a path of edges from a channel back to it. Each publication is reported once.
    var reported: Set<SourceRange> = []
    for start in edges.keys.sorted() {
      var path: [(from: String, to: String, publish: SourceRange, subscribe: SourceRange)] = []
      var seen: Set<String> = [start]
      var found: [(from: String, to: String, publish: SourceRange, subscribe: SourceRange)]?
      func walk(_ channel: String) {
        for edge in edges[channel] ?? [] where found == nil {
          path.append(edge)
          if edge.to == start {
            found = path
          } else if !seen.contains(edge.to) {
            seen.insert(edge.to)
            walk(edge.to)
          }
          path.removeLast()
        }
      }
      walk(start)
      guard let cycle = found, let last = cycle.last, !reported.contains(last.publish) else {
        continue
      }
      reported.formUnion(cycle.map(\.publish))
      let names = cycle.map { "'\($0.from)'" }
      let message =
        cycle.count == 1
        ? "this publishes to '\(start)', which its own stream reads: it would wait for itself"
        : "channels \(names.dropLast().joined(separator: ", ")) and \(names.last ?? "") feed each "
          + "other: each would wait for the others"
      error(
        Self.IDs.channelCycle, message, at: last.publish,
        notes: cycle.map { DiagnosticNote("'\($0.from)' is read here", at: $0.subscribe) }
          + [DiagnosticNote("a stream cannot be sent back to a channel it comes from")])
    }
  }

  /// The channels that `expression` subscribes to by constant name, through the
  /// bindings it refers to, each with the place of its `subscribe`.
  static func subscriptions(in expression: TypedExpr, values: [String: TypedExpr])
    -> [(String, SourceRange)]
  {
    var found: [(String, SourceRange)] = []
    var pending = [expression]
    var visited: Set<String> = []
    while let next = pending.popLast() {
      next.visit { expression in
        switch expression {
        case .builtin(let builtin, let arguments, _, _, let range):
          if case .channel(let parameter)? = builtin.effects.readsOnce,
            let index = builtin.index(of: parameter), let name = arguments[index].stringValue
          {
            found.append((name, range))
          }
        case .binding(let name, _, _):
          if visited.insert(name).inserted, let value = values[name] { pending.append(value) }
        default:
          break
        }
      }
    }
    return found
  }
}
