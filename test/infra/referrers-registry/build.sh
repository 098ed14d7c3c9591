#!/usr/bin/env bash
# Builds the referrers registry (main.go here: go-containerregistry's test registry with the OCI 1.1
# referrers API on) from the Go module proxy. Idempotent: the binary lands in
# CACHE_DIR/referrers-registry-<key>/referrers-registry, where <key> is a hash of this folder's
# recipe and the Go toolchain. Module and build caches live in a temporary folder removed afterwards.
#
#   test/infra/referrers-registry/build.sh CACHE_DIR    prints the binary's path on stdout; progress on stderr
#
# Env: GO (default: go on PATH, else /usr/local/go/bin/go).
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 CACHE_DIR" >&2; exit 2; }
mkdir -p "$1"
cache=$(cd "$1" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
[ -x "$GO" ] || { echo "[referrers-registry-build] error: no Go toolchain (set GO=/path/to/go)" >&2; exit 1; }

t0=$SECONDS
log() { printf '[referrers-registry-build +%3ss] %s\n' "$((SECONDS - t0))" "$*" >&2; }
die() { printf '[referrers-registry-build] error: %s\n' "$*" >&2; exit 1; }

key=$( { cat "$here/build.sh" "$here/main.go" "$here/go.mod" "$here/go.sum"; "$GO" version; uname -m; } | sha256sum | cut -c1-12)
out=$cache/referrers-registry-$key
complete() { [ -x "$out/referrers-registry" ] && [ -f "$out/.complete" ]; }
if complete; then log "cached: $out/referrers-registry"; echo "$out/referrers-registry"; exit 0; fi

exec 9>"$cache/.build.lock"
flock 9
if complete; then log "cached (built by a concurrent caller)"; echo "$out/referrers-registry"; exit 0; fi

work=$(mktemp -d "${TMPDIR:-/tmp}/dagship-referrers-registry-build.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
export GOMODCACHE=$work/mod GOCACHE=$work/cache GOPATH=$work/gopath
# -mod=readonly: go.mod and go.sum here pin every module; the build must not change them.
export GOFLAGS="-mod=readonly -buildvcs=false" GOTOOLCHAIN=local CGO_ENABLED=0 GOWORK=off

stage=$out.partial
rm -rf "$stage"; mkdir -p "$stage"
log "building with $("$GO" version)"
(cd "$here" && nice -n 19 "$GO" build -trimpath -ldflags "-s -w" -o "$stage/referrers-registry" .) 2>"$work/build.log" ||
  { cat "$work/build.log" >&2; die "go build failed"; }
touch "$stage/.complete"
rm -rf "$out"; mv "$stage" "$out"
for old in "$cache"/referrers-registry-*; do [ "$old" = "$out" ] || { log "removing old $old"; rm -rf "$old"; }; done
log "built $out/referrers-registry in $((SECONDS - t0))s"
echo "$out/referrers-registry"
