# gatecheck — build, test and demo targets. `make help` lists them.

GO           ?= go
BIN          ?= bin
VERSION      ?= 0.1.0-dev+$(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS      := -s -w -X github.com/gatecheck/gatecheck/harness.Version=$(VERSION)
TEST_TIMEOUT ?= 20m
FUZZTIME     ?= 10s
# Every package but the Ginkgo suite, which `test` runs on its own with a JUnit report.
UNIT_PKGS     = $$($(GO) list ./... | grep -v '/suites$$')

.PHONY: help demo test vet fmt-check unit suite lint build fuzz clean

help:
	@echo 'make demo       run the whole catalogue against the built-in go-stdlib proxy'
	@echo 'make test       vet, gofmt check, unit tests with -race, the Ginkgo suite'
	@echo 'make lint       vet, gofmt check, gatecheck lint of the built-in catalogue'
	@echo 'make build      static binary in $(BIN)/gatecheck'
	@echo 'make fuzz       each fuzz target for $(FUZZTIME)'
	@echo 'make clean      remove $(BIN)/'

# demo exits 0 whenever the run completed: failing scenarios are findings about the
# proxy, not a broken demo (gatecheck exits 1 for them, 2 for real errors). It builds
# first so that a compile error (also exit 1 from the go tool) is not taken for one.
demo: build
	$(BIN)/gatecheck run --target go-stdlib || [ $$? -eq 1 ]

test: vet fmt-check unit suite

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

# The project's own Ginkgo suite against go-stdlib (GATECHECK_TARGET picks another).
suite:
	@mkdir -p $(BIN)
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) ./suites -args \
		-ginkgo.junit-report=$(CURDIR)/$(BIN)/suite-junit.xml

lint: vet fmt-check
	$(GO) run ./cmd/gatecheck lint scenarios/catalogue

build:
	@mkdir -p $(BIN)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/gatecheck ./cmd/gatecheck

# fuzz runs every Fuzz* function of every package for FUZZTIME each.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "fuzz $$pkg $$f"; \
			$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

clean:
	rm -rf $(BIN)
