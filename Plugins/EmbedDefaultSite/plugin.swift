import Foundation
import PackagePlugin

/// Builds the default theme (`site-templates/`) and the sample content (`content/`) into the
/// target as a Swift table of files, so that `belenus init` needs no checkout.
@main
struct EmbedDefaultSite: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        var inputs: [URL] = []
        for folder in ["site-templates", "content"] {
            let base = root.appending(path: folder)
            guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey]) else { continue }
            for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                inputs.append(url)
            }
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "DefaultSiteFiles.swift")
        return [.buildCommand(
            displayName: "Embedding the default theme and sample content (\(inputs.count) files)",
            executable: try context.tool(named: "embed-files").url,
            arguments: [root.path(), output.path()] + inputs.map { $0.path() },
            inputFiles: inputs, outputFiles: [output])]
    }
}
