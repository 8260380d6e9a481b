# Belenus: the two commands of the README, and their parts.
SWIFT ?= swift
APT_PACKAGES = libcmark-dev libargon2-dev libsqlite3-dev pkg-config python3 curl lighttpd apache2

.PHONY: demo test deps build release clean

## Installs what is missing, makes a demo site (people, ~50 tickets, the sample KB) in
## ./belenus-demo, builds it and serves it on http://127.0.0.1:$(PORT)/; prints the logins.
PORT ?= 8080
demo: deps release
	.build/release/belenus demo --dir belenus-demo --port $(PORT)

## Installs what is missing and runs every test.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test

## Debian packages the build links against (skipped when all are there).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
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
