#!/usr/bin/env bash
# Starts dagship's real Kubernetes test control plane on 127.0.0.1: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler and kwok (fake nodes; pods go Running/Ready without a
# kubelet, or fail on purpose for images named `fail-*`/`crash-*`, see README.md). Idempotent: when
# the control plane in STATE_DIR is running and healthy it does nothing; a component that died is
# restarted. Binaries come from build.sh (built once into CACHE_DIR).
#
#   test/infra/kube/up.sh STATE_DIR CACHE_DIR
#
# stdout: exactly one line, `export KUBECONFIG=STATE_DIR/kubeconfig` (admin, system:masters).
# stderr: progress. STATE_DIR/bin links to the binaries (kubectl, helm, ...), logs are in
# STATE_DIR/log, pids in STATE_DIR/run. Ports (env overrides): KUBE_ETCD_PORT=23791,
# KUBE_ETCD_PEER_PORT=23801, KUBE_APISERVER_PORT=6443, KUBE_CONTROLLER_MANAGER_PORT=23257,
# KUBE_SCHEDULER_PORT=23259, KUBE_KWOK_PORT=23247.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 STATE_DIR CACHE_DIR" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$1" "$2"
state=$(cd "$1" && pwd)
cache=$(cd "$2" && pwd)

etcd_port=${KUBE_ETCD_PORT:-23791}
etcd_peer_port=${KUBE_ETCD_PEER_PORT:-23801}
api_port=${KUBE_APISERVER_PORT:-6443}
kcm_port=${KUBE_CONTROLLER_MANAGER_PORT:-23257}
sched_port=${KUBE_SCHEDULER_PORT:-23259}
kwok_port=${KUBE_KWOK_PORT:-23247}
# Service ClusterIPs and kwok's pod IPs are bookkeeping only: there is no kube-proxy, CNI or kubelet,
# nothing listens on or routes to them, and tests must never dial them (use the API instead).
service_cidr=10.96.0.0/16
pod_cidr=10.244.0.1/16
nodes=(kwok-node-0 kwok-node-1)

t0=$SECONDS
log() { printf '[kube +%3ss] %s\n' "$((SECONDS - t0))" "$*" >&2; }
die() { printf '[kube] error: %s\n' "$1" >&2; [ -n "${2:-}" ] && printf '[kube] hint: %s\n' "$2" >&2; exit 1; }

pki=$state/pki run=$state/run logs=$state/log
kubeconfig=$state/kubeconfig
mkdir -p "$pki" "$run" "$logs" "$state/etcd" "$state/kwok"
# One up.sh at a time per STATE_DIR (fd 8 is closed in the processes started below).
exec 8>"$state/.up.lock"
flock 8
command -v openssl >/dev/null || die "openssl is missing" "apt-get install openssl"
command -v curl >/dev/null || die "curl is missing" "apt-get install curl"

# ---------------------------------------------------------------- binaries
bin=$("$here/build.sh" "$cache") || die "build.sh failed" "see its output above"
ln -sfn "$bin" "$state/bin"
kubectl() { "$bin/kubectl" --kubeconfig "$kubeconfig" "$@"; }

# ---------------------------------------------------------------- process helpers
# running PID: the process exists and is not a zombie (an exited process started here waits, as a
# zombie, for pid 1 to reap it, which can take a second or two)
running() { local st; st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) && [ "${st%% *}" != Z ]; }
# alive NAME: the pid in run/NAME.pid is running and is our binary (not a recycled pid)
alive() {
  local pid
  [ -s "$run/$1.pid" ] || return 1
  pid=$(cat "$run/$1.pid")
  running "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "^$bin/$2 " || return 1
}
start() { # NAME BINARY ARGS...
  local name=$1 binary=$2; shift 2
  log "starting $name"
  ( cd "$state" && exec setsid "$bin/$binary" "$@" >>"$logs/$name.log" 2>&1 </dev/null 8>&- ) &
  echo $! >"$run/$name.pid"
}
stop() { # NAME (only used to replace a component that is running but unhealthy)
  local pid
  [ -s "$run/$1.pid" ] || return 0
  pid=$(cat "$run/$1.pid")
  # only the process that was started as NAME (from this or an older build), never a recycled pid
  if running "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "^[^ ]*/$1 "; then
    log "stopping $1 (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 150); do running "$pid" || break; sleep 0.1; done
    running "$pid" && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$run/$1.pid"
}
wait_for() { # NAME SECONDS CHECK...
  local name=$1 secs=$2; shift 2
  local until=$((SECONDS + secs))
  while ! "$@" >/dev/null 2>&1; do
    [ -s "$run/$name.pid" ] && ! running "$(cat "$run/$name.pid")" &&
      die "$name exited" "see $logs/$name.log: $(tail -n 3 "$logs/$name.log" | tr '\n' ' ' | cut -c1-400)"
    [ $SECONDS -lt $until ] || die "$name not healthy after ${secs}s" "see $logs/$name.log"
    sleep 0.2
  done
}
# soon SECONDS CHECK...: CHECK passes within SECONDS (a running component gets this grace before it
# is replaced, so a slow /readyz under load does not restart it)
soon() { local until=$((SECONDS + $1)); shift; until "$@"; do [ $SECONDS -lt $until ] || return 1; sleep 0.5; done; }
curl_ok() { [ "$(curl -s --max-time 3 "$@")" = ok ]; }
etcd_ok() { curl -s --max-time 3 "http://127.0.0.1:$etcd_port/health" | grep -q '"health":"true"'; }
api_ok() {
  curl_ok --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" "https://127.0.0.1:$api_port/readyz"
}
kcm_ok() { curl_ok -k "https://127.0.0.1:$kcm_port/healthz"; }
sched_ok() { curl_ok -k "https://127.0.0.1:$sched_port/healthz"; }
kwok_ok() { curl_ok "http://127.0.0.1:$kwok_port/healthz"; }

# ---------------------------------------------------------------- already up?
if alive etcd etcd && alive kube-apiserver kube-apiserver && alive kube-controller-manager kube-controller-manager &&
   alive kube-scheduler kube-scheduler && alive kwok kwok && [ -s "$kubeconfig" ] && [ -f "$state/.ready" ] &&
   etcd_ok && api_ok && kcm_ok && sched_ok && kwok_ok; then
  log "control plane in $state already running and healthy"
  echo "export KUBECONFIG=$kubeconfig"
  exit 0
fi
rm -f "$state/.ready"
# Processes of an older build (STATE_DIR/bin pointed elsewhere) are all replaced, in down.sh's order.
for c in etcd kube-apiserver kube-controller-manager kube-scheduler kwok; do
  if [ -s "$run/$c.pid" ] && running "$(cat "$run/$c.pid")" && ! alive "$c" "$c"; then
    log "$c runs another build's binary: restarting the control plane"
    "$here/down.sh" "$state"
    break
  fi
done

# ---------------------------------------------------------------- certificates (once)
# Each file is made only when missing, so a recipe that adds a certificate keeps the existing CA.
(
  set -e
  cd "$pki"
  umask 077
  q() { openssl "$@" 2>>"$logs/openssl.log"; }
  ca() { # NAME CN: a self-signed CA
    [ -s "$1.crt" ] && return 0
    echo "[kube] generating $pki/$1.crt" >&2
    q genrsa -out "$1.key" 2048
    q req -x509 -new -key "$1.key" -sha256 -days 3650 -subj "/CN=$2" -out "$1.crt"
  }
  cert() { # CA NAME SUBJECT EXTENSIONS: a key and a certificate signed by CA
    [ -s "$2.crt" ] && return 0
    echo "[kube] generating $pki/$2.crt" >&2
    q genrsa -out "$2.key" 2048
    q req -new -key "$2.key" -subj "$3" -out "$2.csr"
    printf '%s\n' "$4" >"$2.ext"
    q x509 -req -in "$2.csr" -CA "$1.crt" -CAkey "$1.key" -CAcreateserial -sha256 -days 3650 -extfile "$2.ext" -out "$2.crt"
    rm -f "$2.csr" "$2.ext"
  }
  client='basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth'
  ca ca dagship-test-kubernetes-ca
  cert ca apiserver "/CN=kube-apiserver" 'basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local'
  cert ca admin "/O=system:masters/CN=dagship-admin" "$client"
  cert ca kube-controller-manager "/CN=system:kube-controller-manager" "$client"
  cert ca kube-scheduler "/CN=system:kube-scheduler" "$client"
  cert ca kwok "/O=system:masters/CN=kwok-controller" "$client"
  # the aggregation layer's front proxy (as kubeadm sets it up), so that the request-header CA exists
  ca front-proxy-ca dagship-test-front-proxy-ca
  cert front-proxy-ca front-proxy-client "/CN=front-proxy-client" "$client"
  # the service-account token signing key pair
  if [ ! -s sa.pub ]; then
    q genrsa -out sa.key 2048
    q rsa -in sa.key -pubout -out sa.pub
  fi
) || die "certificate generation failed" "see $logs/openssl.log"

# kubeconfig FILE USER: a self-contained kubeconfig for pki/USER.{crt,key}
write_kubeconfig() {
  local tmp=$1.tmp
  (umask 077; cat >"$tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: dagship-test
  cluster:
    server: https://127.0.0.1:$api_port
    certificate-authority-data: $(base64 -w0 <"$pki/ca.crt")
users:
- name: $2
  user:
    client-certificate-data: $(base64 -w0 <"$pki/$2.crt")
    client-key-data: $(base64 -w0 <"$pki/$2.key")
contexts:
- name: dagship-test
  context: {cluster: dagship-test, user: $2, namespace: default}
current-context: dagship-test
EOF
  )
  mv "$tmp" "$1"
}
write_kubeconfig "$kubeconfig" admin
for c in kube-controller-manager kube-scheduler kwok; do write_kubeconfig "$state/$c.kubeconfig" "$c"; done

# ---------------------------------------------------------------- etcd
if alive etcd etcd && soon 30 etcd_ok; then log "etcd already running"; else
  stop etcd
  start etcd etcd --name dagship-test --data-dir "$state/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer_port" \
    --initial-cluster "dagship-test=http://127.0.0.1:$etcd_peer_port" --initial-cluster-state new \
    --quota-backend-bytes 2147483648 --unsafe-no-fsync --log-level warn
  wait_for etcd 60 etcd_ok
fi

# ---------------------------------------------------------------- kube-apiserver
if alive kube-apiserver kube-apiserver && soon 30 api_ok; then log "kube-apiserver already running"; else
  stop kube-apiserver
  start kube-apiserver kube-apiserver \
    --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --client-ca-file "$pki/ca.crt" \
    --service-cluster-ip-range "$service_cidr" \
    --endpoint-reconciler-type none \
    --authorization-mode Node,RBAC \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --requestheader-client-ca-file "$pki/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- \
    --proxy-client-cert-file "$pki/front-proxy-client.crt" --proxy-client-key-file "$pki/front-proxy-client.key" \
    --allow-privileged=true --profiling=false
  wait_for kube-apiserver 120 api_ok
fi

# ---------------------------------------------------------------- controllers, scheduler, kwok
if alive kube-controller-manager kube-controller-manager && soon 30 kcm_ok; then log "kube-controller-manager already running"; else
  stop kube-controller-manager
  kc=$state/kube-controller-manager.kubeconfig
  start kube-controller-manager kube-controller-manager \
    --kubeconfig "$kc" --authentication-kubeconfig "$kc" --authorization-kubeconfig "$kc" \
    --bind-address 127.0.0.1 --secure-port "$kcm_port" --leader-elect=false \
    --controllers '*' --use-service-account-credentials=true \
    --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
    --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
    --service-cluster-ip-range "$service_cidr" --profiling=false
fi
if alive kube-scheduler kube-scheduler && soon 30 sched_ok; then log "kube-scheduler already running"; else
  stop kube-scheduler
  ks=$state/kube-scheduler.kubeconfig
  start kube-scheduler kube-scheduler \
    --kubeconfig "$ks" --authentication-kubeconfig "$ks" --authorization-kubeconfig "$ks" \
    --bind-address 127.0.0.1 --secure-port "$sched_port" --leader-elect=false --profiling=false
fi
if alive kwok kwok && soon 30 kwok_ok; then log "kwok already running"; else
  stop kwok
  # kwok's own "fast" stage set (what kwokctl uses by default) plus dagship's failure stages.
  # A stage without a weight has weight 0, and kwok never picks a weight-0 stage while a stage with
  # a positive weight matches too: so for a `fail-`/`crash-` pod, the failure stages (weight 1000)
  # always win over pod-ready, and such a pod never becomes Ready.
  {
    # kwok applies its option defaults only when no KwokConfiguration is given at all, so all are spelled out.
    cat <<EOF
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokConfiguration
options:
  cidr: $pod_cidr
  nodeIP: 127.0.0.1
  manageAllNodes: false
  manageNodesWithAnnotationSelector: kwok.x-k8s.io/node=fake
  serverAddress: 127.0.0.1:$kwok_port
  enableDebuggingHandlers: false
  enableContentionProfiling: false
  enableProfilingHandler: false
  podPlayStageParallelism: 4
  nodePlayStageParallelism: 4
  nodeLeaseDurationSeconds: 40
  nodeLeaseParallelism: 4
  podsOnNodeSyncParallelism: 1
  enablePodsOnNodeSyncListPager: true
  enablePodsOnNodeSyncStreamWatch: false
EOF
    for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
             pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml \
             pod/chaos/pod-container-running-failed.yaml; do
      printf -- '---\n'; cat "$bin/stages/$f"
    done
    for f in "$here"/stages/*.yaml; do printf -- '---\n'; cat "$f"; done
  } >"$state/kwok/kwok.yaml"
  # kwok takes a fake node over by holding its Lease under a random identity; a restarted kwok would
  # wait for the dead one's leases to expire (40 s), so drop them (kwok recreates them at once).
  kubectl -n kube-node-lease delete lease "${nodes[@]}" --ignore-not-found --wait=false >/dev/null 2>>"$logs/kubectl.log" || true
  HOME=$state/kwok start kwok kwok --config "$state/kwok/kwok.yaml" \
    --kubeconfig "$state/kwok.kubeconfig" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --node-ip 127.0.0.1 --cidr "$pod_cidr" --server-address "127.0.0.1:$kwok_port"
fi
wait_for kube-controller-manager 60 kcm_ok
wait_for kube-scheduler 60 sched_ok
wait_for kwok 60 kwok_ok

# ---------------------------------------------------------------- fake nodes
for n in "${nodes[@]}"; do
  cat <<EOF
apiVersion: v1
kind: Node
metadata:
  name: $n
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/hostname: $n
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    node-role.kubernetes.io/agent: ""
    type: kwok
status:
  allocatable: {cpu: "32", memory: 128Gi, pods: "110", ephemeral-storage: 500Gi}
  capacity: {cpu: "32", memory: 128Gi, pods: "110", ephemeral-storage: 500Gi}
---
EOF
done >"$state/kwok/nodes.yaml"
kubectl apply -f "$state/kwok/nodes.yaml" >/dev/null 2>"$logs/kubectl.log" ||
  die "creating the fake nodes failed" "see $logs/kubectl.log"
log "waiting for the fake nodes to be Ready"
wait_for kwok 60 kubectl wait --for=condition=Ready --timeout=5s "${nodes[@]/#/node/}"

# ---------------------------------------------------------------- ready for work?
log "waiting for the default ServiceAccount"
wait_for kube-controller-manager 60 kubectl -n default get serviceaccount default
kubectl delete deployment dagship-kube-probe --ignore-not-found --wait=true >/dev/null 2>>"$logs/kubectl.log" || true
log "probe Deployment"
kubectl create deployment dagship-kube-probe --image registry.invalid/probe:1 --replicas 1 >/dev/null 2>>"$logs/kubectl.log" ||
  die "creating the probe Deployment failed" "see $logs/kubectl.log"
kubectl rollout status deployment/dagship-kube-probe --timeout=90s >/dev/null 2>>"$logs/kubectl.log" ||
  die "the probe Deployment did not become ready" "see $logs/kwok.log, $logs/kube-scheduler.log, $logs/kube-controller-manager.log"
log "deleting the probe"
kubectl delete deployment dagship-kube-probe --wait=true --timeout=60s >/dev/null 2>>"$logs/kubectl.log" ||
  die "deleting the probe Deployment failed" "see $logs/kubectl.log"
touch "$state/.ready"
log "ready: Kubernetes $("$bin/kube-apiserver" --version | cut -d' ' -f2) at https://127.0.0.1:$api_port ($state)"
echo "export KUBECONFIG=$kubeconfig"
