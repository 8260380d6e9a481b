/// The release, in one place: `belenus --version` prints it, and packaging reads it from here.
public enum BelenusVersion {
    public static let current = "0.17.0"
}
