import Foundation

/// The default theme and the sample content, built into the binary by the EmbedDefaultSite
/// plugin from the checkout's `site-templates/` and `content/`: `belenus init` and `belenus demo`
/// work without a checkout.
public enum DefaultSite {
    /// Every file by its path in the checkout ("site-templates/layout.mustache", "content/kb/…").
    public static let files: [(path: String, bytes: [UInt8])] = embeddedFiles.map { file in
        (file.path, Array(Data(base64Encoded: file.base64) ?? Data()))
    }
}
