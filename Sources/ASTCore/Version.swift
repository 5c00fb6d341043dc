/// The version of the project's libraries and of the `ast` command.
public enum ASTVersion {
  /// The version number, following semantic versioning.
  public static let current = "0.1.0"
}
