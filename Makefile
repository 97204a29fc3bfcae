# cloudfront-tls-audit: the operator's and developer's interface.
#   make demo   audit a local AWS emulator seeded with healthy and broken distributions
#   make test   fmt, clippy and the whole test suite (unit, emulator, CLI)
#   make bench  benchmarks (results in docs/benchmarks.md)
#   make docs   regenerate docs/findings.md from the catalogue
#   make ccadb  refresh data/public-ca-subjects.txt (public CA names) from the CCADB; needs the network
#   make validate  check template.yaml, template-member.yaml and forwarding.yaml offline (cfn-lint, sam validate --lint), and that broken ones fail
#   make build  the arm64 Lambda deployment zip (cargo lambda build --release --arm64), at most 10 MB
#   make deploy sam build + sam deploy to us-east-1 (guided the first time, or with GUIDED=1)
#   make delete remove the deployed stack
#   make deploy-forwarding REGIONS="eu-west-1 ap-southeast-2"  forward those regions' load balancer and ACM events to us-east-1 (forwarding.yaml)
#   make delete-forwarding REGIONS="..."  remove the forwarding stack from those regions
#   make deploy-org ORGANIZATION_ID=o-... MEMBER_EXTERNAL_ID=... OU_IDS="ou-..." [REGIONS="..."]  the hub (this stack, OrganizationMode=true) and the members' StackSets (docs/operations-organizations.md)
#   make delete-org OU_IDS="ou-..." [REGIONS="..."]  remove the members' StackSets and the hub stack
#   make invoke the Lambda binary on one event (EVENT=events/...), demo account; prints each notification as received (email, Slack)
#   make invoke-arm64  the same with the arm64 deployment artifact, under qemu-user

SHELL := /bin/bash
## A literal comma inside $(call ...) arguments.
, := ,
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

.PHONY: help demo test lint validate unit bench docs ccadb venv tools toolchain arm64-target system-tools build deploy delete deploy-forwarding delete-forwarding deploy-org deploy-org-hub deploy-org-members delete-org delete-org-members delete-org-hub invoke invoke-arm64 freeze freeze-tools clean

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

## The SAM template, the member template and the forwarding template, checked offline (no AWS
## credentials, no network) by both pinned validators, with the project's cfn-lint rules
## (cfn-lint-rules.txt: the runtime and architecture the build produces; cfn-lint also validates the
## state machine's definition). Then the check checks itself: a wrong runtime and an unknown property
## in template.yaml, a state machine state with a misspelled field, an unknown property and a
## misspelled attribute in forwarding.yaml, and an unknown property and a misspelled attribute in
## template-member.yaml, must each be rejected.
validate: tools
	@set -e; export PATH="$(CURDIR)/$(TOOLS_VENV)/bin:$$PATH"; \
	check() { cfn-lint --custom-rules cfn-lint-rules.txt -- "$$1" && sam validate --lint --region us-east-1 --template-file "$$1"; }; \
	for template in template.yaml template-member.yaml forwarding.yaml; do \
		echo "validate: cfn-lint and sam validate --lint on $$template"; \
		check "$$template"; \
	done; \
	broken=$$(mktemp -d); trap 'rm -rf "$$broken"' EXIT; \
	sed 's/Runtime: provided.al2023/Runtime: python3.13/' template.yaml > "$$broken/template-wrong-runtime.yaml"; \
	sed 's/^      MemorySize: 256$$/      MemorySize: 256\n      ReservedConcurrency: 1/' template.yaml > "$$broken/template-unknown-property.yaml"; \
	sed 's/^            ResultPath: \$$.results$$/            ResultsPath: $$.results/' template.yaml > "$$broken/template-state-machine-misspelled.yaml"; \
	sed 's/^      State: ENABLED$$/      State: ENABLED\n      Enabled: true/' forwarding.yaml > "$$broken/forwarding-unknown-property.yaml"; \
	sed 's/RoleArn: !GetAtt ForwardingRole.Arn$$/RoleArn: !GetAtt ForwardingRole.RoleArn/' forwarding.yaml > "$$broken/forwarding-unknown-attribute.yaml"; \
	sed 's/^      MaxSessionDuration: 3600$$/      MaxSessionDuration: 3600\n      Trust: hub/' template-member.yaml > "$$broken/template-member-unknown-property.yaml"; \
	sed 's/RoleArn: !GetAtt ForwardingRole.Arn$$/RoleArn: !GetAtt ForwardingRole.RoleArn/' template-member.yaml > "$$broken/template-member-unknown-attribute.yaml"; \
	for case in template-wrong-runtime template-unknown-property template-state-machine-misspelled forwarding-unknown-property forwarding-unknown-attribute template-member-unknown-property template-member-unknown-attribute; do \
		case $$case in template-member-*) original=template-member.yaml ;; *) original=$${case%%-*}.yaml ;; esac; \
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

## A whole AWS Organization (issue 14; docs/operations-organizations.md explains every variable).
## deploy-org-hub deploys this stack as the organization's hub (OrganizationMode=true), with the hub
## account's credentials (HUB_PROFILE, or the default ones); deploy-org-members deploys the member
## template (us-east-1) and, with REGIONS, forwarding.yaml (those regions) as service-managed
## StackSets to the organizational units OU_IDS, with the management account's or a delegated
## administrator's credentials (STACKSETS_PROFILE; CALL_AS=DELEGATED_ADMIN for the latter). The
## hub's FunctionRoleArn and EventBusArn outputs are read from the hub stack. The hub's other
## parameters (NotificationEmail=..., SecurityHub=true, ...) go in HUB_PARAMETERS. Once a hub, deploy
## it with make deploy-org-hub, not make deploy: samconfig.toml's default parameters say
## OrganizationMode=false.
ORGANIZATION_ID ?=
MEMBER_EXTERNAL_ID ?=
MEMBER_ROLE_NAME ?= cloudfront-tls-audit-member
ACCOUNTS_ROLE_ARN ?=
MAX_CONCURRENCY ?= 10
TOLERATED_FAILURE_PERCENTAGE ?= 10
ACCOUNTS_PER_INVOCATION ?= 1
HUB_PARAMETERS ?=
OU_IDS ?=
HUB_PROFILE ?=
STACKSETS_PROFILE ?=
CALL_AS ?= SELF
HUB_STACK := cloudfront-tls-audit
MEMBER_STACK_SET := cloudfront-tls-audit-member
FORWARDING_STACK_SET := cloudfront-tls-audit-forwarding
HUB_AWS = aws --region us-east-1 $(if $(HUB_PROFILE),--profile $(HUB_PROFILE))
STACKSETS_AWS = aws --region us-east-1 $(if $(STACKSETS_PROFILE),--profile $(STACKSETS_PROFILE))

## Shell helpers for the StackSet targets: the aws CLI present, OU ids given, a hub output read,
## and waiting for a StackSet operation to end (it must succeed).
define org-shell
	command -v aws >/dev/null || { echo "make $@: needs the AWS CLI (aws), e.g. pip install awscli or https://aws.amazon.com/cli/"; exit 2; }; \
	hub_output() { $(HUB_AWS) cloudformation describe-stacks --stack-name $(HUB_STACK) --query "Stacks[0].Outputs[?OutputKey=='$$1'].OutputValue" --output text; }; \
	wait_operation() { \
		while :; do \
			status=$$($(STACKSETS_AWS) cloudformation describe-stack-set-operation --call-as $(CALL_AS) --stack-set-name "$$1" --operation-id "$$2" --query StackSetOperation.Status --output text); \
			case "$$status" in SUCCEEDED) echo "$@: $$1: operation $$2 succeeded"; return 0 ;; RUNNING|QUEUED|STOPPING) sleep 15 ;; \
				*) echo "make $@: StackSet $$1 operation $$2 ended $$status (aws cloudformation list-stack-set-operation-results --stack-set-name $$1 --operation-id $$2 --call-as $(CALL_AS))"; return 1 ;; esac; \
		done; }; \
	ou_ids="$(strip $(OU_IDS))"; \
	if [ -z "$$ou_ids" ]; then echo 'make $@: name the organizational units, e.g. OU_IDS="ou-ab12-34cd5678"'; exit 2; fi; \
	for ou in $$ou_ids; do [[ "$$ou" =~ ^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$$ ]] || { echo "make $@: '$$ou' is not an OU or root id (ou-... or r-...)"; exit 2; }; done; \
	regions="$(strip $(REGIONS))"; \
	for r in $$regions; do \
		[[ "$$r" =~ ^[a-z]{2}(-[a-z]+)+-[0-9]$$ ]] || { echo "make $@: '$$r' is not a region name (e.g. eu-west-1)"; exit 2; }; \
		[ "$$r" != us-east-1 ] || { echo "make $@: not us-east-1 in REGIONS: the member template covers it"; exit 2; }; \
	done
endef

## Creates the StackSet $(1) from template $(2) with parameters $(3) and capability $(4), or updates
## it, then adds its instances in regions $(5) of the OUs; waits for each operation.
define org-stack-set
	if $(STACKSETS_AWS) cloudformation describe-stack-set --call-as $(CALL_AS) --stack-set-name $(1) >/dev/null 2>&1; then \
		echo "$@: updating StackSet $(1)"; \
		op=$$($(STACKSETS_AWS) cloudformation update-stack-set --call-as $(CALL_AS) --stack-set-name $(1) --template-body file://$(2) --capabilities $(4) --permission-model SERVICE_MANAGED --auto-deployment Enabled=true,RetainStacksOnAccountRemoval=false --parameters $(3) --query OperationId --output text); \
		wait_operation $(1) "$$op"; \
	else \
		echo "$@: creating StackSet $(1)"; \
		$(STACKSETS_AWS) cloudformation create-stack-set --call-as $(CALL_AS) --stack-set-name $(1) --template-body file://$(2) --capabilities $(4) --permission-model SERVICE_MANAGED --auto-deployment Enabled=true,RetainStacksOnAccountRemoval=false --parameters $(3) >/dev/null; \
	fi; \
	op=$$($(STACKSETS_AWS) cloudformation create-stack-instances --call-as $(CALL_AS) --stack-set-name $(1) --deployment-targets OrganizationalUnitIds=$$(echo $$ou_ids | tr ' ' ,) --regions $(5) --operation-preferences FailureTolerancePercentage=10,MaxConcurrentPercentage=25,RegionConcurrencyType=PARALLEL --query OperationId --output text); \
	wait_operation $(1) "$$op"
endef

## Removes the instances of StackSet $(1) in regions $(2) of the OUs, then the StackSet (if it exists).
define org-delete-stack-set
	if $(STACKSETS_AWS) cloudformation describe-stack-set --call-as $(CALL_AS) --stack-set-name $(1) >/dev/null 2>&1; then \
		op=$$($(STACKSETS_AWS) cloudformation delete-stack-instances --call-as $(CALL_AS) --stack-set-name $(1) --deployment-targets OrganizationalUnitIds=$$(echo $$ou_ids | tr ' ' ,) --regions $(2) --no-retain-stacks --operation-preferences FailureTolerancePercentage=10,MaxConcurrentPercentage=25,RegionConcurrencyType=PARALLEL --query OperationId --output text); \
		wait_operation $(1) "$$op"; \
		$(STACKSETS_AWS) cloudformation delete-stack-set --call-as $(CALL_AS) --stack-set-name $(1); \
		echo "$@: StackSet $(1) deleted"; \
	else echo "$@: no StackSet $(1)"; fi
endef

deploy-org: deploy-org-hub deploy-org-members

deploy-org-hub: tools arm64-target
	@[[ "$(ORGANIZATION_ID)" =~ ^o-[a-z0-9]{10,32}$$ ]] || { echo 'make $@: ORGANIZATION_ID=o-... (aws organizations describe-organization)'; exit 2; }
	@[ -n "$(MEMBER_EXTERNAL_ID)" ] || { echo 'make $@: MEMBER_EXTERNAL_ID=... (a random string, e.g. openssl rand -hex 16; the same for the members)'; exit 2; }
	$(WITH_TOOLS) sam build
	@$(WITH_TOOLS) sam deploy --config-env org $(if $(HUB_PROFILE),--profile $(HUB_PROFILE)) $(DEPLOY_CONFIRM) --parameter-overrides \
		OrganizationMode=true OrganizationId=$(ORGANIZATION_ID) MemberRoleName=$(MEMBER_ROLE_NAME) \
		MemberExternalId='$(MEMBER_EXTERNAL_ID)' OrganizationAccountsRoleArn='$(ACCOUNTS_ROLE_ARN)' \
		MaxConcurrency=$(MAX_CONCURRENCY) ToleratedFailurePercentage=$(TOLERATED_FAILURE_PERCENTAGE) \
		AccountsPerInvocation=$(ACCOUNTS_PER_INVOCATION) $(HUB_PARAMETERS)

deploy-org-members:
	@set -e; $(org-shell); \
	[[ "$(ORGANIZATION_ID)" =~ ^o-[a-z0-9]{10,32}$$ ]] || { echo 'make $@: ORGANIZATION_ID=o-...'; exit 2; }; \
	[ -n "$(MEMBER_EXTERNAL_ID)" ] || { echo 'make $@: MEMBER_EXTERNAL_ID=... (the hub'"'"'s)'; exit 2; }; \
	role=$$(hub_output FunctionRoleArn); bus=$$(hub_output EventBusArn); \
	[ -n "$$role" ] && [ "$$role" != None ] && [ -n "$$bus" ] && [ "$$bus" != None ] || { echo "make $@: the hub stack $(HUB_STACK) has no FunctionRoleArn or EventBusArn output: make deploy-org-hub first"; exit 1; }; \
	echo "$@: members trust $$role and forward to $$bus"; \
	$(call org-stack-set,$(MEMBER_STACK_SET),template-member.yaml,ParameterKey=HubFunctionRoleArn$(,)ParameterValue=$$role ParameterKey=OrganizationId$(,)ParameterValue=$(ORGANIZATION_ID) ParameterKey=MemberRoleName$(,)ParameterValue=$(MEMBER_ROLE_NAME) ParameterKey=MemberExternalId$(,)ParameterValue='$(MEMBER_EXTERNAL_ID)' ParameterKey=HubEventBusArn$(,)ParameterValue=$$bus,CAPABILITY_NAMED_IAM,us-east-1); \
	if [ -n "$$regions" ]; then \
		$(call org-stack-set,$(FORWARDING_STACK_SET),forwarding.yaml,ParameterKey=TargetEventBusArn$(,)ParameterValue=$$bus,CAPABILITY_IAM,$$regions); \
	fi

delete-org: delete-org-members delete-org-hub

delete-org-members:
	@set -e; $(org-shell); \
	if [ -n "$$regions" ]; then $(call org-delete-stack-set,$(FORWARDING_STACK_SET),$$regions); fi; \
	$(call org-delete-stack-set,$(MEMBER_STACK_SET),us-east-1)

## The results bucket must be empty before CloudFormation can delete it.
delete-org-hub: tools
	@set -e; command -v aws >/dev/null || { echo "make $@: needs the AWS CLI (aws)"; exit 2; }; \
	bucket=$$($(HUB_AWS) cloudformation describe-stacks --stack-name $(HUB_STACK) --query "Stacks[0].Outputs[?OutputKey=='ResultsBucketName'].OutputValue" --output text 2>/dev/null || true); \
	if [ -n "$$bucket" ] && [ "$$bucket" != None ]; then echo "$@: emptying s3://$$bucket"; $(HUB_AWS) s3 rm "s3://$$bucket" --recursive --quiet; fi
	$(WITH_TOOLS) sam delete --config-env org $(if $(HUB_PROFILE),--profile $(HUB_PROFILE)) $(DELETE_CONFIRM)

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
	$(CARGO) bench --locked --bench organization_sweep
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
