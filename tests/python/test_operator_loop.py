"""README's operator loop on the running local stack (the launcher, as `bash ./scripts/local.sh --no-demo`
starts it): the `ota` CLI, signed with SigV4 against the local IAM, on the management API the launcher
serves, uploads firmware and creates a staged job; the scheduler the launcher always runs releases it;
one of the operator's own devices (Tencent's Python SDK) takes the update; `ota job status` sees it end."""
import random
import time


def test_upload_create_a_staged_job_watch_it_and_a_device_updates(local_stack, device, tmp_path):
    product, names = "LOOPPRODUCT", ["loop-1", "loop-2"]
    devices = [device(product, name, "1.0.0", workdir=str(tmp_path / name)) for name in names]
    for d in devices:
        d.wait_for("report_version_rsp", timeout=60)

    firmware = tmp_path / "fw-1.1.0.bin"
    firmware.write_bytes(random.Random(13).randbytes(80_000))
    uploaded = local_stack.ota("--endpoint", local_stack.api, "firmware", "upload", str(firmware),
                               "--product", product, "--version", "1.1.0", "--no-progress")
    assert uploaded["status"] == "AVAILABLE", uploaded

    job = local_stack.ota("--endpoint", local_stack.api, "job", "create", "--product", product, "--version", "1.1.0",
                          "--source-versions", "1.0.0", "--stage", "50%,success=100", "--stage", "100%",
                          "--rate", "60")
    job_id = job["jobId"]
    assert job["stageCount"] == 2, job

    # Nobody ticks the scheduler here but the launcher itself.
    for d in devices:
        d.wait_for("reported_done", timeout=120)
    deadline = time.time() + 60
    status = None
    while time.time() < deadline:
        status = local_stack.ota("--endpoint", local_stack.api, "job", "status", job_id)
        if status["job"]["state"] == "COMPLETED":
            break
        time.sleep(1)
    assert status["job"]["state"] == "COMPLETED", status
    assert status["statistics"]["counts"]["SUCCEEDED"] == 2, status
    # The job completes on `done`; the device's own report of its new version follows (about 2 s
    # later, after the SDK restarts on it), and only that report moves currentVersion.
    for name in names:
        deadline = time.time() + 60
        while local_stack.device(product, name)["currentVersion"] != "1.1.0" and time.time() < deadline:
            time.sleep(1)
        assert local_stack.device(product, name)["currentVersion"] == "1.1.0"
