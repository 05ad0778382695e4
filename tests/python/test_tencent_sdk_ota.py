"""Tencent's own Python device SDK (tencent-iot-device 1.0.0, unmodified) runs its hub OTA flow
against the local OTA stack: report_version -> report_version_rsp -> update_firmware -> download
from the local S3 stand-in -> MD5 check -> progress and done -> the new version. And it resumes
an interrupted download, both after a power loss and after a dropped connection.

The device application (tencent_ota_device.py) follows the SDK's own OTA sample. Assertions about
state read the backend's tables (JobsTable, ExecutionsTable, DevicesTable) through the local
admin endpoint.
"""
import hashlib
import os
import random
import re
import time

import pytest

from conftest import sent

PRODUCT = "PYSDK"
FIRMWARE = random.Random(4).randbytes(300_000)
MD5 = hashlib.md5(FIRMWARE).hexdigest()


@pytest.fixture(scope="module")
def firmware(local_stack):
    registered = local_stack.register_firmware(PRODUCT, "1.1.0", FIRMWARE)
    assert registered["outcome"] == "REGISTERED", registered
    assert registered["firmware"][0]["md5sum"] == MD5
    return registered["firmware"][0]


def enrolled(device, name, *extra, **kw):
    """A device that has reported 1.0.0 and had report_version_rsp back, as the SDK's flow requires."""
    d = device(PRODUCT, name, "1.0.0", *extra, **kw)
    d.wait_for("ota_init", timeout=60)
    rsp = d.wait_for("report_version_rsp", timeout=30)
    # What the SDK's sample checks: result_code is the integer 0; and the version it reported.
    assert rsp["payload"] == {"type": "report_version_rsp", "result_code": 0, "result_msg": "success", "version": "1.0.0"}
    assert rsp["topic"] == "$ota/update/%s/%s" % (PRODUCT, name)
    return d


def execution(local_stack, job_id, name):
    rows = [r for r in local_stack.job(job_id)["executions"] if r["deviceName"] == name]
    assert len(rows) == 1
    return rows[0]


def test_sdk_updates_through_the_local_stack(local_stack, firmware, device):
    d = enrolled(device, "happy")
    job = local_stack.update_devices(PRODUCT, "1.1.0", ["happy"])
    assert sent(job) == ["happy"], job

    update = d.wait_for("update_firmware")
    # The SDK rejects a string file_size and compares md5sum case-sensitively (facts.md §1).
    assert update["file_size"] == len(FIRMWARE) and update["file_size_type"] == "int"
    assert update["md5sum"] == MD5 and update["version"] == "1.1.0"
    assert d.wait_for("download_start")["offset"] == 0
    assert d.wait_for("md5_check")["ok"] is True
    d.wait_for("reported_done")
    rsp = d.wait_for("report_version_rsp")
    assert rsp["payload"]["version"] == "1.1.0" and rsp["payload"]["result_code"] == 0
    d.wait_for("finished")
    assert d.wait_exit() == 0

    with open(os.path.join(d.process.args[d.process.args.index("--workdir") + 1], "FW_1.1.0.bin"), "rb") as f:
        assert f.read() == FIRMWARE

    row = execution(local_stack, job["jobId"], "happy")
    assert (row["status"], row["attempt"], row["percent"]) == ("SUCCEEDED", 1, 100)
    assert (row["fromVersion"], row["targetVersion"]) == ("1.0.0", "1.1.0")
    counts = {k: v for k, v in local_stack.job(job["jobId"]).items() if k.startswith("count_") and v}
    assert counts == {"count_SUCCEEDED": 1}
    assert local_stack.device(PRODUCT, "happy")["currentVersion"] == "1.1.0"

    # Tencent's $ota/... topics, allowed by the device policy's ota/... twins on the local broker.
    # The SDK's progress reports reached the progress function: downloading, then done.
    progress = [e for e in local_stack.function_log()
                if e.get("event") == "progress_report" and e.get("device") == PRODUCT + "/happy"]
    assert any(e["state"] == "downloading" for e in progress)
    assert any(e["state"] == "done" and e.get("to") == "SUCCEEDED" for e in progress)


def test_sdk_updates_over_mutual_tls_with_the_certificate_ota_device_register_issued(local_stack, firmware, device):
    """As on AWS IoT Core: port 8883, mutual TLS, the certificate and key `ota device register` wrote,
    the CA file it copied, and the thing name as client id; the broker takes the identity from the
    certificate and enforces the template's device policy."""
    d = enrolled(device, "secure", tls=True)
    settings = local_stack.registered[(PRODUCT, "secure")]
    assert settings["clientId"] == PRODUCT + "::secure"
    assert settings["mqtt"]["port"] == local_stack.mqtts_port != local_stack.mqtt_port
    assert d.events[0]["event"] == "connected" and d.events[0]["port"] == local_stack.mqtts_port

    job = local_stack.update_devices(PRODUCT, "1.1.0", ["secure"])
    assert sent(job) == ["secure"], job
    assert d.wait_for("md5_check")["ok"] is True
    d.wait_for("reported_done")
    d.wait_for("finished")
    assert d.wait_exit() == 0
    assert execution(local_stack, job["jobId"], "secure")["status"] == "SUCCEEDED"
    assert local_stack.device(PRODUCT, "secure")["currentVersion"] == "1.1.0"


def test_sdk_resumes_after_a_power_loss_mid_download(local_stack, firmware, device, tmp_path):
    workdir = tmp_path / "flash"
    first = enrolled(device, "powerloss", "--die-after-bytes", "120000", workdir=workdir)
    job = local_stack.update_devices(PRODUCT, "1.1.0", ["powerloss"])
    first.wait_for("update_firmware")
    lost = first.wait_for("power_loss")
    assert first.wait_exit() == 9
    kept = lost["downloaded_size"]
    assert 120_000 <= kept < len(FIRMWARE)
    # The device item follows the attempt; the job's row keeps it DELIVERED till it ends (docs/jobs.md).
    assert local_stack.device(PRODUCT, "powerloss")["execStatus"] == "DOWNLOADING"
    assert execution(local_stack, job["jobId"], "powerloss")["status"] == "DELIVERED"

    # Power is back, after the resend cooldown (inside it a version report gets report_version_rsp
    # only: flood control, docs/protocol.md): the same device (same flash) reports 1.0.0 again; the
    # cloud answers and sends update_firmware again with a fresh URL; the SDK resumes from its
    # checkpoint with a Range request.
    time.sleep(resend_cooldown_seconds() + 0.5)
    again = enrolled(device, "powerloss", workdir=workdir)
    update = again.wait_for("update_firmware")
    assert update["md5sum"] == MD5
    start = again.wait_for("download_start")
    assert start["offset"] == kept
    downloaded = again.wait_for("downloaded")
    assert downloaded["fetched_this_run"] == len(FIRMWARE) - kept
    assert again.wait_for("md5_check")["ok"] is True
    again.wait_for("finished")
    assert again.wait_exit() == 0

    row = execution(local_stack, job["jobId"], "powerloss")
    # A checkpoint restart is the same attempt: no retry was spent.
    assert (row["status"], row["attempt"]) == ("SUCCEEDED", 1)
    assert local_stack.device(PRODUCT, "powerloss")["currentVersion"] == "1.1.0"


def test_sdk_resumes_after_its_download_connection_drops(local_stack, firmware, device):
    d = enrolled(device, "dropped")
    local_stack.drop_next_downloads(after_bytes=100_000)
    job = local_stack.update_devices(PRODUCT, "1.1.0", ["dropped"])

    d.wait_for("update_firmware")
    assert d.wait_for("download_start")["offset"] == 0
    failed = d.wait_for("download_failed")
    assert failed["rc"] < 0
    d.wait_for("ota_reinit")

    # The SDK reported fail -1 itself (and the sample app -5); the next version report starts
    # attempt 2 with a fresh URL, and the download resumes where the flash left off.
    d.wait_for("update_firmware")
    start = d.wait_for("download_start")
    assert 0 < start["offset"] <= 100_000
    downloaded = d.wait_for("downloaded")
    assert downloaded["ok"] is True and downloaded["fetched_this_run"] == len(FIRMWARE) - start["offset"]
    assert d.wait_for("md5_check")["ok"] is True
    d.wait_for("finished")
    assert d.wait_exit() == 0

    row = execution(local_stack, job["jobId"], "dropped")
    assert (row["status"], row["attempt"]) == ("SUCCEEDED", 2)
    fails = [e for e in local_stack.function_log() if e.get("event") == "progress_report"
             and e.get("device") == PRODUCT + "/dropped" and e.get("state") == "fail"]
    # Both fail reports arrive (the SDK's -1 and the sample app's -5, one right after the other);
    # IoT invokes Lambda asynchronously, so either may be processed first. Each is kept in the
    # execution's history (docs/protocol.md, "Event time"), but only one of them ends the attempt
    # (attempt 2 above, not 3): the other's write keeps the status it found.
    assert len(fails) == 2, fails
    ended = [e for e in fails if e.get("action") == "transition" and e.get("from") != e.get("to")]
    assert len(ended) == 1 and ended[0].get("resultCode") in (-1, -5), fails


def resend_cooldown_seconds():
    """The template's ResendCooldownSeconds default, which the local stack runs."""
    template = open(os.path.join(os.path.dirname(__file__), "..", "..", "template.yaml"), encoding="utf-8").read()
    return int(re.search(r"\n  ResendCooldownSeconds:\n    Type: Number\n    Default: (\d+)", template).group(1))
