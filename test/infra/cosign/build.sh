#!/usr/bin/env bash
# Builds sigstore cosign (the reference verifier for the attestations dagship records) from the Go
# module proxy, the only way to get it on machines that cannot download GitHub release assets; cached
# by recipe (test/infra/lib/go-build.sh). About 3 minutes cold on 2 idle cores (some 2,000 packages).
#
#   test/infra/cosign/build.sh CACHE_DIR     prints the cosign binary's path on stdout; progress on stderr
set -euo pipefail

# Pinned exactly: the tests assert on the formats this version writes and accepts. Its go.mod has no
# replace directives, so `go install module@version` builds it as released.
COSIGN_VERSION=v3.1.3

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
t0=$SECONDS
log() { printf '[cosign-build +%3ss] %s\n' "$((SECONDS - t0))" "$*" >&2; }
die() { printf '[cosign-build] error: %s\n' "$*" >&2; exit 1; }
. "$here/../lib/go-build.sh"

go_build_begin "cosign-$COSIGN_VERSION" "${1:-}" cosign "$here/build.sh"
# cosign prints its version from ldflags (sigs.k8s.io/release-utils/version), not from the module.
go_install "github.com/sigstore/cosign/v3/cmd/cosign@$COSIGN_VERSION" "-X sigs.k8s.io/release-utils/version.gitVersion=$COSIGN_VERSION"
# Read whole first: `grep -q` stops at the match, and the rest of the output would hit a closed pipe.
reported=$("$GOBIN/cosign" version 2>&1)
grep -q "GitVersion: *$COSIGN_VERSION\$" <<<"$reported" || die "cosign reports '$(tr '\n' ' ' <<<"$reported")'"
cp "$GOBIN/cosign" "$stage/cosign"
echo "cosign $COSIGN_VERSION" >"$stage/VERSION"
go_build_end
