// SpikeReportTests. Delete this file once the target has real tests.
import Testing
