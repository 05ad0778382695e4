"""Facts the documents state that drift when the code changes: how many functions there are, how they
are built, and which `ota` commands exist. (The job limits: cli LimitsAgreeTest.)"""
import os
import re

from conftest import ROOT
from samcli.yamlhelper import yaml_parse

NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10}
DOCS = [os.path.join(ROOT, "README.md")] + [
    os.path.join(ROOT, "docs", f) for f in sorted(os.listdir(os.path.join(ROOT, "docs"))) if f.endswith(".md")]


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def template_functions():
    template = yaml_parse(read(os.path.join(ROOT, "template.yaml")))
    return [k for k, r in template["Resources"].items() if r["Type"] == "AWS::Serverless::Function"]


def makefile_modules():
    text = read(os.path.join(ROOT, "Makefile"))
    return re.search(r"^FUNCTIONS\s*:=\s*(.+)$", text, re.M).group(1).split()


def test_every_count_of_functions_in_the_docs_is_the_templates():
    count = len(template_functions())
    number = "(" + "|".join(NUMBER_WORDS) + r"|\d+)"
    # Totals: "seven Lambda functions", "all seven functions" ("shared by two functions" is no total).
    total = re.compile(r"\b" + number + r"\s+Lambda\s+functions\b|\ball\s+" + number + r"\s+functions\b", re.I)
    assert total.search(read(os.path.join(ROOT, "docs", "operations.md"))), "operations.md states no count"
    wrong = []
    for path in DOCS:
        for m in total.finditer(read(path)):
            word = (m.group(1) or m.group(2)).lower()
            stated = NUMBER_WORDS.get(word) or int(word)
            if stated != count:
                wrong.append("%s: '%s'" % (os.path.relpath(path, ROOT), m.group(0)))
    assert not wrong, "the template has %d functions; the docs say otherwise: %s" % (count, wrong)


def test_the_makefile_builds_every_function_module_and_the_docs_show_that_build():
    modules = sorted(d for d in os.listdir(os.path.join(ROOT, "functions"))
                     if os.path.exists(os.path.join(ROOT, "functions", d, ".lambda-function")))
    assert sorted(makefile_modules()) == modules
    operations = read(os.path.join(ROOT, "docs", "operations.md"))
    shown = re.search(r"mvn -B -q -DskipTests -pl (\S+) -am package", operations).group(1)
    assert shown.split(",") == ["functions/" + m for m in makefile_modules()]


def test_every_ota_command_the_docs_name_exists():
    # Each command group's subcommands: the @Command names of the classes its subcommands list names.
    sources = {}
    for dirpath, _, files in os.walk(os.path.join(ROOT, "cli", "src", "main", "java")):
        for f in files:
            if f.endswith(".java"):
                sources[f[:-len(".java")]] = read(os.path.join(dirpath, f))

    def command_name(source):
        m = re.search(r'@Command\(\s*name\s*=\s*"([a-z-]+)"', source)
        return m.group(1) if m else None

    groups = {}
    for source in sources.values():
        listed = re.search(r"subcommands\s*=\s*\{([^}]*)\}", source)
        if listed and command_name(source):
            groups[command_name(source)] = {
                command_name(sources[c]) for c in re.findall(r"(\w+)\.class", listed.group(1)) if c in sources}
    assert {"firmware", "job", "device", "fleet"} <= set(groups), groups.keys()
    missing = []
    for path in DOCS:
        for group, command in re.findall(r"\bota ([a-z][a-z-]+) ([a-z][a-z-]+)\b", read(path)):
            if group in groups and command not in groups[group]:
                missing.append("%s: ota %s %s" % (os.path.relpath(path, ROOT), group, command))
            if group == "completion" and ("completion" not in names_of(sources) or command not in ("bash", "zsh")):
                missing.append("%s: ota %s %s" % (os.path.relpath(path, ROOT), group, command))
    assert not missing, missing


def names_of(sources):
    return {m for source in sources.values()
            for m in re.findall(r'@Command\(\s*name\s*=\s*"([a-z-]+)"', source)}
