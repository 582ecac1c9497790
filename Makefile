# gatecheck — build, test and demo targets. `make help` lists them.

GO           ?= go
BIN          ?= bin
VERSION      ?= 0.1.0-dev+$(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS      := -s -w -X github.com/gatecheck/gatecheck/harness.Version=$(VERSION)
TEST_TIMEOUT ?= 20m
FUZZTIME     ?= 10s
# Every package but the Ginkgo suite, which `test` runs on its own with a JUnit
# report, and the Docker tests, which `docker-test` runs.
UNIT_PKGS     = $$($(GO) list ./... | grep -v -e '/suites$$' -e '/docker$$')
# The tag of the images docker-images builds; docker-compose.local.yml uses it.
TAG          ?= local

# The proxies the process targets start, and chromium for the matrix page's test.
PROXY_PKGS   ?= nginx haproxy apache2 caddy varnish squid trafficserver h2o lighttpd lighttpd-mod-openssl chromium
# The clients the suite runs each target through (h1, h2, h2-tls, all), and the
# targets the HTTP/2 clients run through (a list, or all). An HTTP/2 column
# costs what the HTTP/1.1 one does (14 minutes for every target), so `make test`
# runs two whose HTTP/2 verdicts held over a 3-run determinism run and
# keeps under 30 minutes: the Go server in-process and nginx. Every
# target has an HTTP/2 baseline: `make suite H2_TARGETS=all` checks them all.
CLIENTS    ?= h1,h2
H2_TARGETS ?= go-stdlib,nginx

# The targets the suite checks: all is go-stdlib and every process target.
TARGETS      ?= all
RUNS         ?= 5

.PHONY: help demo test vet fmt-check unit suite proxies traefik matrix determinism lint build fuzz clean docker-images docker-test bench compare

help:
	@echo 'make demo       run the whole catalogue against the built-in go-stdlib proxy'
	@echo 'make test       vet, gofmt check, unit tests, the suite over every proxy (installs them as root)'
	@echo 'make proxies    apt-get install the proxies that are missing (as root)'
	@echo 'make traefik    build Traefik (not a Debian package) into $(BIN)/ from tools/traefik (~17 min the first time)'
	@echo 'make suite      the Ginkgo suite over TARGETS=$(TARGETS), two at a time, then its matrix'
	@echo 'make matrix     the compliance matrix of every installed proxy into docs/matrix/'
	@echo 'make determinism  the whole matrix $(RUNS) times; every verdict that differed'
	@echo 'make lint       vet, gofmt check, gatecheck lint of the built-in catalogue'
	@echo 'make build      static binary in $(BIN)/gatecheck'
	@echo 'make docker-images  build gatecheck, nginx, Caddy and HAProxy images FROM scratch, tagged $(TAG)'
	@echo 'make docker-test    container target and docker-compose against the process targets (needs Docker)'
	@echo 'make fuzz       each fuzz target for $(FUZZTIME)'
	@echo 'make bench      the Go benchmarks of the fake upstream, the client and the load generator'
	@echo 'make compare    bench/compare.sh: gatecheck against wrk and net/http, pinned, median of 3'
	@echo 'make clean      remove $(BIN)/'

# demo exits 0 whenever the run completed: failing scenarios are findings about the
# proxy, not a broken demo (gatecheck exits 1 for them, 2 for real errors). It builds
# first so that a compile error (also exit 1 from the go tool) is not taken for one.
demo: build
	$(BIN)/gatecheck run --target go-stdlib || [ $$? -eq 1 ]

test: vet fmt-check proxies unit suite docker-test

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# Unit tests run with the race detector. The end-to-end runs (every catalogue
# example through the fixture proxy, the whole catalogue against go-stdlib) judge
# timing, so they run again without it: the detector slows everything several
# times over, which would decide the verdicts instead of the proxy.
unit:
	$(GO) test -race -short -count=1 -timeout $(TEST_TIMEOUT) $(UNIT_PKGS)
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) ./harness ./targets ./cmd/...

# The project's own Ginkgo suite: the catalogue against every target in TARGETS
# with its baseline, one target at a time (its scenarios 8 at once: two targets
# at once made Traffic Server miss its own timeouts under CI). Each target runs once; its report,
# the JUnit file and the matrix all come from that one run.
suite:
	@mkdir -p $(BIN)/reports
	@rm -f $(BIN)/reports/*.json
	@PATH=$(CURDIR)/$(BIN):$$PATH GATECHECK_TARGETS=$(TARGETS) GATECHECK_CLIENTS=$(CLIENTS) GATECHECK_H2_TARGETS=$(H2_TARGETS) GATECHECK_REPORT_DIR=$(CURDIR)/$(BIN)/reports \
		$(GO) tool ginkgo --procs=1 --timeout=$(TEST_TIMEOUT) --junit-report=$(CURDIR)/$(BIN)/suite-junit.xml ./suites; \
	rc=$$?; \
	$(GO) run ./cmd/gatecheck matrix --from $(BIN)/reports --out $(BIN)/matrix || rc=$$?; \
	exit $$rc

# proxies installs, as root, the Debian packages of the proxies that are missing,
# with services kept from starting (policy-rc.d), so nothing listens afterwards.
proxies:
	@missing=$$(for p in $(PROXY_PKGS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || printf '%s ' $$p; done); \
	if [ -z "$$missing" ]; then echo "proxies: all installed"; \
	elif [ "$$(id -u)" != 0 ]; then echo "proxies: missing $$missing- run make proxies as root; their tests are skipped"; \
	else \
		echo "proxies: installing $$missing"; \
		own_policy=0; if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; own_policy=1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; rc=$$?; \
		[ $$own_policy = 1 ] && rm -f /usr/sbin/policy-rc.d; \
		exit $$rc; \
	fi

# traefik builds Traefik, which Debian does not package, from the Go module
# proxy into $(BIN)/ (tools/traefik pins the version and carries Traefik's own
# replace directives). The first build takes about 17 minutes on 2 cores; the
# process target then finds it in PATH or next to $(BIN)/gatecheck. Without it,
# the traefik target is skipped, GATECHECK_REQUIRE_PROXIES=all or not.
TRAEFIK = github.com/traefik/traefik/v3
traefik:
	@mkdir -p $(BIN)
	cd tools/traefik && CGO_ENABLED=0 $(GO) build -trimpath \
		-ldflags "-s -w -X $(TRAEFIK)/pkg/version.Version=$$($(GO) list -m -f '{{.Version}}' $(TRAEFIK))" \
		-o $(CURDIR)/$(BIN)/traefik $(TRAEFIK)/cmd/traefik

# matrix writes the compliance matrix of every installed proxy to docs/matrix/,
# the one the README links, and checks it against the baselines.
matrix: build
	$(BIN)/gatecheck matrix --targets all --out docs/matrix --baselines suites/baselines

# determinism runs the whole matrix RUNS times and lists every verdict that
# differed between runs (exit 1 if any).
determinism: build
	$(BIN)/gatecheck matrix --targets all --runs $(RUNS) --out $(BIN)/determinism

lint: vet fmt-check
	$(GO) run ./cmd/gatecheck lint scenarios/catalogue

build:
	@mkdir -p $(BIN)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/gatecheck ./cmd/gatecheck

# docker-images builds, locally and without pulling anything, the images
# docker-compose.local.yml names: gatecheck (the Dockerfile), Caddy built from
# the Go module proxy, nginx and HAProxy assembled from this machine's packages.
docker-images:
	docker/build-images.sh $(TAG)

# docker-test builds its own images (tag test-PID), runs the catalogue through
# the container target and docker-compose and compares the verdicts with the
# process targets, and removes every container, network and image it made. It
# skips, saying so, without Docker, unless GATECHECK_REQUIRE_DOCKER=all. Ryuk
# (testcontainers' reaper) cannot be pulled here; the tests remove everything.
docker-test:
	TESTCONTAINERS_RYUK_DISABLED=true $(GO) test -count=1 -timeout 20m -v ./docker

# fuzz runs every Fuzz* function of every package for FUZZTIME each.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "fuzz $$pkg $$f"; \
			$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

# bench runs the Go benchmarks; numbers, not a gate.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./fakeupstream ./harness ./bench

# compare runs bench/compare.sh: the fake upstream against net/http under wrk,
# gatecheck bench against wrk on nginx, scripted against measured stall. Never
# a CI gate.
compare:
	bench/compare.sh

clean:
	rm -rf $(BIN)
