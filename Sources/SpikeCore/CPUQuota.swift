import Foundation

/// The number of CPUs this process may actually use, and where that number came from.
///
/// A batch job or container is usually given fewer CPUs than the host has: Slurm sets
/// `SLURM_CPUS_PER_TASK`, a Kubernetes CPU limit or `docker run --cpus` becomes a CFS quota
/// (cgroup v2 `cpu.max`, cgroup v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`), `taskset` and Slurm's
/// task binding narrow the affinity mask. Running one OpenMP thread per host core inside such a
/// quota oversubscribes it: the threads are throttled in turn and a fit runs many times slower
/// than fair sharing predicts. ``detect(explicit:environment:readFile:affinityCount:)`` takes, in order:
/// an explicit count (a command-line flag), `BACKEND_PARALLEL_JOBS`, `SLURM_CPUS_PER_TASK`, and then the
/// smaller of the cgroup CPU quota and the affinity mask; the host core count is only the last resort.
public struct CPUQuota: Sendable, Hashable, CustomStringConvertible {
    /// Whole CPUs (at least 1).
    public var cpus: Int
    /// Where the count came from, e.g. `SLURM_CPUS_PER_TASK=4` or `cgroup v2 cpu.max 150000 100000`.
    public var source: String

    public init(cpus: Int, source: String) {
        self.cpus = Swift.max(1, cpus)
        self.source = source
    }

    public var description: String { "\(cpus) CPU\(cpus == 1 ? "" : "s") (\(source))" }

    /// The quota of the running process (reads `/proc/self/cgroup`, `/sys/fs/cgroup`, the environment
    /// and the affinity mask). `explicit` (e.g. `--workers`) wins when given.
    public static func current(explicit: Int? = nil) -> CPUQuota {
        detect(explicit: explicit, environment: ProcessInfo.processInfo.environment,
               readFile: { try? String(contentsOfFile: $0, encoding: .utf8) },
               affinityCount: ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The rule, with its inputs passed in (tests give fake cgroup files and environments).
    /// `affinityCount`: CPUs in the process's affinity mask (Foundation's active processor count).
    public static func detect(explicit: Int?, environment: [String: String], readFile: (String) -> String?,
                              affinityCount: Int) -> CPUQuota {
        if let n = explicit, n >= 1 { return CPUQuota(cpus: n, source: "explicit \(n)") }
        for name in ["BACKEND_PARALLEL_JOBS", "SLURM_CPUS_PER_TASK"] {
            if let text = environment[name]?.trimmingCharacters(in: .whitespaces), let n = Int(text), n >= 1 {
                return CPUQuota(cpus: n, source: "\(name)=\(n)")
            }
        }
        let host = CPUQuota(cpus: affinityCount, source: "\(affinityCount) CPUs in the affinity mask, no CPU quota")
        guard let cgroup = cgroupQuota(readFile: readFile) else { return host }
        return cgroup.cpus < host.cpus ? cgroup : host
    }

    /// The CFS quota of the process's cgroup (and its ancestors: the tightest one counts), rounded up
    /// to whole CPUs; nil when there is none.
    static func cgroupQuota(readFile: (String) -> String?) -> CPUQuota? {
        guard let membership = readFile("/proc/self/cgroup") else { return nil }
        var best: CPUQuota?
        func consider(_ q: CPUQuota) { if best == nil || q.cpus < best!.cpus { best = q } }
        for line in membership.split(separator: "\n") {
            // "hierarchy-id:controllers:path"; cgroup v2 is "0::/path".
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            let controllers = parts[1].split(separator: ",")
            let path = String(parts[2])
            if parts[0] == "0", controllers.isEmpty {
                for dir in ancestors(path, root: "/sys/fs/cgroup") {
                    guard let text = readFile(dir + "/cpu.max") else { continue }
                    let f = text.split(whereSeparator: \.isWhitespace)
                    guard f.count == 2, f[0] != "max", let quota = Double(f[0]), let period = Double(f[1]), quota > 0, period > 0 else { continue }
                    consider(CPUQuota(cpus: Int((quota / period).rounded(.up)), source: "cgroup v2 \(dir)/cpu.max \(f[0]) \(f[1])"))
                }
            } else if controllers.contains("cpu") {
                for mount in ["/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/cpuacct,cpu"] {
                    for dir in ancestors(path, root: mount) {
                        guard let q = readFile(dir + "/cpu.cfs_quota_us").flatMap({ Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }),
                              let p = readFile(dir + "/cpu.cfs_period_us").flatMap({ Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }),
                              q > 0, p > 0 else { continue }
                        consider(CPUQuota(cpus: Int((q / p).rounded(.up)), source: "cgroup v1 \(dir)/cpu.cfs_quota_us \(Int(q)) / \(Int(p))"))
                    }
                }
            }
        }
        return best
    }

    /// `root + path`, then each parent up to `root` (a container usually sees its own cgroup as "/").
    static func ancestors(_ path: String, root: String) -> [String] {
        var comps = path.split(separator: "/").map(String.init)
        var out: [String] = []
        while true {
            out.append(([root] + comps).joined(separator: "/"))
            if comps.isEmpty { break }
            comps.removeLast()
        }
        return out
    }

    /// How to spend the CPUs on `units` independent fits: `workers` fits at once, each with
    /// `threadsPerFit` XGBoost threads, so that workers × threads ≤ cpus (never more threads than CPUs).
    /// `workers` overrides the number of parallel fits (a `--workers` flag; more than `cpus` is honoured,
    /// with one thread each).
    public func split(units: Int, workers: Int? = nil) -> (workers: Int, threadsPerFit: Int) {
        let w = Swift.max(1, Swift.min(workers ?? cpus, Swift.max(units, 1)))
        return (w, Swift.max(1, cpus / w))
    }
}
