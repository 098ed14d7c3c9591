# Sourced by test/infra's build scripts: one build from the Go module proxy, cached by its recipe.
# The result lands in CACHE_DIR/<name>-<key>/, where <key> hashes the recipe files, this file and the Go
# toolchain; when that folder is complete, nothing is done. One build runs per cache at a time (a second
# caller waits, then finds the result). Module and build caches live in a temporary folder removed
# afterwards: a cold build of these tools is cheap enough, and they are hundreds of MB.
#
#   go_build_begin NAME CACHE_DIR RESULT RECIPE_FILE...   RESULT: what is printed, relative to the folder
#     (exits 0, printing it, when cached; else sets $stage to fill, $work, GOBIN, and the Go environment)
#   go_build_end                                            moves $stage into place, prints the result
#
# Env: GO (default: go on PATH, else /usr/local/go/bin/go), GO_BUILD_NICE (default 19).

go_build_begin() {
  [ $# -ge 4 ] || { echo "usage: $0 CACHE_DIR" >&2; exit 2; }
  gb_name=$1 gb_result=$3
  mkdir -p "$2"
  cache=$(cd "$2" && pwd)
  shift 3
  GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
  [ -x "$GO" ] || die "no Go toolchain (set GO=/path/to/go)"
  local key
  key=$( { cat "$@" "${BASH_SOURCE[0]}"; "$GO" version; uname -m; } | sha256sum | cut -c1-12)
  out=$cache/$gb_name-$key
  if go_build_complete; then log "cached: $(go_build_result)"; go_build_result; exit 0; fi
  exec 9>"$cache/.build.lock"
  flock 9
  if go_build_complete; then log "cached (built by a concurrent caller): $(go_build_result)"; go_build_result; exit 0; fi
  work=$(mktemp -d "${TMPDIR:-/tmp}/dagship-$gb_name-build.XXXXXX")
  # The module cache is read-only by design; make it writable so it can be removed.
  trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
  export GOMODCACHE=$work/mod GOCACHE=$work/cache GOPATH=$work/gopath GOBIN=$work/bin
  export GOFLAGS="-mod=mod -buildvcs=false" GOTOOLCHAIN=local CGO_ENABLED=0 GOWORK=off
  stage=$out.partial
  rm -rf "$stage"; mkdir -p "$stage"
}

go_build_complete() { [ -e "$out/$gb_result" ] && [ -f "$out/.complete" ]; }
go_build_result() { if [ "$gb_result" = . ]; then echo "$out"; else echo "$out/$gb_result"; fi; }

# go_install MODULE@VERSION [LDFLAGS]: `go install` as released (no replace directives), niced.
go_install() {
  log "building $1 with $("$GO" version)"
  nice -n "${GO_BUILD_NICE:-19}" "$GO" install -trimpath -ldflags "-s -w ${2:-}" "$1" 2>"$work/build.log" ||
    { cat "$work/build.log" >&2; die "go install $1 failed"; }
}

go_build_end() {
  echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) with $("$GO" env GOVERSION) in $((SECONDS - t0))s" >>"$stage/VERSION"
  touch "$stage/.complete"
  rm -rf "$out"; mv "$stage" "$out"
  local old
  # Older builds of the tool, other versions included (NAME is `tool` or `tool-vX.Y.Z`).
  for old in "$cache/${gb_name%%-v[0-9]*}"-*; do [ "$old" = "$out" ] || { log "removing old $old"; rm -rf "$old"; }; done
  log "built $out in $((SECONDS - t0))s"
  go_build_result
}
