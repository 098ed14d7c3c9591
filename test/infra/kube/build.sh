#!/usr/bin/env bash
# Builds the binaries of dagship's real Kubernetes test control plane from source, offline except for
# the Go module proxy: kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd, kwok,
# helm, plus kwok's stage files. Idempotent: everything lands in CACHE_DIR/bin-<key>/, where <key> is a
# hash of this recipe (this file) and the Go toolchain; when that folder is complete nothing is done.
# The Go module and build caches stay in CACHE_DIR/gomodcache and CACHE_DIR/gocache, so a changed
# recipe rebuilds only what changed.
#
#   test/infra/kube/build.sh CACHE_DIR      prints the bin folder on stdout; progress and timings on stderr
#
# Env: GO (default: go on PATH, else /usr/local/go/bin/go), KUBE_BUILD_NICE (default 19).
set -euo pipefail

# ---------------------------------------------------------------- the recipe (pinned versions)
# Kubernetes: the proxy's `go list -m -versions k8s.io/kubernetes` list is incomplete (it showed only
# v1.36.1 and v1.36.3), so the newest 1.36 patch was found by asking for each tag directly:
# v1.36.5 resolves, v1.36.6 answers "403 not available". The staging modules (k8s.io/api, ...) are
# published as v0.<minor>.<patch>.
K8S_VERSION=v1.36.5
K8S_STAGING_VERSION=v0.36.5
ETCD_VERSION=v3.6.16      # newest 3.6 of go.etcd.io/etcd/server/v3 (its main package is the etcd binary)
KWOK_VERSION=v0.8.0
HELM_VERSION=v3.22.0      # newest helm.sh/helm/v3

[ $# -eq 1 ] || { echo "usage: $0 CACHE_DIR" >&2; exit 2; }
mkdir -p "$1"
cache=$(cd "$1" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
[ -x "$GO" ] || { echo "[kube-build] error: no Go toolchain (set GO=/path/to/go)" >&2; exit 1; }
nice_level=${KUBE_BUILD_NICE:-19}

t0=$SECONDS
log() { printf '[kube-build +%4ss] %s\n' "$((SECONDS - t0))" "$*" >&2; }
die() { printf '[kube-build] error: %s\n' "$*" >&2; exit 1; }

key=$( { cat "$here/build.sh"; "$GO" version; uname -m; } | sha256sum | cut -c1-16)
out=$cache/bin-$key
binaries=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok helm)

complete() { [ -f "$out/.complete" ] && for b in "${binaries[@]}"; do [ -x "$out/$b" ] || return 1; done; }
if complete; then log "cached: $out"; echo "$out"; exit 0; fi

# One build at a time per cache (a second caller waits, then finds the result).
exec 9>"$cache/.build.lock"
flock 9
if complete; then log "cached (built by a concurrent caller): $out"; echo "$out"; exit 0; fi

export GOMODCACHE=$cache/gomodcache GOCACHE=$cache/gocache GOPATH=$cache/gopath
export GOFLAGS="-mod=mod -buildvcs=false" GOTOOLCHAIN=local CGO_ENABLED=0 GOWORK=off
mkdir -p "$GOMODCACHE" "$GOCACHE" "$GOPATH"
gobuild() { nice -n "$nice_level" "$GO" "$@"; }

stage=$out.partial
rm -rf "$stage"; mkdir -p "$stage"
work=$(mktemp -d "${TMPDIR:-/tmp}/dagship-kube-build.XXXXXX")
trap 'rm -rf "$work"' EXIT

log "recipe key $key -> $out ($("$GO" version))"
timings=()
timed() { # label cmd...
  local label=$1 s=$SECONDS; shift
  "$@" || die "$label failed"
  timings+=("$(printf '%-24s %4ss' "$label" "$((SECONDS - s))")")
  log "$label done in $((SECONDS - s))s"
}

# wrapper DIR MODULE VERSION: a throwaway main module that requires MODULE@VERSION
wrapper() {
  mkdir -p "$1"
  printf 'module dagship.test/kubebuild/%s\n\ngo 1.26.0\n\nrequire %s %s\n' "$(basename "$1")" "$2" "$3" >"$1/go.mod"
}
modinfo() { # MODULE@VERSION -> prints the module's directory in the module cache (downloads it)
  gobuild mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'
}
modtime() { # MODULE VERSION -> commit time from the proxy's .info (used as build date)
  sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$GOMODCACHE/cache/download/$1/@v/$2.info"
}

# ---------------------------------------------------------------- Kubernetes
build_kubernetes() {
  local w=$work/kubernetes dir major minor date
  dir=$(cd "$work" && modinfo "k8s.io/kubernetes@$K8S_VERSION") || return 1
  [ -f "$dir/go.mod" ] || { echo "k8s.io/kubernetes@$K8S_VERSION not in the module cache" >&2; return 1; }
  wrapper "$w" k8s.io/kubernetes "$K8S_VERSION"
  # k8s.io/kubernetes replaces each staging module by ./staging/src/k8s.io/<name>; replaces of a
  # dependency are ignored, so the wrapper points each at its published v0.x module instead.
  local staging
  staging=$(sed -n 's#^\s*\(k8s\.io/[a-z0-9-]*\) => \./staging/src/k8s\.io/.*#\1#p' "$dir/go.mod")
  [ -n "$staging" ] || { echo "no staging replaces found in $dir/go.mod" >&2; return 1; }
  { echo; grep '^godebug' "$dir/go.mod" || true
    echo; echo 'replace ('
    for m in $staging; do echo "	$m => $m $K8S_STAGING_VERSION"; done
    echo ')'; } >>"$w/go.mod"
  log "$(echo "$staging" | wc -w) staging modules pinned to $K8S_STAGING_VERSION"
  local pkgs=(k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
              k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
  (cd "$w" && gobuild get "${pkgs[@]/%/@$K8S_VERSION}" >/dev/null 2>"$work/k8s-get.log") ||
    { cat "$work/k8s-get.log" >&2; return 1; }
  (cd "$w" && gobuild mod download) || return 1
  major=${K8S_VERSION#v}; major=${major%%.*}
  minor=${K8S_VERSION#v*.}; minor=${minor%%.*}
  date=$(modtime k8s.io/kubernetes "$K8S_VERSION"); date=${date:-1970-01-01T00:00:00Z}
  local ld="-s -w" p
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=$major -X $p.gitMinor=$minor"
    ld+=" -X $p.gitTreeState=clean -X $p.buildDate=$date"
  done
  for p in "${pkgs[@]}"; do
    timed "$(basename "$p")" bash -c 'cd "$1" && nice -n "$2" "$3" build -trimpath -ldflags "$4" -o "$5" "$6"' \
      _ "$w" "$nice_level" "$GO" "$ld" "$stage/$(basename "$p")" "$p"
  done
}

# ---------------------------------------------------------------- etcd
build_etcd() {
  local w=$work/etcd
  wrapper "$w" go.etcd.io/etcd/server/v3 "$ETCD_VERSION"
  # server/v3's own go.mod replaces its siblings by ../api etc.; pin them to the same release.
  { echo; echo 'replace ('
    for m in go.etcd.io/etcd/api/v3 go.etcd.io/etcd/client/pkg/v3 go.etcd.io/etcd/client/v3 go.etcd.io/etcd/pkg/v3; do
      echo "	$m => $m $ETCD_VERSION"; done
    echo ')'; } >>"$w/go.mod"
  (cd "$w" && gobuild get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >/dev/null 2>"$work/etcd-get.log") ||
    { cat "$work/etcd-get.log" >&2; return 1; }
  timed etcd bash -c 'cd "$1" && nice -n "$2" "$3" build -trimpath -ldflags "-s -w" -o "$4" go.etcd.io/etcd/server/v3' \
    _ "$w" "$nice_level" "$GO" "$stage/etcd"
}

# ---------------------------------------------------------------- kwok (+ its stage files)
build_kwok() {
  local w=$work/kwok dir
  wrapper "$w" sigs.k8s.io/kwok "$KWOK_VERSION"
  (cd "$w" && gobuild get "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" >/dev/null 2>"$work/kwok-get.log") ||
    { cat "$work/kwok-get.log" >&2; return 1; }
  timed kwok bash -c 'cd "$1" && nice -n "$2" "$3" build -trimpath -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$4" -o "$5" sigs.k8s.io/kwok/cmd/kwok' \
    _ "$w" "$nice_level" "$GO" "${KWOK_VERSION#v}" "$stage/kwok"
  dir=$(cd "$w" && "$GO" list -m -f '{{.Dir}}' sigs.k8s.io/kwok) || return 1
  [ -d "$dir/kustomize/stage" ] || { echo "no kustomize/stage in $dir" >&2; return 1; }
  cp -r "$dir/kustomize/stage" "$stage/stages"
  find "$stage/stages" -name testdata -type d -prune -exec rm -rf {} +
  find "$stage/stages" -type f ! -name '*.yaml' -delete
  chmod -R u+w "$stage/stages"
}

# ---------------------------------------------------------------- helm
build_helm() {
  local w=$work/helm kv
  wrapper "$w" helm.sh/helm/v3 "$HELM_VERSION"
  (cd "$w" && gobuild get "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >/dev/null 2>"$work/helm-get.log") ||
    { cat "$work/helm-get.log" >&2; return 1; }
  kv=$(cd "$w" && "$GO" list -m -f '{{.Version}}' k8s.io/client-go)   # v0.<minor>.<patch>
  local kmaj=1 kmin=${kv#v0.}; kmin=${kmin%%.*}
  local ld="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  ld+=" -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  ld+=" -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=$kmaj -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$kmin"
  ld+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=$kmaj -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$kmin"
  timed helm bash -c 'cd "$1" && nice -n "$2" "$3" build -trimpath -ldflags "$4" -o "$5" helm.sh/helm/v3/cmd/helm' \
    _ "$w" "$nice_level" "$GO" "$ld" "$stage/helm"
}

# Called plainly (not under ||) so that set -e stays in force inside them.
phase() { local s=$SECONDS; "$2"; timings+=("$(printf '%-24s %4ss' "$1 (all)" "$((SECONDS - s))")"); }
phase etcd build_etcd
phase kwok build_kwok
phase helm build_helm
phase kubernetes build_kubernetes

# ---------------------------------------------------------------- check and publish
"$stage/kube-apiserver" --version | grep -qx "Kubernetes $K8S_VERSION" || die "kube-apiserver reports $("$stage/kube-apiserver" --version)"
"$stage/etcd" --version | grep -q "etcd Version: ${ETCD_VERSION#v}" || die "etcd reports $("$stage/etcd" --version | head -1)"
"$stage/kubectl" version --client -o json | grep -q "\"gitVersion\": \"$K8S_VERSION\"" || die "kubectl reports a wrong version"
"$stage/kwok" --version | grep -q "^kwok version $KWOK_VERSION " || die "kwok reports $("$stage/kwok" --version)"
"$stage/kube-scheduler" --version | grep -qx "Kubernetes $K8S_VERSION" || die "kube-scheduler reports $("$stage/kube-scheduler" --version)"
"$stage/kube-controller-manager" --version | grep -qx "Kubernetes $K8S_VERSION" || die "kube-controller-manager reports a wrong version"
[ -f "$stage/stages/pod/fast/pod-ready.yaml" ] || die "kwok's stage files are missing"
"$stage/helm" version --short | grep -q "^$HELM_VERSION" || die "helm reports $("$stage/helm" version --short)"
{
  echo "kubernetes $K8S_VERSION (staging modules $K8S_STAGING_VERSION)"
  echo "etcd $ETCD_VERSION"
  echo "kwok $KWOK_VERSION"
  echo "helm $HELM_VERSION"
  echo "go $("$GO" env GOVERSION)"
  echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) in $((SECONDS - t0))s"
  printf '%s\n' "${timings[@]}"
} >"$stage/VERSIONS"
touch "$stage/.complete"
rm -rf "$out"; mv "$stage" "$out"
# Binaries of older recipes are dead weight (~300 MiB each); processes still running them are unaffected.
for old in "$cache"/bin-*; do [ "$old" = "$out" ] || { log "removing old $old"; rm -rf "$old"; }; done
log "timings:"; printf '    %s\n' "${timings[@]}" >&2
log "built $out in $((SECONDS - t0))s"
echo "$out"
