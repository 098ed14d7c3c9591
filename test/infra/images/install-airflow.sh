#!/usr/bin/env bash
# Runs inside the base image (root, --network host) and lays Airflow out like apache/airflow does:
# AIRFLOW_HOME=/opt/airflow, user airflow (uid 50000, gid 0), packages under /home/airflow/.local,
# an entrypoint that runs bash/python as given and anything else as an airflow subcommand.
set -euo pipefail
lock=$1
export PIP_CERT=/etc/ssl/certs/ca-certificates.crt PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_DEFAULT_TIMEOUT=180
useradd --uid 50000 --gid 0 --home-dir /home/airflow --create-home --shell /bin/bash airflow
python3 -m venv /home/airflow/.local
# Compiled like the official image: without .pyc files every `import airflow` costs seconds more.
/home/airflow/.local/bin/pip install --progress-bar off -r "$lock"
mkdir -p /opt/airflow/dags /opt/airflow/plugins /opt/airflow/logs /opt/airflow/config
cat > /entrypoint <<'SH'
#!/usr/bin/env bash
case "${1:-}" in
  "") exec airflow --help ;;
  bash|sh|python|python3) exec "$@" ;;
  *) exec airflow "$@" ;;
esac
SH
chmod 0755 /entrypoint
chown -R 50000:0 /opt/airflow /home/airflow
chmod -R g=u /opt/airflow /home/airflow
