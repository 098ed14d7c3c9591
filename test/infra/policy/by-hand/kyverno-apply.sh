#!/usr/bin/env bash
# By hand, not in CI: runs both Kyverno policies in deploy/policies/ with the Kyverno CLI (`kyverno apply`,
# the engine the admission controller runs) against images in a plain test registry that carry a signed
# dagship check result in either attachment format. The CLI is too costly for CI: building
# github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno v1.19.1 from the module proxy took 19 minutes on
# 2 busy cores, with 2.6 GB of modules and 2.7 GB of build cache, for a 265 MB binary. Build it with
#   go mod download -json github.com/kyverno/kyverno@v1.19.1   # then, in a writable copy of its Dir:
#   CGO_ENABLED=0 go build -o kyverno ./cmd/cli/kubectl-kyverno
#
#   test/infra/policy/by-hand/kyverno-apply.sh KYVERNO_BIN [REGISTRY]   (REGISTRY: 127.0.0.1:5111)
# Prints one line per case; exits 1 when a case is not what the policy should decide.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 KYVERNO_BIN [REGISTRY]" >&2; exit 2; }
kyverno=$1 registry=${2:-127.0.0.1:5111}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
policies=$here/../../../../deploy/policies
work=$(mktemp -d "${TMPDIR:-/tmp}/dagship-kyverno-apply.XXXXXX")
trap 'rm -rf "$work"' EXIT
for k in team other; do openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/$k.key" 2>/dev/null; done
openssl genpkey -algorithm ed25519 -out "$work/team-ed25519.key"
for k in team other team-ed25519; do openssl pkey -in "$work/$k.key" -pubout -out "$work/$k.pub"; done
prefix=dagship-policy-$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')

# policy-file repository public-key -> a copy of the policy with its placeholders filled in
fill() {
  node -e '
    const fs = require("fs");
    const [file, repository, pub, out] = process.argv.slice(1);
    let text = fs.readFileSync(file, "utf8").replaceAll("registry.example.com/data-platform/airflow-dags", repository);
    text = text.replace(/^( *)-----BEGIN PUBLIC KEY-----\n.*\n *-----END PUBLIC KEY-----$/m, (_, pad) =>
      fs.readFileSync(pub, "utf8").trim().split("\n").map((line) => pad + line).join("\n"));
    fs.writeFileSync(out, text);' "$1" "$2" "$3" "$4"
}

status=0
# format policy case signing-key verifying-key predicate expected
check() {
  local format=$1 policy=$2 name=$3 signer=$4 verifier=$5 predicate=$6 expected=$7 repo ref got
  repo=$prefix/$name-$format
  ref=$(node "$here/attach.mjs" "$registry" "$repo" "$work/$signer.key" "$predicate" "$format")
  fill "$policies/$policy" "$registry/$repo" "$work/$verifier.pub" "$work/policy.yaml"
  # The DAG image and a sidecar the policy must leave alone (never fetched: it is not matched).
  printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: scheduler, namespace: airflow}\nspec:\n  containers:\n    - {name: scheduler, image: "%s"}\n    - {name: statsd, image: "quay.io/prometheus/statsd-exporter:v0.28.0"}\n' "$ref" >"$work/pod.yaml"
  "$kyverno" apply "$work/policy.yaml" --resource "$work/pod.yaml" >"$work/out" 2>&1 || true
  if grep -q 'fail: 0, warn: 0, error: 0' "$work/out" && ! grep -q 'pass: 0,' "$work/out"; then got=admitted; else got=refused; fi
  printf '%-8s %-56s %-22s %-9s %s\n' "$format" "$policy" "$name" "$got" "$([ "$got" = "$expected" ] && echo ok || echo "WRONG (expected $expected)")"
  if [ "$got" != "$expected" ]; then status=1; sed 's/^/    /' "$work/out" | grep -v '^ *$' | tail -4; fi
}
passed='{"outcome":"passed","dirty":false}'
for case in \
  "passed team team $passed admitted" \
  "passed-ed25519 team-ed25519 team-ed25519 $passed admitted" \
  'failed team team {"outcome":"failed","dirty":false} refused' \
  'dirty team team {"outcome":"passed","dirty":true} refused' \
  'dirty-missing team team {"outcome":"passed"} refused' \
  "other-key other team $passed refused"; do
  read -r name signer verifier predicate expected <<<"$case"
  check att kyverno-dagship-attestation.yaml "$name" "$signer" "$verifier" "$predicate" "$expected"
  check bundle kyverno-imagevalidatingpolicy-dagship-attestation.yaml "$name" "$signer" "$verifier" "$predicate" "$expected"
done
check none kyverno-dagship-attestation.yaml unattested team team '{}' refused
check none kyverno-imagevalidatingpolicy-dagship-attestation.yaml unattested team team '{}' refused
# Each Kyverno policy reads one format only (see the comments in the policies).
check bundle kyverno-dagship-attestation.yaml passed-other-format team team "$passed" refused
check att kyverno-imagevalidatingpolicy-dagship-attestation.yaml passed-other-format team team "$passed" refused
exit $status
