#!/usr/bin/env bash
# The project's test command (README, .ci/run):
#   1. scripts/bootstrap.sh          tools: Debian packages, .venv (SAM CLI, moto, ...), Maven deps
#   2. mvn -B -T 1C verify           every module's unit and integration tests, and the jars
#   3. pytest tests/python           only if such tests exist ("no tests collected" is not a failure)
#   4. sam validate --lint           template.yaml
#      serverless rules              cfn-lint with AWS's Serverless Rules (cfn-lint-serverless); each
#                                    finding is fixed or suppressed in template.yaml with its reason
#   5. sam build                     every function via the root Makefile, then a check that
#                                    each artifact holds its handler class
# Every step runs (sam build is skipped when Maven failed: it would only fail the same way),
# a summary follows, and the exit status is non-zero if any step failed.
#
# Environment: OTA_SKIP_BOOTSTRAP=1, OTA_SKIP_SAM=1, MVN_ARGS (extra Maven arguments).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="${VENV:-$ROOT/.venv}"
export VENV SAM_CLI_TELEMETRY=0
export PATH="$VENV/bin:$PATH"

declare -a STEP_NAMES=() STEP_RESULTS=() STEP_TIMES=()
failed=0

banner() { printf '\n==================== %s ====================\n' "$*"; }

# run_step NAME COMMAND...: runs the command, records PASS/FAIL and the time it took.
run_step() {
  local name="$1"; shift
  banner "$name"
  local t0=$SECONDS rc=0
  "$@" || rc=$?
  STEP_NAMES+=("$name"); STEP_TIMES+=("$((SECONDS - t0))")
  if [ "$rc" -eq 0 ]; then STEP_RESULTS+=("PASS"); else STEP_RESULTS+=("FAIL (exit $rc)"); failed=1; fi
  return "$rc"
}
skip_step() { STEP_NAMES+=("$1"); STEP_RESULTS+=("SKIPPED: $2"); STEP_TIMES+=(0); }

start=$SECONDS
mkdir -p target
marker="target/.test-run-start"
touch "$marker"

# ---- 1. tools -------------------------------------------------------------------------------
if [ "${OTA_SKIP_BOOTSTRAP:-0}" = 1 ]; then
  skip_step "bootstrap" "OTA_SKIP_BOOTSTRAP=1"
else
  run_step "bootstrap" bash scripts/bootstrap.sh || {
    summary_only=1
  }
fi

if [ -n "${summary_only:-}" ]; then
  echo "bootstrap failed: the remaining steps need its tools" >&2
else
  # ---- 2. Maven reactor: tests + packages ---------------------------------------------------
  # -T 1C: one module per core at a time where the reactor allows it (the six functions' packaging,
  # two single-threaded ProGuard passes each, is most of it); the modules the integration tests
  # need come one after another, so those tests still run alone.
  # shellcheck disable=SC2086
  run_step "mvn verify" mvn -B -ntp -T 1C -Dstyle.color=never -fae ${MVN_ARGS:-} verify
  mvn_rc=$?

  # ---- 3. Python tests (optional) -----------------------------------------------------------
  pytest_step() {
    local rc=0
    "$VENV/bin/python" -m pytest -q tests/python --junitxml=target/pytest-junit.xml || rc=$?
    if [ "$rc" -eq 5 ]; then echo "pytest: no tests collected (not a failure)"; return 0; fi
    return "$rc"
  }
  if [ -d tests/python ] && find tests/python -name '*.py' -print -quit | grep -q .; then
    run_step "pytest tests/python" pytest_step
  else
    skip_step "pytest tests/python" "no tests/python"
  fi

  # ---- 4./5. SAM ----------------------------------------------------------------------------
  if [ "${OTA_SKIP_SAM:-0}" = 1 ]; then
    skip_step "sam validate --lint" "OTA_SKIP_SAM=1"
    skip_step "sam build" "OTA_SKIP_SAM=1"
  else
    run_step "sam validate --lint" sam validate --lint --template template.yaml
    run_step "serverless rules" cfn-lint -t template.yaml --append-rules cfn_lint_serverless.rules

    check_artifacts() {
      local ok=0 fn cls
      while read -r fn cls; do
        if [ -f ".aws-sam/build/$fn/$cls" ]; then
          echo "artifact $fn: $(du -sh ".aws-sam/build/$fn" | cut -f1), handler $cls present"
        else
          echo "artifact $fn: MISSING $cls" >&2; ok=1
        fi
      done <<'EOF'
VersionReportFunction dev/ota/function/versionreport/VersionReportHandler.class
ProgressReportFunction dev/ota/function/progressreport/ProgressReportHandler.class
UpdateDevicesFunction dev/ota/function/updatedevices/UpdateDevicesHandler.class
FirmwareRegistrationFunction dev/ota/function/firmwareregistration/FirmwareRegistrationHandler.class
ManagementApiFunction dev/ota/function/managementapi/ManagementApiHandler.class
JobSchedulerFunction dev/ota/function/jobengine/JobTickHandler.class
JobWorkerFunction dev/ota/function/jobengine/JobWorkerHandler.class
EOF
      return "$ok"
    }
    sam_build_step() { sam build --template template.yaml && check_artifacts; }
    if [ "$mvn_rc" -ne 0 ]; then
      skip_step "sam build" "mvn verify failed"
    else
      run_step "sam build" sam_build_step
    fi
  fi
fi

# ---- summary --------------------------------------------------------------------------------
banner "summary"
for i in "${!STEP_NAMES[@]}"; do
  printf '  %-22s %-28s %5ss\n' "${STEP_NAMES[$i]}" "${STEP_RESULTS[$i]}" "${STEP_TIMES[$i]}"
done
# Test counts of this run, from the JUnit XML reports (Surefire, Failsafe, pytest) it wrote.
counts=$(python3 - "$marker" <<'EOF' || true
import glob, os, sys, xml.etree.ElementTree as ET
since = os.path.getmtime(sys.argv[1])
files = []
for d, dirs, names in os.walk("."):
    dirs[:] = [x for x in dirs if x not in (".git", ".venv", ".aws-sam", "node_modules", "src")]
    base = os.path.basename(d)
    for n in names:
        f = os.path.join(d, n)
        if ((base in ("surefire-reports", "failsafe-reports") and n.startswith("TEST-") and n.endswith(".xml"))
                or f == "./target/pytest-junit.xml") and os.path.getmtime(f) >= since:
            files.append(f)
tests = failures = skipped = 0
for f in files:
    try:
        root = ET.parse(f).getroot()
    except ET.ParseError:
        continue
    # Count <testcase> elements: Surefire puts @Nested classes' cases in the outer class's
    # report, whose tests="..." attribute then says 0.
    for case in root.iter("testcase"):
        tests += 1
        if case.find("failure") is not None or case.find("error") is not None:
            failures += 1
        elif case.find("skipped") is not None:
            skipped += 1
print(f"  JUnit reports read: {len(files)}")
print(f"tests: {tests - failures - skipped} passed, {failures} failed, {skipped} skipped")
EOF
)
echo "  total time: $((SECONDS - start)) s"
if [ "$failed" -ne 0 ]; then echo "  RESULT: FAILED"; else echo "  RESULT: OK"; fi
# The test counts come last: CI reads the closing line.
printf '%s\n' "$counts"
exit "$failed"
