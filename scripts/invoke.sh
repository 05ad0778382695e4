#!/usr/bin/env bash
# Invokes one function of template.yaml on the local stack (scripts/local.sh), as
# `sam local invoke <Function> -e <event>` or `aws lambda invoke` would, without Docker: the
# function runs in the stack's JVM, as its own IAM role, on the stand-ins (docs/local.md).
#
#   scripts/invoke.sh <FunctionLogicalId> <event.json | ->     e.g.
#   scripts/invoke.sh VersionReportFunction events/report-version.json
#   jq '.receivedAt = now*1000' events/progress-done.json | scripts/invoke.sh ProgressReportFunction -
#
# The response (the function's JSON answer) goes to stdout. Exit status: 0 answered, 1 the
# function failed (the error on stderr), 2 bad arguments, 3 no local stack at the endpoint.
# OTA_LOCAL_ADMIN is the stack's admin endpoint (default http://127.0.0.1:8089, the launcher's
# --admin-port); `--endpoint URL` sets it too.
set -euo pipefail

endpoint="${OTA_LOCAL_ADMIN:-http://127.0.0.1:8089}"
if [ "${1:-}" = "--endpoint" ]; then
  endpoint="${2:?--endpoint needs a URL}"
  shift 2
fi
if [ $# -ne 2 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
function_id="$1"
event="$2"
if [[ ! "$function_id" =~ ^[A-Za-z][A-Za-z0-9]*$ ]]; then
  echo "invoke: '$function_id' is not a function's logical id (e.g. VersionReportFunction)" >&2
  exit 2
fi
if [ "$event" != "-" ] && [ ! -f "$event" ]; then
  echo "invoke: no event file $event" >&2
  exit 2
fi

response="$(mktemp)"
trap 'rm -f "$response"' EXIT
status="$(curl -sS -o "$response" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  --data-binary "@$event" "$endpoint/invoke/$function_id")" || {
  echo "invoke: no local stack at $endpoint (start it with scripts/local.sh, or set OTA_LOCAL_ADMIN)" >&2
  exit 3
}
if [ "$status" != 200 ]; then
  echo "invoke: $function_id failed (HTTP $status): $(cat "$response")" >&2
  exit 1
fi
cat "$response"
echo
