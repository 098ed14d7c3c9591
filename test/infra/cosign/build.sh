#!/usr/bin/env bash
# Builds sigstore cosign (the reference verifier for the attestations dagship records) from the Go
# module proxy, the only way to get it on machines that cannot download GitHub release assets.
# Idempotent: the binary lands in CACHE_DIR/cosign-<version>-<key>/cosign, where <key> is a hash of
# this recipe and the Go toolchain; when it is there, nothing is done. The module and build caches
# live in a temporary folder that is removed afterwards, because a cold build is cheap enough.
#
#   test/infra/cosign/build.sh CACHE_DIR     prints the cosign binary's path on stdout; progress on stderr
#
# Env: GO (default: go on PATH, else /usr/local/go/bin/go), COSIGN_BUILD_NICE (default 19).
set -euo pipefail

# Pinned exactly: the tests assert on the formats this version writes and accepts. Its go.mod has no
# replace directives, so `go install module@version` builds it as released.
COSIGN_VERSION=v3.1.3

[ $# -eq 1 ] || { echo "usage: $0 CACHE_DIR" >&2; exit 2; }
mkdir -p "$1"
cache=$(cd "$1" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
[ -x "$GO" ] || { echo "[cosign-build] error: no Go toolchain (set GO=/path/to/go)" >&2; exit 1; }

t0=$SECONDS
log() { printf '[cosign-build +%3ss] %s\n' "$((SECONDS - t0))" "$*" >&2; }
die() { printf '[cosign-build] error: %s\n' "$*" >&2; exit 1; }

key=$( { cat "$here/build.sh"; "$GO" version; uname -m; } | sha256sum | cut -c1-12)
out=$cache/cosign-$COSIGN_VERSION-$key
complete() { [ -x "$out/cosign" ] && [ -f "$out/.complete" ]; }
if complete; then log "cached: $out/cosign"; echo "$out/cosign"; exit 0; fi

# One build at a time per cache (a second caller waits, then finds the result).
exec 9>"$cache/.build.lock"
flock 9
if complete; then log "cached (built by a concurrent caller): $out/cosign"; echo "$out/cosign"; exit 0; fi

work=$(mktemp -d "${TMPDIR:-/tmp}/dagship-cosign-build.XXXXXX")
# The module cache is read-only by design; make it writable so it can be removed.
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
export GOMODCACHE=$work/mod GOCACHE=$work/cache GOPATH=$work/gopath GOBIN=$work/bin
export GOFLAGS="-mod=mod -buildvcs=false" GOTOOLCHAIN=local CGO_ENABLED=0 GOWORK=off

# cosign prints its version from ldflags (sigs.k8s.io/release-utils/version), not from the module.
ldflags="-s -w -X sigs.k8s.io/release-utils/version.gitVersion=$COSIGN_VERSION"
log "building github.com/sigstore/cosign/v3/cmd/cosign@$COSIGN_VERSION with $("$GO" version)"
nice -n "${COSIGN_BUILD_NICE:-19}" "$GO" install -trimpath -ldflags "$ldflags" \
  "github.com/sigstore/cosign/v3/cmd/cosign@$COSIGN_VERSION" 2>"$work/build.log" ||
  { cat "$work/build.log" >&2; die "go install github.com/sigstore/cosign/v3/cmd/cosign@$COSIGN_VERSION failed"; }
"$GOBIN/cosign" version 2>&1 | grep -q "GitVersion: *$COSIGN_VERSION\$" ||
  die "cosign reports '$("$GOBIN/cosign" version 2>&1 | tr '\n' ' ')'"

stage=$out.partial
rm -rf "$stage"; mkdir -p "$stage"
cp "$GOBIN/cosign" "$stage/cosign"
echo "cosign $COSIGN_VERSION, $("$GO" env GOVERSION), built $(date -u +%Y-%m-%dT%H:%M:%SZ) in $((SECONDS - t0))s" >"$stage/VERSION"
touch "$stage/.complete"
rm -rf "$out"; mv "$stage" "$out"
for old in "$cache"/cosign-*; do [ "$old" = "$out" ] || { log "removing old $old"; rm -rf "$old"; }; done
log "built $out/cosign in $((SECONDS - t0))s"
echo "$out/cosign"
