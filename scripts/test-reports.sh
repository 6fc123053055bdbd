#!/usr/bin/env bash
# Report check in a real browser: runs the demo (scripts/demo.sh) on a small synthetic market, then loads
# each report in headless Chromium and fails when an image does not load or the page reports an error.
# Screenshots are kept in .build/report-screenshots/ for people to look at.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${SPIKECAST_BIN:-.build/debug/spikecast}"
[ -x "$BIN" ] || swift build --product spikecast
CHROME="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [ -z "$CHROME" ]; then
  echo "test-reports: chromium is not installed (scripts/install-deps.sh --test installs it)" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
shots=".build/report-screenshots"
mkdir -p "$shots"

# A small demo: four months of market, six weeks of issue days, two hubs.
SPIKECAST_DATA_DIR="$work/data" SPIKECAST_REPORTS_DIR="$work/reports" \
DEMO_GEN_START=2024-04-01 DEMO_GEN_END=2024-08-15 DEMO_BACKTEST_START=2024-07-01 DEMO_BACKTEST_END=2024-08-10 \
DEMO_NODES=HB_NORTH,HB_WEST DEMO_THRESHOLDS=100,500 \
  bash scripts/demo.sh "$BIN" > "$work/demo.log" 2>&1 || { cat "$work/demo.log" >&2; echo "test-reports: the demo failed" >&2; exit 1; }

checker='<script>
window.__problems = [];
window.addEventListener("error", function (e) {
  var t = e.target;
  window.__problems.push(t && t.tagName ? "failed to load " + t.tagName.toLowerCase() + " " + (t.getAttribute("src") || t.getAttribute("href")) : "script error: " + e.message);
}, true);
var origError = console.error;
console.error = function () { window.__problems.push("console.error: " + Array.prototype.join.call(arguments, " ")); origError.apply(console, arguments); };
window.addEventListener("load", function () {
  var imgs = document.images;
  for (var i = 0; i < imgs.length; i++) {
    if (!imgs[i].complete || imgs[i].naturalWidth === 0) window.__problems.push("image did not load: " + imgs[i].getAttribute("src"));
  }
  var m = document.createElement("meta");
  m.id = "spikecast-check";
  m.setAttribute("data-images", String(imgs.length));
  m.setAttribute("data-problems", window.__problems.length ? window.__problems.join(" | ") : "none");
  document.head.appendChild(m);
});
</script>'

passed=0
failed=0
for page in "$work/reports"/*/index.html "$work/reports/index.html"; do
  dir="$(dirname "$page")"
  name="$(basename "$dir")"
  [ "$page" = "$work/reports/index.html" ] && name="index"
  check="$dir/__browser_check.html"
  awk -v s="$checker" '{ print } /<head>/ && !done { print s; done = 1 }' "$page" > "$check"
  dom="$(timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --allow-file-access-from-files \
          --virtual-time-budget=10000 --dump-dom "file://$check" 2>"$work/chrome-$name.log" || true)"
  rm -f "$check"
  meta="$(printf '%s' "$dom" | grep -o '<meta id="spikecast-check"[^>]*>' || true)"
  images="$(printf '%s' "$meta" | sed -n 's/.*data-images="\([0-9]*\)".*/\1/p')"
  problems="$(printf '%s' "$meta" | sed -n 's/.*data-problems="\([^"]*\)".*/\1/p')"
  if [ -z "$meta" ]; then
    echo "FAIL $name: the page did not finish loading in Chromium (see $work/chrome-$name.log)"; failed=$((failed + 1))
  elif [ "$problems" != "none" ]; then
    echo "FAIL $name: $problems"; failed=$((failed + 1))
  elif [ "$name" != "index" ] && [ "${images:-0}" -eq 0 ]; then
    echo "FAIL $name: no images on the page"; failed=$((failed + 1))
  else
    echo "ok   $name: $images images loaded, no errors"; passed=$((passed + 1))
  fi
  timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,2400 \
    --screenshot="$shots/$name.png" "file://$page" >/dev/null 2>&1 || true
done
echo "screenshots: $shots/"
echo "report browser check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
