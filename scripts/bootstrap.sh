#!/usr/bin/env bash
# Installs everything the build and the tests need on a fresh Debian machine (run as root), and
# does nothing that is already done:
#   1. Debian packages, only the missing ones: maven, openjdk-17-jdk-headless, unzip, zip (both
#      used by functions/unbuilt-requests.sh in the function jars' build), make,
#      python3 + python3-venv, mosquitto (the local stack's MQTT broker, run as a process; Debian
#      does not start it as a service here) and mosquitto-clients (mosquitto_pub/_sub, docs/local.md),
#      chromium and chromium-driver (headless, for the console's browser test ConsoleIT).
#   2. The project-local virtualenv .venv/ with the pinned Python tools of
#      scripts/requirements.txt (aws-sam-cli, cfn-lint-serverless, moto[server], paho-mqtt, pytest, pycryptodome) and
#      tencent-iot-device (--no-deps, see requirements.txt). Skipped when the requirements have
#      not changed since the last run.
#   3. Maven dependencies and plugins of the reactor, fetched into ~/.m2 (best effort; skipped
#      when no pom.xml changed since the last successful fetch).
#
# Environment: VENV (default .venv), PYTHON (default python3), OTA_SKIP_MAVEN_PREFETCH=1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="${VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"
REQUIREMENTS="$ROOT/scripts/requirements.txt"
TENCENT_SDK="tencent-iot-device==1.0.0"
DEPENDENCY_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.9.0"

export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

log()  { printf '[bootstrap] %s\n' "$*"; }
warn() { printf '[bootstrap] WARNING: %s\n' "$*" >&2; }
die()  { printf '[bootstrap] ERROR: %s\n' "$*" >&2; exit 1; }

start=$SECONDS

# ---- 1. Debian packages -------------------------------------------------------------------
java_major() {
  # "javac 17.0.15" -> 17
  javac -version 2>&1 | sed -n 's/^javac \([0-9][0-9]*\).*/\1/p' | head -n1
}

missing=()
command -v mvn   >/dev/null 2>&1 || missing+=(maven)
if ! command -v javac >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ] 2>/dev/null; then
  missing+=(openjdk-17-jdk-headless)
fi
command -v unzip >/dev/null 2>&1 || missing+=(unzip)
command -v zip   >/dev/null 2>&1 || missing+=(zip)
command -v make  >/dev/null 2>&1 || missing+=(make)
{ command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ]; } || missing+=(mosquitto)
command -v mosquitto_pub >/dev/null 2>&1 || missing+=(mosquitto-clients)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  missing+=(python3 python3-venv); PYTHON=python3
elif ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  missing+=(python3-venv)
fi

if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  [ "$(id -u)" -eq 0 ] || die "need root to apt-get install ${missing[*]} (or install them yourself)"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "Debian packages: present (mvn, javac $(java_major), unzip, zip, make, $PYTHON, mosquitto, chromium)"
fi

# ---- 2. Python virtualenv ------------------------------------------------------------------
py_version="$("$PYTHON" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
want="$( { cat "$REQUIREMENTS"; echo "$TENCENT_SDK"; echo "python $py_version"; } | sha256sum | cut -d' ' -f1)"
stamp="$VENV/.ota-bootstrap"

venv_ok() {
  [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1 \
    && [ -x "$VENV/bin/sam" ] && [ -x "$VENV/bin/moto_server" ] && [ -x "$VENV/bin/pytest" ] \
    && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]
}

if venv_ok; then
  log "virtualenv $VENV: up to date"
else
  if ! { [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; }; then
    log "creating virtualenv $VENV (Python $py_version)"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
  fi
  log "installing Python tools into $VENV (scripts/requirements.txt)"
  "$VENV/bin/python" -m pip install -q -r "$REQUIREMENTS"
  "$VENV/bin/python" -m pip install -q --no-deps "$TENCENT_SDK"
  # tencent-iot-device's own pins (paho-mqtt==1.5.1, pycrypto) are knowingly not honoured.
  if problems="$("$VENV/bin/python" -m pip check 2>&1 | grep -v '^tencent-iot-device ')" && [ -n "$problems" ]; then
    printf '%s\n' "$problems" >&2
    die "pip check found conflicts in $VENV"
  fi
  "$VENV/bin/python" -c 'import samcli, moto, paho.mqtt.client, pytest, Crypto.Cipher.AES, hub.hub' \
    || die "a Python tool does not import"
  # The SDK calls Client.loop(timeout, max_packets); paho-mqtt 2.x removed max_packets.
  "$VENV/bin/python" -c 'import inspect, paho.mqtt.client as m; assert "max_packets" in inspect.signature(m.Client.loop).parameters' \
    || die "paho-mqtt in $VENV is too new for tencent-iot-device (it needs 1.x)"
  echo "$want" > "$stamp"
fi
log "  $("$VENV/bin/sam" --version), moto $("$VENV/bin/python" -c 'import moto; print(moto.__version__)'), pytest $("$VENV/bin/python" -c 'import pytest; print(pytest.__version__)'), paho-mqtt $("$VENV/bin/python" -c 'import paho.mqtt; print(paho.mqtt.__version__)')"

# ---- 3. Maven dependencies -----------------------------------------------------------------
if [ "${OTA_SKIP_MAVEN_PREFETCH:-0}" = 1 ]; then
  log "Maven prefetch: skipped (OTA_SKIP_MAVEN_PREFETCH=1)"
else
  m2="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"
  poms="$(find . -name pom.xml -not -path '*/target/*' -not -path './.venv/*' -not -path './node_modules/*' | sort)"
  pom_hash="$( { echo "$DEPENDENCY_PLUGIN"; for p in $poms; do echo "$p"; cat "$p"; done; } | sha256sum | cut -c1-16)"
  m2_stamp="$m2/.ota-prefetch-$pom_hash"
  if [ -f "$m2_stamp" ]; then
    log "Maven dependencies: already fetched for these pom.xml files"
  else
    log "fetching Maven dependencies and plugins into $m2"
    mkdir -p "$m2" "$ROOT/target"
    if mvn -B -q -ntp "$DEPENDENCY_PLUGIN:go-offline" -DexcludeReactor=true -DexcludeGroupIds=dev.ota \
         > "$ROOT/target/bootstrap-mvn.log" 2>&1; then
      rm -f "$m2"/.ota-prefetch-* && touch "$m2_stamp"
      rm -f "$ROOT/target/bootstrap-mvn.log"
    else
      # Not fatal: the build fetches what it needs anyway, and reports real errors itself.
      warn "Maven prefetch incomplete (see target/bootstrap-mvn.log); the build will fetch the rest"
    fi
  fi
fi

log "done in $((SECONDS - start)) s"
