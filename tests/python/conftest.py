"""Fixtures for tests that run Tencent's Python device SDK against the local OTA stack.

`local_stack` starts the project's own launcher (dev.ota.local.launcher.LocalMain --no-demo) once per
session, on free ports, and reads where everything listens from its --ready-file. The Java
classpath comes from local/demo/target/classpath.txt, which every Maven build of the reactor writes;
when it is missing or older than the sources, the fixture runs `mvn -q -B -DskipTests package`.
"""
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# The launcher's module (local/demo): its classes and the classpath file its build writes.
LAUNCHER_MODULE = os.path.join(ROOT, "local", "demo")
LAUNCHER = "dev.ota.local.launcher.LocalMain"
CLASSPATH_FILE = os.path.join(LAUNCHER_MODULE, "target", "classpath.txt")
CLASSES = os.path.join(LAUNCHER_MODULE, "target", "classes")
DEVICE_APP = os.path.join(os.path.dirname(__file__), "tencent_ota_device.py")
STARTUP_TIMEOUT = 180


def sent(response):
    """The devices an update-devices call sent update_firmware to, or left to the scheduler's next tick:
    when the stack's scheduler (every 500 ms) takes a new job's first release before the call does, the
    call answers "queued: ..." for it (UpdateDevicesService); either way the device gets the update."""
    queued = [d for d, why in response.get("skipped", {}).items() if why.startswith("queued")]
    return sorted(response["delivered"] + queued)


def _newest_source_mtime():
    newest = os.path.getmtime(os.path.join(ROOT, "pom.xml"))
    for top in ("shared", "functions", "local"):
        for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, top)):
            dirnames[:] = [d for d in dirnames if d not in ("target", "test")]
            for name in filenames:
                if name.endswith((".java", ".xml", ".yaml", ".properties")):
                    newest = max(newest, os.path.getmtime(os.path.join(dirpath, name)))
    return max(newest, os.path.getmtime(os.path.join(ROOT, "template.yaml")))


def _classpath():
    """The launcher's classpath, building the reactor first when it is missing or stale."""
    stale = (not os.path.exists(CLASSPATH_FILE)
             or os.path.getmtime(CLASSPATH_FILE) < _newest_source_mtime())
    if not stale:
        with open(CLASSPATH_FILE) as f:
            entries = f.read().strip().split(os.pathsep)
        stale = not all(os.path.exists(e) for e in entries) or not os.path.isdir(CLASSES)
    if stale:
        subprocess.run(["mvn", "-q", "-B", "-DskipTests", "package"], cwd=ROOT, check=True)
    with open(CLASSPATH_FILE) as f:
        return CLASSES + os.pathsep + f.read().strip()


class LocalStack:
    def __init__(self, endpoints, log_path):
        self.endpoints = endpoints
        self.log_path = log_path
        self.mqtt_host = endpoints["mqtt"]["host"]
        self.mqtt_port = endpoints["mqtt"]["port"]
        self.mqtts_port = endpoints["mqtts"]["port"]
        self.ca_file = endpoints["mqtts"]["caFile"]
        self.iot_endpoint = endpoints["iot"]["endpoint"]
        self.device_policy = endpoints["iot"]["devicePolicy"]
        self.registered = {}
        self.admin = endpoints["admin"]["endpoint"]
        self.api = endpoints["api"]["endpoint"]

    def _call(self, method, path, body=None, content_type="application/json"):
        request = urllib.request.Request(self.admin + path, data=body, method=method,
                                         headers={"Content-Type": content_type})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def register_firmware(self, product_id, version, data):
        """Uploads firmware and delivers the S3 event to FirmwareRegistrationFunction."""
        return self._call("POST", "/firmware/%s/%s" % (product_id, version), data, "application/octet-stream")

    def invoke(self, function, event):
        return self._call("POST", "/invoke/" + function, json.dumps(event).encode())

    def update_devices(self, product_id, version, device_names):
        return self.invoke("UpdateDevicesFunction",
                           {"productId": product_id, "version": version, "deviceNames": device_names})

    def job(self, job_id):
        return self._call("GET", "/jobs/" + job_id)

    def device(self, product_id, device_name):
        return self._call("GET", "/devices/%s/%s" % (product_id, device_name))

    def drop_next_downloads(self, after_bytes, count=1):
        return self._call("POST", "/faults/drop-downloads?afterBytes=%d&count=%d" % (after_bytes, count), b"")

    def ota(self, *args):
        """Runs the real `ota` CLI (dev.ota.cli.OtaCli, on the launcher's classpath) against the local stack."""
        env = dict(os.environ, AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="localsecret", AWS_REGION="us-east-1",
                   OTA_IOT_ENDPOINT=self.iot_endpoint, OTA_DEVICE_POLICY=self.device_policy)
        done = subprocess.run(["java", "-cp", _classpath(), "dev.ota.cli.OtaCli", "--output", "json", *args],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        return json.loads(done.stdout)

    def register(self, product_id, device_name, out_dir):
        """`ota device register` against the local stack: thing, certificate, policy; the settings it printed."""
        key = (product_id, device_name)
        if key not in self.registered:
            self.registered[key] = self.ota("device", "register", "--product", product_id, "--device", device_name,
                                            "--out", str(out_dir), "--root-ca", self.ca_file,
                                            "--mqtt-endpoint", "%s:%d" % (self.mqtt_host, self.mqtts_port))
        return self.registered[key]

    def function_log(self):
        with open(self.log_path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.startswith("{")]


@pytest.fixture(scope="session")
def local_stack():
    classpath = _classpath()
    work = tempfile.mkdtemp(prefix="ota-local-pytest-")
    ready = os.path.join(work, "ready.json")
    logs = os.path.join(work, "logs")
    out = open(os.path.join(work, "launcher.out"), "w")
    command = ["java", "-cp", classpath, LAUNCHER, "--no-demo",
               "--mqtt-port", "0", "--mqtts-port", "0", "--s3-port", "0", "--s3-bucket-port", "0", "--dynamodb-port", "0",
               "--iot-data-port", "0", "--admin-port", "0", "--api-port", "0", "--ready-file", ready, "--log-dir", logs]
    process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.time() + STARTUP_TIMEOUT
    while not os.path.exists(ready):
        if process.poll() is not None or time.time() > deadline:
            process.kill()
            out.close()
            with open(out.name) as f:
                raise RuntimeError("the local stack did not start:\n" + f.read())
        time.sleep(0.2)
    with open(ready) as f:
        stack = LocalStack(json.load(f), os.path.join(logs, "functions.log"))
    yield stack
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    out.close()


class DeviceProcess:
    """One device application process (Tencent's SDK allows one connection per process)."""

    def __init__(self, stack, product_id, device_name, version, workdir, *extra, tls=False):
        self.events = []
        self._queue = queue.Queue()
        settings = stack.register(product_id, device_name, os.path.join(os.path.dirname(workdir), "certificates"))
        connection = ["--host", stack.mqtt_host, "--port", str(stack.mqtt_port)]
        if tls:
            files = settings["files"]
            connection = ["--host", settings["mqtt"]["host"], "--port", str(settings["mqtt"]["port"]),
                          "--ca", files["rootCa"], "--cert", files["certificate"], "--key", files["privateKey"]]
        self.process = subprocess.Popen(
            [sys.executable, DEVICE_APP, *connection, "--client-id", settings["clientId"],
             "--product", product_id, "--device", device_name, "--version", version, "--workdir", workdir,
             "--timeout", "90", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            line = line.strip()
            if line.startswith("{"):
                try:
                    self._queue.put(json.loads(line))
                    continue
                except ValueError:
                    pass
            self._queue.put({"event": "output", "line": line})
        self._queue.put(None)

    def wait_for(self, event, timeout=60):
        """The next event of that name; earlier events are kept in self.events."""
        deadline = time.time() + timeout
        while True:
            try:
                item = self._queue.get(timeout=max(0.1, deadline - time.time()))
            except queue.Empty:
                item = None
                if time.time() < deadline:
                    continue
            if item is None:
                raise AssertionError("no %r event; the device said:\n%s" % (event, self.transcript()))
            self.events.append(item)
            if item.get("event") == event:
                return item
            if item.get("event") == "error":
                raise AssertionError("device error %r; the device said:\n%s" % (item, self.transcript()))

    def all(self, event):
        return [e for e in self.events if e.get("event") == event]

    def transcript(self):
        return "\n".join(json.dumps(e) for e in self.events)

    def wait_exit(self, timeout=30):
        code = self.process.wait(timeout=timeout)
        while True:  # drain what is left
            try:
                item = self._queue.get(timeout=2)
            except queue.Empty:
                break
            if item is None:
                break
            self.events.append(item)
        return code

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def device(local_stack, tmp_path):
    started = []

    def start(product_id, device_name, version, *extra, workdir=None, tls=False):
        d = DeviceProcess(local_stack, product_id, device_name, version, str(workdir or tmp_path / device_name), *extra, tls=tls)
        started.append(d)
        return d

    yield start
    for d in started:
        d.kill()
