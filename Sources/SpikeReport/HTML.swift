/// HTML escaping. Every piece of user data (node names, series names, spec text, error messages)
/// reaches a page through `HTML.escape` or Mustache's escaping `{{…}}`; only markup produced by
/// Spikecast itself (already escaped) goes through triple mustaches.
public enum HTML {
    public static func escape(_ text: some StringProtocol) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// A safe relative link target: no scheme other than http(s)/mailto, no `javascript:`.
    static func safeHref(_ url: String) -> String? {
        let lower = url.lowercased().trimmingCharacters(in: " ")
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("mailto:") || lower.hasPrefix("#") {
            return url
        }
        if lower.contains(":") { return nil }
        return url
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
