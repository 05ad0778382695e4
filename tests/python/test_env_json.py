"""scripts/env-json.py: the env.json `sam local invoke -n env.json` takes, from a deployed stack."""
import json
import os
import subprocess
import sys

from conftest import ROOT
from samcli.yamlhelper import yaml_parse

SCRIPT = os.path.join(ROOT, "scripts", "env-json.py")


def test_every_function_gets_each_variable_the_template_sets_from_the_stack(tmp_path):
    template = yaml_parse(open(os.path.join(ROOT, "template.yaml"), encoding="utf-8").read())
    parameters = {name: "param-" + name for name in template["Parameters"]}
    parameters["ExistingFirmwareBucket"] = ""
    physical = {name: "physical-" + name for name in template["Resources"]}
    described = tmp_path / "stack.json"
    described.write_text(json.dumps({"Pseudo": {"AWS::StackName": "ota-backend-dev", "AWS::Region": "eu-west-1",
                                              "AWS::AccountId": "123456789012"},
                                   "Parameters": parameters, "PhysicalIds": physical}))

    done = subprocess.run([sys.executable, SCRIPT, "--stack-description", str(described)],
                          capture_output=True, text=True, check=True)
    env = json.loads(done.stdout)

    functions = [k for k, r in template["Resources"].items() if r["Type"] == "AWS::Serverless::Function"]
    assert sorted(env) == sorted(functions)
    for function in functions:
        assert env[function]["DEVICES_TABLE"] == "physical-DevicesTable"
        assert env[function]["FIRMWARE_BUCKET"] == "physical-FirmwareBucket"
        assert env[function]["IOT_DATA_ENDPOINT"] == "param-IotDataEndpoint"
        assert env[function]["UPDATE_TOPIC_TEMPLATE"] == "param-UpdateTopicTemplate"
        assert "${" not in json.dumps(env[function]), env[function]
    assert env["VersionReportFunction"]["REPORT_TOPIC_TEMPLATE"] == "param-ReportTopicTemplate"
    assert env["JobWorkerFunction"]["JOB_QUEUE_URL"] == "physical-JobWorkQueue"
    # Literals stay with the template, which SAM reads itself.
    assert "JOB_WORK_BUDGET_SECONDS" not in env["JobWorkerFunction"]


def test_an_existing_firmware_bucket_is_the_functions_bucket(tmp_path):
    template = yaml_parse(open(os.path.join(ROOT, "template.yaml"), encoding="utf-8").read())
    parameters = {name: "param-" + name for name in template["Parameters"]}
    parameters["ExistingFirmwareBucket"] = "plant-firmware-estate"
    # The stack made no bucket.
    physical = {name: "physical-" + name for name in template["Resources"] if name != "FirmwareBucket"}
    described = tmp_path / "stack.json"
    described.write_text(json.dumps({"Pseudo": {"AWS::StackName": "ota-backend-dev", "AWS::Region": "eu-west-1",
                                              "AWS::AccountId": "123456789012"},
                                   "Parameters": parameters, "PhysicalIds": physical}))

    done = subprocess.run([sys.executable, SCRIPT, "--stack-description", str(described)],
                          capture_output=True, text=True, check=True)
    env = json.loads(done.stdout)

    assert {e["FIRMWARE_BUCKET"] for e in env.values()} == {"plant-firmware-estate"}
