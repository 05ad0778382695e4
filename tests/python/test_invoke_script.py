"""Every sample event in events/ through scripts/invoke.sh, the no-Docker `sam local invoke`, on the
local stack: each reaches the function events/README.md names for it and is answered, not rejected.
The README's table is the list: a sample it does not name, or a row naming no sample, fails."""
import json
import os
import re
import subprocess
import time

from conftest import ROOT, sent

EVENTS = os.path.join(ROOT, "events")
INVOKE = os.path.join(ROOT, "scripts", "invoke.sh")
# Firmware first (so the registration samples find their object), then a device's report, the
# update of it and its progress, then the operator's API, the scheduler's tick and its worker.
ORDER = ["s3-object-created.json", "register-firmware.json", "report-version.json", "update-devices.json",
         "progress-downloading.json", "progress-downloading-numbers.json", "progress-burning.json",
         "progress-done.json", "progress-fail.json", "management-api-list-firmware.json",
         "job-tick-schedule.json", "job-worker-sqs.json"]


def samples_by_readme():
    """file -> function, from the table in events/README.md."""
    table = {}
    for line in open(os.path.join(EVENTS, "README.md"), encoding="utf-8"):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[1] or not re.match(r"^[A-Z]\w*Function\b", cells[1]):
            continue
        function = re.match(r"^(\w+)", cells[1]).group(1)
        for name in re.findall(r"`([^`]+\.json)`", cells[0]):
            table[name] = function
    return table


def invoke(admin, function, event_file):
    done = subprocess.run([INVOKE, function, event_file], env=dict(os.environ, OTA_LOCAL_ADMIN=admin),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, (event_file, done.returncode, done.stderr)
    return json.loads(done.stdout)


def test_the_readme_names_a_function_for_every_sample_and_nothing_else():
    on_disk = sorted(f for f in os.listdir(EVENTS) if f.endswith(".json"))
    assert sorted(samples_by_readme()) == on_disk
    assert sorted(ORDER) == on_disk


def test_every_sample_event_runs_through_invoke_sh(local_stack):
    s3_object = json.load(open(os.path.join(EVENTS, "s3-object-created.json")))["Records"][0]["s3"]["object"]
    product, version, file_name = s3_object["key"].split("/")[1:]
    local_stack.register_firmware(product, version + "?file=" + file_name, os.urandom(s3_object["size"]))

    functions = samples_by_readme()
    sample_job = None
    try:
        for name in ORDER:
            response = invoke(local_stack.admin, functions[name], os.path.join(EVENTS, name))
            assert response.get("outcome") != "REJECTED", (name, response)
            if name.startswith("management-api"):
                assert response["statusCode"] == 200, response
            if name == "job-worker-sqs.json":
                assert response["batchItemFailures"] == [], response
            if name == "update-devices.json":
                sample_job = response["jobId"]
                assert sent(response) == ["device-001", "device-002"], response
                released(local_stack, sample_job, ["device-001", "device-002"])
            if name in ("register-firmware.json", "s3-object-created.json"):
                assert response["outcome"] == "REGISTERED", response
    finally:
        # The session's stack is shared: the sample job leaves its devices free for the tests after this one.
        # (A job that already ended is refused, and is no longer in anyone's way.)
        if sample_job is not None:
            try:
                local_stack.ota("--endpoint", local_stack.api, "job", "cancel", sample_job)
            except AssertionError as refused:
                assert "409" in str(refused) or "CONFLICT" in str(refused) or "ended" in str(refused), refused


def released(local_stack, job_id, names, timeout=30):
    """Waits until every named device's execution has left QUEUED: update_firmware went out to it."""
    deadline = time.time() + timeout
    while True:
        rows = {r["deviceName"]: r["status"] for r in local_stack.job(job_id)["executions"]}
        if all(rows.get(n) not in (None, "QUEUED") for n in names):
            return
        assert time.time() < deadline, ("not released within %d s" % timeout, rows)
        time.sleep(0.5)


def test_invoke_sh_says_what_is_wrong(local_stack, tmp_path):
    env = dict(os.environ, OTA_LOCAL_ADMIN=local_stack.admin)
    unknown = subprocess.run([INVOKE, "NoSuchFunction", os.path.join(EVENTS, "report-version.json")],
                             env=env, capture_output=True, text=True, timeout=60)
    assert unknown.returncode == 1 and "no function NoSuchFunction" in unknown.stderr, unknown.stderr
    missing = subprocess.run([INVOKE, "VersionReportFunction", str(tmp_path / "none.json")],
                             env=env, capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "no event file" in missing.stderr
    nobody = subprocess.run([INVOKE, "--endpoint", "http://127.0.0.1:9", "VersionReportFunction",
                             os.path.join(EVENTS, "report-version.json")], capture_output=True, text=True, timeout=60)
    assert nobody.returncode == 3 and "no local stack" in nobody.stderr
