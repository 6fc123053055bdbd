/// A small Markdown-to-HTML converter for report text cells: headings (`#`–`####`), paragraphs,
/// `-`/`*`/`1.` lists, fenced code blocks, `**bold**`, `*italic*`, `` `code` `` and `[links](url)`.
/// All text is escaped first, so raw HTML in a spec is shown, never executed.
public enum Markdown {
    public static func html(_ source: String) -> String {
        var out: [String] = []
        var paragraph: [String] = []
        var list: (ordered: Bool, items: [String])?
        var code: [String]?

        func flushParagraph() {
            if !paragraph.isEmpty {
                out.append("<p>" + inline(paragraph.joined(separator: " ")) + "</p>")
                paragraph = []
            }
        }
        func flushList() {
            if let l = list {
                let tag = l.ordered ? "ol" : "ul"
                out.append("<\(tag)>" + l.items.map { "<li>" + inline($0) + "</li>" }.joined() + "</\(tag)>")
                list = nil
            }
        }

        for rawLine in source.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(rawLine)
            let trimmed = line.trimmingCharacters(in: " \t\r")
            if var block = code {
                if trimmed.hasPrefix("```") {
                    out.append("<pre><code>" + HTML.escape(block.joined(separator: "\n")) + "</code></pre>")
                    code = nil
                } else {
                    block.append(line)
                    code = block
                }
                continue
            }
            if trimmed.hasPrefix("```") {
                flushParagraph(); flushList()
                code = []
                continue
            }
            if trimmed.isEmpty {
                flushParagraph(); flushList()
                continue
            }
            if trimmed.hasPrefix("#") {
                let level = trimmed.prefix(while: { $0 == "#" }).count
                if level <= 4, trimmed.dropFirst(level).first == " " {
                    flushParagraph(); flushList()
                    let text = trimmed.dropFirst(level + 1)
                    // Report pages own <h1>; spec headings start at <h2>.
                    let h = min(level + 1, 5)
                    out.append("<h\(h)>" + inline(String(text)) + "</h\(h)>")
                    continue
                }
            }
            if trimmed.hasPrefix("- ") || trimmed.hasPrefix("* ") {
                flushParagraph()
                if list?.ordered == true { flushList() }
                if list == nil { list = (false, []) }
                list!.items.append(String(trimmed.dropFirst(2)))
                continue
            }
            if let dot = trimmed.firstIndex(of: "."), trimmed[..<dot].allSatisfy(\.isNumber), !trimmed[..<dot].isEmpty,
               trimmed[trimmed.index(after: dot)...].hasPrefix(" ") {
                flushParagraph()
                if list?.ordered == false { flushList() }
                if list == nil { list = (true, []) }
                list!.items.append(String(trimmed[trimmed.index(dot, offsetBy: 2)...]))
                continue
            }
            flushList()
            paragraph.append(trimmed)
        }
        if let block = code { out.append("<pre><code>" + HTML.escape(block.joined(separator: "\n")) + "</code></pre>") }
        flushParagraph(); flushList()
        return out.joined(separator: "\n")
    }

    /// Inline markup on one escaped line.
    static func inline(_ text: String) -> String {
        var result = ""
        var chars = Array(text)
        var i = 0
        func find(_ token: [Character], from: Int) -> Int? {
            var j = from
            while j + token.count <= chars.count {
                if Array(chars[j..<(j + token.count)]) == token { return j }
                j += 1
            }
            return nil
        }
        while i < chars.count {
            let c = chars[i]
            if c == "`", let end = find(["`"], from: i + 1) {
                result += "<code>" + HTML.escape(String(chars[(i + 1)..<end])) + "</code>"
                i = end + 1
            } else if c == "*", i + 1 < chars.count, chars[i + 1] == "*", let end = find(["*", "*"], from: i + 2) {
                result += "<strong>" + inline(String(chars[(i + 2)..<end])) + "</strong>"
                i = end + 2
            } else if c == "*" || c == "_", let end = find([c], from: i + 1), end > i + 1 {
                result += "<em>" + inline(String(chars[(i + 1)..<end])) + "</em>"
                i = end + 1
            } else if c == "[", let close = find(["]", "("], from: i + 1), let paren = find([")"], from: close + 2) {
                let label = String(chars[(i + 1)..<close])
                let url = String(chars[(close + 2)..<paren])
                if let href = HTML.safeHref(url) {
                    result += "<a href=\"\(HTML.escape(href))\">" + inline(label) + "</a>"
                } else {
                    result += inline(label)
                }
                i = paren + 1
            } else {
                result += HTML.escape(String(c))
                i += 1
            }
        }
        chars = []
        return result
    }
}
