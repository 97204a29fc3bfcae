# cloudfront-tls-audit: the operator's and developer's interface.
#   make demo   audit a local AWS emulator seeded with healthy and broken distributions
#   make test   fmt, clippy and the whole test suite (unit, emulator, CLI)
#   make bench  benchmarks (results in docs/benchmarks.md)
#   make docs   regenerate docs/findings.md from the catalogue
#   make validate  check template.yaml offline (cfn-lint)

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
CARGO ?= cargo
VENV := .venv
VENV_STAMP := $(VENV)/.installed-$(shell cksum requirements-dev.txt | cut -d' ' -f1)
export MOTO_SERVER := $(CURDIR)/$(VENV)/bin/moto_server

.PHONY: help demo test lint validate unit bench docs venv toolchain system-tools freeze clean

help:
	@grep -E '^#   make' Makefile | sed 's/^#   //'

## Project-local Python venv with the pinned emulator (moto server).
venv: $(VENV_STAMP)

$(VENV_STAMP): requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

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

## The SAM template, checked offline (no AWS credentials) with the pinned cfn-lint.
validate: venv
	$(VENV)/bin/cfn-lint template.yaml

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
	$(CARGO) build --quiet --locked --release --bin cloudfront-tls-audit-lambda --example minimal_lambda
	$(CARGO) bench --locked --bench lambda_startup
	$(CARGO) bench --locked --bench lambda_sweep

docs:
	$(CARGO) run --quiet --locked -- catalogue > docs/findings.md

freeze: venv
	$(VENV)/bin/pip freeze --disable-pip-version-check | grep -v '^moto==' > /tmp/cf-tls-freeze.txt
	{ head -2 requirements-dev.txt; cat /tmp/cf-tls-freeze.txt; grep '^moto\[server\]' requirements-dev.txt; } > requirements-dev.txt.new
	mv requirements-dev.txt.new requirements-dev.txt

clean:
	$(CARGO) clean
	rm -rf $(VENV)
