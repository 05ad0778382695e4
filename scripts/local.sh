#!/usr/bin/env bash
# The README's first command: the whole OTA backend on this machine, no AWS account, no Docker.
#   1. scripts/bootstrap.sh                installs what is missing (Debian packages, .venv with
#                                          moto_server and Tencent's Python SDK, Maven deps)
#   2. mvn -q -B -DskipTests package       builds the reactor, unless nothing changed since the
#                                          last build (it writes local/demo/target/classpath.txt)
#   3. java ... dev.ota.local.launcher.LocalMain
#                                          the local stack on fixed ports, the demo fleet (50
#                                          devices through a staged 1.0.0 -> 1.1.0 update), then
#                                          the stack stays up for real devices until Ctrl-C
#
# Arguments go to the launcher: scripts/local.sh --help, --devices 200 --seed 7, --no-demo,
# --exit-after-demo, --mqtt-port 11883, ... (docs/local.md). The exit status is the demo's
# outcome: 0 when every device that should update did and the broken one failed.
#
# Environment: OTA_SKIP_BOOTSTRAP=1 skips step 1; OTA_FORCE_BUILD=1 always runs step 2;
# JAVA_OPTS adds JVM options.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf '[local] %s\n' "$*" >&2; }

if [ "${OTA_SKIP_BOOTSTRAP:-0}" != 1 ]; then
  bash scripts/bootstrap.sh >&2
fi

# The launcher and the demo are the local/demo module; its classpath file names everything else.
launcher_module="local/demo"
classpath_file="$launcher_module/target/classpath.txt"
needs_build() {
  [ "${OTA_FORCE_BUILD:-0}" = 1 ] && return 0
  [ -f "$classpath_file" ] && [ -d "$launcher_module/target/classes" ] || return 0
  # Any source, pom or template newer than the last build's classpath file?
  [ -n "$(find pom.xml template.yaml shared functions local -newer "$classpath_file" \
            \( -name '*.java' -o -name '*.xml' -o -name '*.yaml' -o -name '*.properties' \) \
            -not -path '*/target/*' -print -quit)" ] && return 0
  # Every entry still there (a `mvn clean` elsewhere removes the reactor's jars)?
  tr ':' '\n' < "$classpath_file" | while read -r entry; do [ -e "$entry" ] || exit 1; done || return 0
  return 1
}

if needs_build; then
  log "building the reactor (mvn package, tests skipped; log in target/local-build.log) ..."
  mkdir -p target
  if ! mvn -q -B -ntp -Dstyle.color=never -DskipTests package > target/local-build.log 2>&1; then
    cat target/local-build.log >&2
    log "the build failed"
    exit 1
  fi
else
  log "build is up to date"
fi

# The demo redraws its progress line in place on a terminal; it must not be wider than the terminal.
if [ -t 1 ]; then
  OTA_TERM_COLUMNS="$(tput cols 2>/dev/null || echo 120)"
  export OTA_TERM_COLUMNS
fi

# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -cp "$launcher_module/target/classes:$(cat "$classpath_file")" dev.ota.local.launcher.LocalMain "$@"
