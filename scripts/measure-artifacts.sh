#!/usr/bin/env bash
# Prints each function's deployable artifact size as a Markdown table (docs/benchmarks.md).
#
# The deployable of a function is its shaded jar, functions/<name>/target/<name>-1.0.0-SNAPSHOT-lambda.jar:
# a zip that `sam build` (the root Makefile) unpacks into the function's artifact directory and
# SAM zips again for upload. "zip" is the jar's size, "unzipped" the sum of its entries' sizes
# (what Lambda's 250 MB unzipped limit counts).
#
# Usage: scripts/measure-artifacts.sh            builds the jars first (mvn -q -B -DskipTests package)
#        scripts/measure-artifacts.sh --no-build  measures the jars already built
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VERSION=1.0.0-SNAPSHOT
FUNCTIONS=(version-report progress-report update-devices firmware-registration job-engine management-api)

if [ "${1:-}" != "--no-build" ]; then
  mvn -q -B -Dstyle.color=never -DskipTests package >&2
fi

mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }

echo "| function | deployable zip (shaded jar) | unzipped | entries |"
echo "|---|---|---|---|"
for f in "${FUNCTIONS[@]}"; do
  jar="functions/$f/target/$f-$VERSION-lambda.jar"
  if [ ! -f "$jar" ]; then
    echo "missing $jar: build it with mvn -q -B -DskipTests package" >&2
    exit 1
  fi
  zipped=$(stat -c %s "$jar")
  # Last line of `unzip -l`: "<total bytes>  <n> files".
  read -r unzipped entries _ < <(unzip -l "$jar" | tail -n 1)
  printf '| %s | %s (%s bytes) | %s (%s bytes) | %s |\n' "$f" "$(mib "$zipped")" "$zipped" "$(mib "$unzipped")" "$unzipped" "$entries"
done
