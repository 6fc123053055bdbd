#!/usr/bin/env bash
# The whole test suite: Swift tests, then the infrastructure checks (scripts/test-*.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build 2>&1 | tee .build/test-output.txt
for extra in scripts/test-*.sh; do
  [ -e "$extra" ] || continue
  echo "== $extra"
  bash "$extra"
done
