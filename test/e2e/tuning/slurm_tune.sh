#!/usr/bin/env bash
# tuning.slurm: sora-tune dispatches its compiles and measurements as Slurm
# job steps (--runner slurm). Starts a one-node Slurm cluster on this machine
# (munged, slurmctld and slurmd from Debian's munge and slurm-wlm, every file
# and socket under WORKDIR, localhost only, ports chosen free), tunes MODEL
# locally and through the cluster with the same seed and trial budget, checks
# that the cluster ran sora-tune's job steps and that both databases have
# the same entries and fields, and stops the cluster whatever happens.
#
# usage: slurm_tune.sh SORA_TUNE MODEL WORKDIR  (as root: the daemons run as
# root, as in a throw-away test cluster)
set -euo pipefail
tune=$1 model=$2 work=$3
rm -rf "$work"
mkdir -p "$work"/{key,munge,state,spool,log,db}
chmod 700 "$work/key"
chmod 755 "$work" "$work/munge"

conf=$work/slurm.conf
stop_cluster() {
  for pid in "$work/slurmd.pid" "$work/slurmctld.pid"; do
    [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
  done
  munged --stop --socket="$work/munge/munge.socket" >/dev/null 2>&1 || true
}
fail() {
  echo "FAILED: $*" >&2
  for log in "$work"/log/*.log; do echo "--- $log" >&2; tail -20 "$log" >&2; done
  exit 1
}
trap stop_cluster EXIT

mungekey --create --keyfile="$work/key/munge.key"
munged --force --socket="$work/munge/munge.socket" --key-file="$work/key/munge.key" \
  --pid-file="$work/munge/munged.pid" --seed-file="$work/key/munged.seed" \
  --log-file="$work/log/munged.log"

read -r ctld_port slurmd_port < <(/usr/bin/python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
node=$(hostname -s)
cat > "$conf" <<CONF
ClusterName=soratune
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/munge.socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=tune Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$conf
slurmctld -f "$conf" || fail "slurmctld did not start"
slurmd -f "$conf" || fail "slurmd did not start"
for _ in $(seq 60); do
  [ "$(sinfo --noheader --format=%T 2>/dev/null)" = idle ] && break
  sleep 0.5
done
[ "$(sinfo --noheader --format=%T)" = idle ] || fail "the node did not come up: $(sinfo)"
echo "== a one-node Slurm cluster: $(sinfo --noheader --format='%P %D %T %N %c CPUs')"

budget=(--budget 6trials --seed 3 --threads 1)
echo "== sora-tune, local"
"$tune" "$model" "${budget[@]}" -o "$work/db/local.json" || fail "local tuning"
echo "== sora-tune --runner slurm"
"$tune" "$model" "${budget[@]}" --runner slurm --slurm-args=--partition=tune \
  -o "$work/db/slurm.json" || fail "tuning through Slurm"

steps=$(scontrol show jobs --oneliner | grep -c "JobName=sora-tune .*JobState=COMPLETED" || true)
echo "== Slurm ran $steps sora-tune job steps"
[ "$steps" -gt 0 ] || fail "no sora-tune job ran on the cluster"
[ -z "$(ls -d "$work"/db/sora-tune-* 2>/dev/null)" ] || fail "work directory left behind"

/usr/bin/python3 - "$work/db/local.json" "$work/db/slurm.json" <<'PY'
import json, sys
local, slurm = (json.load(open(p)) for p in sys.argv[1:])
def shape(db):
    return {(e["kernel"], e["target"], e["threads"]):
            (sorted(e), sorted(e["schedule"]), sorted(e["default_schedule"]))
            for e in db["entries"]}
assert (local["format"], local["version"]) == (slurm["format"], slurm["version"]), "format"
a, b = shape(local), shape(slurm)
assert a.keys() == b.keys(), f"kernels differ: {a.keys() ^ b.keys()}"
assert a == b, "entry fields differ"
print(f"== the databases agree in format: {len(a)} entries, version {local['version']}, "
      f"fields {', '.join(next(iter(a.values()))[0])}")
PY
echo "PASSED"
