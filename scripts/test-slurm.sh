#!/usr/bin/env bash
# Scale-out check with a real Slurm: starts a one-node Slurm cluster from Debian's packages (slurmctld,
# slurmd, munge), submits the project's own infrastructure/slurm/backtest-array.sbatch as an array of 4
# shards over a small synthetic grid plus its dependent merge job, waits, and checks that the merged run's
# `backtest show --predictions` equals a single-process run of the same grid. Stops the daemons it started.
# Also validates infrastructure/k8s/backtest-indexed-job.yaml offline against the Kubernetes schema
# (kubernetes-validate from PyPI, in a venv under .build/).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
BIN="$(readlink -f "${SPIKECAST_BIN:-.build/debug/spikecast}")"
[ -x "$BIN" ] || { swift build --product spikecast; BIN="$(readlink -f .build/debug/spikecast)"; }
SHARDS=4

say() { echo "test-slurm: $*"; }
fail() { echo "test-slurm: FAIL: $*" >&2; exit 1; }

# ---- Kubernetes manifest, offline ---------------------------------------------------------------
K8S_VERSION=1.30.0   # backoffLimitPerIndex needs 1.29+
venv=".build/k8s-validate-venv"
if [ ! -x "$venv/bin/kubernetes-validate" ]; then
  python3 -m venv "$venv" 2>/dev/null || { rm -rf "$venv"; apt-get update -qq; apt-get install -y -qq --no-install-recommends python3-venv >/dev/null; python3 -m venv "$venv"; }
  "$venv/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==1.37.0"
fi
"$venv/bin/kubernetes-validate" --strict -k "$K8S_VERSION" infrastructure/k8s/backtest-indexed-job.yaml \
  || fail "infrastructure/k8s/backtest-indexed-job.yaml does not validate against Kubernetes $K8S_VERSION"
# The checker must catch a broken manifest (a misspelt field), or the check above proves nothing.
broken="$(mktemp --suffix=.yaml)"
sed 's/completionMode: Indexed/completionMod: Indexed/' infrastructure/k8s/backtest-indexed-job.yaml > "$broken"
if "$venv/bin/kubernetes-validate" --strict -k "$K8S_VERSION" "$broken" >/dev/null 2>&1; then rm -f "$broken"; fail "kubernetes-validate accepted a misspelt field"; fi
rm -f "$broken"
say "k8s manifest valid for Kubernetes $K8S_VERSION (strict)"

# ---- Slurm ------------------------------------------------------------------------------------
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  say "installing slurmctld slurmd slurm-client munge"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
fi

work="$(mktemp -d "$ROOT/.build/test-slurm.XXXXXX")"
SLURM_TMP="$work/slurm"
mkdir -p "$SLURM_TMP"/{state,spool,log}
started_munge=0 CTLD="" SD="" conf_backup=""
cleanup() {
  set +e
  if [ -n "$CTLD" ] || [ -n "$SD" ]; then
    timeout 20 scontrol shutdown >/dev/null 2>&1
    for p in $CTLD $SD; do
      for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
      kill -0 "$p" 2>/dev/null && kill "$p"
    done
  fi
  [ "$started_munge" = 1 ] && munged --stop >/dev/null 2>&1
  if [ -n "$conf_backup" ]; then mv -f "$conf_backup" /etc/slurm/slurm.conf; elif [ -n "${wrote_conf:-}" ]; then rm -f /etc/slurm/slurm.conf; fi
  if [ "${KEEP_TEST_SLURM:-0}" = 1 ]; then echo "test-slurm: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  [ -s /etc/munge/munge.key ] || mungekey --create --force
  chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key
  install -d -o munge -g munge -m 755 /run/munge
  runuser -u munge -- /usr/sbin/munged
  started_munge=1
  munge -n | unmunge >/dev/null || fail "munged does not answer"
fi
if pgrep -x slurmctld >/dev/null || pgrep -x slurmd >/dev/null; then
  fail "a Slurm daemon is already running on this machine; stop it or run this test elsewhere"
fi

NODE="$(hostname -s)"
mkdir -p /etc/slurm
[ -e /etc/slurm/slurm.conf ] && { conf_backup="$work/slurm.conf.orig"; cp /etc/slurm/slurm.conf "$conf_backup"; }
wrote_conf=1
cat > /etc/slurm/slurm.conf <<EOF
ClusterName=ci
SlurmctldHost=$NODE
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$SLURM_TMP/state
SlurmdSpoolDir=$SLURM_TMP/spool
SlurmctldPidFile=$SLURM_TMP/slurmctld.pid
SlurmdPidFile=$SLURM_TMP/slurmd.pid
SlurmctldLogFile=$SLURM_TMP/log/slurmctld.log
SlurmdLogFile=$SLURM_TMP/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
NodeName=$NODE CPUs=$(nproc) RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -D -i > "$SLURM_TMP/log/slurmctld.out" 2>&1 & CTLD=$!
slurmd -D > "$SLURM_TMP/log/slurmd.out" 2>&1 & SD=$!
for _ in $(seq 1 150); do sinfo -h -o %T 2>/dev/null | grep -qx idle && break; sleep 0.2; done
sinfo -h -o %T | grep -qx idle || { tail -20 "$SLURM_TMP"/log/*.log >&2; fail "the Slurm node did not come up idle"; }
say "one-node Slurm up ($NODE, $(nproc) CPUs)"

# ---- a small synthetic grid: one process, then 4 array tasks + merge ------------------------------
data="$work/data"
"$BIN" generate --data-dir "$data" --start-date 2024-04-01 --end-date 2024-06-20 --no-files > "$work/generate.log" \
  || { cat "$work/generate.log" >&2; fail "generate"; }
GRID="--start-date 2024-06-01 --end-date 2024-06-08 --nodes HB_NORTH,HB_WEST --thresholds 100,500 --model-config default --model-config climatology-seasonal --bootstrap 0"
# shellcheck disable=SC2086
"$BIN" backtest run $GRID --data-dir "$data" --name single --output-format json --output-path "$work/single.json" > "$work/single.log" 2>&1 \
  || { cat "$work/single.log" >&2; fail "single-process backtest"; }
single_id="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_id"])' "$work/single.json")"

# The shards read a read-only copy of the store; the merge writes the merged run into the data directory.
mkdir -p "$work/shared"
"$BIN" backup --data-dir "$data" -o "$work/shared/store.tar.gz" > "$work/backup.log" 2>&1 || { cat "$work/backup.log" >&2; fail "backup"; }
say "submitting $SHARDS shards + merge"
(
  cd "$work"
  SPIKECAST="$BIN" SPIKECAST_BACKTEST_ARGS="$GRID" SPIKECAST_STORE_FILE="$work/shared/store.tar.gz" \
  SPIKECAST_SHARD_DIR="$work/shared/shards" SPIKECAST_DATA_DIR="$data" SPIKECAST_MERGE_NAME=slurm-merged \
    timeout 600 bash "$ROOT/infrastructure/slurm/backtest-array.sbatch" submit "$SHARDS" --wait --cpus-per-task=1
) > "$work/submit.log" 2>&1 || { cat "$work/submit.log" "$work"/spikecast-*.out >&2 2>/dev/null; fail "the array or merge job failed"; }
cat "$work/submit.log"

n_files=$(ls "$work/shared/shards"/shard-*-of-000$SHARDS.json | wc -l)
[ "$n_files" = "$SHARDS" ] || fail "expected $SHARDS shard files, found $n_files"
for i in $(seq 0 $((SHARDS - 1))); do
  grep -q "^shard $i/$SHARDS: " "$work"/spikecast-backtest-*_"$i".out || fail "array task $i did not run shard $i/$SHARDS"
done
grep -h "^shard " "$work"/spikecast-backtest-*.out
merged_id="$("$BIN" backtest list --data-dir "$data" --output-format json | python3 -c 'import json,sys; print([r["id"] for r in json.load(sys.stdin) if r["name"] == "slurm-merged"][0])')" \
  || fail "no merged run named slurm-merged"
"$BIN" backtest show "$single_id" --data-dir "$data" --predictions > "$work/single.csv"
"$BIN" backtest show "$merged_id" --data-dir "$data" --predictions > "$work/merged.csv"
rows=$(($(wc -l < "$work/single.csv") - 1))
[ "$rows" -gt 1000 ] || fail "the single-process run has only $rows prediction rows"
diff -q "$work/single.csv" "$work/merged.csv" >/dev/null || { diff "$work/single.csv" "$work/merged.csv" | head >&2; fail "merged run $merged_id differs from single-process run $single_id"; }
say "merged run $merged_id = single-process run $single_id ($rows prediction rows, identical)"
