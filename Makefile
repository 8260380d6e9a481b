# Belenus: the two commands of the README, and their parts.
SWIFT ?= swift
APT_PACKAGES = libcmark-dev libargon2-dev libsqlite3-dev pkg-config python3
# What the end-to-end tests run for real: cron (the package's schedule), web servers, an HTTP
# client, a sendmail, an MTA that pipes replies to `belenus mail receive` (Exim), and (PyPI) the
# SMTP server that msmtp delivers to.
TEST_APT_PACKAGES = cron curl lighttpd apache2 nginx fcgiwrap msmtp exim4-daemon-light chromium chromium-driver
TEST_PIP_PACKAGES = aiosmtpd==1.4.6 selenium==4.51.0 axe-selenium-python==2.1.6

.PHONY: demo test check fuzz fuzz-ci bench bench-writes bench-all link-order deps test-deps apt-install build release install deb clean

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
	@# The package PackageTests installs: this build's, built before the tests (SwiftPM cannot run inside them).
	$(MAKE) -s deb CONFIG=debug DEB_COMPRESS=-Zgzip > /dev/null
	mkdir -p $(ATTACHMENTS)
	$(SWIFT) test --attachments-path $(ATTACHMENTS)

## The edit-test loop: builds and runs every test that needs no root, no apt, no web server,
## no browser and no mail server, in a few minutes. Not run: PackageTests (dpkg), WebServerTests
## (Apache, nginx, lighttpd), BrowserTests (Chromium), RealMailTests (msmtp, an SMTP server),
## MTATests (Exim's daemon, as root).
## `make test` runs everything (CI). Needs the build's Debian packages (APT_PACKAGES) and Swift.
CHECK_SKIP = PackageTests|WebServerTests|BrowserTests|RealMailTests|MTATests
check:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip '$(CHECK_SKIP)'

## Builds the fuzz targets with libFuzzer and AddressSanitizer and runs each for FUZZ_SECONDS
## from the seeds in Tests/Fuzz/corpus, at random; fails on a crash (the input is kept in
## .build/fuzz/crashes). Run it for an hour (FUZZ_SECONDS=720) whenever a parser changes.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= multipart urlencoded cookie frontmatter cgi template mail
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

## How many comments a second one site takes: comments alone through lighttpd, 8, 16, 32…
## clients until their p99 passes 1 s (docs/performance.md, "Write ceiling"; about 3 minutes).
bench-writes: release
	@$(MAKE) -s apt-install PACKAGES="$(BENCH_APT_PACKAGES)"
	python3 bench/bench.py --writes $(BENCH_ARGS)

## Every section of docs/performance.md: 10k, 100k (one run) and 1M tickets (import and gateway
## only). The first run generates ~8 GB of corpora and takes about an hour; later ones ~35 min.
bench-all: release
	@$(MAKE) -s apt-install PACKAGES="$(BENCH_APT_PACKAGES)"
	python3 bench/bench.py
	python3 bench/bench.py --tickets 100000 --runs 1 --skip-hugo --gateway-runs 20
	python3 bench/bench.py --tickets 1000000 --database-only --gateway-runs 20
	python3 bench/bench.py --writes

## Writes Tools/front-door.order and Tools/whole-gateway.order, the functions of the gateway's
## commonest requests that the linker places first in each of its programs (valgrind's callgrind
## on a demo site; docs/performance.md, "The page view, third pass"). Run it when the gateway or
## its libraries change; the programs are then linked again by the next build (SwiftPM does not
## watch the lists).
link-order: release
	@$(MAKE) -s apt-install PACKAGES="valgrind binutils"
	Tools/link-order .build/release
	rm -f .build/*/belenus-gateway .build/*/belenus-gateway-full

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

## Installs under $(DESTDIR)$(PREFIX): belenus in bin/, belenus-gateway in lib/cgi-bin/ (where
## Debian's web servers run CGI from with PREFIX=/usr) and the whole gateway it hands requests to,
## belenus-gateway-full, in lib/belenus/ (out of the CGI folder) with belenus-cron (the schedule's
## work), a man page per command (generated by swift-argument-parser's plugin: man belenus-build),
## shell completions, the webmaster's guides, the changelog and the hosting examples.
PREFIX ?= /usr/local
DESTDIR ?=
WEBMASTER_DOCS = docs/install.md docs/config.md docs/operations.md docs/hosting.md docs/security.md
CONFIG ?= release
BIN = .build/$(CONFIG)
MAN1 = $(DESTDIR)$(PREFIX)/share/man/man1
install: $(if $(filter debug,$(CONFIG)),build,release)
	$(SWIFT) package generate-manual --multi-page --configuration $(CONFIG) > /dev/null
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/cgi-bin $(DESTDIR)$(PREFIX)/lib/belenus $(MAN1) $(DESTDIR)$(PREFIX)/share/doc/belenus/examples \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 -s $(BIN)/belenus $(DESTDIR)$(PREFIX)/bin/belenus
	install -m 755 -s $(BIN)/belenus-gateway $(DESTDIR)$(PREFIX)/lib/cgi-bin/belenus-gateway
	install -m 755 -s $(BIN)/belenus-gateway-full $(DESTDIR)$(PREFIX)/lib/belenus/belenus-gateway-full
	for page in .build/plugins/GenerateManual/outputs/belenus/*.1; do \
	  name=$$(basename $$page .1 | tr . -); gzip -9n -c $$page > $(MAN1)/$$name.1.gz; done
	$(BIN)/belenus --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/belenus
	$(BIN)/belenus --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/_belenus
	$(BIN)/belenus --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/belenus.fish
	install -m 755 Tools/debian/belenus-cron $(DESTDIR)$(PREFIX)/lib/belenus/belenus-cron
	cp docs/hosting/* $(DESTDIR)$(PREFIX)/share/doc/belenus/examples/
	install -m 644 $(WEBMASTER_DOCS) $(DESTDIR)$(PREFIX)/share/doc/belenus/
	gzip -9n -c CHANGELOG.md > $(DESTDIR)$(PREFIX)/share/doc/belenus/changelog.gz

## A Debian package of `make install PREFIX=/usr`, versioned from Sources/BelenusCore/Version.swift,
## with the schedule (Tools/debian: /etc/cron.d/belenus, /etc/belenus/sites, /etc/default/belenus,
## kept as conffiles) and the copyright file: .build/belenus_VERSION_amd64.deb. The tests package their debug build (CONFIG=debug, DEB_COMPRESS=-Zgzip).
DEB_COMPRESS ?= -Zxz
VERSION = $(shell sed -n 's/.*current = "\(.*\)".*/\1/p' Sources/BelenusCore/Version.swift)
DEB_ROOT = .build/deb/belenus_$(VERSION)_amd64
deb:
	rm -rf .build/deb
	$(MAKE) install PREFIX=/usr DESTDIR=$(CURDIR)/$(DEB_ROOT) CONFIG=$(CONFIG)
	mkdir -p $(DEB_ROOT)/DEBIAN $(DEB_ROOT)/etc/cron.d $(DEB_ROOT)/etc/default $(DEB_ROOT)/etc/belenus
	install -m 644 Tools/debian/belenus.cron.d $(DEB_ROOT)/etc/cron.d/belenus
	install -m 644 Tools/debian/default $(DEB_ROOT)/etc/default/belenus
	install -m 644 Tools/debian/sites $(DEB_ROOT)/etc/belenus/sites
	install -m 644 Tools/debian/copyright $(DEB_ROOT)/usr/share/doc/belenus/copyright
	printf '%s\n' /etc/cron.d/belenus /etc/default/belenus /etc/belenus/sites > $(DEB_ROOT)/DEBIAN/conffiles
	printf '%s\n' "Package: belenus" "Version: $(VERSION)" "Architecture: amd64" "Section: web" "Priority: optional" \
	  "Maintainer: Belenus developers <belenus@localhost>" \
	  "Depends: libc6, libstdc++6, libgcc-s1, libsqlite3-0, libcmark0.30.2, libargon2-1, cron | cron-daemon" \
	  "Installed-Size: $$(du -sk $(DEB_ROOT)/usr | cut -f1)" \
	  "Description: online support desk: a static-site generator and a CGI gateway" \
	  " Clients open tickets, technicians answer them, solved problems feed a public knowledge base." \
	  > $(DEB_ROOT)/DEBIAN/control
	dpkg-deb --root-owner-group $(DEB_COMPRESS) --build $(DEB_ROOT) .build/belenus_$(VERSION)_amd64.deb

clean:
	rm -rf .build output/public output/private belenus-demo
