/// porter's version: `--version`, the banner and anything else that names it read this.
public enum PorterVersion {
    public static let number = "0.1.0"
}
