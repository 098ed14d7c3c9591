# Sourced by the actions' run steps. GitHub cancels a step by signalling the step's bash process only
# (SIGINT, SIGTERM 7.5 s later, then it kills the tree 2.5 s after that); bash holds a trap until its
# foreground child ends and never passes the signal on. So the CLI runs in the background and the traps
# forward each signal to it; `wait` returns when a trap runs, so it waits again until the CLI ends.
# After a signal the step ends with the CLI's code (130/143): no later stage starts.
dagship_cli() {
  node "$DAGSHIP_CLI" "$@" <&0 &
  local child=$! status=0 stopped=''
  trap "stopped=1; kill -INT $child 2>/dev/null || true" INT
  trap "stopped=1; kill -TERM $child 2>/dev/null || true" TERM
  while kill -0 "$child" 2>/dev/null; do wait "$child" || true; done
  wait "$child" || status=$?
  trap - INT TERM
  if [ -n "$stopped" ]; then exit "$status"; fi
  return "$status"
}
