#!/usr/bin/env bash
# Builds the referrers registry (main.go here: go-containerregistry's test registry with the OCI 1.1
# referrers API on) from the Go module proxy; cached by recipe (test/infra/lib/go-build.sh).
#
#   test/infra/referrers-registry/build.sh CACHE_DIR    prints the binary's path on stdout; progress on stderr
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
t0=$SECONDS
log() { printf '[referrers-registry-build +%3ss] %s\n' "$((SECONDS - t0))" "$*" >&2; }
die() { printf '[referrers-registry-build] error: %s\n' "$*" >&2; exit 1; }
. "$here/../lib/go-build.sh"

go_build_begin referrers-registry "${1:-}" referrers-registry "$here/build.sh" "$here/main.go" "$here/go.mod" "$here/go.sum"
# -mod=readonly: go.mod and go.sum here pin every module; the build must not change them.
export GOFLAGS="-mod=readonly -buildvcs=false"
log "building with $("$GO" version)"
(cd "$here" && nice -n "${GO_BUILD_NICE:-19}" "$GO" build -trimpath -ldflags "-s -w" -o "$stage/referrers-registry" .) 2>"$work/build.log" ||
  { cat "$work/build.log" >&2; die "go build failed"; }
go_build_end
