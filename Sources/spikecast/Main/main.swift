import SpikecastCLI

await Spikecast.runMain()
