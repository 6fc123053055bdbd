import Foundation
import PackagePlugin

/// Generates `BuildVersion.swift` (the VERSION file and `git rev-parse --short HEAD`) before every build.
@main
struct VersionPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let out = context.pluginWorkDirectoryURL.appendingPathComponent("Generated")
        let root = context.package.directoryURL
        let script = """
            set -e; mkdir -p "$2"; v=$(tr -d ' \\n' < "$1/VERSION" 2>/dev/null || echo 0.0.0); \
            r=$(git -C "$1" rev-parse --short=7 HEAD 2>/dev/null || echo unknown); \
            f="$2/BuildVersion.swift"; t="$f.tmp"; \
            printf 'enum BuildVersion {\\n    static let version = "%s"\\n    static let revision = "%s"\\n}\\n' "$v" "$r" > "$t"; \
            if cmp -s "$t" "$f"; then rm "$t"; else mv "$t" "$f"; fi
            """
        return [.prebuildCommand(displayName: "spikecast version", executable: URL(fileURLWithPath: "/bin/sh"),
                                 arguments: ["-c", script, "sh", root.path, out.path], outputFilesDirectory: out)]
    }
}
