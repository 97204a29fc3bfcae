# cloudfront-tls-audit: the operator's and developer's interface.
#   make demo   audit a local AWS emulator seeded with healthy and broken distributions
#   make test   fmt, clippy and the whole test suite (unit, emulator, CLI)
#   make bench  benchmarks (results in docs/benchmarks.md)
#   make docs   regenerate docs/findings.md from the catalogue
#   make ccadb  refresh data/public-ca-subjects.txt (public CA names) from the CCADB; needs the network
#   make validate  check template.yaml and forwarding.yaml offline (cfn-lint, sam validate --lint), and that broken ones fail
#   make build  the arm64 Lambda deployment zip (cargo lambda build --release --arm64), at most 10 MB
#   make deploy sam build + sam deploy to us-east-1 (guided the first time, or with GUIDED=1)
#   make delete remove the deployed stack
#   make deploy-forwarding REGIONS="eu-west-1 ap-southeast-2"  forward those regions' load balancer and ACM events to us-east-1 (forwarding.yaml)
#   make delete-forwarding REGIONS="..."  remove the forwarding stack from those regions
#   make invoke the Lambda binary on one event (EVENT=events/...), demo account; prints each notification as received (email, Slack)
#   make invoke-arm64  the same with the arm64 deployment artifact, under qemu-user

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
CARGO ?= cargo
VENV := .venv
VENV_STAMP := $(VENV)/.installed-$(shell cksum requirements-dev.txt | cut -d' ' -f1)
export MOTO_SERVER := $(CURDIR)/$(VENV)/bin/moto_server
## Deployment tools (aws-sam-cli with its cfn-lint, cargo-lambda, zig) in a second venv: aws-sam-cli pins
## a boto3 older than moto's.
TOOLS_VENV := .venv-tools
TOOLS_STAMP := $(TOOLS_VENV)/.installed-$(shell cksum requirements-tools.txt | cut -d' ' -f1)
WITH_TOOLS := PATH="$(CURDIR)/$(TOOLS_VENV)/bin:$$PATH"
export SAM_CLI_TELEMETRY := 0
LAMBDA_BINARY := cloudfront-tls-audit-lambda
LAMBDA_TARGET := aarch64-unknown-linux-gnu
LAMBDA_ZIP := target/lambda/$(LAMBDA_BINARY)/bootstrap.zip
MAX_ZIP_BYTES := 10485760
EVENT ?= events/scheduler-sweep-input.json

.PHONY: help demo test lint validate unit bench docs ccadb venv tools toolchain arm64-target system-tools build deploy delete deploy-forwarding delete-forwarding invoke invoke-arm64 freeze freeze-tools clean

help:
	@grep -E '^#   make' Makefile | sed 's/^#   //'

## A project-local venv ($(1)) with the pinned requirements ($(2)); the stamp names the requirements'
## checksum, so editing them reinstalls.
define install-venv
	$(PYTHON) -m venv $(1)
	$(1)/bin/pip install --quiet --disable-pip-version-check -r $(2)
	rm -f $(1)/.installed-*
	touch $@
endef

## The pinned emulator (moto server).
venv: $(VENV_STAMP)

$(VENV_STAMP): requirements-dev.txt
	$(call install-venv,$(VENV),requirements-dev.txt)

## The pinned deployment tools.
tools: $(TOOLS_STAMP)

$(TOOLS_STAMP): requirements-tools.txt
	$(call install-venv,$(TOOLS_VENV),requirements-tools.txt)

## rustfmt and clippy come with the default rustup profile; add them if a minimal profile lacks them.
toolchain:
	@command -v rustup >/dev/null && { rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt; } || true
	@command -v rustup >/dev/null && { rustup component list --installed | grep -q '^clippy' || rustup component add clippy; } || true

## openssl serves the legacy-TLS origins the probe tests need (rustls will not speak TLS 1.0 or CBC).
system-tools:
	@command -v openssl >/dev/null || { \
		echo "installing openssl (apt-get)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq openssl; }

demo: venv
	$(CARGO) build --quiet --locked --bin cloudfront-tls-audit
	$(CARGO) run --quiet --locked --example demo

## The SAM template and the forwarding template, checked offline (no AWS credentials, no network) by
## both pinned validators, with the project's cfn-lint rules (cfn-lint-rules.txt: the runtime and
## architecture the build produces). Then the check checks itself: a wrong runtime and an unknown
## property in template.yaml, an unknown property and a misspelled attribute in forwarding.yaml, must
## each be rejected.
validate: tools
	@set -e; export PATH="$(CURDIR)/$(TOOLS_VENV)/bin:$$PATH"; \
	check() { cfn-lint --custom-rules cfn-lint-rules.txt -- "$$1" && sam validate --lint --region us-east-1 --template-file "$$1"; }; \
	for template in template.yaml forwarding.yaml; do \
		echo "validate: cfn-lint and sam validate --lint on $$template"; \
		check "$$template"; \
	done; \
	broken=$$(mktemp -d); trap 'rm -rf "$$broken"' EXIT; \
	sed 's/Runtime: provided.al2023/Runtime: python3.13/' template.yaml > "$$broken/template-wrong-runtime.yaml"; \
	sed 's/^      MemorySize: 256$$/      MemorySize: 256\n      ReservedConcurrency: 1/' template.yaml > "$$broken/template-unknown-property.yaml"; \
	sed 's/^      State: ENABLED$$/      State: ENABLED\n      Enabled: true/' forwarding.yaml > "$$broken/forwarding-unknown-property.yaml"; \
	sed 's/RoleArn: !GetAtt ForwardingRole.Arn$$/RoleArn: !GetAtt ForwardingRole.RoleArn/' forwarding.yaml > "$$broken/forwarding-unknown-attribute.yaml"; \
	for case in template-wrong-runtime template-unknown-property forwarding-unknown-property forwarding-unknown-attribute; do \
		original=$${case%%-*}.yaml; \
		if cmp -s "$$original" "$$broken/$$case.yaml"; then echo "validate self-check: could not make a $$case template"; exit 1; fi; \
		if check "$$broken/$$case.yaml" > "$$broken/$$case.log" 2>&1; then \
			echo "validate self-check: a $$case passed validation"; exit 1; fi; \
		echo "validate self-check: a $$case is rejected: $$(grep -m1 -E '^E[0-9]+' "$$broken/$$case.log")"; \
	done

## The Lambda's arm64 deployment zip, cross-built with cargo-lambda and zig; fails above 10 MB.
build: tools arm64-target
	$(WITH_TOOLS) $(CARGO) lambda build --release --arm64 --locked --bin $(LAMBDA_BINARY) --output-format zip
	@size=$$(stat -c %s $(LAMBDA_ZIP)); \
	echo "deployment zip: $(LAMBDA_ZIP): $$size bytes ($$(( size / 1024 )) KiB, limit $(MAX_ZIP_BYTES))"; \
	[ "$$size" -le $(MAX_ZIP_BYTES) ] || { echo "the deployment zip is over 10 MB: check for a new heavy dependency"; exit 1; }

arm64-target:
	@rustup target list --installed | grep -qx $(LAMBDA_TARGET) || rustup target add $(LAMBDA_TARGET)

## First run (or GUIDED=1): `sam deploy --guided` asks for the parameters and saves them in
## samconfig.toml (already pinned to us-east-1); later runs deploy with what was saved.
deploy: tools arm64-target
	$(WITH_TOOLS) sam build
	@if [ -z "$(GUIDED)" ] && grep -q '^parameter_overrides' samconfig.toml; then \
		$(WITH_TOOLS) sam deploy; \
	else \
		$(WITH_TOOLS) sam deploy --guided; \
	fi

## Removes the stack (sam asks first). The SAM artifact bucket and your CloudTrail trail stay.
delete: tools
	$(WITH_TOOLS) sam delete

## The forwarding stack (forwarding.yaml) in each region of REGIONS, one after the other: the regions
## of load balancers behind your origins, other than us-east-1 (the audit stack's own rules see that
## one; the template refuses it too). Every name is checked before anything is installed or deployed.
## sam runs with an empty config file, not samconfig.toml: its parameters, S3 bucket and stack name
## are the audit stack's, and a template without artifacts needs no bucket. sam shows each changeset
## and asks before applying or deleting it (NO_CONFIRM=1: it does not ask).
FORWARDING_STACK := cloudfront-tls-audit-forwarding
REGIONS ?=
DEPLOY_CONFIRM = $(if $(NO_CONFIRM),--no-confirm-changeset,--confirm-changeset)
DELETE_CONFIRM = $(if $(NO_CONFIRM),--no-prompts)

## $(1): the sam command for one region "$$r", with the empty config file "$$config".
define in-each-forwarding-region
	@regions="$(strip $(REGIONS))"; \
	if [ -z "$$regions" ]; then \
		echo 'make $@: name the regions of the load balancers behind your origins, e.g. make $@ REGIONS="eu-west-1 ap-southeast-2"'; exit 2; fi; \
	for r in $$regions; do \
		if ! [[ "$$r" =~ ^[a-z]{2}(-[a-z]+)+-[0-9]$$ ]]; then echo "make $@: '$$r' is not a region name (e.g. eu-west-1)"; exit 2; fi; \
		if [ "$$r" = us-east-1 ]; then echo "make $@: not us-east-1: the audit stack's own rules see its events"; exit 2; fi; \
	done
	@$(MAKE) --no-print-directory tools
	@set -e; export PATH="$(CURDIR)/$(TOOLS_VENV)/bin:$$PATH"; \
	config=$$(mktemp --suffix .toml); trap 'rm -f "$$config"' EXIT; \
	for r in $(strip $(REGIONS)); do \
		echo "$@: stack $(FORWARDING_STACK) in $$r"; \
		$(1); \
	done
endef

deploy-forwarding:
	$(call in-each-forwarding-region,sam deploy --config-file "$$config" --template-file forwarding.yaml --region "$$r" --stack-name $(FORWARDING_STACK) --capabilities CAPABILITY_IAM --no-fail-on-empty-changeset $(DEPLOY_CONFIRM))

delete-forwarding:
	$(call in-each-forwarding-region,sam delete --config-file "$$config" --region "$$r" --stack-name $(FORWARDING_STACK) $(DELETE_CONFIRM))

## One event through the real Lambda binary, driven by the project's loopback Runtime API emulator,
## against the demo account (local AWS emulator, loopback origins). Prints the function's answer and
## every notification it published, each as people receive it: the email text and the Slack message
## rendered from the chat payload (notify::as_received).
invoke: venv
	$(CARGO) build --quiet --locked --bin $(LAMBDA_BINARY)
	$(CARGO) run --quiet --locked --example demo -- invoke $(EVENT)

## The same, with the deployment artifact itself: the arm64 bootstrap from the zip, run under
## qemu-user with Debian's arm64 glibc (both installed with apt-get if missing).
ARM64_DIR := target/lambda/$(LAMBDA_BINARY)/unzipped
invoke-arm64: venv build
	@command -v qemu-aarch64 >/dev/null && [ -e /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ] || { \
		echo "installing qemu-user and libc6-arm64-cross (apt-get)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq qemu-user libc6-arm64-cross; }
	rm -rf $(ARM64_DIR) && $(PYTHON) -m zipfile -e $(LAMBDA_ZIP) $(ARM64_DIR) && chmod +x $(ARM64_DIR)/bootstrap
	$(CARGO) build --quiet --locked --example demo
	INVOKE_FUNCTION="qemu-aarch64 -L /usr/aarch64-linux-gnu $(ARM64_DIR)/bootstrap" \
		$(CARGO) run --quiet --locked --example demo -- invoke $(EVENT)

lint: toolchain
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --all-targets -- -D warnings

unit:
	$(CARGO) test --locked --lib

test: venv system-tools lint validate
	$(CARGO) test --locked

## The probe bench runs `openssl s_client` against its local origins for comparison.
bench: venv system-tools
	$(CARGO) bench --locked --bench rules
	$(CARGO) bench --locked --bench probe
	$(CARGO) bench --locked --bench chain
	$(CARGO) build --quiet --locked --release --bin cloudfront-tls-audit-lambda --example minimal_lambda
	$(CARGO) bench --locked --bench lambda_startup
	$(CARGO) bench --locked --bench lambda_sweep
	$(CARGO) bench --locked --bench state
	$(CARGO) bench --locked --bench gate
	$(CARGO) bench --locked --bench organization

docs:
	$(CARGO) run --quiet --locked -- catalogue > docs/findings.md

## The names of every CA disclosed to the CCADB (roots and intermediates), which tell a missing public
## intermediate from a private CA (src/rules/chain/public_ca.rs). The only target that needs the
## network; tests and CI read the committed file. One CCADB report per NotBefore year, as the
## committed list was built.
CCADB_URL := https://ccadb.my.salesforce-sites.com/ccadb/AllCertificatePEMsCSVFormat
ccadb:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	last=$$(date -u +%Y); \
	for year in $$(seq 1994 $$last); do \
		curl -fsS --retry 2 --max-time 300 -o "$$tmp/pems-$$year.csv" "$(CCADB_URL)?NotBeforeYear=$$year"; \
	done; \
	$(PYTHON) scripts/ccadb_subjects.py --date "$$(date -u +%F)" \
		--source "$(CCADB_URL)?NotBeforeYear=1994..$$last" data/public-ca-subjects.txt "$$tmp"/*.csv

freeze: venv
	$(VENV)/bin/pip freeze --disable-pip-version-check | grep -v '^moto==' > /tmp/cf-tls-freeze.txt
	{ head -2 requirements-dev.txt; cat /tmp/cf-tls-freeze.txt; grep '^moto\[server\]' requirements-dev.txt; } > requirements-dev.txt.new
	mv requirements-dev.txt.new requirements-dev.txt

freeze-tools: tools
	{ head -2 requirements-tools.txt; $(TOOLS_VENV)/bin/pip freeze --disable-pip-version-check; } > requirements-tools.txt.new
	mv requirements-tools.txt.new requirements-tools.txt

clean:
	$(CARGO) clean
	rm -rf $(VENV) $(TOOLS_VENV) .aws-sam
