# Belenus: the two commands of the README, and their parts.
SWIFT ?= swift
APT_PACKAGES = libcmark-dev libargon2-dev libsqlite3-dev pkg-config python3
# What the end-to-end tests run for real: web servers, an HTTP client, a sendmail, and (PyPI)
# the SMTP server that msmtp delivers to.
TEST_APT_PACKAGES = curl lighttpd apache2 nginx fcgiwrap msmtp chromium chromium-driver
TEST_PIP_PACKAGES = aiosmtpd==1.4.6 selenium==4.51.0 axe-selenium-python==2.1.6

.PHONY: demo test fuzz fuzz-ci bench bench-all deps test-deps apt-install build release clean

## Installs what is missing, makes a demo site (people, ~50 tickets, the sample KB) in
## ./belenus-demo, builds it and serves it on http://127.0.0.1:$(PORT)/; prints the logins.
PORT ?= 8080
demo: deps release
	.build/release/belenus demo --dir belenus-demo --port $(PORT)

## Installs what is missing and runs every test. Attachments (the browser's screenshots) are
## written to $(ATTACHMENTS).
ATTACHMENTS ?= .build/test-artifacts/attachments
test: deps test-deps
	$(SWIFT) build --build-tests
	mkdir -p $(ATTACHMENTS)
	$(SWIFT) test --attachments-path $(ATTACHMENTS)

## Builds the fuzz targets with libFuzzer and AddressSanitizer and runs each for FUZZ_SECONDS
## from the seeds in Tests/Fuzz/corpus, at random; fails on a crash (the input is kept in
## .build/fuzz/crashes). Run it for an hour (FUZZ_SECONDS=720) whenever a parser changes.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= multipart urlencoded cookie frontmatter cgi template
fuzz: deps
	Tests/Fuzz/run.sh --seconds $(FUZZ_SECONDS) $(FUZZ_TARGETS)

## What CI runs: every target for the same FUZZ_RUNS inputs from the same FUZZ_SEED, so that one
## commit always gets the same answer (the seeds and regressions also replay in `make test`).
FUZZ_RUNS ?= 40000
FUZZ_SEED ?= 20261130
fuzz-ci: deps
	Tests/Fuzz/run.sh --runs $(FUZZ_RUNS) --seed $(FUZZ_SEED) $(FUZZ_TARGETS)

## Benchmarks side by side with Hugo and cmark (release build): figures printed and written to
## docs/performance.md. BENCH_ARGS="--tickets 100000" for the large corpus.
BENCH_APT_PACKAGES = hugo time gcc lighttpd fossil
BENCH_ARGS ?=
bench: release
	@$(MAKE) -s apt-install PACKAGES="$(BENCH_APT_PACKAGES)"
	python3 bench/bench.py $(BENCH_ARGS)

## Every section of docs/performance.md: 10k, 100k (one run) and 1M tickets (import and gateway
## only). The first run generates ~8 GB of corpora and takes about an hour; later ones ~35 min.
bench-all: release
	@$(MAKE) -s apt-install PACKAGES="$(BENCH_APT_PACKAGES)"
	python3 bench/bench.py
	python3 bench/bench.py --tickets 100000 --runs 1 --skip-hugo --gateway-runs 20
	python3 bench/bench.py --tickets 1000000 --database-only --gateway-runs 20

## Debian packages the build links against (skipped when all are there).
deps:
	@$(MAKE) -s apt-install PACKAGES="$(APT_PACKAGES)"

## What the tests need besides the build.
test-deps:
	@$(MAKE) -s apt-install PACKAGES="$(TEST_APT_PACKAGES)"
	@python3 -c "import aiosmtpd, selenium, axe_selenium_python" 2>/dev/null || python3 -m pip install -q $(TEST_PIP_PACKAGES)

apt-install:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p 2>/dev/null | grep -q "^Status: install ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

clean:
	rm -rf .build output/public output/private belenus-demo
