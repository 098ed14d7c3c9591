#!/usr/bin/env bash
# Stops the control plane that up.sh started in STATE_DIR (by the pids in STATE_DIR/run), in reverse
# order. Certificates, the etcd data and the build caches stay, so the next up.sh starts fast.
#
#   test/infra/kube/down.sh STATE_DIR [--purge]     --purge: also delete the etcd data (a fresh cluster next time)
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 STATE_DIR [--purge]" >&2; exit 2; }
state=$1
purge=0
[ "${2:-}" = --purge ] && purge=1
[ -d "$state" ] || { echo "[kube] nothing to stop: $state does not exist" >&2; exit 0; }
state=$(cd "$state" && pwd)
rm -f "$state/.ready"
# running PID: the process exists and is not a zombie (an exited child of ours waits, as a zombie,
# for pid 1 to reap it, which can take a second or two)
running() { local st; st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) && [ "${st%% *}" != Z ]; }
stop() { # NAME
  local f=$state/run/$1.pid pid
  [ -s "$f" ] || return 0
  pid=$(cat "$f")
  # only a process that is still the one up.sh started (its binary comes from STATE_DIR/bin's target)
  if running "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "/$1 "; then
    echo "[kube] stopping $1 (pid $pid)" >&2
    kill "$pid"
    for _ in $(seq 150); do running "$pid" || break; sleep 0.1; done
    running "$pid" && { echo "[kube] $1 did not stop in 15s; killing it" >&2; kill -9 "$pid"; }
  fi
  rm -f "$f"
}
for c in kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do stop "$c"; done
if [ $purge = 1 ]; then
  echo "[kube] deleting the etcd data in $state/etcd" >&2
  rm -rf "$state/etcd"
fi
