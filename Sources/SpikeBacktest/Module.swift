// SpikeBacktest module. Helpers add files beside this one; delete this file once the module has real sources.
