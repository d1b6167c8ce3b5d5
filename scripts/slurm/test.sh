#!/usr/bin/env bash
# Sweeps under a real Slurm (docs/decisions.md D-SWEEP-4 to D-SWEEP-6). Starts a throw-away
# single-node cluster (cluster.sh) and, with a trap, always stops it. Then:
#   1. an XOR grid runs as `sbatch --array=0-3`, each task taking its shard from Slurm's variables,
#      beside the same grid as one plain job; one task is cancelled (`scancel`) after it journaled
#      a unit and is requeued: it resumes, losing nothing; `polarity merge` of the four shards must
#      equal the unsharded table byte for byte;
#   2. the array is resubmitted with one task failing on purpose: the harness must report that
#      task's exit code (read from `scontrol -o show job`; there is no accounting, so no sacct);
#   3. with --xor-reference DIR (a `polarity reproduce xor --quick` output), the shipped
#      examples/slurm/xor-array.sbatch and merge.sbatch (afterok dependency) reproduce it: every
#      grid's results.parquet and claims.csv byte for byte;
#   4. with --images-reference DIR (a `polarity reproduce images --preset smoke` output), so do
#      examples/slurm/images-gpu-array.sbatch (--gres=gpu:1 on the cluster's stand-in GPUs, run
#      with POLARITY_DEVICE=flex) and merge.sbatch: runs/results.csv and claims.csv.
# A job that fails makes this script fail with the job's exit code.
#
#   scripts/slurm/test.sh [POLARITY_BINARY] [--xor-reference DIR] [--images-reference DIR]
#
# The binary defaults to $POLARITY, else $CARGO_TARGET_DIR/debug/polarity. Needs root on Debian
# (installs slurmctld slurmd slurm-client munge if missing); elsewhere, or with
# POLARITY_SKIP_SLURM=1, it prints why and skips.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)

polarity=${POLARITY:-${CARGO_TARGET_DIR:-$HOME/.cache/polarity/target}/debug/polarity}
xor_reference=
images_reference=
while [[ $# -gt 0 ]]; do
    case $1 in
        --xor-reference) xor_reference=${2:?--xor-reference needs a folder}; shift ;;
        --images-reference) images_reference=${2:?--images-reference needs a folder}; shift ;;
        -*) echo "$0: unknown option $1" >&2; exit 2 ;;
        *) polarity=$1 ;;
    esac
    shift
done

skip() {
    echo "== slurm: SKIPPED: $*"
    exit 0
}
fail() {
    echo "slurm test FAILED: $*" >&2
    exit 1
}

[[ ${POLARITY_SKIP_SLURM:-0} == 1 ]] && skip "POLARITY_SKIP_SLURM=1"
[[ $(id -u) -eq 0 ]] || skip "needs root to run a test cluster (slurmd starts jobs as their owner); uid is $(id -u)"
[[ -x $polarity ]] || fail "polarity binary $polarity not found or not executable (pass its path)"
polarity=$(cd "$(dirname "$polarity")" && pwd)/$(basename "$polarity")
if [[ -n $xor_reference ]]; then
    [[ -d $xor_reference/runs ]] || fail "--xor-reference $xor_reference: no runs/ folder (expected a 'polarity reproduce xor --quick' output)"
    xor_reference=$(cd "$xor_reference" && pwd)
fi
if [[ -n $images_reference ]]; then
    [[ -f $images_reference/runs/results.csv ]] || fail "--images-reference $images_reference: no runs/results.csv (expected a 'polarity reproduce images --preset smoke' output)"
    images_reference=$(cd "$images_reference" && pwd)
fi

tools=(munged slurmctld slurmd sbatch scontrol squeue scancel)
missing() {
    local tool
    for tool in "${tools[@]}"; do command -v "$tool" >/dev/null || return 0; done
    return 1
}
if missing; then
    if [[ ! -f /etc/debian_version ]] || ! command -v apt-get >/dev/null; then
        skip "Slurm is not installed and this is not Debian (no apt-get) to install it"
    fi
    echo "== slurm: installing slurmctld slurmd slurm-client munge (apt-get)"
    # Keep the packages' own services from starting (a system munged would outlive this test);
    # only when the system has no policy of its own.
    own_policy=0
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        own_policy=1
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 0755 /usr/sbin/policy-rc.d
    fi
    install() {
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            slurmctld slurmd slurm-client munge >/tmp/polarity-slurm-apt.log 2>&1
    }
    installed=1
    install || { apt-get update -q >>/tmp/polarity-slurm-apt.log 2>&1 && install; } || installed=0
    ((own_policy)) && rm -f /usr/sbin/policy-rc.d
    ((installed)) || { tail -n 20 /tmp/polarity-slurm-apt.log >&2; fail "apt-get install failed (log above)"; }
    ! missing || fail "installed, but one of ${tools[*]} is still missing"
fi

work=$(mktemp -d /tmp/polarity-slurm.XXXXXX)
chmod 0755 "$work" # the munge socket lies below it (cluster.sh)
cleanup() {
    local status=$?
    if [[ $status -ne 0 && -d $work/cluster/log ]]; then
        echo "-- last lines of the cluster's logs ($work/cluster/log):" >&2
        tail -n 15 "$work"/cluster/log/*.log >&2 || true
    fi
    "$repo/scripts/slurm/cluster.sh" stop "$work/cluster" || status=1
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

started=$(date +%s)
echo "== slurm: single-node cluster on 127.0.0.1 in $work/cluster"
cluster_env=$("$repo/scripts/slurm/cluster.sh" start "$work/cluster")
eval "$cluster_env"
export SLURM_CONF
cd "$work"

# --- job helpers -------------------------------------------------------------------------------

# One line per job record of job $1 (an array's tasks, or one job): ID TASK STATE EXITCODE LOGFILE.
# TASK is "-" for a plain job; a not yet split array record shows a range (e.g. 1-3). Fails if
# slurmctld does not know the job.
job_table() {
    local records
    records=$(scontrol -o show job "$1") && [[ -n $records ]] || return 1
    awk '{
        delete f
        for (i = 1; i <= NF; i++) { k = $i; sub(/=.*/, "", k); v = $i; sub(/^[^=]*=/, "", v); f[k] = v }
        task = (f["ArrayTaskId"] == "") ? "-" : f["ArrayTaskId"]
        print f["JobId"], task, f["JobState"], f["ExitCode"], f["StdOut"]
    }' <<<"$records"
}

# job_table, or this script fails.
job_records() {
    job_table "$1" || fail "slurmctld cannot show job $1"
}

is_terminal() {
    case $1 in
        COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | PREEMPTED | BOOT_FAIL | DEADLINE) return 0 ;;
        *) return 1 ;;
    esac
}

# State of task $2 of array $1 (empty while it is part of a pending range).
task_state() {
    local records
    records=$(job_records "$1") || exit 1
    awk -v t="$2" '$2 == t { print $3 }' <<<"$records"
}

# Log file of task $2 of array $1.
task_log() {
    local records
    records=$(job_records "$1") || exit 1
    awk -v t="$2" '$2 == t { print $5 }' <<<"$records"
}

# Waits until every record of the jobs given has ended (at most 180 s).
wait_done() {
    local start job records id task state code log busy
    start=$(date +%s)
    while :; do
        busy=0
        for job in "$@"; do
            records=$(job_records "$job") || exit 1
            while read -r id task state code log; do
                is_terminal "$state" || busy=1
            done <<<"$records"
        done
        ((busy)) || return 0
        if (($(date +%s) - start >= 180)); then
            for job in "$@"; do job_table "$job" >&2 || true; done
            fail "jobs $* still not finished after 180 s"
        fi
        sleep 0.2
    done
}

# Reports every record of the (ended) jobs given that did not complete with exit code 0, with the
# end of its log; returns the first such record's exit code (128 + signal if a signal ended it).
check_jobs() {
    local job records id task state code log status=0 this
    for job in "$@"; do
        records=$(job_records "$job") || exit 1
        while read -r id task state code log; do
            [[ $state == COMPLETED && $code == 0:0 ]] && continue
            local exit_code=${code%%:*} signal=${code##*:}
            if ((exit_code != 0)); then this=$exit_code; elif ((signal != 0)); then this=$((128 + signal)); else this=1; fi
            echo "job $job task $task (id $id): $state, exit code $exit_code, signal $signal; log $log:" >&2
            tail -n 5 "$log" 2>/dev/null | sed 's/^/    /' >&2 || true
            ((status != 0)) || status=$this
        done <<<"$records"
    done
    return "$status"
}

# Fails this script with the jobs' exit code unless all of them completed.
require_success() {
    local status=0
    check_jobs "$@" || status=$?
    ((status == 0)) || { echo "slurm test FAILED: a job failed (above); exiting with its exit code $status" >&2; exit "$status"; }
}

# Journal frames in file $1 (0 if it does not exist).
frames() {
    if [[ -f $1 ]]; then { grep -ao PSJ2 "$1" || true; } | wc -l; else echo 0; fi
}

# The `"shard":{...}` entry of a sweep directory's manifest, without blanks.
manifest_shard() {
    tr -d ' \n' <"$1/sweep.json" | grep -o '"shard":\(null\|{[^}]*}\)'
}

# --- 1. array job, cancel and requeue one task, merge ------------------------------------------

# 4 hidden x 4 training sizes = 16 units, 4 per shard (shard 1/4: the 32 hidden units); each unit
# takes long enough (0.2-0.5 s here) for the cancellation to land between two of them.
cat >grid.toml <<'EOF'
hidden = [32, 16, 8, 4]
train_sizes = [40, 60, 100, 200]
trials = 12
epochs = 100
EOF
units_per_shard=4
mkdir runs logs
export POLARITY="$polarity" GRID="$work/grid.toml" RUNS="$work/runs"

echo "== slurm: XOR grid as an array of 4 tasks, and unsharded as one job"
array=$(sbatch --parsable --array=0-3 --output="$work/logs/xor-%A_%a.out" "$repo/scripts/slurm/xor-shard.sbatch")
whole=$(sbatch --parsable --cpus-per-task=1 --output="$work/logs/whole-%j.out" \
    --wrap "exec '$polarity' xor train --config '$GRID' --out '$RUNS/whole' --threads 1")

# The first task, so that its requeue delay passes while the others run.
victim=0
journal=$RUNS/shard-$victim/journal
poll_start=$(date +%s)
until (($(frames "$journal") >= 1)); do
    state=$(task_state "$array" "$victim")
    if [[ -n $state ]] && is_terminal "$state"; then
        check_jobs "$array" || true
        fail "task $victim ended ($state) before it journaled a unit"
    fi
    (($(date +%s) - poll_start < 120)) || fail "task $victim journaled no unit within 120 s"
    sleep 0.05
done
scancel "${array}_$victim"
wait_done "$array"_$victim
state=$(task_state "$array" "$victim")
[[ $state == CANCELLED ]] || fail "task $victim was cancelled but ended $state"
killed_at=$(frames "$journal")
if [[ -e $RUNS/shard-$victim/results.parquet ]] || ((killed_at >= units_per_shard)); then
    fail "task $victim had finished its shard before the cancellation landed ($killed_at of $units_per_shard units); the units are too fast for this test"
fi
echo "   task $victim cancelled after $killed_at of $units_per_shard units; requeued"
# Requeued, it keeps its array variables; it starts once its old credential expired (cred_expire).
scontrol requeue "${array}_$victim"

wait_done "$array" "$whole"
require_success "$array" "$whole"

# Each task ran the shard its array index names; the plain job ran the whole grid.
for task in 0 1 2 3; do
    got=$(manifest_shard "$RUNS/shard-$task")
    want="\"shard\":{\"index\":$((task + 1)),\"count\":4}"
    [[ $got == "$want" ]] || fail "task $task ran $got, expected $want"
done
[[ $(manifest_shard "$RUNS/whole") == '"shard":null' ]] || fail "the plain job ran $(manifest_shard "$RUNS/whole"), expected the whole grid"

# The requeued task trained only what the cancelled run had not journaled.
victim_log=$(task_log "$array" "$victim")
summary=$(grep -E '^[0-9]+ units trained, [0-9]+ resumed' "$victim_log" || true)
[[ $(wc -l <<<"$summary") -eq 1 && -n $summary ]] || fail "expected one summary line in $victim_log (the requeued run), got: $summary"
read -r trained _ _ resumed _ <<<"$summary"
((resumed >= 1 && trained >= 1 && trained + resumed == units_per_shard && resumed <= killed_at)) ||
    fail "requeued task $victim: '$summary' (the cancelled run had journaled $killed_at units)"
echo "   requeued task $victim: $summary"

"$polarity" merge --out "$RUNS/merged" "$RUNS"/shard-{0,1,2,3}
cmp "$RUNS/merged/results.parquet" "$RUNS/whole/results.parquet" || fail "merged shards differ from the unsharded run"
# The unsharded job's summary line: "N units trained, 0 resumed; ROWS rows -> .../results.parquet".
whole_summary=$(grep -E '^[0-9]+ units trained' "$work/logs/whole-$whole.out" || true)
rows=$(sed -E 's/.*; ([0-9]+) rows -> .*/\1/' <<<"$whole_summary")
rows=${rows:-0}
((rows == 4 * 4 * 3 * 12 * 100)) || fail "unsharded table has $rows rows, expected 4 hidden x 4 sizes x 3 conditions x 12 trials x 100 epochs"
echo "   ok: 4 shards merged = unsharded table ($rows rows, byte for byte) [$(($(date +%s) - started)) s]"

# --- 2. a failing task is reported with its exit code -------------------------------------------

echo "== slurm: the array resubmitted with task 2 failing on purpose (exit code 7)"
again=$(sbatch --parsable --array=0-3 --output="$work/logs/again-%A_%a.out" \
    --export=ALL,FAIL_TASK=2,FAIL_CODE=7 "$repo/scripts/slurm/xor-shard.sbatch")
wait_done "$again"
reported=0
check_jobs "$again" 2>"$work/logs/report.txt" || reported=$?
sed 's/^/   | /' "$work/logs/report.txt"
((reported == 7)) || fail "the harness reported exit code $reported for the failing task, expected 7"
grep -q "task 2 .*: FAILED, exit code 7" "$work/logs/report.txt" || fail "the report does not name task 2"
for task in 0 1 3; do
    log=$(task_log "$again" "$task")
    grep -q "^0 units trained, $units_per_shard resumed" "$log" || fail "resubmitted task $task did not find its finished shard: $(tail -n 1 "$log")"
done
echo "   ok: reported task 2 with exit code 7; the other tasks found their shards finished [$(($(date +%s) - started)) s]"

# --- 3. the shipped example scripts reproduce `reproduce xor --quick` --------------------------

if [[ -n $xor_reference ]]; then
    echo "== slurm: examples/slurm/xor-array.sbatch + merge.sbatch (afterok) = $xor_reference"
    # The node has few CPUs: one per task instead of the example's four.
    example=$(sbatch --parsable --array=0-3 --cpus-per-task=1 "$repo/examples/slurm/xor-array.sbatch" "$work/example" --quick)
    merge=$(sbatch --parsable --cpus-per-task=1 --dependency="afterok:$example" \
        "$repo/examples/slurm/merge.sbatch" xor "$work/example" --quick)
    wait_done "$example"
    require_success "$example"
    wait_done "$merge"
    require_success "$merge"
    # Every grid's table, the data draws' (runs/draw-k/<grid>/, trained by the merge job's
    # `reproduce xor --resume`) included.
    tables=0
    while IFS= read -r table; do
        table=${table#"$xor_reference"/}
        cmp "$work/example/$table" "$xor_reference/$table" ||
            fail "example array: $table differs from the reference"
        tables=$((tables + 1))
    done < <(cd "$xor_reference" && find runs -name results.parquet | sort | sed "s|^|$xor_reference/|")
    ((tables >= 5)) || fail "example array: only $tables results.parquet in the reference $xor_reference"
    cmp "$work/example/claims.csv" "$xor_reference/claims.csv" || fail "example array: claims.csv differs from the reference"
    echo "   ok: every grid's results.parquet and claims.csv byte for byte [$(($(date +%s) - started)) s]"
fi

# --- 4. the GPU example on stand-in GPUs reproduces `reproduce images --preset smoke` ---------

if [[ -n $images_reference ]]; then
    echo "== slurm: examples/slurm/images-gpu-array.sbatch (--gres=gpu:1, run on the CPU) + merge.sbatch = $images_reference"
    # Two tasks of one CPU each, and the node's memory instead of the example's 32G.
    example=$(POLARITY_DEVICE=flex sbatch --parsable --array=0-1 --cpus-per-task=1 --mem=0 \
        "$repo/examples/slurm/images-gpu-array.sbatch" "$work/images" --preset smoke)
    merge=$(sbatch --parsable --cpus-per-task=1 --dependency="afterok:$example" \
        "$repo/examples/slurm/merge.sbatch" images "$work/images" --preset smoke)
    wait_done "$example"
    require_success "$example"
    # (Without accounting Slurm does not list allocated GPUs; the request is what can be checked.)
    gpu_tasks=$(scontrol -o show job "$example" | grep -c ' TresPerNode=gres:gpu:1 ' || true)
    ((gpu_tasks == 2)) || fail "image example: $gpu_tasks of 2 tasks asked for a GPU (gres:gpu:1)"
    wait_done "$merge"
    require_success "$merge"
    for file in runs/results.csv claims.csv; do
        cmp "$work/images/$file" "$images_reference/$file" || fail "image example: $file differs from the reference"
    done
    echo "   ok: runs/results.csv and claims.csv byte for byte [$(($(date +%s) - started)) s]"
fi

echo "== slurm: all checks passed in $(($(date +%s) - started)) s"
