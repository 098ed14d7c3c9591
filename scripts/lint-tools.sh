#!/usr/bin/env bash
# Installs the linters npm cannot bring, pinned, and prints `export` lines for them on stdout (progress on
# stderr): actionlint built from the Go module proxy, ruff from PyPI in its own venv. Each lands in
# $DAGSHIP_INFRA_DIR/cache/lint/<tool>-<version>-<key> (key: this recipe, the toolchain, the machine), so a
# fresh machine builds them once (actionlint ~1 min on 2 cores, ruff a few seconds) and a warm one only
# checks that the folder is there.
#
#   eval "$(scripts/lint-tools.sh)"      sets DAGSHIP_ACTIONLINT and DAGSHIP_RUFF
set -euo pipefail

# actionlint's go.mod has no replace directives, so `go install module@version` builds it as released.
ACTIONLINT_VERSION=v1.7.12
RUFF_VERSION=0.17.5

state=${DAGSHIP_INFRA_DIR:-/var/lib/dagship-infra}
cache=$state/cache/lint
mkdir -p "$cache"
recipe=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lint-tools.sh
t0=$SECONDS
log() { printf '[lint-tools +%3ss] %s\n' "$((SECONDS - t0))" "$*" >&2; }
die() { printf '[lint-tools] error: %s\n' "$*" >&2; exit 1; }

# One install at a time per cache (a second caller waits, then finds the result).
exec 9>"$cache/.lock"
flock 9

# ---------------------------------------------------------------- actionlint
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
[ -x "$GO" ] || die "no Go toolchain to build actionlint (set GO=/path/to/go)"
key=$( { cat "$recipe"; "$GO" version; uname -m; } | sha256sum | cut -c1-12)
actionlint=$cache/actionlint-$ACTIONLINT_VERSION-$key
if [ ! -f "$actionlint/.complete" ]; then
  log "building github.com/rhysd/actionlint@$ACTIONLINT_VERSION with $("$GO" version)"
  work=$(mktemp -d "${TMPDIR:-/tmp}/dagship-actionlint.XXXXXX")
  # The module cache is read-only by design; make it writable so it can be removed.
  trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
  GOMODCACHE=$work/mod GOCACHE=$work/cache GOPATH=$work/gopath GOBIN=$work/bin GOFLAGS="-mod=mod -buildvcs=false" \
    GOTOOLCHAIN=local CGO_ENABLED=0 GOWORK=off nice -n 19 "$GO" install -trimpath -ldflags "-s -w" \
    "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" 2>"$work/build.log" ||
    { cat "$work/build.log" >&2; die "go install actionlint@$ACTIONLINT_VERSION failed"; }
  rm -rf "$actionlint"; mkdir -p "$actionlint"
  cp "$work/bin/actionlint" "$actionlint/actionlint"
  touch "$actionlint/.complete"
  for old in "$cache"/actionlint-*; do [ "$old" = "$actionlint" ] || rm -rf "$old"; done
  log "built $actionlint/actionlint"
fi

# ---------------------------------------------------------------- ruff
key=$( { cat "$recipe"; python3 --version; uname -m; } | sha256sum | cut -c1-12)
ruff=$cache/ruff-$RUFF_VERSION-$key
if [ ! -f "$ruff/.complete" ]; then
  log "installing ruff==$RUFF_VERSION from PyPI"
  rm -rf "$ruff"
  python3 -m venv "$ruff" >&2
  "$ruff/bin/pip" install --quiet --disable-pip-version-check --no-cache-dir "ruff==$RUFF_VERSION" >&2 || die "pip install ruff==$RUFF_VERSION failed"
  touch "$ruff/.complete"
  for old in "$cache"/ruff-*; do [ "$old" = "$ruff" ] || rm -rf "$old"; done
  log "installed $ruff/bin/ruff"
fi

echo "export DAGSHIP_ACTIONLINT=$actionlint/actionlint"
echo "export DAGSHIP_RUFF=$ruff/bin/ruff"
