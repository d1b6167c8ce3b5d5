#!/usr/bin/env bash
# A throw-away single-node Slurm cluster on 127.0.0.1, for tests (docs/decisions.md D-SWEEP-5).
#
#   scripts/slurm/cluster.sh start DIR   # DIR: a new or empty folder; prints `export SLURM_CONF=...`
#   scripts/slurm/cluster.sh stop DIR    # cancels the jobs, ends the daemons by their pid files
#
# Everything lives in DIR: its own munge key and socket, slurm.conf, state, spool, logs and pid
# files; nothing under /etc is read or written, so it runs beside a system Slurm or munge. Needs
# root (slurmd runs jobs as their owner) and Debian's slurmctld, slurmd, slurm-client and munge
# (bookworm: slurm 22.05, munge 0.5.15). Commands reach this cluster through SLURM_CONF.
set -euo pipefail

usage() {
    echo "usage: $0 start|stop DIR" >&2
    exit 2
}
[[ $# -eq 2 ]] || usage
action=$1
dir=$2

# A free TCP port on 127.0.0.1 at or above $1: a connection to a free port is refused.
free_port() {
    local port=$1
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        port=$((port + 1))
    done
    echo "$port"
}

# Seconds (whole) since $1 (a `date +%s` value).
elapsed() { echo $(($(date +%s) - $1)); }

# Ends the daemons named by "PIDFILE:PROGRAM" arguments together: SIGTERM to each that is still
# PROGRAM (a pid may have been reused), then up to 10 s for all of them before SIGKILL.
end_daemons() {
    local entry pidfile name pid pids=() start
    for entry in "$@"; do
        pidfile=${entry%%:*}
        name=${entry##*:}
        [[ -s $pidfile ]] || continue
        pid=$(<"$pidfile")
        [[ $pid =~ ^[0-9]+$ ]] || { echo "cluster.sh: $pidfile: not a pid: $pid" >&2; return 1; }
        if [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$name" ]]; then
            kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
        fi
        rm -f "$pidfile"
    done
    start=$(date +%s)
    for pid in "${pids[@]}"; do
        while kill -0 "$pid" 2>/dev/null; do
            if (($(elapsed "$start") >= 10)); then
                echo "cluster.sh: pid $pid ignored SIGTERM for 10 s; sending SIGKILL" >&2
                kill -KILL "$pid" 2>/dev/null || true
                break
            fi
            sleep 0.1
        done
    done
}

stop_on_failure() {
    local status=$?
    ((status == 0)) || stop
    exit "$status"
}

start() {
    # A start that fails half-way ends what it started.
    trap stop_on_failure EXIT
    for tool in munged slurmctld slurmd scontrol squeue scancel; do
        command -v "$tool" >/dev/null || { echo "cluster.sh: $tool not found (apt-get install --no-install-recommends slurmctld slurmd slurm-client munge)" >&2; exit 1; }
    done
    [[ $(id -u) -eq 0 ]] || { echo "cluster.sh: must run as root (slurmd starts jobs as their owner)" >&2; exit 1; }
    mkdir -p "$dir"
    if [[ -n "$(ls -A "$dir")" ]]; then
        echo "cluster.sh: $dir is not empty; give a new or empty folder" >&2
        exit 1
    fi
    dir=$(cd "$dir" && pwd)
    # munged refuses a socket whose folders others cannot traverse (and one others can write).
    chmod 0755 "$dir"
    local up=$dir
    while up=$(dirname "$up") && [[ $up != / ]]; do
        [[ $(stat -c %A "$up") == ?????????[xt] ]] ||
            { echo "cluster.sh: $up is not world-executable; munged refuses a socket below it (chmod o+x, or use another folder)" >&2; exit 1; }
    done
    mkdir -m 0755 "$dir/munge"
    mkdir -m 0700 "$dir/state" "$dir/spool"
    mkdir -m 0755 "$dir/log"

    # munge: its own 1 KiB key, socket, pid, log and seed files.
    local socket="$dir/munge/munge.socket"
    head -c 1024 /dev/urandom >"$dir/munge/munge.key"
    chmod 0400 "$dir/munge/munge.key"
    munged --socket="$socket" --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pid" \
        --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed"

    # The node line as slurmd measures this machine, addressed on the loopback.
    local node host ctld_port slurmd_port
    node=$(slurmd -C | head -n 1)
    [[ $node == NodeName=* ]] || { echo "cluster.sh: unexpected 'slurmd -C' output: $node" >&2; exit 1; }
    host=${node%% *}
    host=${host#NodeName=}
    # Two stand-in GPUs, so that jobs asking for --gres=gpu:1 can be scheduled on a machine without
    # one (they must run on the CPU). slurmd wants a character device per GPU: /dev/null, /dev/zero.
    echo "Name=gpu File=/dev/null,/dev/zero" >"$dir/gres.conf"
    ctld_port=$(free_port 16817)
    slurmd_port=$(free_port $((ctld_port + 1)))
    cat >"$dir/slurm.conf" <<EOF
# Written by scripts/slurm/cluster.sh for a throw-away test cluster.
ClusterName=polarity-test
GresTypes=gpu
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket,cred_expire=5
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
SchedulerParameters=batch_sched_delay=0,sched_interval=1
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
KillWait=2
$node Gres=gpu:2 NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
    export SLURM_CONF="$dir/slurm.conf"
    slurmctld
    slurmd
    # Ready once the node has registered and is idle.
    local start state
    start=$(date +%s)
    until state=$(scontrol -o show node "$host" 2>/dev/null) && [[ $state == *State=IDLE* ]]; do
        if [[ $state == *INVAL* || $state == *DRAIN* ]] || ! kill -0 "$(cat "$dir/slurmctld.pid" 2>/dev/null)" 2>/dev/null ||
            (($(elapsed "$start") >= 30)); then
            echo "cluster.sh: node $host not usable (or not idle after 30 s): ${state:-no answer from slurmctld}" >&2
            tail -n 20 "$dir"/log/*.log >&2 || true
            exit 1
        fi
        sleep 0.2
    done
    echo "export SLURM_CONF=$dir/slurm.conf"
}

stop() {
    [[ -d $dir ]] || return 0
    dir=$(cd "$dir" && pwd)
    if [[ -f $dir/slurm.conf && -s $dir/slurmctld.pid ]]; then
        # Cancel what is left so that no job outlives its slurmd; give them KillWait to end.
        export SLURM_CONF="$dir/slurm.conf"
        local jobs start
        jobs=$(squeue -h -o %A 2>/dev/null || true)
        if [[ -n $jobs ]]; then
            # shellcheck disable=SC2086 # one word per job id
            scancel $jobs 2>/dev/null || true
            start=$(date +%s)
            while [[ -n "$(squeue -h -t running,completing -o %A 2>/dev/null || true)" ]] && (($(elapsed "$start") < 10)); do
                sleep 0.2
            done
        fi
    fi
    # Slurm's daemons first (each takes 1-2 s to shut down), munge (their authentication) last.
    end_daemons "$dir/slurmd.pid:slurmd" "$dir/slurmctld.pid:slurmctld"
    end_daemons "$dir/munge/munged.pid:munged"
}

case $action in
    start) start ;;
    stop) stop ;;
    *) usage ;;
esac
