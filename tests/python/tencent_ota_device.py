"""A device application built on Tencent's Python device SDK (PyPI tencent-iot-device 1.0.0),
following the SDK's own OTA sample (hub/sample/ota/example_ota.py in tencentyun/iot-device-python):
report the running version, wait ~1 s for report_version_rsp, wait for update_firmware, download
with the SDK (resuming from a local {version, downloaded_size} checkpoint file), let the SDK check
the MD5, report the result, then - as the device would after rebooting into the new firmware -
report the new version.

The SDK keeps one MQTT connection per process (its hub and connection classes are singletons), so
each device runs in its own process: tests start this script with subprocess. It prints one JSON
object per line (events) for the test to follow.

Usage: python tencent_ota_device.py --host H --port P --product P --device D --version V
       --workdir DIR [--die-after-bytes N] [--timeout S]
"""
import argparse
import json
import os
import sys
import time

from hub.hub import QcloudHub


class OtaCmdType:
    """The SDK's OtaCmdType values (ota_ioctl_* compare .value)."""

    class _Cmd:
        def __init__(self, value):
            self.value = value

    FETCHED_SIZE = _Cmd(0)
    FILE_SIZE = _Cmd(1)
    MD5SUM = _Cmd(2)
    VERSION = _Cmd(3)
    CHECK_FIRMWARE = _Cmd(4)


def emit(event, **fields):
    fields["event"] = event
    fields["t"] = round(time.time(), 3)
    print(json.dumps(fields), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--product", required=True)
    parser.add_argument("--device", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--die-after-bytes", type=int, default=0,
                        help="power loss: exit abruptly once this many firmware bytes are on 'flash'")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--client-id", required=True,
                        help="the device's thing name, as `ota device register` prints it (the SDK would use productId+deviceName)")
    parser.add_argument("--ca", help="mutual TLS: the CA file the broker's certificate chains to")
    parser.add_argument("--cert", help="mutual TLS: the device certificate `ota device register` wrote")
    parser.add_argument("--key", help="mutual TLS: its private key")
    args = parser.parse_args()
    tls = bool(args.cert)

    os.makedirs(args.workdir, exist_ok=True)
    os.chdir(args.workdir)
    device_file = os.path.join(args.workdir, "device_info.json")
    with open(device_file, "w") as f:
        json.dump({
            "auth_mode": "CERT" if tls else "KEY",
            "productId": args.product,
            "deviceName": args.device,
            "productSecret": "YOUR_PRODUCT_SECRET",
            # The SDK derives its MQTT password from this (base64); the local broker accepts anyone.
            "key_deviceinfo": {"deviceSecret": "bG9jYWwtZGV2aWNlLXNlY3JldA=="},
            "cert_deviceinfo": {"devCaFile": args.ca or "", "devCertFile": args.cert or "", "devPrivateKeyFile": args.key or ""},
            "region": "ap-guangzhou",
        }, f)

    qcloud = QcloudHub(device_file=device_file, tls=tls).hub
    point_at_local_broker(qcloud, args.host, args.port, args.client_id)

    state = {"rsp": None, "connected": False}

    def on_connect(flags, rc, userdata):
        state["connected"] = rc == 0

    def on_disconnect(rc, userdata):
        state["connected"] = False

    def on_message(topic, payload, qos, userdata):
        pass

    def on_publish(mid, userdata):
        pass

    def on_subscribe(granted_qos, mid, userdata):
        pass

    def on_unsubscribe(mid, userdata):
        pass

    def on_ota_report(topic, qos, payload, userdata):
        # report_version_rsp, handed over by the SDK as the parsed JSON object.
        state["rsp"] = payload
        emit("report_version_rsp", topic=topic, payload=payload)

    deadline = time.time() + args.timeout
    qcloud.registerMqttCallback(on_connect, on_disconnect, on_message, on_publish, on_subscribe, on_unsubscribe)
    qcloud.connect()
    while not qcloud.isMqttConnected():
        if time.time() > deadline:
            emit("error", reason="no MQTT connection")
            return 2
        time.sleep(0.1)
    emit("connected", host=args.host, port=args.port)

    rc, mid = qcloud.otaInit(args.product, args.device, on_ota_report)
    if rc != 0:
        emit("error", reason="otaInit failed", rc=rc)
        return 2
    emit("ota_init")

    product, device = args.product, args.device
    running = args.version
    while time.time() < deadline:
        state["rsp"] = None
        qcloud.otaReportVersion(product, device, running)
        emit("report_version", version=running)
        time.sleep(1)  # the SDK sample waits 1 s for report_version_rsp
        rsp = state["rsp"]
        if rsp is None or rsp.get("result_code") != 0:
            emit("no_report_version_rsp", rsp=rsp)
            time.sleep(2)
            continue
        if rsp.get("version") == running and state.get("updated"):
            emit("finished", version=running)
            return 0

        # Wait for update_firmware (the SDK sets its state to FETCHING when it arrives).
        while not qcloud.otaIsFetching(product, device):
            if time.time() > deadline:
                emit("error", reason="no update_firmware")
                return 3
            time.sleep(0.2)

        file_size, st = qcloud.otaIoctlNumber(product, device, OtaCmdType.FILE_SIZE)
        version, _ = qcloud.otaIoctlString(product, device, OtaCmdType.VERSION, 32)
        md5sum, _ = qcloud.otaIoctlString(product, device, OtaCmdType.MD5SUM, 32)
        emit("update_firmware", file_size=file_size, file_size_type=type(file_size).__name__, version=version, md5sum=md5sum)

        fw_path = "./FW_%s.bin" % version
        info_path = "./FW_%s.json" % version
        offset = checkpoint(qcloud, product, device, info_path, fw_path, version, file_size)
        emit("download_start", offset=offset)
        rc = qcloud.otaDownloadStart(product, device, offset, file_size)
        if rc != 0:
            emit("download_start_failed", rc=rc)
            qcloud.otaReportUpgradeFail(product, device, None)
            time.sleep(2)
            continue

        fetched_now = 0
        ok = True
        while not qcloud.otaIsFetchFinished(product, device):
            buf, n = qcloud.otaFetchYield(product, device, 5000)
            if n > 0:
                with open(fw_path, "ab" if offset > 0 or fetched_now > 0 else "wb") as f:
                    f.write(buf)
                fetched_now += n
                size, _ = qcloud.otaIoctlNumber(product, device, OtaCmdType.FETCHED_SIZE)
                with open(info_path, "w") as f:
                    json.dump({"version": version, "downloaded_size": size}, f)
                if args.die_after_bytes and size >= args.die_after_bytes:
                    emit("power_loss", downloaded_size=size, fetched_this_run=fetched_now)
                    os._exit(9)
            elif n < 0:
                emit("download_failed", rc=n)
                ok = False
                break
            else:
                # The SDK reads with http.client's read(amt), which returns b"" (no exception) when
                # the server closes the connection early; the sample would loop here forever.
                emit("download_failed", rc=0, reason="connection closed early")
                ok = False
                break
        emit("downloaded", fetched_this_run=fetched_now, offset=offset, ok=ok)
        if not ok:
            # The SDK's OTA handle adds the resume offset to the byte count it already holds
            # (Ota.ota_download_start: size_fetched += offset), so resuming on the same handle
            # would count the first part twice and stop early. A rebooted device starts with a
            # fresh handle; a device that stays up gets one from otaInit.
            qcloud.otaReportUpgradeFail(product, device, None)
            emit("reported_fail", version=version)
            rc, mid = qcloud.otaInit(product, device, on_ota_report)
            emit("ota_reinit", rc=rc)
            time.sleep(2)
            continue
        if ok:
            os.remove(info_path)
            valid, why = qcloud.otaIoctlNumber(product, device, OtaCmdType.CHECK_FIRMWARE)
            ok = valid == 0
            emit("md5_check", ok=ok, detail=why)
        if ok:
            qcloud.otaReportUpgradeSuccess(product, device, None)
            emit("reported_done", version=version)
            running = version  # "rebooted" into the new firmware
            state["updated"] = True
        else:
            qcloud.otaReportUpgradeFail(product, device, None)
            emit("reported_fail", version=version)
        time.sleep(2)
    emit("error", reason="timeout")
    return 4


def checkpoint(qcloud, product, device, info_path, fw_path, version, file_size):
    """The sample's resume logic: same version in the info file -> resume from its size, with the
    MD5 context rebuilt from the bytes already on flash."""
    if not os.path.exists(info_path) or not os.path.exists(fw_path):
        return 0
    with open(info_path) as f:
        info = json.load(f)
    size = int(info.get("downloaded_size", 0))
    if info.get("version") != version or size <= 0 or size > file_size or os.path.getsize(fw_path) < size:
        return 0
    qcloud.otaResetMd5(product, device)
    with open(fw_path, "rb") as f:
        remaining = size
        while remaining > 0:
            chunk = f.read(min(5000, remaining))
            if not chunk:
                break
            qcloud.otaMd5Update(product, device, chunk)
            remaining -= len(chunk)
    with open(fw_path, "r+b") as f:
        f.truncate(size)
    return size


def point_at_local_broker(qcloud, host, port, client_id):
    """The SDK has no setting for its broker address: it connects to {productId}.iotcloud.tencentdevices.com
    (or {productId}{domain}) on a fixed 1883 (plain) / 8883 (TLS). A laptop stand-in is at host:port, so
    set those fields of the SDK's connection object. Nor has it one for its MQTT client id, which it
    builds as productId+deviceName: on AWS (and the local stack, which enforces the same device policy)
    a device connects as its thing, so set the paho client's id to the thing name. Nothing the SDK
    sends or expects otherwise changes."""
    protocol = qcloud._QcloudHubProvider__protocol
    protocol._AsyncConnClient__host = host
    protocol._AsyncConnClient__mqtt_tcp_port = port
    protocol._AsyncConnClient__mqtt_tls_port = port
    protocol._AsyncConnClient__mqtt_client._client_id = client_id.encode("utf-8")


if __name__ == "__main__":
    sys.exit(main())
