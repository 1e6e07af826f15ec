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
DEB_TEST := poppler-utils poppler-data zbar-tools postgresql strace chromium nginx systemd
# The bundle, its installers and their checks: NSIS compiles the Windows installer script on Linux; gnome-keyring
# gives --selftest a real Secret Service keyring inside a private D-Bus session.
DEB_RELEASE := nsis gnome-keyring dbus dpkg-dev
VERSION := $(shell sed -n 's/^VERSION = "\(.*\)"/\1/p' sync/protocol/version.py)
BUNDLE_VENV := .venv-bundle
# A private D-Bus session with an unlocked keyring around a command (what a desktop log-in gives a clerk).
WITH_KEYRING := dbus-run-session -- sh -c 'echo -n selftest | gnome-keyring-daemon --unlock --components=secrets >/dev/null && "$$0" "$$@"'

SHELL := /bin/bash
.PHONY: bundle bundle-check installer deb deb-check release-check system-deps-release lock
.PHONY: help setup system-deps system-deps-test fonts run demo test lint typecheck imports pytest reliability bench mutation clean

help:
	@echo "make bundle — the one-folder build in dist/counterdesk (PyInstaller, from a runtime-only venv)"
	@echo "make release-check — bundle, --selftest, the bundle's demo against the venv's, NSIS script, .deb"
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

# Exact versions with hashes (requirements/*.lock, `make lock` renews them); the project itself goes on top.
$(VENV)/.installed: pyproject.toml requirements/dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q --require-hashes -r requirements/dev.lock
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
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

system-deps-release: system-deps
	@missing=$$(for p in $(DEB_RELEASE); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# The bundle is built from a venv holding only the runtime set (and PyInstaller): no test tool can slip in.
$(BUNDLE_VENV)/.installed: requirements/runtime.lock
	rm -rf $(BUNDLE_VENV)
	$(PYTHON) -m venv $(BUNDLE_VENV)
	$(BUNDLE_VENV)/bin/pip install -q --upgrade pip
	$(BUNDLE_VENV)/bin/pip install -q --require-hashes -r requirements/runtime.lock
	touch $@

bundle: system-deps fonts $(BUNDLE_VENV)/.installed
	rm -rf dist/counterdesk build/bundle
	$(BUNDLE_VENV)/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/bundle \
	  installer/counterdesk.spec
	@echo "BUNDLE size_mb=$$(du -sm dist/counterdesk | cut -f1) files=$$(find dist/counterdesk -type f | wc -l)"

# --selftest from the bundle, then the demo from the bundle and from the venv: the PDFs must say the same.
bundle-check: system-deps-release system-deps-test setup bundle
	rm -rf build/selftest build/demo-bundle build/demo-venv
	$(WITH_KEYRING) dist/counterdesk/counterdesk --data-dir $(CURDIR)/build/selftest --selftest
	QT_QPA_PLATFORM=offscreen dist/counterdesk/counterdesk demo --out build/demo-bundle > build/demo-bundle.log
	QT_QPA_PLATFORM=offscreen $(BIN)/counterdesk demo --out build/demo-venv > build/demo-venv.log
	$(BIN)/python installer/compare_demo.py build/demo-venv build/demo-bundle

# The Windows installer script compiled against the Linux bundle: proves the script, not a Windows build.
installer: system-deps-release bundle
	mkdir -p build/nsis
	makensis -V2 -DFAST -DVERSION=$(VERSION) -DBUNDLE=$(CURDIR)/dist/counterdesk -DEXE=counterdesk \
	  -DOUTFILE=$(CURDIR)/build/nsis/Counterdesk-$(VERSION)-script-check.exe installer/counterdesk.nsi
	@echo "NSIS compiled build/nsis/Counterdesk-$(VERSION)-script-check.exe"

deb: system-deps-release bundle
	installer/build_deb.sh dist/counterdesk $(VERSION) dist

# Install the .deb, run its --selftest and --version, remove it (needs root, as CI is).
deb-check: deb
	$(SUDO) dpkg -i dist/counterdesk_$(VERSION)_$$(dpkg --print-architecture).deb >/dev/null
	$(WITH_KEYRING) /usr/bin/counterdesk --data-dir $(CURDIR)/build/selftest-deb --selftest
	test "$$(/usr/bin/counterdesk --version)" = "counterdesk $(VERSION)"
	$(SUDO) dpkg --purge counterdesk >/dev/null
	test ! -e /opt/counterdesk

release-check: bundle-check installer deb-check

# Renew the lock files from pyproject.toml (needs the index): runtime (+ PyInstaller) and dev (+ fonts).
lock:
	$(PYTHON) -m venv build/lock-venv && build/lock-venv/bin/pip install -q 'pip-tools>=7.4'
	build/lock-venv/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url \
	  --no-emit-find-links --extra bundle -o requirements/runtime.lock pyproject.toml
	build/lock-venv/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url \
	  --no-emit-find-links --extra dev --extra fonts -o requirements/dev.lock pyproject.toml

clean:
	rm -rf $(VENV) $(BUNDLE_VENV) build dist .pytest_cache .mypy_cache .ruff_cache demo-out .bench-cache .mutation
