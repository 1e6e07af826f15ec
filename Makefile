# Counterdesk — set-up, run, test. Works on a fresh Debian 12 machine (as root, or with sudo).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Qt's offscreen/xcb runtime libraries, PDF tools for tests, a virtual display for `make run` without a screen.
DEB_RUNTIME := libegl1 libgl1 libx11-6 libx11-xcb1 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0 \
	libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
	libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxcb-randr0 libxcb-xfixes0 libxcb-sync1 libxcb-shm0 \
	fonts-hanazono
DEB_TEST := poppler-utils poppler-data zbar-tools postgresql strace chromium

SHELL := /bin/bash
.PHONY: help setup system-deps system-deps-test fonts run demo test lint typecheck imports pytest reliability bench mutation clean

help:
	@echo "make run    — set up and start the app in 練習模式 (sandbox city server)"
	@echo "make test   — set up and run lint, types, import contracts and the whole test suite"
	@echo "make demo   — headless scripted tour; writes receipts, a day-close PDF and screenshots to demo-out/"
	@echo "make bench  — benchmarks: one BENCH line each, median against a baseline measured in the same run"
	@echo "make mutation — mutation scores of the modules whose bugs cost most (long)"

system-deps:
	@missing=$$(for p in $(DEB_RUNTIME); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

system-deps-test: system-deps
	@missing=$$(for p in $(DEB_TEST); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,fonts]'
	touch $@

setup: $(VENV)/.installed fonts

fonts: $(VENV)/.installed
	@$(BIN)/python -m printing.fontbuild

run: system-deps setup
	$(BIN)/counterdesk

demo: system-deps setup
	QT_QPA_PLATFORM=offscreen $(BIN)/counterdesk demo --out demo-out

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy forms sync printing cityserver desktop bench

imports: setup
	$(BIN)/lint-imports

pytest: system-deps-test setup
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q

test: system-deps-test setup lint typecheck imports pytest

# Crash (≥ 200 SIGKILLs), faulty-network (≥ 1,000 batches through the fault proxy) and damaged-ledger (120 damaged
# files of ten kinds) suites, full size.
reliability: system-deps-test setup
	set -o pipefail; COUNTERDESK_RELIABILITY_SCALE=20 COUNTERDESK_CRASH_KILLS=200 COUNTERDESK_DAMAGED_RUNS=120 \
	  QT_QPA_PLATFORM=offscreen \
	  $(BIN)/pytest -q -s tests/reliability 2>&1 | tee reliability.log | grep -E "^(RELIABILITY|MUTANT)|passed|failed"

# Speed against the machine's own floor: one `BENCH name median=… baseline=… ratio=…` line per benchmark.
# The first run builds its fixtures (about 3 minutes, cached in .bench-cache/); `make bench B="push review"` runs some.
bench: system-deps setup
	set -o pipefail; QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench $(B) 2>&1 | tee bench.log | grep -vE "propagateSizeHints|does not support"

# Mutation testing (mutmut) of the modules whose bugs cost most, each against the tests meant to catch them: one
# `MUTATION module=… killed=… survived=… score=…` line per module, survivors listed. Long; `make mutation M="forms.ids"`.
mutation: system-deps-test setup
	set -o pipefail; QT_QPA_PLATFORM=offscreen $(BIN)/python -m tests.mutation $(M) 2>&1 | tee mutation.log

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache demo-out .bench-cache .mutation
