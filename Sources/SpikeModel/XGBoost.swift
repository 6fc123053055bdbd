import CXGBoost
public import Foundation

/// A failure reported by the XGBoost C library (its `XGBGetLastError()` text) or by the
/// wrapper's own checks. The message names the C call and, when relevant, the file.
public struct XGBoostError: Error, Sendable, CustomStringConvertible {
    public let call: String
    public let message: String

    public init(call: String, message: String) {
        self.call = call
        self.message = message
    }

    public var description: String { "XGBoost \(call) failed: \(message)" }

    /// Checks an XGBoost C return code (0 = success).
    static func check(_ rc: Int32, _ call: String) throws(XGBoostError) {
        guard rc == 0 else {
            let text = XGBGetLastError().map { String(cString: $0) } ?? "unknown error"
            throw XGBoostError(call: call, message: text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}

/// The XGBoost library this binary is linked against.
public enum XGBoostLibrary {
    /// `major.minor.patch` as reported by `XGBoostVersion` (Debian 12 ships 1.7.4).
    public static var version: String {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        XGBoostVersion(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }
}

/// A dense feature matrix handed to XGBoost (`XGDMatrixCreateFromMat`, NaN = missing) with
/// optional labels. Owns its C handle; freed in `deinit`.
public final class XGBoostMatrix {
    let handle: DMatrixHandle
    public let rows: Int
    public let columns: Int

    /// - Parameters:
    ///   - values: row-major `rows × columns` values; NaN marks a missing value.
    ///   - labels: one label per row (0 or 1 for binary:logistic), or nil for prediction.
    ///   - featureNames: names stored with the matrix (and so with a booster trained on it).
    public init(values: [Double], rows: Int, columns: Int, labels: [Float]? = nil, featureNames: [String]? = nil, nthread: Int = 2) throws(XGBoostError) {
        guard rows >= 0, columns > 0, values.count == rows * columns else {
            throw XGBoostError(call: "XGDMatrixCreateFromMat", message: "matrix has \(values.count) values, expected \(rows) × \(columns)")
        }
        let floats = values.map { Float($0) }
        var h: DMatrixHandle?
        let rc = floats.withUnsafeBufferPointer { buf in
            XGDMatrixCreateFromMat_omp(buf.baseAddress, bst_ulong(rows), bst_ulong(columns), Float.nan, &h, Int32(nthread))
        }
        try XGBoostError.check(rc, "XGDMatrixCreateFromMat_omp")
        guard let made = h else { throw XGBoostError(call: "XGDMatrixCreateFromMat", message: "returned no handle") }
        handle = made
        self.rows = rows
        self.columns = columns
        if let labels { try setLabels(labels) }
        if let featureNames {
            guard featureNames.count == columns else {
                throw XGBoostError(call: "XGDMatrixSetStrFeatureInfo", message: "\(featureNames.count) feature names for \(columns) columns")
            }
            try withCStringArray(featureNames) { ptrs throws(XGBoostError) in
                try XGBoostError.check(
                    XGDMatrixSetStrFeatureInfo(made, "feature_name", ptrs, bst_ulong(columns)),
                    "XGDMatrixSetStrFeatureInfo(feature_name)")
            }
        }
    }

    /// Sets (or replaces) the labels, so one matrix (and its cached histogram index) can train
    /// the models of several thresholds in turn.
    public func setLabels(_ labels: [Float]) throws(XGBoostError) {
        guard labels.count == rows else {
            throw XGBoostError(call: "XGDMatrixSetFloatInfo", message: "\(labels.count) labels for \(rows) rows")
        }
        let rc = labels.withUnsafeBufferPointer { XGDMatrixSetFloatInfo(handle, "label", $0.baseAddress, bst_ulong(rows)) }
        try XGBoostError.check(rc, "XGDMatrixSetFloatInfo(label)")
    }

    /// Sets (or replaces) per-row training weights (XGBoost's `weight`; all 1 = unweighted).
    public func setWeights(_ weights: [Float]) throws(XGBoostError) {
        guard weights.count == rows else {
            throw XGBoostError(call: "XGDMatrixSetFloatInfo", message: "\(weights.count) weights for \(rows) rows")
        }
        let rc = weights.withUnsafeBufferPointer { XGDMatrixSetFloatInfo(handle, "weight", $0.baseAddress, bst_ulong(rows)) }
        try XGBoostError.check(rc, "XGDMatrixSetFloatInfo(weight)")
    }

    /// Sets (or replaces) per-row base margins (XGBoost's `base_margin`, in log-odds): boosting starts
    /// from these instead of the global bias, in training and in prediction.
    public func setBaseMargin(_ margins: [Float]) throws(XGBoostError) {
        guard margins.count == rows else {
            throw XGBoostError(call: "XGDMatrixSetFloatInfo", message: "\(margins.count) base margins for \(rows) rows")
        }
        let rc = margins.withUnsafeBufferPointer { XGDMatrixSetFloatInfo(handle, "base_margin", $0.baseAddress, bst_ulong(rows)) }
        try XGBoostError.check(rc, "XGDMatrixSetFloatInfo(base_margin)")
    }

    deinit { XGDMatrixFree(handle) }
}

/// Calls `body` with a C array of C strings that live for the duration of the call.
func withCStringArray<R>(_ strings: [String], _ body: (UnsafeMutablePointer<UnsafePointer<CChar>?>) throws(XGBoostError) -> R) throws(XGBoostError) -> R {
    let duplicated: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { duplicated.forEach { free($0) } }
    var constPtrs: [UnsafePointer<CChar>?] = duplicated.map { $0.map { UnsafePointer($0) } }
    return try constPtrs.withUnsafeMutableBufferPointer { buf throws(XGBoostError) in try body(buf.baseAddress!) }
}

/// An XGBoost booster (one binary classifier). Owns its C handle, freed in `deinit`. Calls into
/// the handle are serialised by a lock, so a fitted booster can be shared across tasks.
public final class XGBoostBooster: @unchecked Sendable {
    private let handle: BoosterHandle
    private let lock = NSLock()

    private init(handle: BoosterHandle) { self.handle = handle }

    deinit { XGBoosterFree(handle) }

    /// Trains a booster: `rounds` calls of `XGBoosterUpdateOneIter` on `train` with `parameters`
    /// (every value passed with `XGBoosterSetParam`; callers always include `nthread` and `seed`).
    ///
    /// With `validation` and `earlyStoppingRounds`, training stops once the validation log loss
    /// has not improved for that many rounds and the booster is cut back to its best round.
    public static func train(
        parameters: [(String, String)], train: XGBoostMatrix, rounds: Int,
        validation: XGBoostMatrix? = nil, earlyStoppingRounds: Int? = nil
    ) throws(XGBoostError) -> (booster: XGBoostBooster, rounds: Int) {
        guard rounds >= 1 else { throw XGBoostError(call: "train", message: "rounds must be ≥ 1, got \(rounds)") }
        var h: BoosterHandle?
        var mats: [DMatrixHandle?] = [train.handle]
        if let validation { mats.append(validation.handle) }
        let rc = mats.withUnsafeBufferPointer { XGBoosterCreate($0.baseAddress, bst_ulong($0.count), &h) }
        try XGBoostError.check(rc, "XGBoosterCreate")
        guard let made = h else { throw XGBoostError(call: "XGBoosterCreate", message: "returned no handle") }
        let booster = XGBoostBooster(handle: made)
        for (k, v) in parameters {
            try XGBoostError.check(XGBoosterSetParam(made, k, v), "XGBoosterSetParam(\(k)=\(v))")
        }
        let patience = earlyStoppingRounds ?? 0
        var best = (round: 0, loss: Double.infinity)
        for i in 0..<rounds {
            try XGBoostError.check(XGBoosterUpdateOneIter(made, Int32(i), train.handle), "XGBoosterUpdateOneIter(\(i))")
            if let validation, patience > 0 {
                let loss = try booster.evaluate(validation, iteration: i)
                if loss < best.loss - 1e-12 { best = (i, loss) }
                if i - best.round >= patience { break }
            }
        }
        if validation != nil, patience > 0 {
            let keep = best.round + 1
            var boosted: Int32 = 0
            try XGBoostError.check(XGBoosterBoostedRounds(made, &boosted), "XGBoosterBoostedRounds")
            if keep < Int(boosted) {
                var sliced: BoosterHandle?
                try XGBoostError.check(XGBoosterSlice(made, 0, Int32(keep), 1, &sliced), "XGBoosterSlice")
                guard let s = sliced else { throw XGBoostError(call: "XGBoosterSlice", message: "returned no handle") }
                let out = XGBoostBooster(handle: s)
                for (k, v) in parameters where k == "nthread" || k == "seed" {
                    try XGBoostError.check(XGBoosterSetParam(s, k, v), "XGBoosterSetParam(\(k)=\(v))")
                }
                return (out, keep)
            }
            return (booster, keep)
        }
        return (booster, rounds)
    }

    /// Validation log loss after iteration `iteration` (parsed from `XGBoosterEvalOneIter`).
    private func evaluate(_ m: XGBoostMatrix, iteration: Int) throws(XGBoostError) -> Double {
        var out: UnsafePointer<CChar>?
        var mats: [DMatrixHandle?] = [m.handle]
        let names = strdup("valid")
        defer { free(names) }
        var namePtrs: [UnsafePointer<CChar>?] = [UnsafePointer(names)]
        let rc = mats.withUnsafeMutableBufferPointer { mb in
            namePtrs.withUnsafeMutableBufferPointer { nb in
                XGBoosterEvalOneIter(handle, Int32(iteration), mb.baseAddress, nb.baseAddress, 1, &out)
            }
        }
        try XGBoostError.check(rc, "XGBoosterEvalOneIter")
        let text = out.map { String(cString: $0) } ?? ""
        // "[3]\tvalid-logloss:0.48123"
        guard let colon = text.lastIndex(of: ":"), let v = Double(text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)) else {
            throw XGBoostError(call: "XGBoosterEvalOneIter", message: "cannot parse evaluation '\(text)'")
        }
        return v
    }

    /// Loads a booster saved with ``save(to:)`` (`.json` or `.ubj`) and sets `nthread`.
    public static func load(from url: URL, nthread: Int) throws(XGBoostError) -> XGBoostBooster {
        var h: BoosterHandle?
        try XGBoostError.check(XGBoosterCreate(nil, 0, &h), "XGBoosterCreate")
        guard let made = h else { throw XGBoostError(call: "XGBoosterCreate", message: "returned no handle") }
        let booster = XGBoostBooster(handle: made)
        do {
            try XGBoostError.check(XGBoosterLoadModel(made, url.path), "XGBoosterLoadModel")
        } catch {
            throw XGBoostError(call: error.call, message: "\(url.path): \(error.message)")
        }
        try XGBoostError.check(XGBoosterSetParam(made, "nthread", String(nthread)), "XGBoosterSetParam(nthread)")
        return booster
    }

    /// Saves the model; the extension picks the format, so only `.json` and `.ubj` are accepted
    /// (`.bin` would silently write XGBoost's legacy format).
    public func save(to url: URL) throws(XGBoostError) {
        let ext = url.pathExtension.lowercased()
        guard ext == "json" || ext == "ubj" else {
            throw XGBoostError(call: "XGBoosterSaveModel", message: "\(url.path): use a .json or .ubj file name")
        }
        lock.lock(); defer { lock.unlock() }
        do {
            try XGBoostError.check(XGBoosterSaveModel(handle, url.path), "XGBoosterSaveModel")
        } catch {
            throw XGBoostError(call: error.call, message: "\(url.path): \(error.message)")
        }
    }

    /// Predicted probabilities (binary:logistic) for every row of `m`. The library's buffer is
    /// copied before the lock is released.
    public func predict(_ m: XGBoostMatrix) throws(XGBoostError) -> [Double] {
        lock.lock(); defer { lock.unlock() }
        var shape: UnsafePointer<bst_ulong>?
        var dim: bst_ulong = 0
        var result: UnsafePointer<Float>?
        let config = #"{"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false}"#
        try XGBoostError.check(XGBoosterPredictFromDMatrix(handle, m.handle, config, &shape, &dim, &result), "XGBoosterPredictFromDMatrix")
        guard m.rows == 0 || result != nil else { throw XGBoostError(call: "XGBoosterPredictFromDMatrix", message: "returned no buffer") }
        var n = 1
        for i in 0..<Int(dim) { n *= Int(shape![i]) }
        guard n == m.rows else {
            throw XGBoostError(call: "XGBoosterPredictFromDMatrix", message: "returned \(n) predictions for \(m.rows) rows")
        }
        return (0..<n).map { Double(result![$0]) }
    }

    /// The booster's JSON configuration (`XGBoosterSaveJsonConfig`): the parameters it used.
    public func jsonConfig() throws(XGBoostError) -> String {
        lock.lock(); defer { lock.unlock() }
        var len: bst_ulong = 0
        var out: UnsafePointer<CChar>?
        try XGBoostError.check(XGBoosterSaveJsonConfig(handle, &len, &out), "XGBoosterSaveJsonConfig")
        guard let out else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: out, count: Int(len)), as: UTF8.self)
    }

    /// Number of boosting rounds in the model.
    public func boostedRounds() throws(XGBoostError) -> Int {
        lock.lock(); defer { lock.unlock() }
        var n: Int32 = 0
        try XGBoostError.check(XGBoosterBoostedRounds(handle, &n), "XGBoosterBoostedRounds")
        return Int(n)
    }

    /// Feature importance: `total_gain` (or another `importanceType`) per feature name; features
    /// never used in a split are absent (XGBoost's convention).
    public func featureImportance(featureNames: [String], importanceType: String = "total_gain") throws(XGBoostError) -> [String: Double] {
        lock.lock(); defer { lock.unlock() }
        let namesJSON = featureNames.map { "\"\($0)\"" }.joined(separator: ",")
        let config = #"{"importance_type": "\#(importanceType)", "feature_names": [\#(namesJSON)]}"#
        var nFeatures: bst_ulong = 0
        var features: UnsafeMutablePointer<UnsafePointer<CChar>?>?
        var dim: bst_ulong = 0
        var shape: UnsafePointer<bst_ulong>?
        var scores: UnsafePointer<Float>?
        let rc = XGBoosterFeatureScore(handle, config, &nFeatures, &features, &dim, &shape, &scores)
        try XGBoostError.check(rc, "XGBoosterFeatureScore")
        var out: [String: Double] = [:]
        for i in 0..<Int(nFeatures) {
            guard let namePtr = features?[i], let s = scores else { continue }
            out[String(cString: namePtr)] = Double(s[i])
        }
        return out
    }
}
