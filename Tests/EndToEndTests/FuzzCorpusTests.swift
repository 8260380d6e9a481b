import BelenusTestSupport
import Foundation
import Testing

/// The fuzz targets' seeds (real requests and articles, Tests/Fuzz/corpus) and every input a
/// fuzzer once crashed on (Tests/Fuzz/regressions), replayed through the plain build of
/// `belenus-fuzz`: each target's checks hold on each of them. `make fuzz` runs the fuzzer itself.
@Suite struct FuzzCorpusTests {
    static let targets = ["multipart", "urlencoded", "cookie", "frontmatter", "cgi", "template", "mail"]

    @Test(arguments: targets) func seedsAndRegressionsReplayWithoutACrash(_ target: String) throws {
        let fuzz = CLI.repoRoot + "/Tests/Fuzz"
        let folders = ["\(fuzz)/corpus/\(target)", "\(fuzz)/regressions/\(target)"].filter { FileManager.default.fileExists(atPath: $0) }
        let seeds = try FileManager.default.contentsOfDirectory(atPath: folders[0])
        #expect(seeds.count >= 2, "\(target) has too few seeds")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binDir + "/belenus-fuzz")
        process.arguments = [target] + folders
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(text.hasPrefix("\(target): ") && text.contains("no crash"), "\(text)")
    }
}
