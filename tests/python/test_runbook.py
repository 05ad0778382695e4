"""docs/operations.md's device runbook, run against the local stack: its `ota device register` command
(taken from the document, with the local stand-ins' endpoints added), then Tencent's Python SDK flashed
with the files and settings it printed, over mutual TLS, to its first update."""
import os
import random
import shlex

from conftest import ROOT, sent

RUNBOOK = os.path.join(ROOT, "docs", "operations.md")


RUNBOOK_VERSION = "3.1.0"


def runbook_register_command():
    text = open(RUNBOOK, encoding="utf-8").read()
    start = text.index("### Devices on AWS IoT Core")
    block = text[text.index("```sh", start) + len("```sh"):]
    block = block[:block.index("```")]
    lines = [line.strip() for line in block.strip().splitlines()]
    command = " ".join(line[:-1].strip() if line.endswith("\\") else line for line in lines)
    args = shlex.split(command)
    assert args[:3] == ["ota", "device", "register"], args
    return args[1:]


def test_the_runbook_from_certificate_to_first_update(local_stack, device, tmp_path):
    args = runbook_register_command()
    # AWS's CA and endpoint are the local stack's here; everything else is the document's.
    args[args.index("--root-ca") + 1] = local_stack.ca_file
    args[args.index("--out") + 1] = str(tmp_path / "devices")
    args[args.index("--policy") + 1] = local_stack.device_policy
    settings = local_stack.ota(*args, "--mqtt-endpoint", "%s:%d" % (local_stack.mqtt_host, local_stack.mqtts_port))
    product, name = settings["productId"], settings["deviceName"]
    assert settings["clientId"] == settings["thingName"] == "%s::%s" % (product, name)
    assert settings["created"] == {"thing": True, "certificate": True}
    for f in ("certificate", "privateKey", "rootCa"):
        assert os.path.exists(settings["files"][f]), f
    # Idempotent: the same certificate, nothing created.
    again = local_stack.ota(*args, "--mqtt-endpoint", "%s:%d" % (local_stack.mqtt_host, local_stack.mqtts_port))
    assert again["certificateId"] == settings["certificateId"] and again["created"] == {"thing": False, "certificate": False}

    local_stack.registered[(product, name)] = settings
    firmware = random.Random(9).randbytes(50_000)
    # A version of its own: the session's stack also runs every sample event (test_invoke_script),
    # which registers the runbook's product at 1.1.0 with other bytes.
    assert local_stack.register_firmware(product, RUNBOOK_VERSION, firmware)["outcome"] == "REGISTERED"
    d = device(product, name, "1.0.0", tls=True, workdir=str(tmp_path / "flash"))
    d.wait_for("report_version_rsp", timeout=60)
    job = local_stack.update_devices(product, RUNBOOK_VERSION, [name])
    assert sent(job) == [name], job
    d.wait_for("reported_done")
    d.wait_for("finished")
    assert d.wait_exit() == 0
    assert local_stack.device(product, name)["currentVersion"] == RUNBOOK_VERSION

    # Deregistered, the device is refused: its certificate is gone from the registry.
    removed = local_stack.ota("device", "deregister", "--product", product, "--device", name)
    assert removed["thingDeleted"] is True and removed["certificatesDeleted"] == [settings["certificateId"]]
