#!/usr/bin/env bash
# Builds nektos/act (runs GitHub Actions workflows locally) from the Go module proxy, the only way to
# get it on machines that cannot download GitHub release assets. Idempotent: the binary lands in
# CACHE_DIR/act-<version>-<key>/act, where <key> is a hash of this recipe and the Go toolchain; when
# it is there, nothing is done. The module and build caches live in a temporary folder that is removed
# afterwards (about 800 MB), because a cold build is cheap: about a minute on 2 busy cores.
#
#   test/infra/act/build.sh CACHE_DIR     prints the act binary's path on stdout; progress on stderr
#
# Env: GO (default: go on PATH, else /usr/local/go/bin/go), ACT_BUILD_NICE (default 19).
set -euo pipefail

# act's go.mod has no replace directives, so `go install module@version` builds it as released.
ACT_VERSION=v0.2.89

[ $# -eq 1 ] || { echo "usage: $0 CACHE_DIR" >&2; exit 2; }
mkdir -p "$1"
cache=$(cd "$1" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
[ -x "$GO" ] || { echo "[act-build] error: no Go toolchain (set GO=/path/to/go)" >&2; exit 1; }

t0=$SECONDS
log() { printf '[act-build +%3ss] %s\n' "$((SECONDS - t0))" "$*" >&2; }
die() { printf '[act-build] error: %s\n' "$*" >&2; exit 1; }

key=$( { cat "$here/build.sh"; "$GO" version; uname -m; } | sha256sum | cut -c1-12)
out=$cache/act-$ACT_VERSION-$key
complete() { [ -x "$out/act" ] && [ -f "$out/.complete" ]; }
if complete; then log "cached: $out/act"; echo "$out/act"; exit 0; fi

# One build at a time per cache (a second caller waits, then finds the result).
exec 9>"$cache/.build.lock"
flock 9
if complete; then log "cached (built by a concurrent caller): $out/act"; echo "$out/act"; exit 0; fi

work=$(mktemp -d "${TMPDIR:-/tmp}/dagship-act-build.XXXXXX")
# The module cache is read-only by design; make it writable so it can be removed.
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
export GOMODCACHE=$work/mod GOCACHE=$work/cache GOPATH=$work/gopath GOBIN=$work/bin
export GOFLAGS="-mod=mod -buildvcs=false" GOTOOLCHAIN=local CGO_ENABLED=0 GOWORK=off

log "building github.com/nektos/act@$ACT_VERSION with $("$GO" version)"
nice -n "${ACT_BUILD_NICE:-19}" "$GO" install -trimpath -ldflags "-s -w" "github.com/nektos/act@$ACT_VERSION" \
  2>"$work/build.log" || { cat "$work/build.log" >&2; die "go install github.com/nektos/act@$ACT_VERSION failed"; }
"$GOBIN/act" --version | grep -qx "act version ${ACT_VERSION#v}" || die "act reports '$("$GOBIN/act" --version)'"

stage=$out.partial
rm -rf "$stage"; mkdir -p "$stage"
cp "$GOBIN/act" "$stage/act"
echo "act $ACT_VERSION, $("$GO" env GOVERSION), built $(date -u +%Y-%m-%dT%H:%M:%SZ) in $((SECONDS - t0))s" >"$stage/VERSION"
touch "$stage/.complete"
rm -rf "$out"; mv "$stage" "$out"
for old in "$cache"/act-*; do [ "$old" = "$out" ] || { log "removing old $old"; rm -rf "$old"; }; done
log "built $out/act in $((SECONDS - t0))s"
echo "$out/act"
