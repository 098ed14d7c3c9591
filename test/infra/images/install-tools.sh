#!/usr/bin/env bash
# Runs inside the base image (root, --network host): ruff and bandit, pinned, on PATH.
set -euo pipefail
lock=$1
export PIP_CERT=/etc/ssl/certs/ca-certificates.crt PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_DEFAULT_TIMEOUT=180
python3 -m venv /opt/dagship-tools
/opt/dagship-tools/bin/pip install --progress-bar off --require-hashes -r "$lock"
ln -s /opt/dagship-tools/bin/ruff /opt/dagship-tools/bin/bandit /usr/local/bin/
