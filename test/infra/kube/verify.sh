#!/usr/bin/env bash
# Proves that the control plane from up.sh behaves like a real cluster for what dagship's end-to-end
# tests need: readiness, version, Deployments and rollouts, failing images (`fail-`/`crash-`) and
# rollbacks, StatefulSets, ServiceAccounts/RBAC/TokenRequest, and helm. Works in a throwaway
# namespace that it deletes. Ends with the line `N passed, N failed`; exits non-zero on a failure.
#
#   test/infra/kube/verify.sh STATE_DIR      (up.sh must have run; uses STATE_DIR/kubeconfig and STATE_DIR/bin)
set -uo pipefail
[ $# -eq 1 ] || { echo "usage: $0 STATE_DIR" >&2; exit 2; }
state=$(cd "$1" && pwd)
export KUBECONFIG=$state/kubeconfig
bin=$state/bin
k() { "$bin/kubectl" "$@"; }
ns=dagship-verify-$$
work=$(mktemp -d)
trap 'k delete namespace "$ns" --wait=false >/dev/null 2>&1; rm -rf "$work"' EXIT
pass=0 fail=0
t0=$SECONDS
ok() { pass=$((pass + 1)); printf 'ok   %3ss  %s\n' "$((SECONDS - t0))" "$1"; }
bad() { fail=$((fail + 1)); printf 'FAIL %3ss  %s\n' "$((SECONDS - t0))" "$1"; [ -n "${2:-}" ] && printf '       %s\n' "$2"; }
check() { # DESCRIPTION CMD...: passes when CMD succeeds
  local d=$1; shift
  local out; if out=$("$@" 2>&1); then ok "$d"; else bad "$d" "$(echo "$out" | tail -n 3 | tr '\n' ' ')"; fi
}
refute() { # DESCRIPTION CMD...: passes when CMD fails
  local d=$1; shift
  local out; if out=$("$@" 2>&1); then bad "$d" "unexpectedly succeeded: $(echo "$out" | tail -n 2 | tr '\n' ' ')"; else ok "$d"; fi
}
eventually() { # SECONDS CMD...: retries CMD until it succeeds
  local until=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do [ $SECONDS -lt $until ] || return 1; sleep 0.5; done
}
jp() { k -n "$ns" get "$1" -o "jsonpath=$2"; }

check "/readyz is ok" bash -c '[ "$("$0" get --raw /readyz)" = ok ]' "$bin/kubectl"
server=$(k version -o json | sed -n '/serverVersion/,$ s/.*"gitVersion": "\(v[^"]*\)".*/\1/p' | head -n1)
check "kubectl version: server $server is v1.36.x" bash -c "[[ '$server' == v1.36.* ]]"
check "two fake nodes are Ready" bash -c '[ "$("$0" get nodes -l type=kwok -o jsonpath="{range .items[*]}{.status.conditions[?(@.type==\"Ready\")].status}{\"\n\"}{end}" | grep -c True)" -ge 2 ]' "$bin/kubectl"
check "namespace $ns" k create namespace "$ns"
check "namespace gets its default ServiceAccount" eventually 30 k -n "$ns" get serviceaccount default

# ---------------------------------------------------------------- Deployments, rollouts, rollbacks
good=127.0.0.1:5111/team/dags@sha256:$(printf 'dagship' | sha256sum | cut -c1-64)
check "Deployment web (2 replicas, digest image) created" k -n "$ns" create deployment web --image "$good" --replicas 2
check "Deployment web rolls out" k -n "$ns" rollout status deployment/web --timeout=60s
check "Deployment web has 2 ready replicas" bash -c '[ "$("$0" -n "$1" get deploy web -o jsonpath={.status.readyReplicas})" = 2 ]' "$bin/kubectl" "$ns"
check "kubectl set image web -> v2" k -n "$ns" set image deployment/web dags=127.0.0.1:5111/team/dags:v2
check "the new image rolls out" k -n "$ns" rollout status deployment/web --timeout=60s
check "all web pods run the new image" bash -c '[ "$("$0" -n "$1" get pods -l app=web -o jsonpath="{range .items[*]}{.spec.containers[0].image}{\"\n\"}{end}" | sort -u)" = 127.0.0.1:5111/team/dags:v2 ]' "$bin/kubectl" "$ns"

check "Deployment bad with a fail- image created" k -n "$ns" create deployment bad --image 127.0.0.1:5111/team/fail-rollout:1 --replicas 1
refute "rollout status of bad fails within 20s" k -n "$ns" rollout status deployment/bad --timeout=20s
check "bad pod waits with ErrImagePull/ImagePullBackOff" bash -c 'r=$("$0" -n "$1" get pod -l app=bad -o jsonpath="{.items[*].status.containerStatuses[*].state.waiting.reason}"); echo "$r"; [[ "$r" =~ ^(ErrImagePull|ImagePullBackOff)$ ]]' "$bin/kubectl" "$ns"
sleep 12  # a full ErrImagePull -> ImagePullBackOff -> ErrImagePull cycle
check "bad pod is still not Ready after the back-off cycle" bash -c '[ "$("$0" -n "$1" get pod -l app=bad -o jsonpath="{.items[*].status.conditions[?(@.type==\"Ready\")].status}")" = False ]' "$bin/kubectl" "$ns"
check "bad Deployment has no ready replica" bash -c '[ -z "$("$0" -n "$1" get deploy bad -o jsonpath={.status.readyReplicas})" ]' "$bin/kubectl" "$ns"

check "rolling web to a fail- image starts" k -n "$ns" set image deployment/web dags=127.0.0.1:5111/team/fail-dags:v3
refute "that rollout does not complete within 20s" k -n "$ns" rollout status deployment/web --timeout=20s
check "the old pods keep serving (readyReplicas >= 1)" bash -c '[ "$("$0" -n "$1" get deploy web -o jsonpath={.status.readyReplicas})" -ge 1 ]' "$bin/kubectl" "$ns"
check "kubectl rollout undo web" k -n "$ns" rollout undo deployment/web
check "the rollback rolls out" k -n "$ns" rollout status deployment/web --timeout=60s
check "web is back on v2 with 2 ready replicas" bash -c '[ "$("$0" -n "$1" get deploy web -o jsonpath="{.spec.template.spec.containers[0].image} {.status.readyReplicas}")" = "127.0.0.1:5111/team/dags:v2 2" ]' "$bin/kubectl" "$ns"

check "Deployment crashy with a crash- image created" k -n "$ns" create deployment crashy --image 127.0.0.1:5111/team/crash-loop:1
refute "rollout status of crashy fails within 20s" k -n "$ns" rollout status deployment/crashy --timeout=20s
check "crashy pod is in CrashLoopBackOff with restarts" bash -c 'r=$("$0" -n "$1" get pod -l app=crashy -o jsonpath="{.items[0].status.phase} {.items[0].status.containerStatuses[0].state.waiting.reason} {.items[0].status.containerStatuses[0].restartCount}"); echo "$r"; [[ "$r" =~ ^Running\ CrashLoopBackOff\ [1-9] ]]' "$bin/kubectl" "$ns"

# ---------------------------------------------------------------- StatefulSet
cat >"$work/sts.yaml" <<EOF
apiVersion: v1
kind: Service
metadata: {name: db}
spec: {clusterIP: None, selector: {app: db}, ports: [{port: 5432}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: 127.0.0.1:5111/team/postgres:16}]}
EOF
check "StatefulSet db (2 replicas) created" k -n "$ns" apply -f "$work/sts.yaml"
check "StatefulSet db rolls out" k -n "$ns" rollout status statefulset/db --timeout=90s
check "StatefulSet db has 2 ready replicas" bash -c '[ "$("$0" -n "$1" get sts db -o jsonpath={.status.readyReplicas})" = 2 ]' "$bin/kubectl" "$ns"

# ---------------------------------------------------------------- RBAC and ServiceAccount tokens
check "ServiceAccount deployer" k -n "$ns" create serviceaccount deployer
check "Role pod-reader (get/list/watch pods)" k -n "$ns" create role pod-reader --verb=get,list,watch --resource=pods
check "RoleBinding deployer -> pod-reader" k -n "$ns" create rolebinding deployer-reads --role=pod-reader --serviceaccount="$ns:deployer"
as=system:serviceaccount:$ns:deployer
check "auth can-i: deployer may list pods in $ns" eventually 10 k -n "$ns" auth can-i list pods --as "$as"
refute "auth can-i: deployer may not delete pods in $ns" k -n "$ns" auth can-i delete pods --as "$as"
refute "auth can-i: deployer may not get secrets in $ns" k -n "$ns" auth can-i get secrets --as "$as"
refute "auth can-i: deployer may not list pods in kube-system" k -n kube-system auth can-i list pods --as "$as"
token=$(k -n "$ns" create token deployer --duration=10m 2>&1) || token=
check "kubectl create token deployer (TokenRequest API)" test -n "$token"
api=$(k config view --minify -o jsonpath='{.clusters[0].cluster.server}')
ca=$work/ca.crt
k config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$ca"
code() { curl -s -o /dev/null -w '%{http_code}' --cacert "$ca" -H "Authorization: Bearer $token" "$api$1"; }
check "the token lists pods in $ns (HTTP 200)" bash -c '[ "$0" = 200 ]' "$(code "/api/v1/namespaces/$ns/pods")"
check "the token may not list pods in kube-system (HTTP 403)" bash -c '[ "$0" = 403 ]' "$(code /api/v1/namespaces/kube-system/pods)"
check "a forged token is rejected (HTTP 401)" bash -c '[ "$(curl -s -o /dev/null -w "%{http_code}" --cacert "$1" -H "Authorization: Bearer ${2%.*}.Zm9yZ2Vk" "$3/api/v1/namespaces/$4/pods")" = 401 ]' _ "$ca" "$token" "$api" "$ns"
check "kubectl with the token: whoami is the ServiceAccount" bash -c '"$0" --kubeconfig=/dev/null --server "$1" --certificate-authority "$2" --token "$3" auth whoami -o jsonpath={.status.userInfo.username} | grep -qx "$4"' "$bin/kubectl" "$api" "$ca" "$token" "$as"

# ---------------------------------------------------------------- helm
export HELM_CACHE_HOME=$work/helm/cache HELM_CONFIG_HOME=$work/helm/config HELM_DATA_HOME=$work/helm/data
mkdir -p "$work/chart/templates"
cat >"$work/chart/Chart.yaml" <<'EOF'
apiVersion: v2
name: dags
version: 0.1.0
EOF
cat >"$work/chart/values.yaml" <<'EOF'
image: 127.0.0.1:5111/team/dags:v1
EOF
cat >"$work/chart/templates/deployment.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: {{ .Release.Name }}}
spec:
  replicas: 2
  selector: {matchLabels: {app: {{ .Release.Name }}}}
  template:
    metadata: {labels: {app: {{ .Release.Name }}}}
    spec: {containers: [{name: dags, image: {{ .Values.image | quote }}}]}
EOF
check "helm install --wait" "$bin/helm" -n "$ns" install dags "$work/chart" --wait --timeout 60s
refute "helm upgrade to a fail- image --wait fails" "$bin/helm" -n "$ns" upgrade dags "$work/chart" --set image=127.0.0.1:5111/team/fail-dags:v2 --wait --timeout 15s
check "helm rollback --wait" "$bin/helm" -n "$ns" rollback dags 1 --wait --timeout 60s
check "helm release is back on v1 and ready" bash -c '[ "$("$0" -n "$1" get deploy dags -o jsonpath="{.spec.template.spec.containers[0].image} {.status.readyReplicas}")" = "127.0.0.1:5111/team/dags:v1 2" ]' "$bin/kubectl" "$ns"

echo "$pass passed, $fail failed"
[ $fail = 0 ]
