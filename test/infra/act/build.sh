#!/usr/bin/env bash
# Builds nektos/act (runs GitHub Actions workflows locally) from the Go module proxy, the only way to
# get it on machines that cannot download GitHub release assets; cached by recipe
# (test/infra/lib/go-build.sh). About a minute cold on 2 busy cores.
#
#   test/infra/act/build.sh CACHE_DIR     prints the act binary's path on stdout; progress on stderr
set -euo pipefail

# act's go.mod has no replace directives, so `go install module@version` builds it as released.
ACT_VERSION=v0.2.89

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
t0=$SECONDS
log() { printf '[act-build +%3ss] %s\n' "$((SECONDS - t0))" "$*" >&2; }
die() { printf '[act-build] error: %s\n' "$*" >&2; exit 1; }
. "$here/../lib/go-build.sh"

go_build_begin "act-$ACT_VERSION" "${1:-}" act "$here/build.sh"
go_install "github.com/nektos/act@$ACT_VERSION"
reported=$("$GOBIN/act" --version)
[ "$reported" = "act version ${ACT_VERSION#v}" ] || die "act reports '$reported'"
cp "$GOBIN/act" "$stage/act"
echo "act $ACT_VERSION" >"$stage/VERSION"
go_build_end
