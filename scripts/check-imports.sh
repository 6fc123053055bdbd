#!/usr/bin/env bash
# Package.swift declares exactly what each target imports.
#
# Reads every target's dependencies from `swift package dump-package` and the `import` lines of its
# sources (plain, `public`/`internal`/`package` import, `@testable`, `@_exported`, `@preconcurrency`,
# `import struct M.X`), then fails listing each module a target imports without declaring it and each
# dependency it declares but never imports. Toolchain modules (Foundation, Testing, ...) need no
# declaration.
#
#   bash scripts/check-imports.sh              check this package
#   bash scripts/check-imports.sh DIR          check the package in DIR
#   bash scripts/check-imports.sh --self-test  prove the checker fails on a bogus import, an unused
#                                              dependency, a production target reaching SpikeTestKit
#                                              and a target without the import features (a temporary
#                                              copy of Package.swift + Sources)
#
# Also fails when a target other than the tests and spikecast-bench depends on SpikeTestKit, directly
# or through another target (test and benchmark helpers never ship), and when a Swift target does not
# enable the upcoming features MemberImportVisibility and InternalImportsByDefault (the import rules of
# docs/architecture.md, "Imports").
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if [ "${1:-}" = "--self-test" ]; then
  root="$(cd "$here/.." && pwd)"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  cp "$root/Package.swift" "$tmp/"
  cp -r "$root/Sources" "$root/Tests" "$tmp/"
  bash "$here/check-imports.sh" "$tmp" >/dev/null || { echo "self-test: the real package must pass first" >&2; exit 1; }
  # 1. An import nobody declared.
  first=$(ls "$tmp"/Sources/SpikeCore/*.swift | head -1)
  printf 'import SpikeRender\n' | cat - "$first" > "$tmp/f" && mv "$tmp/f" "$first"
  if out=$(bash "$here/check-imports.sh" "$tmp" 2>&1); then
    echo "self-test FAILED: an undeclared import of SpikeRender in SpikeCore passed" >&2; exit 1
  fi
  grep -q "SpikeCore imports SpikeRender" <<<"$out" || { echo "self-test FAILED: message was: $out" >&2; exit 1; }
  cp "$root/Sources/SpikeCore/$(basename "$first")" "$first"
  # 2. A dependency nobody imports.
  sed -i 's/\.target(name: "SpikeMetrics", dependencies: \["SpikeCore"\]/.target(name: "SpikeMetrics", dependencies: ["SpikeCore", "CZlib"]/' "$tmp/Package.swift"
  grep -q '"SpikeCore", "CZlib"\]' "$tmp/Package.swift" || { echo "self-test: could not edit the SpikeMetrics target line" >&2; exit 1; }
  if out=$(bash "$here/check-imports.sh" "$tmp" 2>&1); then
    echo "self-test FAILED: an unused CZlib dependency of SpikeMetrics passed" >&2; exit 1
  fi
  grep -q "SpikeMetrics declares CZlib" <<<"$out" || { echo "self-test FAILED: message was: $out" >&2; exit 1; }
  # 3. The shipped binary reaching the test kit.
  cp "$root/Package.swift" "$tmp/Package.swift"
  printf 'import SpikeTestKit\n' | cat - "$first" > "$tmp/f" && mv "$tmp/f" "$first"
  sed -i 's/\.target(name: "SpikeCore")/.target(name: "SpikeCore", dependencies: ["SpikeTestKit"])/' "$tmp/Package.swift"
  if out=$(bash "$here/check-imports.sh" "$tmp" 2>&1); then
    echo "self-test FAILED: a production target depending on SpikeTestKit passed" >&2; exit 1
  fi
  grep -q "spikecast depends on SpikeTestKit" <<<"$out" || { echo "self-test FAILED: message was: $out" >&2; exit 1; }
  # 4. A target built without the import features.
  cp "$root/Package.swift" "$tmp/Package.swift"
  cp "$root/Sources/SpikeCore/$(basename "$first")" "$first"
  sed -i 's/^for target in package.targets where /for target in package.targets where target.name != "SpikeMetrics" \&\& /' "$tmp/Package.swift"
  grep -q 'target.name != "SpikeMetrics" && ' "$tmp/Package.swift" || { echo "self-test: could not edit the upcoming-feature loop" >&2; exit 1; }
  if out=$(bash "$here/check-imports.sh" "$tmp" 2>&1); then
    echo "self-test FAILED: SpikeMetrics without MemberImportVisibility/InternalImportsByDefault passed" >&2; exit 1
  fi
  grep -q "SpikeMetrics does not enable MemberImportVisibility, InternalImportsByDefault" <<<"$out" || { echo "self-test FAILED: message was: $out" >&2; exit 1; }
  echo "check-imports self-test: OK (undeclared import, unused dependency, a test-kit dependency of the shipped binary and a target without the import features all fail)"
  exit 0
fi

pkg="$(cd "${1:-$here/..}" && pwd)"
dump="$(mktemp)"
trap 'rm -f "$dump"' EXIT
# A scratch path of its own: dump-package then neither waits for nor disturbs a running build's lock.
scratch="$(mktemp -d)"
(cd "$pkg" && swift package --scratch-path "$scratch" dump-package) >"$dump"
rm -rf "$scratch"

python3 - "$pkg" "$dump" <<'PY'
import json, os, re, sys

pkg, dump = sys.argv[1], sys.argv[2]
manifest = json.load(open(dump))

# Modules of the toolchain: imported without any declaration.
TOOLCHAIN = {
    "Foundation", "FoundationEssentials", "FoundationInternationalization", "FoundationNetworking",
    "FoundationXML", "Dispatch", "Glibc", "Musl", "Darwin", "Android", "WinSDK", "Synchronization",
    "Testing", "XCTest", "Observation", "RegexBuilder", "Distributed", "_Concurrency",
    "_StringProcessing", "Swift", "CoreFoundation", "os",
}
# Products whose module is not named like the product (everything else: product name == module name).
PRODUCT_MODULES = {
    ("GRDB.swift", "GRDB"): ["GRDB"],
    ("swift-crypto", "Crypto"): ["Crypto"],
    ("swift-subprocess", "Subprocess"): ["Subprocess"],
}

IMPORT = re.compile(
    r"^\s*(?:@(?:testable|_exported|preconcurrency|_implementationOnly|_weakLinked|_spi\([A-Za-z_]+\))\s+)*"
    r"(?:(?:public|package|internal|fileprivate|private)\s+)?"
    r"import\s+(?:(?:typealias|struct|class|enum|protocol|let|var|func)\s+)?"
    r"([A-Za-z_][A-Za-z0-9_]*)"
)

def target_dir(t):
    if t.get("path"):
        return os.path.join(pkg, t["path"])
    base = "Tests" if t["type"] == "test" else "Sources"
    return os.path.join(pkg, base, t["name"])

def imports_of(directory):
    found = {}
    for root, _, files in os.walk(directory):
        for f in sorted(files):
            if not f.endswith(".swift"):
                continue
            path = os.path.join(root, f)
            in_block_comment = False
            for n, line in enumerate(open(path, encoding="utf-8"), 1):
                s = line.strip()
                if in_block_comment:
                    if "*/" in s:
                        in_block_comment = False
                    continue
                if s.startswith("/*") and "*/" not in s:
                    in_block_comment = True
                    continue
                m = IMPORT.match(line)
                if m:
                    found.setdefault(m.group(1), f"{os.path.relpath(path, pkg)}:{n}")
    return found

def declared_modules(t):
    out = {}
    for d in t.get("dependencies", []):
        if "byName" in d:
            name = d["byName"][0]
            out[name] = [name]
        elif "target" in d:
            name = d["target"][0]
            out[name] = [name]
        elif "product" in d:
            name, package = d["product"][0], d["product"][1]
            out[f"{name} ({package})"] = PRODUCT_MODULES.get((package, name), [name])
    return out

problems = []
for t in manifest["targets"]:
    if t["type"] in ("system", "binary", "plugin", "macro"):
        continue
    directory = target_dir(t)
    if not os.path.isdir(directory):
        problems.append(f"{t['name']}: no source directory {os.path.relpath(directory, pkg)}")
        continue
    imported = imports_of(directory)
    declared = declared_modules(t)
    provided = {m for mods in declared.values() for m in mods}
    for module, where in sorted(imported.items()):
        if module in TOOLCHAIN or module == t["name"] or module in provided:
            continue
        problems.append(f"{t['name']} imports {module} ({where}) but Package.swift does not declare it")
    for dep, mods in sorted(declared.items()):
        if not any(m in imported for m in mods):
            problems.append(f"{t['name']} declares {dep} but none of its sources imports {'/'.join(mods)}")

# Test and benchmark helpers stay out of what ships: no target but tests and the bench executable may
# reach SpikeTestKit, directly or through another target.
TEST_ONLY = "SpikeTestKit"
MAY_USE_TEST_KIT = {"spikecast-bench"}
by_name = {t["name"]: t for t in manifest["targets"]}
def local_deps(name, seen=None):
    seen = set() if seen is None else seen
    for d in by_name.get(name, {}).get("dependencies", []):
        dep = (d.get("byName") or d.get("target") or [None])[0]
        if dep in by_name and dep not in seen:
            seen.add(dep)
            local_deps(dep, seen)
    return seen
for t in manifest["targets"]:
    if t["type"] == "test" or t["name"] in MAY_USE_TEST_KIT or t["name"] == TEST_ONLY:
        continue
    if TEST_ONLY in local_deps(t["name"]):
        problems.append(f"{t['name']} depends on {TEST_ONLY} (test and benchmark helpers must not reach production targets)")

# Every Swift target builds with the import rules: internal imports by default, members visible only
# where their module is imported. (Plugin targets take no Swift settings.)
FEATURES = ("MemberImportVisibility", "InternalImportsByDefault")
for t in manifest["targets"]:
    if t["type"] in ("system", "binary", "plugin", "macro"):
        continue
    on = {s["kind"]["enableUpcomingFeature"]["_0"] for s in t.get("settings") or []
          if s.get("tool") == "swift" and "enableUpcomingFeature" in s.get("kind", {}) and not s.get("condition")}
    missing = [f for f in FEATURES if f not in on]
    if missing:
        problems.append(f"{t['name']} does not enable {', '.join(missing)} (Package.swift: .enableUpcomingFeature for every Swift target)")

if problems:
    print("check-imports: Package.swift does not match the import lines:", file=sys.stderr)
    for p in problems:
        print("  " + p, file=sys.stderr)
    sys.exit(1)
n = sum(1 for t in manifest["targets"] if t["type"] not in ("system", "binary", "plugin", "macro"))
print(f"check-imports: OK ({n} targets, every import declared, every dependency imported, import features on)")
PY
