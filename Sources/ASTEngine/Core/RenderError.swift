/// An error while rendering.
public enum RenderError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The render was cancelled through its token.
  case cancelled
  /// A failure with a message, such as a file that could not be read.
  case failed(String)

  /// What went wrong.
  public var description: String {
    switch self {
    case .cancelled: "cancelled"
    case .failed(let message): message
    }
  }
}
