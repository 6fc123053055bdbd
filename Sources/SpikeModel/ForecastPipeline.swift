import Foundation
public import Logging
public import SpikeCore
public import SpikeFeatures

/// The one code path from features and labels to fitted models and forecasts. Production
/// `spikecast train` / `predict` and the backtest both call these functions.
public enum ForecastPipeline {
    // MARK: Fitting

    /// Fits one model per threshold of `labels` on the rows `rows` of `features` (labels are
    /// aligned with the rows of `features`; rows whose label is undefined (−1) are skipped).
    ///
    /// `sampleWeights` (one per feature row, optional) weigh the rows in the booster's loss, e.g. the
    /// inverse inclusion probabilities of subsampled rows (``fitPooled(members:config:logger:)``).
    public static func fit(
        features: FeatureMatrix, labels: SpikeLabels, rows: [Int], config: ModelConfig, node: Node,
        logger: Logger? = nil, sampleWeights: [Float]? = nil
    ) throws -> FittedNodeModel {
        try config.validate()
        var models: [Threshold: ThresholdModel] = [:]
        let hoursAll = TargetCalendar.hoursAndMonths(rows.map { features.targetStarts[$0] })
        // CPT hour of day and month by feature row.
        var hourOf = [Int](repeating: 0, count: features.rowCount), monthOf = [Int](repeating: 1, count: features.rowCount)
        for (i, r) in rows.enumerated() { hourOf[r] = hoursAll.hours[i]; monthOf[r] = hoursAll.months[i] }
        if config.exceedanceCurve == true {
            return try fitCurve(features: features, labels: labels, rows: rows, config: config, node: node,
                                hour: { hourOf[$0] }, month: { monthOf[$0] }, sampleWeights: sampleWeights, logger: logger)
        }
        let cache = MatrixCache()
        cache.rowWeights = sampleWeights
        if let f = config.negativeFraction, f < 1 {
            cache.negatives = (keeps: { r in
                NegativeSampling.keeps(node: node, targetStart: features.targetStarts[r], issueDay: features.issueDays[r], fraction: f)
            }, weight: Float(1 / f))
        }
        let anchor = config.thresholdChain?.anchor
        if let a = anchor, labels.thresholds.contains(where: { $0 > a }), labels.values[a] == nil {
            throw ModelError("model configuration \(config.name) chains thresholds above $\(a), but no labels for $\(a) were built")
        }
        for t in labels.thresholds {
            guard let y = labels.values[t] else { continue }
            precondition(y.count == features.rowCount, "labels for $\(t) have \(y.count) rows, features \(features.rowCount)")
            let usable = rows.filter { y[$0] >= 0 }
            let m: ThresholdModel
            if let a = anchor, t > a {
                m = chainedThreshold(threshold: t, anchor: a, y: y, anchorY: labels.values[a]!, rows: usable, hour: { hourOf[$0] })
            } else {
                m = try fitThreshold(
                    threshold: t, features: features, y: y, rows: usable, config: config,
                    hour: { hourOf[$0] }, month: { monthOf[$0] }, cache: cache, logger: logger)
            }
            logger?.debug("fitted \(node) $\(t): \(m.predictor.kindName), \(m.summary.rows) rows, \(m.summary.positives) positives")
            models[t] = m
        }
        return FittedNodeModel(node: node, config: config, featureNames: features.featureNames, models: models)
    }

    /// A threshold above the chain's anchor: the anchor's forecast times (k_u + ½) / (k_anchor + 1)
    /// counted on the rows where both labels are defined.
    static func chainedThreshold(threshold t: Threshold, anchor a: Threshold, y: [Int8], anchorY: [Int8], rows: [Int], hour: (Int) -> Int) -> ThresholdModel {
        let labels = rows.map { y[$0] }
        let clim = HourClimatology(labels: labels, hours: rows.map(hour))
        var summary = ThresholdSummary(rows: rows.count, positives: labels.reduce(0) { $0 + Int($1 == 1 ? 1 : 0) })
        let both = rows.filter { anchorY[$0] >= 0 }
        let k = both.reduce(0) { $0 + (y[$1] == 1 ? 1 : 0) }, kA = both.reduce(0) { $0 + (anchorY[$1] == 1 ? 1 : 0) }
        let ratio = ThresholdChain.ratio(positives: k, anchorPositives: kA)
        summary.chainAnchor = a
        summary.chainRatio = ratio
        return ThresholdModel(threshold: t, predictor: .chained(anchor: a, ratio: ratio), calibrator: nil, climatology: clim, summary: summary)
    }

    static func fitThreshold(
        threshold t: Threshold, features: FeatureMatrix, y: [Int8], rows: [Int], config: ModelConfig,
        hour: (Int) -> Int, month: (Int) -> Int, cache: MatrixCache = MatrixCache(), logger: Logger?
    ) throws -> ThresholdModel {
        let labels = rows.map { y[$0] }
        let hours = rows.map(hour)
        let clim = HourClimatology(labels: labels, hours: hours)
        var summary = ThresholdSummary(rows: rows.count, positives: labels.reduce(0) { $0 + Int($1 == 1 ? 1 : 0) })
        if summary.positives == 0 {
            summary.fallback = rows.isEmpty ? "no training rows with a defined label" : "no positive label in \(rows.count) training rows"
            let predictor: Predictor = config.noPositives == .baseRate ? .constant(0) : .hourClimatology(clim)
            return ThresholdModel(threshold: t, predictor: predictor, calibrator: nil, climatology: clim, summary: summary)
        }
        // Recency weighting: the half-life, chosen on this training window's own last days when several are offered.
        let halfLife = try chooseHalfLife(features: features, y: y, rows: rows, config: config, hour: hour, month: month,
                                          summary: &summary, cache: cache, threshold: t)
        // The model on all rows (or, with calibration and refit_full == false, on the earlier rows).
        var calibrator: IsotonicCalibrator?
        var final: Predictor?
        if config.calibration.method == .isotonic {
            let split = timeSplit(features: features, rows: rows, tailDays: config.calibration.holdoutDays)
            let earlyPositives = split.early.reduce(0) { $0 + (y[$1] == 1 ? 1 : 0) }
            let tailPositives = split.tail.reduce(0) { $0 + (y[$1] == 1 ? 1 : 0) }
            if split.early.isEmpty || earlyPositives == 0 {
                summary.calibrationSkipped = "no positive label before the \(config.calibration.holdoutDays)-day calibration tail"
            } else if tailPositives < config.calibration.minPositives {
                summary.calibrationSkipped = "\(tailPositives) positives in the calibration tail (< min_positives \(config.calibration.minPositives))"
            } else {
                var s = summary
                let early = try fitPredictor(features: features, y: y, rows: split.early, config: config, hour: hour, month: month, summary: &s, cache: cache,
                                             threshold: t, halfLifeDays: halfLife)
                let tailX = features.subset(rows: split.tail)
                let dm = config.kind == .xgboost
                    ? try XGBoostMatrix(values: tailX.values, rows: tailX.rowCount, columns: tailX.columnCount, featureNames: features.featureNames) : nil
                let raw = try FittedNodeModel.raw(early, x: tailX, dmatrix: dm, calendar: TargetCalendar.hoursAndMonths(tailX.targetStarts))
                let outcomes = split.tail.map { Double(y[$0]) }
                let iso = try IsotonicCalibrator(scores: raw, outcomes: outcomes)
                calibrator = iso
                summary.holdoutRaw = ScoreSummary(predictions: raw, labels: outcomes)
                summary.holdoutCalibrated = ScoreSummary(predictions: iso.apply(raw), labels: outcomes)
                if !config.calibration.refitFull {
                    final = early
                    summary.rounds = s.rounds
                    summary.baseScore = s.baseScore
                    summary.importance = s.importance
                }
            }
        }
        let predictor = try final ?? fitPredictor(features: features, y: y, rows: rows, config: config, hour: hour, month: month, summary: &summary,
                                                  cache: cache, threshold: t, halfLifeDays: halfLife)
        let blend = config.blend(labels: labels, hours: hours, months: rows.map(month))
        return ThresholdModel(threshold: t, predictor: predictor, calibrator: calibrator, blend: blend, climatology: clim, summary: summary)
    }

    /// The recency half-life (days) for this fit: nil without ``ModelConfig/recency``; the only
    /// candidate when one is given; else the candidate whose model, fitted on the rows whose target
    /// hour ended before the last `validation_days` issue days, has the lowest Brier score on those
    /// days' rows (the first candidate when they hold fewer than `min_positives` positives). Records
    /// the choice and the candidates' scores in `summary`.
    static func chooseHalfLife(
        features: FeatureMatrix, y: [Int8], rows: [Int], config: ModelConfig, hour: (Int) -> Int, month: (Int) -> Int,
        summary: inout ThresholdSummary, cache: MatrixCache, threshold: Threshold
    ) throws -> Double? {
        guard let rc = config.recency, config.kind == .xgboost, let first = rc.halfLifeDays.first else { return nil }
        summary.recencyHalfLifeDays = first
        guard rc.halfLifeDays.count > 1 else { return first }
        let split = timeSplit(features: features, rows: rows, tailDays: rc.validationDays)
        let tailPositives = split.tail.reduce(0) { $0 + (y[$1] == 1 ? 1 : 0) }
        guard !split.early.isEmpty, split.early.contains(where: { y[$0] == 1 }), tailPositives >= rc.minPositives else {
            summary.recencySkipped = "\(tailPositives) positives in the last \(rc.validationDays) issue days (< min_positives \(rc.minPositives)): half-life \(first) d kept"
            return first
        }
        let tailX = features.subset(rows: split.tail)
        let dm = try XGBoostMatrix(values: tailX.values, rows: tailX.rowCount, columns: tailX.columnCount, featureNames: features.featureNames)
        let outcomes = split.tail.map { Double(y[$0]) }
        let calendar = TargetCalendar.hoursAndMonths(tailX.targetStarts)
        var best = (brier: Double.infinity, halfLife: first)
        var scores: [String: Double] = [:]
        for h in rc.halfLifeDays {
            var s = summary
            let p = try fitPredictor(features: features, y: y, rows: split.early, config: config, hour: hour, month: month, summary: &s,
                                     cache: cache, threshold: threshold, halfLifeDays: h)
            let forecast = try FittedNodeModel.raw(p, x: tailX, dmatrix: dm, calendar: calendar)
            // Weighted by the row weights when given (subsampled rows stand for more than one).
            let w = cache.rowWeights.map { rw in split.tail.map { Double(rw[$0]) } } ?? [Double](repeating: 1, count: outcomes.count)
            var num = 0.0, den = 0.0
            for i in outcomes.indices { num += w[i] * (forecast[i] - outcomes[i]) * (forecast[i] - outcomes[i]); den += w[i] }
            let b = den > 0 ? num / den : .nan
            scores[String(format: "%g", h)] = b
            if b < best.brier { best = (b, h) }
        }
        summary.recencyHalfLifeDays = best.halfLife
        summary.recencyBriers = scores
        return best.halfLife
    }

    /// Splits rows into the last `tailDays` issue days (tail) and the rows whose target hour ended
    /// by the first tail issue time (early), so the early model never sees a tail outcome.
    static func timeSplit(features: FeatureMatrix, rows: [Int], tailDays: Int) -> (early: [Int], tail: [Int]) {
        guard let lastDay = rows.map({ features.issueDays[$0] }).max() else { return ([], []) }
        let firstTail = lastDay.adding(days: -(tailDays - 1))
        let tail = rows.filter { features.issueDays[$0] >= firstTail }
        guard let t0 = tail.map({ issueTime(features, $0) }).min() else { return (rows, []) }
        let early = rows.filter { features.issueDays[$0] < firstTail && features.targetStarts[$0] + 3600 <= t0 }
        return (early, tail)
    }

    /// The issue time (UTC seconds) of a feature row: target start − lead.
    static func issueTime(_ f: FeatureMatrix, _ r: Int) -> Int64 { f.targetStarts[r] - Int64(f.leadHours[r]) * 3600 }

    static func fitPredictor(
        features: FeatureMatrix, y: [Int8], rows: [Int], config: ModelConfig,
        hour: (Int) -> Int, month: (Int) -> Int, summary: inout ThresholdSummary, cache: MatrixCache = MatrixCache(),
        threshold: Threshold = Threshold(100), halfLifeDays: Double? = nil
    ) throws -> Predictor {
        let labels = rows.map { y[$0] }
        switch config.kind {
        case .climatology:
            return .hourClimatology(HourClimatology(labels: labels, hours: rows.map(hour)))
        case .seasonalClimatology:
            return .seasonalClimatology(SeasonalClimatology(
                labels: labels, hours: rows.map(hour), months: rows.map(month),
                neighbourWeight: config.climatology.neighbourWeight, priorStrength: config.climatology.priorStrength))
        case .damSignal:
            return .damSignal(try DAMSignalModel(features: features, rows: rows, labels: labels, hours: rows.map(hour), threshold: threshold.dollars))
        case .logistic:
            let x = features.subset(rows: rows)
            return .logistic(try LogisticModel(
                values: x.values, rows: x.rowCount, columns: x.columnCount, labels: labels.map(Double.init),
                l2: config.logistic.l2, maxIterations: config.logistic.iterations))
        case .xgboost:
            let p = config.xgboost
            let positives = labels.reduce(0) { $0 + Int($1) }
            var rate = Double(positives) / Double(labels.count)
            if let rw = cache.rowWeights {
                // The weighted rate: what the rows stand for, not the subsample's share.
                var wp = 0.0, wt = 0.0
                for r in rows { wt += Double(rw[r]); if y[r] == 1 { wp += Double(rw[r]) } }
                if wt > 0 { rate = wp / wt }
            }
            var base: Double
            switch p.baseScore {
            case .trainingRate: base = min(max(rate, 1e-6), 1 - 1e-6)
            case .value(let v): base = v
            }
            // Boosting from the hour × month climatology of these rows: per-row base margins replace the bias.
            let offset = config.climatologyOffset == true ? config.seasonalClimatology(labels: labels, hours: rows.map(hour), months: rows.map(month)) : nil
            if offset != nil { base = 0.5 }
            func margins(_ rs: [Int]) -> [Float] {
                ClimatologyOffset.margins(offset!, hours: rs.map(hour), months: rs.map(month))
            }
            var trainRows = rows
            var validation: XGBoostMatrix?
            if let stop = p.earlyStoppingRounds {
                let split = timeSplit(features: features, rows: rows, tailDays: p.validationDays)
                if !split.early.isEmpty, !split.tail.isEmpty, split.early.contains(where: { y[$0] == 1 }) {
                    let vx = features.subset(rows: split.tail)
                    validation = try XGBoostMatrix(values: vx.values, rows: vx.rowCount, columns: vx.columnCount,
                                                   labels: split.tail.map { Float(y[$0]) }, featureNames: features.featureNames)
                    if offset != nil { try validation!.setBaseMargin(margins(split.tail)) }
                    trainRows = split.early
                    _ = stop
                }
            }
            // Negative sampling (``ModelConfig/negativeFraction``): the booster trains on every row with a
            // spike and the kept rows without one, those weighing 1/fraction.
            let negatives = cache.negatives
            func sampled(_ rs: [Int]) -> [Int] {
                guard let keeps = negatives?.keeps else { return rs }
                return rs.filter { y[$0] == 1 || keeps($0) }
            }
            func boosterWeights(_ rs: [Int]) -> [Float]? {
                var w = cache.weights(features: features, rows: rs, halfLifeDays: halfLifeDays)
                if let nw = negatives?.weight {
                    if w == nil { w = [Float](repeating: 1, count: rs.count) }
                    for (i, r) in rs.enumerated() where y[r] != 1 { w![i] *= nw }
                }
                return w
            }
            trainRows = sampled(trainRows)
            var boosterRows = trainRows.count
            let dtrain = try cache.matrix(features: features, rows: trainRows, nthread: p.nthread)
            try dtrain.setLabels(trainRows.map { Float(y[$0]) })
            // Set on every use: the cached matrix may be shared with a fit of other margins.
            if offset != nil { try dtrain.setBaseMargin(margins(trainRows)) }
            if let w = boosterWeights(trainRows) { try dtrain.setWeights(w) }
            var (booster, rounds) = try XGBoostBooster.train(
                parameters: p.boosterParameters(baseScore: base), train: dtrain, rounds: p.rounds,
                validation: validation, earlyStoppingRounds: validation == nil ? nil : p.earlyStoppingRounds)
            if validation != nil {
                // Refit on every row with the number of rounds early stopping chose.
                let allRows = sampled(rows)
                let all = features.subset(rows: allRows)
                let dall = try XGBoostMatrix(values: all.values, rows: all.rowCount, columns: all.columnCount,
                                             labels: allRows.map { Float(y[$0]) }, featureNames: features.featureNames)
                if let w = boosterWeights(allRows) { try dall.setWeights(w) }
                if offset != nil { try dall.setBaseMargin(margins(allRows)) }
                boosterRows = allRows.count
                (booster, rounds) = try XGBoostBooster.train(parameters: p.boosterParameters(baseScore: base), train: dall, rounds: rounds)
            }
            summary.boosterRows = negatives == nil ? nil : boosterRows
            summary.baseScore = base
            summary.rounds = rounds
            summary.importance = try booster.featureImportance(featureNames: features.featureNames)
            if let offset { return .xgboostOffset(booster, offset: offset) }
            return .xgboost(booster)
        }
    }

    /// Training matrices by row set, shared by the thresholds of one fit (the rows with a defined
    /// label are the same for every threshold), so XGBoost builds each histogram index once.
    final class MatrixCache {
        private var entries: [(rows: [Int], matrix: XGBoostMatrix)] = []
        /// Per feature row: the row's weight in the booster's loss (nil = all 1).
        var rowWeights: [Float]?
        /// Negative sampling (nil = none): by feature row, whether a row without a spike is kept, and the
        /// weight a kept one gets (1/fraction).
        var negatives: (keeps: (Int) -> Bool, weight: Float)?

        /// The booster weights of `rows`: the row weights times the recency weights of `halfLifeDays`;
        /// nil when neither applies (the matrix keeps XGBoost's unweighted default).
        func weights(features: FeatureMatrix, rows: [Int], halfLifeDays: Double?) -> [Float]? {
            guard halfLifeDays != nil || rowWeights != nil else { return nil }
            var w = halfLifeDays.map { RecencyConfig.weights(targetStarts: rows.map { features.targetStarts[$0] }, halfLifeDays: $0) }
                ?? [Float](repeating: 1, count: rows.count)
            if let rw = rowWeights { for (i, r) in rows.enumerated() { w[i] *= rw[r] } }
            return w
        }

        func matrix(features: FeatureMatrix, rows: [Int], nthread: Int) throws -> XGBoostMatrix {
            if let hit = entries.first(where: { $0.rows == rows }) { return hit.matrix }
            let x = features.subset(rows: rows)
            let m = try XGBoostMatrix(values: x.values, rows: x.rowCount, columns: x.columnCount,
                                      featureNames: features.featureNames, nthread: nthread)
            if entries.count >= 4 { entries.removeFirst() }
            entries.append((rows, m))
            return m
        }
    }

    // MARK: Forecasting

    /// The 72 (horizon) probabilities per threshold for `issue`: builds the issue's feature rows
    /// from `data` (point in time) and predicts; monotone across thresholds. `thresholds` nil = all
    /// of the model's.
    public static func forecast(model: FittedNodeModel, data: MarketData, issue: Issue, thresholds: [Threshold]? = nil) throws -> [Threshold: [Double]] {
        let set = try FeatureSet.named(model.config.featureSet)
        let x = try FeatureBuilder(featureSet: set).build(data: data, node: model.node, issues: [issue])
        return try model.predict(x, thresholds: thresholds ?? model.thresholds)
    }

    /// Checks that the series the model's feature set reads are present and fresh at the issue time;
    /// throws ``DataReadinessError`` naming each missing or stale series and since when.
    ///
    /// Rules: RT prices must have an interval ending within `maxRealTimeGapHours` before the issue
    /// time; DAM prices must cover delivery day D; forecasts must have a vintage available by the
    /// issue time that covers the first target hour (00:00 CPT of D+1); actuals must be published
    /// within the last 48 h.
    ///
    /// - Parameter storedSeries: the value series the store holds at all, with the latest
    ///   availability of any of their rows; a series the feature set reads but that was never
    ///   stored is skipped (the model was trained with its features missing), and one stored but
    ///   absent from `data` is reported stale since that instant. nil = every series is required.
    public static func checkReadiness(
        data: MarketData, node: Node, issue: Issue, featureSet name: String, storedSeries: [SeriesID: Instant]? = nil,
        maxRealTimeGapHours: Int = 3
    ) throws {
        let set = try FeatureSet.named(name)
        var sources: [FeatureSource] = [.rtPrice]
        for f in set.features { for s in f.sources where !sources.contains(s) { sources.append(s) } }
        let t = issue.time.seconds
        var problems: [DataReadinessError.Problem] = []
        func fmt(_ s: Int64) -> String { CentralTime.local(Instant(seconds: s)).display }
        for source in sources {
            switch source {
            case .rtPrice:
                let label = "RT price \(node)"
                guard let s = data.price(node, .realTime), let last = lastAvailable(s.availableAt, s.starts, by: t) else {
                    problems.append(.init(series: label, lastAvailable: nil, message: "\(label) is missing (no interval available by the issue time)"))
                    continue
                }
                let end = s.starts[last] + Int64(s.minutes[last]) * 60
                if end < t - Int64(maxRealTimeGapHours) * 3600 {
                    problems.append(.init(series: label, lastAvailable: Instant(seconds: end),
                                          message: "\(label) is stale since \(fmt(end)) (last interval end; needed within \(maxRealTimeGapHours) h of the issue time)"))
                }
            case .damPrice:
                let label = "DAM price \(node)"
                let dayStart = CentralTime.startOfDay(issue.day).seconds
                guard let s = data.price(node, .dayAhead), let last = lastAvailable(s.availableAt, s.starts, by: t) else {
                    problems.append(.init(series: label, lastAvailable: nil, message: "\(label) is missing (none available by the issue time)"))
                    continue
                }
                if s.starts[last] < dayStart {
                    problems.append(.init(series: label, lastAvailable: Instant(seconds: s.availableAt[last]),
                                          message: "\(label) is stale: last delivery hour available starts \(fmt(s.starts[last])), delivery day \(issue.day) is not available"))
                }
            case .series(let id):
                if let stored = storedSeries, stored[id] == nil { continue }
                checkValues(data.value(id), label: id.variableName, kind: id.kind, latest: storedSeries?[id])
            case .systemPrices:
                // Other points' prices are context: a point without recent data is left out of the
                // system summaries (they are means, shares and extremes over the points present).
                continue
            case .nodeZoneTemperature:
                let zoneIDs = node.weatherZones.map { SeriesID(.temperature, .forecast, zone: $0.rawValue) }
                if let stored = storedSeries, stored[SeriesID(.temperature, .forecast)] == nil, !zoneIDs.contains(where: { stored[$0] != nil }) { continue }
                if data.value(SeriesID(.temperature, .forecast)) != nil, set.features.contains(where: { $0.sources.contains(.series(SeriesID(.temperature, .forecast))) }) { continue }
                let present = zoneIDs.compactMap { data.value($0) }.filter { !$0.isEmpty }
                if present.isEmpty {
                    checkValues(data.value(SeriesID(.temperature, .forecast)), label: "temperature_forecast (zones \(node.weatherZones.map(\.rawValue).joined(separator: ","))) or temperature_forecast_ercot", kind: .forecast,
                                latest: storedSeries?[SeriesID(.temperature, .forecast)])
                } else {
                    for s in present { checkValues(s, label: s.id.variableName, kind: .forecast) }
                }
            }
        }
        func checkValues(_ s: ValueSeries?, label: String, kind: ValueKind, latest: Instant? = nil) {
            guard let s, !s.isEmpty else {
                if let latest, latest.seconds <= t {
                    problems.append(.init(series: label, lastAvailable: latest, message: "\(label) is stale since \(fmt(latest.seconds)) (its last published row)"))
                } else {
                    problems.append(.init(series: label, lastAvailable: nil, message: "\(label) is missing"))
                }
                return
            }
            switch kind {
            case .forecast:
                let first = issue.firstTarget.seconds
                // Latest target hour covered by a vintage available at the issue time.
                var coveredUntil = Int64.min
                for i in s.starts.indices where s.availableAt[i] <= t { coveredUntil = max(coveredUntil, s.starts[i]) }
                if coveredUntil == .min {
                    problems.append(.init(series: label, lastAvailable: nil, message: "\(label) is missing (no vintage available by the issue time)"))
                } else if coveredUntil < first {
                    problems.append(.init(series: label, lastAvailable: Instant(seconds: coveredUntil),
                                          message: "\(label) is stale: the vintages available by the issue time end at \(fmt(coveredUntil)), before the first target hour \(fmt(first))"))
                }
            case .actual:
                guard let last = lastAvailable(s.availableAt, s.starts, by: t) else {
                    problems.append(.init(series: label, lastAvailable: nil, message: "\(label) is missing (nothing published by the issue time)"))
                    return
                }
                if s.availableAt[last] < t - 48 * 3600 {
                    problems.append(.init(series: label, lastAvailable: Instant(seconds: s.availableAt[last]),
                                          message: "\(label) is stale since \(fmt(s.availableAt[last])) (last publication)"))
                }
            }
        }
        if !problems.isEmpty { throw DataReadinessError(issue: issue, node: node, problems: problems) }
    }

    /// Index of the record with the greatest start among those available by `t`.
    static func lastAvailable(_ availableAt: [Int64], _ starts: [Int64], by t: Int64) -> Int? {
        var i = starts.count - 1
        // Records are sorted by start; availability is (nearly) monotone, so scan back from the end.
        while i >= 0 {
            if availableAt[i] <= t { return i }
            i -= 1
        }
        return nil
    }
}
