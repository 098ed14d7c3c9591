#!/usr/bin/env bash
# Builds what checks deploy/policies/ offline, all from the Go module proxy: kubeconform (validates a
# manifest against a JSON schema), OPA (runs the Rego in the policy-controller policy, the version
# policy-controller itself links), and JSON schemas made from the CRDs of the Kyverno and
# policy-controller releases the policies are written for. Idempotent: everything lands in
# CACHE_DIR/policy-<key>/, where <key> is a hash of this recipe, the schema converter and the Go
# toolchain; when it is there, nothing is done. The module and build caches live in a temporary folder
# that is removed afterwards.
#
#   test/infra/policy/build.sh CACHE_DIR     prints the result folder on stdout; progress on stderr
#     <folder>/kubeconform  <folder>/opa  <folder>/schemas/{kind}_{version}.json  <folder>/crds/ (sources)
#
# Env: GO (default: go on PATH, else /usr/local/go/bin/go), POLICY_BUILD_NICE (default 19).
set -euo pipefail

# Neither go.mod has replace directives, so `go install module@version` builds them as released.
KUBECONFORM_VERSION=v0.8.0
OPA_VERSION=v1.4.0 # what policy-controller v0.13.1 evaluates Rego with (its go.mod)
KYVERNO_VERSION=v1.19.1
POLICY_CONTROLLER_VERSION=v0.13.1
# The CRDs the policies are validated against, inside those modules.
KYVERNO_CRDS="config/crds/kyverno/kyverno.io_clusterpolicies.yaml config/crds/policies.kyverno.io/policies.kyverno.io_imagevalidatingpolicies.yaml"
POLICY_CONTROLLER_CRDS=config/300-clusterimagepolicy.yaml

[ $# -eq 1 ] || { echo "usage: $0 CACHE_DIR" >&2; exit 2; }
mkdir -p "$1"
cache=$(cd "$1" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
[ -x "$GO" ] || { echo "[policy-build] error: no Go toolchain (set GO=/path/to/go)" >&2; exit 1; }
command -v node >/dev/null || { echo "[policy-build] error: node is needed to convert the CRDs" >&2; exit 1; }

t0=$SECONDS
log() { printf '[policy-build +%3ss] %s\n' "$((SECONDS - t0))" "$*" >&2; }
die() { printf '[policy-build] error: %s\n' "$*" >&2; exit 1; }

key=$( { cat "$here/build.sh" "$here/crd-schemas.mjs"; "$GO" version; uname -m; } | sha256sum | cut -c1-12)
out=$cache/policy-$key
complete() { [ -x "$out/kubeconform" ] && [ -x "$out/opa" ] && [ -f "$out/.complete" ]; }
if complete; then log "cached: $out"; echo "$out"; exit 0; fi

# One build at a time per cache (a second caller waits, then finds the result).
exec 9>"$cache/.build.lock"
flock 9
if complete; then log "cached (built by a concurrent caller): $out"; echo "$out"; exit 0; fi

work=$(mktemp -d "${TMPDIR:-/tmp}/dagship-policy-build.XXXXXX")
# The module cache is read-only by design; make it writable so it can be removed.
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
export GOMODCACHE=$work/mod GOCACHE=$work/cache GOPATH=$work/gopath GOBIN=$work/bin
export GOFLAGS="-mod=mod -buildvcs=false" GOTOOLCHAIN=local CGO_ENABLED=0 GOWORK=off
stage=$out.partial
rm -rf "$stage"; mkdir -p "$stage/schemas"

install() { # module@version [ldflags]
  log "building $1 with $("$GO" version)"
  nice -n "${POLICY_BUILD_NICE:-19}" "$GO" install -trimpath -ldflags "-s -w ${2:-}" "$1" 2>"$work/build.log" ||
    { cat "$work/build.log" >&2; die "go install $1 failed"; }
}
# kubeconform's release builds stamp their version in main.version; `go install` leaves "development".
install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION" "-X main.version=$KUBECONFORM_VERSION"
"$GOBIN/kubeconform" -v | grep -qx "$KUBECONFORM_VERSION" || die "kubeconform reports '$("$GOBIN/kubeconform" -v)'"
install "github.com/open-policy-agent/opa@$OPA_VERSION"
"$GOBIN/opa" version | grep -qx "Version: ${OPA_VERSION#v}" || die "opa reports '$("$GOBIN/opa" version | head -1)'"
cp "$GOBIN/kubeconform" "$GOBIN/opa" "$stage/"

crds() { # module version path-in-module...: copies the module's CRD files into the result, prints their paths
  local module=$1 version=$2 dir file; shift 2
  dir=$(cd "$work" && "$GO" mod download -json "$module@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] || die "go mod download $module@$version failed"
  for file in "$@"; do
    [ -f "$dir/$file" ] || die "no $file in $module@$version"
    cp "$dir/$file" "$stage/crds/$(basename "$module")-$version-$(basename "$file")"
    echo "$stage/crds/$(basename "$module")-$version-$(basename "$file")"
  done
}
log "schemas from the CRDs of kyverno $KYVERNO_VERSION and policy-controller $POLICY_CONTROLLER_VERSION"
mkdir -p "$stage/crds"
# shellcheck disable=SC2086 # the CRD lists are space-separated on purpose
mapfile -t crd_files < <(crds github.com/kyverno/kyverno "$KYVERNO_VERSION" $KYVERNO_CRDS; crds github.com/sigstore/policy-controller "$POLICY_CONTROLLER_VERSION" $POLICY_CONTROLLER_CRDS)
[ ${#crd_files[@]} -eq 3 ] || die "expected 3 CRD files, got ${#crd_files[@]}"
node "$here/crd-schemas.mjs" "$stage/schemas" "${crd_files[@]}" >&2 || die "converting the CRDs failed"

{
  echo "kubeconform $KUBECONFORM_VERSION, opa $OPA_VERSION, $("$GO" env GOVERSION)"
  echo "schemas: kyverno $KYVERNO_VERSION $KYVERNO_CRDS; policy-controller $POLICY_CONTROLLER_VERSION $POLICY_CONTROLLER_CRDS"
  echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) in $((SECONDS - t0))s"
} >"$stage/VERSION"
touch "$stage/.complete"
rm -rf "$out"; mv "$stage" "$out"
for old in "$cache"/policy-*; do [ "$old" = "$out" ] || { log "removing old $old"; rm -rf "$old"; }; done
log "built $out in $((SECONDS - t0))s"
echo "$out"
