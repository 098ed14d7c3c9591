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
# Cached by recipe: test/infra/lib/go-build.sh.
set -euo pipefail

# Neither go.mod has replace directives, so `go install module@version` builds them as released.
KUBECONFORM_VERSION=v0.8.0
OPA_VERSION=v1.4.0 # what policy-controller v0.13.1 evaluates Rego with (its go.mod)
KYVERNO_VERSION=v1.19.1
POLICY_CONTROLLER_VERSION=v0.13.1
# The CRDs the policies are validated against, inside those modules.
KYVERNO_CRDS="config/crds/kyverno/kyverno.io_clusterpolicies.yaml config/crds/policies.kyverno.io/policies.kyverno.io_imagevalidatingpolicies.yaml"
POLICY_CONTROLLER_CRDS=config/300-clusterimagepolicy.yaml

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v node >/dev/null || { echo "[policy-build] error: node is needed to convert the CRDs" >&2; exit 1; }
t0=$SECONDS
log() { printf '[policy-build +%3ss] %s\n' "$((SECONDS - t0))" "$*" >&2; }
die() { printf '[policy-build] error: %s\n' "$*" >&2; exit 1; }
. "$here/../lib/go-build.sh"

# The folder is the result: kubeconform, opa and schemas/ inside it.
go_build_begin policy "${1:-}" . "$here/build.sh" "$here/crd-schemas.mjs"
mkdir -p "$stage/schemas"

# kubeconform's release builds stamp their version in main.version; `go install` leaves "development".
go_install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION" "-X main.version=$KUBECONFORM_VERSION"
reported=$("$GOBIN/kubeconform" -v)
[ "$reported" = "$KUBECONFORM_VERSION" ] || die "kubeconform reports '$reported'"
go_install "github.com/open-policy-agent/opa@$OPA_VERSION"
# Read whole first: `grep -q` stops at the match, and the rest of the output would hit a closed pipe.
reported=$("$GOBIN/opa" version)
grep -qx "Version: ${OPA_VERSION#v}" <<<"$reported" || die "opa reports '$(head -1 <<<"$reported")'"
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
  echo "kubeconform $KUBECONFORM_VERSION, opa $OPA_VERSION"
  echo "schemas: kyverno $KYVERNO_VERSION $KYVERNO_CRDS; policy-controller $POLICY_CONTROLLER_VERSION $POLICY_CONTROLLER_CRDS"
} >"$stage/VERSION"
go_build_end
