#!/usr/bin/env bash
# sam deploy (or sam sync) of one samconfig.toml environment, with the account's IoT data endpoint.
#
#   scripts/deploy.sh [ENV] [deploy|sync] [more sam options]     ENV: default (the default), dev, prod
#
# IotDataEndpoint is per account and region, so samconfig.toml does not hold it. SAM replaces the
# config file's parameter_overrides with any given on the command line (it does not merge them),
# so this script passes the environment's own overrides plus IotDataEndpoint: $IOT_DATA_ENDPOINT,
# or the one `aws iot describe-endpoint --endpoint-type iot:Data-ATS` names (boto3 from .venv).
# An IotDataEndpoint already in the environment's overrides (sam deploy --guided saves it) wins.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ENV_NAME="${1:-default}"
COMMAND="${2:-deploy}"
shift $(( $# > 2 ? 2 : $# )) || true
PY="${VENV:-.venv}/bin/python"
SAM="${SAM:-.venv/bin/sam}"

case "$COMMAND" in deploy|sync) ;; *) echo "usage: scripts/deploy.sh [ENV] [deploy|sync] [sam options]" >&2; exit 2 ;; esac

overrides="$("$PY" - "$ENV_NAME" "$COMMAND" <<'PY'
import sys, tomllib
env, command = sys.argv[1], sys.argv[2]
config = tomllib.load(open("samconfig.toml", "rb"))
if env not in config:
    sys.exit(f"samconfig.toml has no environment [{env}] (it has: {', '.join(k for k in config if k != 'version')})")
params = config[env].get(command, {}).get("parameters", {}) or config[env].get("deploy", {}).get("parameters", {})
print(params.get("parameter_overrides", ""))
PY
)"

if [[ "$overrides" != *IotDataEndpoint=* ]]; then
  endpoint="${IOT_DATA_ENDPOINT:-}"
  if [ -z "$endpoint" ]; then
    endpoint="https://$("$PY" -c 'import boto3; print(boto3.client("iot").describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"])')"
  fi
  overrides="$overrides IotDataEndpoint=\"$endpoint\""
fi
echo "==> sam $COMMAND --config-env $ENV_NAME --parameter-overrides $overrides" >&2
# shellcheck disable=SC2086
exec "$SAM" "$COMMAND" --config-env "$ENV_NAME" --parameter-overrides "$overrides" "$@"
