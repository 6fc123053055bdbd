public import SpikeCore

/// The knobs of the synthetic market. Every default is the calibrated value behind the embedded
/// data set (README "Synthetic market"); tests and experiments change single fields.
public struct SyntheticMarketConfiguration: Sendable, Hashable {
    /// Settlement points to price. The default is ``SyntheticMarket/supportedNodes``: the five
    /// hubs (HB_HUBAVG is the mean of the other four) and LZ_HOUSTON, LZ_NORTH, LZ_WEST.
    public var nodes: [Node] = SyntheticMarket.supportedNodes
    /// Days covered by each daily forecast vintage (D+1 … D+n). The default is 7.
    public var forecastDays = 7
    /// CPT wall-clock hour and minute at which the daily forecast vintage is issued (its
    /// `available_at`). The default is 05:30, before the 06:00 forecast issue time.
    public var forecastIssueHour = 5
    public var forecastIssueMinute = 30

    // MARK: Supply

    /// Dispatchable (thermal, storage, hydro, imports) capacity installed on the start date, GW. The default is 84.
    public var dispatchableCapacityGW = 84.0
    /// Growth of dispatchable capacity per year, GW. The default is 2.5.
    public var dispatchableGrowthGWPerYear = 2.5
    /// Installed wind capacity on the start date and its growth per year, GW. Defaults 37 and 2.5.
    public var windCapacityGW = 37.0
    public var windGrowthGWPerYear = 2.5
    /// Installed solar capacity on the start date and its growth per year, GW. Defaults 15 and 7.
    public var solarCapacityGW = 15.0
    public var solarGrowthGWPerYear = 7.0
    /// Peak of planned maintenance in spring and autumn, GW. The default is 13.
    public var maintenancePeakGW = 13.0
    /// Forced-outage events per hour in mild weather (each 0.25 GW + Exp(0.45 GW), lasting ~60 h
    /// on average). Cold below 2 °C and heat above 33 °C raise the rate. The default is 0.09.
    public var forcedOutageRatePerHour = 0.09
    /// Multiplier cap of the forced-outage rate in a cold snap. The default is 9.
    public var coldOutageMultiplierCap = 9.0

    // MARK: Weather regimes

    /// Daily probability that a heat wave starts (June–September). The default is 0.045.
    public var heatWaveDailyProbability = 0.045
    /// Daily probability that a cold snap starts (December–February; a quarter of it in November and March). The default is 0.025.
    public var coldSnapDailyProbability = 0.025
    /// Daily probability that a low-wind spell starts (higher in July–September). The default is 0.035.
    public var lowWindDailyProbability = 0.035

    // MARK: Load

    /// Temperature-independent load at the daily shape's mean, GW. The default is 41.
    public var baseLoadGW = 41.0
    /// Load growth per year, as a fraction. The default is 0.035.
    public var loadGrowthPerYear = 0.035

    // MARK: Prices

    /// The offer cap and the value of lost load in the ORDC-like adder, $/MWh. The default is 5000.
    public var priceCap = 5000.0
    /// Minimum contingency reserve of the ORDC-like adder, GW. The default is 2.
    public var ordcMinimumReserveGW = 2.0
    /// Standard deviation of the reserve-shortfall distribution of the adder, GW. The default is 1.8.
    public var ordcSigmaGW = 1.8
    /// Utilisation (net load / available capacity) above which peaker offers climb steeply. The default is 0.62.
    public var scarcityOfferStart = 0.62
    /// Steepness of the peaker offers: $/MWh added = slope × (utilisation − start)². The default is 4000.
    public var scarcityOfferSlope = 4000.0
    /// Gas price level multiplying the energy offer curve. The default is 1.
    public var fuelPriceFactor = 1.0
    /// West export limit (wind and solar out of West Texas), GW. The default is 9.5.
    public var westExportLimitGW = 9.5
    /// West import limit (serving Permian load when West wind is low), GW. The default is 6.
    public var westImportLimitGW = 6.0
    /// Houston import limit (Coast load), GW. The default is 21.
    public var houstonImportLimitGW = 21.0

    public init() {}
}
