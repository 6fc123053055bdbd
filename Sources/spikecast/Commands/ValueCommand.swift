import ArgumentParser
import Foundation
import SpikeBacktest
import SpikeCore
import SpikeData
import SpikeReport

/// `spikecast value`: what a stored backtest's forecasts are worth in dollars: relative economic value
/// (cost/loss) curves and a battery hold-back backtest on the node's real DAM and RT prices.
struct ValueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "value",
        abstract: "Dollar value of a backtest's forecasts: cost/loss value curves and a battery hold-back backtest.",
        discussion: """
            Strategies: perfect-foresight (the bound), dam-only (best DAM arbitrage from the known DAM prices) and \
            hold-back:<model> for every model of the backtest (keep hours with a high P(spike > strike) out of the DAM \
            and offer them in real time at the strike; strike and α chosen on past days only). Settled against the \
            node's real DAM and RT prices at the data's resolution. See docs/evaluation.md for the battery model.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Stored backtest id (see `spikecast backtest list`).")
    var backtestId: Int64

    @Option(help: "Comma-separated nodes (default: every node of the backtest).")
    var nodes: NodeList?

    @Option(name: .long, help: "Battery power in MW (default 1).")
    var batteryMw: Double = 1

    @Option(name: .long, help: "Battery energy in MWh (default 2).")
    var batteryMwh: Double = 2

    @Option(help: "Round-trip efficiency in (0, 1] (default 0.85).")
    var efficiency: Double = 0.85

    @Option(help: "Bootstrap resamples for the revenue-difference intervals (default 1000).")
    var bootstrap: Int = 1000

    @OptionGroup var output: OutputOptions<TableFormat>

    func run() throws {
        let battery = try BatterySpec(powerMW: batteryMw, energyMWh: batteryMwh, efficiency: efficiency)
        let store = try global.openStore()
        let report = try ValueRun.evaluate(store: store, backtests: try BacktestStore(db: store.pool), runID: backtestId, nodes: nodes?.nodes,
                                           options: ValueOptions(battery: battery, bootstrapSamples: bootstrap))
        try output.emit(ValueRun.render(report, format: output.format))
    }
}
