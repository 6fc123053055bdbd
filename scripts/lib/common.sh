# Sourced by the test scripts that need a pinned PyPI venv and the spikecast binary.

# ensure_venv DIR IMPORTS PIN...: a venv in DIR (python3-venv installed with apt-get when missing) holding
# the pinned packages; IMPORTS (e.g. "pandas, polars") is what must import for it to count as ready.
ensure_venv() {
  local dir="$1" imports="$2"; shift 2
  python3 -c 'import venv, ensurepip' 2>/dev/null || {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null; }
  }
  if ! "$dir/bin/python" -c "import $imports" 2>/dev/null; then
    echo "$(basename "$0" .sh): installing $* into $dir" >&2
    python3 -m venv "$dir"
    "$dir/bin/pip" install -q --disable-pip-version-check "$@"
  fi
}

# spikecast_bin: prints SPIKECAST_BIN, else the debug build's spikecast (built when missing); fails without one.
spikecast_bin() {
  local bin="${SPIKECAST_BIN:-}"
  if [ -z "$bin" ]; then
    bin="$(swift build --show-bin-path)/spikecast"
    [ -x "$bin" ] || swift build --product spikecast >&2
  fi
  [ -x "$bin" ] || { echo "$(basename "$0" .sh): no spikecast binary at $bin" >&2; return 1; }
  echo "$bin"
}
