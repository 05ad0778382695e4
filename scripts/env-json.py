#!/usr/bin/env python3
"""Writes env.json for `sam local invoke -n env.json`: every function's environment variables that
template.yaml sets from a resource or a parameter, resolved against a deployed stack, so a function
run in Docker on your machine uses that stack's tables, bucket, queue, topics and IoT endpoint.

    .venv/bin/python scripts/env-json.py [--config-env ENV | --stack-name NAME] > env.json
    .venv/bin/python scripts/env-json.py --stack-description described.json      (tests: no AWS)

The stack is samconfig.toml's stack of ENV (default: default). Values the template writes literally
are left to SAM, which reads them from the template itself."""
import argparse
import json
import os
import re
import sys
import tomllib

from samcli.yamlhelper import yaml_parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def describe(stack_name):
    import boto3
    cfn = boto3.client("cloudformation")
    stack = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
    resources = cfn.get_paginator("list_stack_resources").paginate(StackName=stack_name)
    arn = stack["StackId"].split(":")  # arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>
    return {
        "Pseudo": {"AWS::StackName": stack_name, "AWS::Region": arn[3], "AWS::AccountId": arn[4],
                   "AWS::StackId": stack["StackId"]},
        "Parameters": {p["ParameterKey"]: p.get("ResolvedValue", p.get("ParameterValue")) for p in stack["Parameters"]},
        "PhysicalIds": {r["LogicalResourceId"]: r["PhysicalResourceId"]
                        for page in resources for r in page["StackResourceSummaries"]},
    }


def resolve(value, stack, where):
    """A variable's value in the deployed stack; None for literals (SAM reads those itself)."""
    if isinstance(value, dict) and "Ref" in value:
        name = value["Ref"]
        found = stack["Parameters"].get(name, stack["PhysicalIds"].get(name))
        if found is None:
            sys.exit(f"{where}: the stack has no parameter or resource {name}")
        return found
    if isinstance(value, dict) and value.get("Fn::GetAtt") in (["FirmwareBucketNameParameter", "Value"],
                                                               "FirmwareBucketNameParameter.Value"):
        # FIRMWARE_BUCKET, the bucket in use (template.yaml: FirmwareBucketNameParameter): the
        # existing bucket the stack was given, else the bucket it made.
        return stack["Parameters"].get("ExistingFirmwareBucket") or stack["PhysicalIds"]["FirmwareBucket"]
    if isinstance(value, dict) and "Fn::If" in value:
        condition, when_true, when_false = value["Fn::If"]
        chosen = when_true if holds(stack["Conditions"][condition], stack, where) else when_false
        return resolve(chosen, stack, where) if isinstance(chosen, dict) else chosen
    if isinstance(value, dict) and value.get("Fn::GetAtt") in (["DownloadDistribution", "DomainName"],
                                                               "DownloadDistribution.DomainName"):
        # A distribution's domain is its id under cloudfront.net.
        return stack["PhysicalIds"]["DownloadDistribution"].lower() + ".cloudfront.net"
    if isinstance(value, dict) and isinstance(value.get("Fn::Sub"), str):
        def one(m):
            name = m.group(1)
            for table in (stack.get("Pseudo", {}), stack["Parameters"], stack["PhysicalIds"]):
                if name in table:
                    return table[name]
            sys.exit(f"{where}: the stack has nothing named {name}")
        return re.sub(r"\$\{([^}!]+)\}", one, value["Fn::Sub"])
    if isinstance(value, dict):
        sys.exit(f"{where}: env-json.py cannot resolve {json.dumps(value)}; teach it")
    return None


def holds(condition, stack, where):
    """A template condition, over the stack's parameters (Equals, Not, And, Or, Condition)."""
    if "Condition" in condition:
        return holds(stack["Conditions"][condition["Condition"]], stack, where)
    if "Fn::Equals" in condition:
        a, b = (resolve(v, stack, where) if isinstance(v, dict) else v for v in condition["Fn::Equals"])
        return str(a) == str(b)
    if "Fn::Not" in condition:
        return not holds(condition["Fn::Not"][0], stack, where)
    if "Fn::And" in condition:
        return all(holds(c, stack, where) for c in condition["Fn::And"])
    if "Fn::Or" in condition:
        return any(holds(c, stack, where) for c in condition["Fn::Or"])
    sys.exit(f"{where}: env-json.py cannot evaluate the condition {json.dumps(condition)}; teach it")


def env_json(template, stack):
    stack = {**stack, "Conditions": template.get("Conditions", {})}
    common = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    out = {}
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        own = resource.get("Properties", {}).get("Environment", {}).get("Variables", {})
        variables = {}
        for name, value in {**common, **own}.items():
            resolved = resolve(value, stack, f"{logical_id}.{name}")
            if resolved is not None:
                variables[name] = str(resolved)
        out[logical_id] = variables
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config-env", default="default")
    parser.add_argument("--stack-name")
    parser.add_argument("--stack-description", help="JSON {Pseudo: {AWS::StackName: ...}, Parameters: {...}, PhysicalIds: {...}} instead of AWS")
    parser.add_argument("--template", default=os.path.join(ROOT, "template.yaml"))
    args = parser.parse_args()
    with open(args.template, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    if args.stack_description:
        with open(args.stack_description, encoding="utf-8") as f:
            stack = json.load(f)
    else:
        name = args.stack_name
        if not name:
            with open(os.path.join(ROOT, "samconfig.toml"), "rb") as f:
                name = tomllib.load(f)[args.config_env]["global"]["parameters"]["stack_name"]
        stack = describe(name)
    json.dump(env_json(template, stack), sys.stdout, indent=2, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
