"""The README's first command, minus the build: the launcher runs the demo and its exit status
is the outcome (here with a small fleet, on free ports, stopping after the summary)."""
import os
import subprocess

from conftest import LAUNCHER, ROOT, _classpath


def test_demo_runs_and_its_exit_status_is_the_outcome(tmp_path):
    process = subprocess.Popen(
        ["java", "-cp", _classpath(), LAUNCHER, "--devices", "6", "--seed", "3", "--exit-after-demo",
         "--mqtt-port", "0", "--mqtts-port", "0", "--s3-port", "0", "--s3-bucket-port", "0", "--dynamodb-port", "0", "--iot-data-port", "0",
         "--admin-port", "0", "--api-port", "0", "--log-dir", str(tmp_path)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = process.communicate(timeout=240)
    except subprocess.TimeoutExpired:
        # Where is it stuck? The thread dump goes into the failure message.
        dump = subprocess.run(["jstack", str(process.pid)], capture_output=True, text=True).stdout
        process.terminate()
        try:
            out, err = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
        raise AssertionError("the launcher did not finish in 240 s\n" + out + err + "\n" + dump)
    assert process.returncode == 0, out + err
    assert "Outcome: AS EXPECTED" in out
    # One staged job: the engine released the canary, passed it, released the rest, completed.
    assert "stage 1/2 canary: the scheduler released its 1 device" in out
    assert "stage 1/2 canary passed" in out and "1 of 1 succeeded, at or above 100%" in out
    assert "stage 2/2 rest: the scheduler released its 5 devices" in out
    assert "COMPLETED (every device finished)" in out
    assert "statistics: 6 targets, succeeded 5, failed 1, in progress 0, queued 0" in out
    assert "5 of 6 devices SUCCEEDED" in out
    assert 'FAILED after 3 of 3 attempts: result_code -4 "md5 mismatch"' in out
    # Not a terminal: plain progress lines, no cursor control.
    assert "\r" not in out and "\033[" not in out
    # The functions' log lines went to the log file, not to the console.
    assert os.path.getsize(tmp_path / "functions.log") > 0
    assert '"component":"version-report"' not in out
