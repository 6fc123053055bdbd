#!/usr/bin/env bash
# The whole test suite: Swift tests, then the infrastructure checks (scripts/test-*.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# Package.swift declares exactly what each target imports (seconds; before the long build).
bash scripts/check-imports.sh
bash scripts/check-imports.sh --self-test
swift build --build-tests
swift test --skip-build 2>&1 | tee .build/test-output.txt
for extra in scripts/test-*.sh; do
  [ -e "$extra" ] || continue
  echo "== $extra"
  bash "$extra"
done
