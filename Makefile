# Root Makefile: the build entry points for `sam build` and a few developer shortcuts.
#
# `sam build` (template.yaml: Metadata.BuildMethod: makefile, CodeUri: .) runs
# `make build-<LogicalId>` once per function with ARTIFACTS_DIR set to that function's
# .aws-sam/build/<LogicalId> folder. samconfig.toml sets build_in_source = true, so make runs
# here in the repository (no copy of the repo, .venv/ and target/ included, into a scratch dir).
#
# All function jars come from ONE Maven reactor run (the first build-* target triggers it;
# the others find the jars newer than every source and reuse them). Parallel Maven
# runs in one tree would race on shared/*/target, so sam builds these targets one after another
# (parallel = false in samconfig.toml), and a lock (flock target/.lambda-jars.lock) makes targets
# run in parallel (sam sync always does) wait for the one Maven run.

SHELL := /bin/bash
.DEFAULT_GOAL := help

MVN         ?= mvn
MVN_FLAGS   ?= -B -q -ntp -Dstyle.color=never -DskipTests
VERSION     := 1.0.0-SNAPSHOT
FUNCTIONS   := version-report progress-report update-devices firmware-registration management-api job-engine
VENV        ?= .venv
SAM         ?= $(VENV)/bin/sam

comma := ,
empty :=
space := $(empty) $(empty)

# functions/<name>/target/<name>-1.0.0-SNAPSHOT-lambda.jar: the shaded jar of one function.
lambda_jar   = functions/$(1)/target/$(1)-$(VERSION)-lambda.jar
JARS        := $(foreach f,$(FUNCTIONS),$(call lambda_jar,$(f)))
# Everything the function jars are built from (shared libraries, functions, root pom).
SOURCES     := pom.xml $(shell find shared functions -name target -prune -o -type f -print 2>/dev/null)

export SAM_CLI_TELEMETRY ?= 0

.PHONY: help bootstrap test package lambda-jars validate build deploy sync clean \
        build-VersionReportFunction build-ProgressReportFunction \
        build-UpdateDevicesFunction build-FirmwareRegistrationFunction build-ManagementApiFunction \
        build-JobSchedulerFunction build-JobWorkerFunction

help:
	@echo "make bootstrap   install build/test tools (apt packages, .venv, Maven deps)"
	@echo "make test        the full test command (scripts/test.sh)"
	@echo "make package     build the Lambda jars (one Maven reactor run)"
	@echo "make validate    sam validate --lint"
	@echo "make build       sam build (into .aws-sam/build)"
	@echo "make deploy      sam deploy --config-env \$$ENV (default|dev|prod; looks up the IoT data endpoint)"
	@echo "make sync        sam sync --config-env \$$ENV (dev loop: watch, code-only updates)"
	@echo "make clean       remove build outputs"

bootstrap:
	scripts/bootstrap.sh

test:
	scripts/test.sh

# ---- Lambda artifacts -------------------------------------------------------------------

# The jars are fresh when each exists and no source is newer than it: then they are reused as
# they are (e.g. right after `mvn verify`, or for the 2nd..4th function of one `sam build`).
lambda-jars:
	@stale=0; \
	for j in $(JARS); do \
	  if [ ! -f "$$j" ] || [ -n "$$(find $(SOURCES) -newer "$$j" -print -quit)" ]; then stale=1; fi; \
	done; \
	if [ $$stale = 1 ]; then \
	  echo "==> mvn package: $(FUNCTIONS)"; \
	  $(MVN) $(MVN_FLAGS) -pl $(subst $(space),$(comma),$(addprefix functions/,$(FUNCTIONS))) -am package; \
	else \
	  echo "==> function jars are up to date"; \
	fi

package: lambda-jars

# $(call unpack,<module>): unzip the function's shaded jar into sam's ARTIFACTS_DIR
# (classes at the root of the zip, as the Lambda Java runtime expects).
define unpack
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set (this target is run by sam build)" >&2; exit 2; }
	@mkdir -p target
	@# sam sync builds every function at once: the first target runs Maven, the others wait on the lock.
	@flock target/.lambda-jars.lock $(MAKE) --no-print-directory lambda-jars
	@mkdir -p "$(ARTIFACTS_DIR)"
	unzip -q -o $(call lambda_jar,$(1)) -d "$(ARTIFACTS_DIR)"
endef

build-VersionReportFunction:
	$(call unpack,version-report)

build-ProgressReportFunction:
	$(call unpack,progress-report)

build-UpdateDevicesFunction:
	$(call unpack,update-devices)

build-FirmwareRegistrationFunction:
	$(call unpack,firmware-registration)

# Both job scheduler functions run from the job-engine module's jar (two handler classes).
build-JobSchedulerFunction:
	$(call unpack,job-engine)

build-JobWorkerFunction:
	$(call unpack,job-engine)
build-ManagementApiFunction:
	$(call unpack,management-api)

# ---- SAM ----------------------------------------------------------------------------------

validate:
	$(SAM) validate --lint

build:
	$(SAM) build

# ENV is a samconfig.toml environment (default, dev, prod); IOT_DATA_ENDPOINT defaults to this
# account's iot:Data-ATS endpoint (needs AWS credentials). See scripts/deploy.sh.
ENV ?= default
deploy: build
	scripts/deploy.sh $(ENV)

sync:
	scripts/deploy.sh $(ENV) sync

clean:
	rm -rf .aws-sam
	$(MVN) -B -q -ntp clean
