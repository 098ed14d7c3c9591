# Sourced by the actions that talk to Kubernetes: the kubeconfig input is a path, or the file's content
# (from a secret), which goes to a private file under RUNNER_TEMP and never into the log.
if [ -n "${DAGSHIP_ARG_KUBECONFIG:-}" ]; then
  if [[ "$DAGSHIP_ARG_KUBECONFIG" == *apiVersion* ]]; then
    kubeconfig_file="${RUNNER_TEMP:-$(mktemp -d)}/dagship-kubeconfig-$$"
    (umask 077 && printf '%s\n' "$DAGSHIP_ARG_KUBECONFIG" > "$kubeconfig_file")
    export KUBECONFIG="$kubeconfig_file"
  else
    export KUBECONFIG="$DAGSHIP_ARG_KUBECONFIG"
  fi
fi
