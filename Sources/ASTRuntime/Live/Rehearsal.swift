import ASTCore
import ASTEngine
import ASTSemantics
import ASTSyntax
import Foundation

/// An offline rendering of what a live patch plays when later versions of a script are
/// applied at given times: the first version from the start, then each next one landing
/// at its time (or the next beat or bar after it). A version with an error is rejected
/// and changes nothing, as it would live.
public struct Rehearsal: @unchecked Sendable {
  // Unchecked: the patch is driven by the one caller that renders it.
  /// A later version and when it is applied, in seconds from the start.
  public struct Later: Sendable {
    /// The version's source.
    public var source: Source
    /// When it is applied, in seconds.
    public var seconds: Double

    /// A version applied at `seconds`.
    public init(source: Source, seconds: Double) {
      self.source = source
      self.seconds = seconds
    }
  }

  /// What became of a later version.
  public enum Outcome: Sendable {
    /// Built, and handed to the render to land (``LiveChange/landedFrame`` once rendered).
    case scheduled(version: Int, change: LiveChange, rebuilt: [String], glided: [String])
    /// Refused: its diagnostics, in its own source.
    case rejected(diagnostics: [Diagnostic], source: Source)
  }

  /// The versions scheduled, each with its number, the name given in `names` for it
  /// (the first version's name first) and its change.
  public func scheduled(_ names: [String]) -> [(version: Int, name: String, change: LiveChange)] {
    outcomes.enumerated().compactMap { index, outcome in
      guard case .scheduled(let version, let change, _, _) = outcome, index + 1 < names.count
      else { return nil }
      return (version, names[index + 1], change)
    }
  }

  /// The patch, whose ``LivePatch/output`` renders the rehearsal.
  public let patch: LivePatch
  /// What became of each later version, in order.
  public let outcomes: [Outcome]

  /// Checks and builds `first` and each of `later`, scheduling each that succeeds at
  /// its time on the patch's clock.
  ///
  /// - Throws: ``RehearsalError`` when the first version has an error.
  public static func prepare(
    first: Source, later: [Later], checkOptions: CheckOptions, options: LivePatch.Options
  ) async throws -> Rehearsal {
    let check = Checker.check(first, options: checkOptions)
    if check.diagnostics.containsErrors {
      throw RehearsalError(diagnostics: check.diagnostics, source: first)
    }
    let patch: LivePatch
    do {
      patch = try await LivePatch.start(try LivePatch.Version(script: check), options: options)
    } catch let error as RuntimeError {
      throw RehearsalError(diagnostics: [error.diagnostic], source: first)
    }
    var outcomes: [Outcome] = []
    for step in later {
      let check = Checker.check(step.source, options: checkOptions)
      if check.diagnostics.containsErrors {
        outcomes.append(.rejected(diagnostics: check.diagnostics, source: step.source))
        continue
      }
      // The render places it on the clock in force then (the next beat or bar with a
      // quantum), and after the versions before it.
      let frame = max(0, Int((step.seconds * Double(patch.output.sampleRate)).rounded()))
      do {
        let plan = try await patch.prepare(try LivePatch.Version(script: check), frame: frame)
        try patch.apply(plan)
        outcomes.append(
          .scheduled(
            version: patch.version, change: plan.change,
            rebuilt: plan.rebuilt.filter { $0 != LivePatch.playedName },
            glided: plan.glided.filter { $0 != LivePatch.playedName }))
      } catch let error as RuntimeError {
        outcomes.append(.rejected(diagnostics: [error.diagnostic], source: step.source))
      }
    }
    return Rehearsal(patch: patch, outcomes: outcomes)
  }
}

/// A first version of a rehearsal that cannot play: its diagnostics, in its source.
public struct RehearsalError: Error, @unchecked Sendable {
  // Unchecked: diagnostics and sources are values.
  /// What is wrong.
  public let diagnostics: [Diagnostic]
  /// The source they are in.
  public let source: Source
}
