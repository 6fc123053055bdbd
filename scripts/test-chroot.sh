#!/usr/bin/env bash
# The image's runtime stage, tested without a Docker engine (run by scripts/test.sh after the Swift
# tests; `make test`):
#   1. read infrastructure/docker/Dockerfile: the builder must be a published Swift >= 6.2 image, the
#      runtime stage debian:bookworm-slim; every COPY source must be a file git tracks (a fresh clone
#      has nothing else); the runtime stage's packages are its `apt-get install` arguments;
#   2. lay out a Debian bookworm root file system with debootstrap from Debian's mirror: minbase plus
#      exactly those packages, then the stage's RUN lines run inside it (apt-get, useradd, mkdir/chown).
#      Cached under .build/chroot/ keyed by the stage's text, so reruns take seconds;
#   3. build the release binary with the Dockerfile's own `swift build` line and copy it, and every
#      file the runtime stage COPYs, where the image has them;
#   4. chroot into it as the image's USER with the image's ENV and WORKDIR and run
#      `spikecast --version`, a small `generate` + `backtest` + `report backtest`, then `serve`:
#      the HEALTHCHECK command (inside the chroot) must pass against /livez and /metrics must
#      answer and pass `promtool check metrics`.
# Skips (loudly, exit 0) only when there is no cached root file system and Debian's mirror cannot
# be reached. Every step is bounded by `timeout`.
# Env: SPIKECAST_CHROOT_MIRROR (default http://deb.debian.org/debian), KEEP_TMP=1 keeps the scratch folder.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT_DIR="$(pwd)"
DOCKERFILE="${SPIKECAST_DOCKERFILE:-infrastructure/docker/Dockerfile}"
MIRROR="${SPIKECAST_CHROOT_MIRROR:-http://deb.debian.org/debian}"
CACHE=.build/chroot
say() { echo "test-chroot: $*"; }
fail() { echo "test-chroot: FAIL: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap, chroot, mount)"
command -v python3 >/dev/null || fail "python3 not found"

# ---- 1. the Dockerfile ----
PARSED="$(mktemp)"
python3 - "$DOCKERFILE" >"$PARSED" <<'PY'
import re, shlex, subprocess, sys
path = sys.argv[1]
text = open(path).read()
# Join continuation lines, drop comments.
lines, cur = [], ""
for raw in text.splitlines():
    s = raw.strip()
    if not cur and (not s or s.startswith("#")):
        continue
    if s.endswith("\\"):
        cur += s[:-1] + " "
        continue
    lines.append((cur + s).strip()); cur = ""
stages, errors = [], []
for l in lines:
    word, _, rest = l.partition(" ")
    word = word.upper()
    if word == "FROM":
        m = re.match(r"(\S+)(?:\s+AS\s+(\S+))?", rest, re.I)
        stages.append({"image": m.group(1), "name": (m.group(2) or "").lower(), "ops": []})
    elif stages:
        stages[-1]["ops"].append((word, rest))
if len(stages) < 2:
    sys.exit(f"{path}: expected a build stage and a runtime stage, found {len(stages)} stage(s)")
build, runtime = stages[0], stages[-1]
m = re.fullmatch(r"swift:(\d+)\.(\d+)(?:\.(\d+))?-bookworm", build["image"])
if not m:
    errors.append(f"builder image {build['image']!r} is not a published swift:X.Y[.Z]-bookworm tag")
elif (int(m.group(1)), int(m.group(2))) < (6, 2):
    errors.append(f"builder image {build['image']!r}: the dependencies need Swift >= 6.2 (tools version 6.2)")
if runtime["image"] != "debian:bookworm-slim":
    errors.append(f"runtime image {runtime['image']!r} must be debian:bookworm-slim")
tracked = set(subprocess.run(["git", "ls-files"], capture_output=True, text=True, check=True).stdout.split("\n"))
def is_tracked(src):
    src = src.rstrip("/")
    return src in tracked or any(t.startswith(src + "/") for t in tracked)
copies = []
for st in stages:
    for word, rest in st["ops"]:
        if word not in ("COPY", "ADD"):
            continue
        args = shlex.split(rest)
        opts = [a for a in args if a.startswith("--")]
        files = [a for a in args if not a.startswith("--")]
        srcs, dest = files[:-1], files[-1]
        if any(o.startswith("--from=") for o in opts):
            if st is runtime:
                copies.append(("stage", srcs, dest))
            continue
        for s in srcs:
            if not is_tracked(s):
                errors.append(f"COPY {s}: not tracked by git, so absent from a fresh clone")
        if st is runtime:
            copies.append(("context", srcs, dest))
pkgs, runs, env, user, workdir, health, build_cmd = [], [], {}, "root", "/", None, None
for word, rest in runtime["ops"]:
    if word == "RUN":
        runs.append(rest)
        for seg in re.split(r"&&|;", rest):
            t = shlex.split(seg)
            if "apt-get" in t and "install" in t:
                pkgs += [a for a in t[t.index("install") + 1:] if not a.startswith("-")]
    elif word == "ENV":
        for kv in shlex.split(rest):
            k, _, v = kv.partition("=")
            env[k] = v
    elif word == "USER":
        user = rest.strip()
    elif word == "WORKDIR":
        workdir = rest.strip()
    elif word == "HEALTHCHECK":
        health = rest.split(" CMD ", 1)[1].strip() if " CMD " in rest else None
for word, rest in build["ops"]:
    if word == "RUN" and "swift build -c release" in rest:
        build_cmd = re.search(r"swift build -c release[^&;]*", rest).group(0).strip()
if not pkgs: errors.append("runtime stage installs no packages with apt-get install")
if not health or "/livez" not in health: errors.append(f"HEALTHCHECK must use the cheap /livez endpoint (has: {health!r})")
if user in ("root", "0"): errors.append("runtime stage must switch to a non-root USER")
if not build_cmd: errors.append("build stage has no `swift build -c release` line")
if errors:
    for e in errors: print(f"{path}: {e}", file=sys.stderr)
    sys.exit(1)
def q(v): return shlex.quote(v)
print(f"PKGS={q(','.join(pkgs))}")
print(f"RUNTIME_USER={q(user)}")
print(f"WORKDIR={q(workdir)}")
print(f"HEALTH_CMD={q(health)}")
print(f"BUILD_CMD={q(build_cmd)}")
print("ENV_LIST=(" + " ".join(q(k + "=" + v) for k, v in env.items() if "$" not in v) + ")")
print("STAGE_KEY=" + q(__import__('hashlib').sha256((runtime['image'] + '\n' + '\n'.join(runs)).encode()).hexdigest()[:16]))
print("RUN_LINES=(" + " ".join(q(r) for r in runs) + ")")
print("COPIES=(" + " ".join(q(f"{kind}|{' '.join(srcs)}|{dest}") for kind, srcs, dest in copies) + ")")
PY
# shellcheck disable=SC1090
source "$PARSED"; rm -f "$PARSED"
say "Dockerfile: runtime packages ${PKGS//,/ }; user $RUNTIME_USER; build: $BUILD_CMD"

# ---- 2. the root file system ----
ROOTFS="$CACHE/rootfs-$STAGE_KEY"
if [ ! -e "$ROOTFS/.complete" ]; then
  command -v debootstrap >/dev/null || {
    say "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; }
  }
  if ! timeout 30 python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1] + "/dists/bookworm/Release", timeout=20)' "$MIRROR" 2>/dev/null; then
    echo "################################################################################" >&2
    echo "test-chroot: SKIPPED: Debian's mirror $MIRROR cannot be reached and no cached root" >&2
    echo "test-chroot: file system exists under $CACHE; the image's runtime stage was NOT tested." >&2
    echo "################################################################################" >&2
    exit 0
  fi
  rm -rf "$CACHE"/rootfs-* "$CACHE"/tmp-*
  mkdir -p "$CACHE"
  TMPROOT="$CACHE/tmp-$STAGE_KEY"
  say "debootstrap bookworm (minbase + $PKGS) into $TMPROOT (first run only; cached afterwards)"
  t=$(date +%s)
  timeout 1200 debootstrap --variant=minbase --include="$PKGS" bookworm "$TMPROOT" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 \
    || { tail -20 "$CACHE/debootstrap.log" >&2; fail "debootstrap failed (log: $CACHE/debootstrap.log)"; }
  # The runtime stage's RUN lines, as `docker build` runs them (apt-get, useradd, mkdir, chown).
  mount -t proc proc "$TMPROOT/proc"; mount --bind /dev "$TMPROOT/dev"
  cp /etc/resolv.conf "$TMPROOT/etc/resolv.conf" 2>/dev/null || true
  run_ok=1
  for line in "${RUN_LINES[@]}"; do
    say "RUN (in the chroot) ${line:0:100}…"
    timeout 900 chroot "$TMPROOT" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
      /bin/sh -c "$line" >>"$CACHE/debootstrap.log" 2>&1 || { run_ok=0; break; }
  done
  umount "$TMPROOT/dev" "$TMPROOT/proc"
  [ "$run_ok" = 1 ] || { tail -20 "$CACHE/debootstrap.log" >&2; fail "a RUN line of the runtime stage failed in the chroot"; }
  touch "$TMPROOT/.complete"
  mv "$TMPROOT" "$ROOTFS"
  say "root file system ready in $(( $(date +%s) - t )) s ($(du -sh "$ROOTFS" | cut -f1))"
else
  say "cached root file system $ROOTFS"
fi

# ---- 3. the release binary and the files the image copies ----
say "building: $BUILD_CMD"
t=$(date +%s)
timeout 3000 $BUILD_CMD >"$CACHE/release-build.log" 2>&1 || { tail -30 "$CACHE/release-build.log" >&2; fail "release build failed"; }
BIN_DIR="$(swift build -c release --show-bin-path)"
say "release build $(( $(date +%s) - t )) s"
# The Dockerfile pins the dependency versions; the binary tested here must be built with the same ones.
python3 - infrastructure/docker/dependency-pins.json Package.resolved <<'PY' || fail "Package.resolved differs from infrastructure/docker/dependency-pins.json (refresh the pins: docs/deployment.md)"
import json, sys
def pins(p): return {x["identity"]: x["state"].get("version") for x in json.load(open(p))["pins"]}
want, got = pins(sys.argv[1]), pins(sys.argv[2])
if want != got:
    for k in sorted(set(want) | set(got)):
        if want.get(k) != got.get(k): print(f"  {k}: pinned {want.get(k)}, built {got.get(k)}", file=sys.stderr)
    sys.exit(1)
PY

UID_GID="$(chroot "$ROOTFS" /usr/bin/id -u "$RUNTIME_USER"):$(chroot "$ROOTFS" /usr/bin/id -g "$RUNTIME_USER")"
[ "${UID_GID%%:*}" = 1000 ] || fail "the runtime user $RUNTIME_USER has uid ${UID_GID%%:*}, the README says 1000"
for c in "${COPIES[@]}"; do
  IFS='|' read -r kind srcs dest <<<"$c"
  for s in $srcs; do
    if [ "$kind" = stage ]; then
      # COPY --from=build /staging/ /usr/local/bin/: the binary and its resource bundles.
      mkdir -p "$ROOTFS$dest"
      cp "$BIN_DIR/spikecast" "$ROOTFS$dest/"
      find "$BIN_DIR" -maxdepth 1 -name '*.resources' -exec cp -R {} "$ROOTFS$dest/" \;
    else
      rm -rf "${ROOTFS:?}$dest"; mkdir -p "$(dirname "$ROOTFS$dest")"
      git ls-files -z -- "$s" | while IFS= read -r -d '' f; do
        rel="${f#"${s%/}"}"; mkdir -p "$(dirname "$ROOTFS$dest$rel")"; cp "$f" "$ROOTFS$dest$rel"
      done
    fi
  done
done
# Fresh volumes each run, owned like the image's (the RUN line's chown).
for d in data models forecasts logs reports/out backups; do rm -rf "${ROOTFS:?}$WORKDIR/$d"; mkdir -p "$ROOTFS$WORKDIR/$d"; done
chown -R "$UID_GID" "$ROOTFS$WORKDIR"

# ---- 4. run it ----
mount -t proc proc "$ROOTFS/proc"; mount --bind /dev "$ROOTFS/dev"
SERVE_PID=""
cleanup() {
  [ -n "$SERVE_PID" ] && { kill "$SERVE_PID" 2>/dev/null || true; sleep 1; kill -9 "$SERVE_PID" 2>/dev/null || true; }
  umount "$ROOTFS/dev" 2>/dev/null || true; umount "$ROOTFS/proc" 2>/dev/null || true
}
trap cleanup EXIT
# As the image's USER, with its ENV and WORKDIR (and nothing of this shell's environment).
RUN_AS=(chroot --userspec="$UID_GID" "$ROOTFS" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$WORKDIR" "${ENV_LIST[@]}"
        /bin/sh -c 'cd "$0" && exec "$@"' "$WORKDIR")
in_image() { local secs="$1"; shift; timeout "$secs" "${RUN_AS[@]}" "$@"; }
ver="$(in_image 60 spikecast --version)" || fail "spikecast --version failed in the chroot"
say "spikecast --version in the chroot: $ver"
in_image 600 spikecast generate --start-date 2024-05-01 --end-date 2024-07-20 --no-files >/dev/null || fail "generate failed in the chroot"
in_image 900 spikecast backtest --start-date 2024-07-01 --end-date 2024-07-14 --nodes HB_NORTH --thresholds 100,500 \
  --refit-every 7 --name chroot-check --output-format json --output-path "$WORKDIR/data/bt.json" >/dev/null || fail "backtest failed in the chroot"
id="$(in_image 60 spikecast backtest list --output-format csv | awk -F, 'NR==2 {print $1}')"
[ -n "$id" ] || fail "no backtest listed in the chroot"
in_image 600 spikecast report backtest --backtest-id "$id" --name chroot-check >/dev/null || fail "report backtest failed in the chroot"
reports_in_image="$(printf '%s\n' "${ENV_LIST[@]}" | sed -n 's/^SPIKECAST_REPORTS_DIR=//p')"
page="$ROOTFS${reports_in_image:-$WORKDIR/reports}/chroot-check/index.html"
[ -s "$page" ] || fail "the report page $page was not written"
ls "$(dirname "$page")"/*.png >/dev/null 2>&1 || ls "$(dirname "$page")"/*/*.png >/dev/null 2>&1 || fail "the report has no PNG charts (Cairo in the image?)"
say "generate + backtest #$id + report in the chroot: $(du -sh "$(dirname "$page")" | cut -f1) report"

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
timeout 600 "${RUN_AS[@]}" spikecast serve --host 127.0.0.1 --port "$PORT" --no-scheduler >"$CACHE/serve.log" 2>&1 &
SERVE_PID=$!
HC="${HEALTH_CMD//:8000/:$PORT}"
ok=""
for _ in $(seq 1 60); do
  if in_image 10 /bin/sh -c "$HC" >/dev/null 2>&1; then ok=1; break; fi
  kill -0 "$SERVE_PID" 2>/dev/null || break
  sleep 0.5
done
[ -n "$ok" ] || { cat "$CACHE/serve.log" >&2; fail "the image's HEALTHCHECK ($HC) never passed"; }
metrics="$(python3 -c 'import sys,urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "http://127.0.0.1:$PORT/metrics")"
grep -q '^spikecast_build_info{' <<<"$metrics" || fail "/metrics has no spikecast_build_info"
grep -q '^process_resident_memory_bytes ' <<<"$metrics" || fail "/metrics has no process metrics (/proc in the image?)"
if command -v promtool >/dev/null; then
  lint="$(promtool check metrics <<<"$metrics" 2>&1)" || true
  [ -z "$lint" ] || { echo "$lint" >&2; fail "promtool check metrics complained"; }
fi
kill -TERM "$SERVE_PID"
for _ in $(seq 1 20); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.5; done
kill -0 "$SERVE_PID" 2>/dev/null && fail "serve ignored SIGTERM in the chroot"
wait "$SERVE_PID" || fail "serve exited with $? after SIGTERM in the chroot"
SERVE_PID=""
say "serve in the chroot: HEALTHCHECK on /livez passed, /metrics answered ($(grep -c '^# HELP' <<<"$metrics") families)"
echo "test-chroot: the runtime stage's file system runs spikecast"
