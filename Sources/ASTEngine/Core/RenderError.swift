/// An error while rendering.
public enum RenderError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The render was cancelled through its token.
  case cancelled
  /// A failure with a message, such as a file that could not be read.
  case failed(String)

  /// A render asked of a node for frames its ready pass did not make ready: a fault of
  /// the engine, reported rather than trapped.
  static func notReady(_ node: AnyObject) -> RenderError {
    .failed("internal error: a \(type(of: node)) was rendered before it was made ready")
  }

  /// What went wrong.
  public var description: String {
    switch self {
    case .cancelled: "cancelled"
    case .failed(let message): message
    }
  }
}
