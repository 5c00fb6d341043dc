import ASTCore
import ASTEngine
import ASTSyntax

/// A builtin call as its builder sees it while a script runs: the arguments, read by the
/// names of the parameters the declaration gives, and what the run provides.
///
/// The evaluator implements it; builders never read arguments by position. Every number
/// read for a parameter (``number(_:)``, ``whole(_:)``, ``frames(_:rate:)``, and
/// ``modulation(_:)`` given a number) fits the parameter's declared range: one that does
/// not, computed while running, is an error at the argument in the checker's words, so a
/// builder never sees it. A Nyquist bound refers to the rate of the input, or of what a
/// generator makes.
public protocol BuiltinCall: AnyObject {
  /// Where the call is in the script.
  var range: SourceRange { get }
  /// The render's shared settings (block size, cancellation, memory limit).
  var context: RenderContext { get }
  /// Whether the call applies to a stream, chunk by chunk.
  var isLifted: Bool { get }
  /// Where `print` writes.
  var output: any RunOutput { get }
  /// The descriptor `input` reads.
  var inputDescriptor: Int32 { get }

  /// The checked argument of the parameter `name` (its type and place).
  func argument(_ name: String) -> TypedExpr
  /// The argument of `name`, evaluated.
  func value(_ name: String) async throws -> RuntimeValue
  /// A number argument.
  func number(_ name: String) async throws -> Double
  /// A number argument as a whole number (whole, and at most 2^53 in size, when its range
  /// says so; else clamped to a range that cannot overflow).
  func whole(_ name: String) async throws -> Int
  /// A string argument.
  func string(_ name: String) async throws -> String
  /// A signal argument, with its metadata.
  func audio(_ name: String) async throws -> (AudioNode, Metadata)
  /// A stream argument.
  func stream(_ name: String) async throws -> ChunkSource
  /// A parameter that is a constant or a modulating signal; a modulating signal's values
  /// are not checked (its node says what it does with values outside the range).
  func modulation(_ name: String) async throws -> ParameterSignal
  /// The signals of a list argument.
  func signals(_ name: String) async throws -> [AudioNode]
  /// A time argument in frames at `rate`: `round(seconds * rate)`, at least 0; a time of
  /// more frames than a signal can have (``SignalLength/maximumFrames``) is refused at the
  /// argument, so a builder sums lengths with ``SignalLength`` without overflow.
  func frames(_ name: String, rate: Int) async throws -> Int
  /// A file argument: the path as written and as opened (within the sandbox when there
  /// is one, else against the base directory); a refusal is an error at the argument.
  func path(_ name: String, writing: Bool) async throws -> (written: String, opened: String)
  /// Builds the argument `name` again, for each repetition of a signal.
  func rebuilding(_ name: String) -> NodeFactory
  /// A pattern argument.
  func pattern(_ name: String) async throws -> Pattern
  /// The instrument argument `name`: a function that builds one voice for a frequency
  /// in hertz and a length in seconds.
  func instrument(_ name: String) throws -> VoiceFactory
  /// A subscription to the channel `name`, made before the run when it could be.
  func subscription(to name: String) async throws -> Subscription
  /// A tag naming the call's place, for reports.
  func origin() -> Int
}

extension BuiltinCall {
  /// An error at the call.
  package func failure(_ message: String) -> RuntimeError {
    RuntimeError(message: message, range: range)
  }

  /// Two signals must share a rate to be combined.
  func requireSameRate(_ a: AudioNode, _ b: AudioNode) throws {
    try RuntimeError.requireSameRate(a, b, at: range)
  }
}

/// How a builtin builds its value when a script runs.
public enum BuiltinBuild: Sendable {
  /// A value made from the arguments.
  case value(@Sendable (any BuiltinCall) async throws -> RuntimeValue)
  /// A node around the signal of the first parameter: applied to a signal, or, when the
  /// builtin lifts to streams, to the feed of each chunk of a stream, keeping its state
  /// across chunks. The evaluator passes the input's metadata on and tags the node
  /// with the call's place.
  case effect(@Sendable (any BuiltinCall, AudioNode) async throws -> AudioNode)
}
