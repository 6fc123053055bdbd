import Foundation
import Testing
@testable import SpikeBacktest
import SpikeCore
import SpikeModel

@Suite("Shard plan, shard ids and CPU quota")
struct ShardPlanTests {
    static func grid(nodes: Int, models: [ModelConfig] = [.default, .reference], days: Int = 40) throws -> BacktestSettings {
        let start = LocalDate("2025-01-01")!
        let wf = try WalkForward(firstIssueDay: start.adding(days: 60), lastIssueDay: start.adding(days: 60 + days - 1), refitEvery: 2,
                                 minimumTrainingDays: 28, historyStart: start)
        return try BacktestSettings(name: "grid", walkForward: wf, nodes: (0..<nodes).map { Node("N\($0)") },
                                    thresholds: [Threshold(100), Threshold(500)], models: models)
    }

    @Test("every unit lands in exactly one shard, and the split is the same every time")
    func coverAndDeterminism() throws {
        for (nodes, count) in [(1, 1), (1, 4), (3, 4), (10, 3), (2, 50)] {
            let s = try Self.grid(nodes: nodes)
            let a = try ShardPlan(settings: s, count: count)
            let b = try ShardPlan(settings: s, count: count)
            #expect(a.digest == b.digest)
            #expect(a.shards == b.shards)
            var seen = Set<FoldKey>()
            for i in 0..<count {
                let u = a.units(of: i)
                #expect(seen.isDisjoint(with: u), "shard \(i) of \(count) repeats a unit")
                seen.formUnion(u)
            }
            #expect(seen == a.allUnits)
            #expect(seen.count == nodes * 2 * s.walkForward.folds().count)
        }
    }

    @Test("shards are balanced by estimated cost, with reference folds heavier than default ones")
    func balance() throws {
        let s = try Self.grid(nodes: 4)
        #expect(ShardCost.weight(.reference, thresholds: s.thresholds) > 5 * ShardCost.weight(.default, thresholds: s.thresholds))
        let plan = try ShardPlan(settings: s, count: 4)
        let costs = (0..<4).map(plan.cost(of:))
        let mean = costs.reduce(0, +) / 4
        #expect(costs.max()! / mean < 1.25, "costs \(costs)")
        // Naive equal-count split of the same grid is far worse: the reference units dominate.
        let reference = plan.allUnits.filter { $0.model == "reference" }
        #expect(reference.count == plan.allUnits.count / 2)
    }

    @Test("with many nodes a shard keeps each (node, model) pair whole; with few it cuts fold ranges")
    func blocks() throws {
        let many = try ShardPlan(settings: try Self.grid(nodes: 20), count: 4)
        for shard in many.shards { for b in shard { #expect(b.folds.count == many.folds.count) } }
        let few = try ShardPlan(settings: try Self.grid(nodes: 1), count: 4)
        #expect(few.shards.allSatisfy { !$0.isEmpty })
        #expect(few.shards.flatMap { $0 }.contains { $0.folds.count < few.folds.count })
        // Blocks are contiguous fold ranges.
        for b in few.shards.flatMap({ $0 }) { #expect(b.folds == Array(b.folds[0]...b.folds.last!)) }
    }

    @Test("more shards than units leaves some shards empty, and a plan of 0 shards is refused")
    func emptyShards() throws {
        let s = try Self.grid(nodes: 1, models: [.default], days: 4)
        let plan = try ShardPlan(settings: s, count: 5)
        #expect(plan.allUnits.count == 2)
        #expect((0..<5).filter { plan.units(of: $0).isEmpty }.count == 3)
        #expect(throws: BacktestError.self) { try ShardPlan(settings: s, count: 0) }
    }

    @Test("shard id from --shard, Slurm array variables or a Kubernetes completion index")
    func shardIDs() throws {
        #expect(try ShardID.resolve(explicit: "2/4", count: nil, environment: [:]) == ShardID(index: 2, count: 4))
        #expect(try ShardID.resolve(explicit: nil, count: nil, environment: [:]) == nil)
        #expect(try ShardID.resolve(explicit: nil, count: nil, environment: ["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"]) == ShardID(index: 3, count: 4))
        // Arrays numbered from 1 (--array=1-4).
        #expect(try ShardID.resolve(explicit: nil, count: nil, environment: ["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "4"]) == ShardID(index: 3, count: 4))
        #expect(try ShardID.resolve(explicit: nil, count: 8, environment: ["JOB_COMPLETION_INDEX": "7"]) == ShardID(index: 7, count: 8))
        #expect(try ShardID.resolve(explicit: nil, count: nil, environment: ["JOB_COMPLETION_INDEX": "1", "SPIKECAST_SHARD_COUNT": "3"]) == ShardID(index: 1, count: 3))
        #expect(try ShardID(index: 2, count: 4).description == "2/4")
        #expect(try ShardID(index: 2, count: 4).fileName == "shard-0002-of-0004.json")

        func message(_ f: () throws -> ShardID?) -> String {
            do { _ = try f(); return "no error" } catch { return "\(error)" }
        }
        #expect(message { try ShardID.resolve(explicit: nil, count: nil, environment: ["JOB_COMPLETION_INDEX": "1"]) }.contains("--shard-count"))
        #expect(message { try ShardID.resolve(explicit: "4/4", count: nil, environment: [:]) }.contains("0…3"))
        #expect(message { try ShardID.resolve(explicit: "x", count: nil, environment: [:]) }.contains("INDEX/COUNT"))
        #expect(message { try ShardID.resolve(explicit: "1/4", count: 3, environment: [:]) }.contains("says 3"))
        #expect(message { try ShardID.resolve(explicit: nil, count: nil, environment: ["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_STEP": "2"]) }.contains("step 2"))
        #expect(message { try ShardID.resolve(explicit: nil, count: nil, environment: ["SLURM_ARRAY_TASK_ID": "a"]) }.contains("SLURM_ARRAY_TASK_ID='a'"))
        #expect(message { try ShardID.resolve(explicit: nil, count: 3, environment: [:]) }.contains("no shard index"))
    }

    @Test("CPU quota: flag, BACKEND_PARALLEL_JOBS, SLURM_CPUS_PER_TASK, cgroup v2 cpu.max, cgroup v1 CFS quota, never just the host")
    func cpuQuota() {
        let v2 = ["/proc/self/cgroup": "0::/kubepods/pod1/c1\n", "/sys/fs/cgroup/kubepods/pod1/c1/cpu.max": "150000 100000\n",
                  "/sys/fs/cgroup/kubepods/cpu.max": "max 100000\n"]
        func detect(_ env: [String: String], _ files: [String: String], host: Int = 64, explicit: Int? = nil) -> CPUQuota {
            CPUQuota.detect(explicit: explicit, environment: env, readFile: { files[$0] }, affinityCount: host)
        }
        #expect(detect([:], v2).cpus == 2)
        #expect(detect([:], v2).source.contains("cpu.max"))
        // A parent's tighter limit wins; "max" is no limit.
        var nested = v2
        nested["/sys/fs/cgroup/kubepods/pod1/cpu.max"] = "100000 100000"
        #expect(detect([:], nested).cpus == 1)
        #expect(detect([:], ["/proc/self/cgroup": "0::/\n", "/sys/fs/cgroup/cpu.max": "max 100000"], host: 2).cpus == 2)
        // The affinity mask is smaller than the quota.
        #expect(detect([:], v2, host: 1).cpus == 1)
        // cgroup v1 (Docker on older hosts).
        let v1 = ["/proc/self/cgroup": "4:memory:/x\n1:cpu,cpuacct:/docker/abc\n", "/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us": "300000\n",
                  "/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us": "100000\n"]
        #expect(detect([:], v1).cpus == 3)
        #expect(detect([:], ["/proc/self/cgroup": "1:cpu:/\n", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "-1", "/sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000"], host: 8).cpus == 8)
        // Environment and flag win, in that order.
        #expect(detect(["SLURM_CPUS_PER_TASK": "4"], v2).cpus == 4)
        #expect(detect(["SLURM_CPUS_PER_TASK": "4", "BACKEND_PARALLEL_JOBS": "6"], v2).cpus == 6)
        #expect(detect(["BACKEND_PARALLEL_JOBS": "6"], v2, explicit: 3).cpus == 3)
        #expect(detect(["SLURM_CPUS_PER_TASK": "zero"], [:], host: 5).cpus == 5)
        // Workers x threads stay within the quota.
        let q = CPUQuota(cpus: 8, source: "test")
        #expect(q.split(units: 100) == (8, 1))
        #expect(q.split(units: 3) == (3, 2))
        #expect(q.split(units: 1) == (1, 8))
        #expect(q.split(units: 100, workers: 2) == (2, 4))
        #expect(CPUQuota(cpus: 2, source: "t").split(units: 100, workers: 8) == (8, 1))
    }
}
