# rocketgo — see README.md. Every target works on a fresh clone with
# ../shared beside it.

GO       ?= go
FUZZTIME ?= 15s
BENCH    ?= .

.PHONY: all build run test test-short lint bench bench-e2e fuzz soak clean

all: build

build:
	$(GO) build -o bin/ ./cmd/...

# Standalone NameServer + Broker on 127.0.0.1:9876/10911, store in ./data.
run:
	$(GO) run ./cmd/rocketgo -data ./data

# Every test, unit and compat (real rocketmq-client-go against real
# servers). Unit tests run with the race detector; the compat tests run the
# servers as race-detector builds and fail on any race they report, while
# their own binary runs without it (rocketmq-client-go v2.1.2 races
# internally; see compat-tests/cluster_test.go). CI runs exactly this.
test: lint
	$(GO) test -race -count=1 -timeout 10m $$($(GO) list ./... | grep -v /compat-tests)
	$(GO) test -count=1 -timeout 10m ./compat-tests/...

test-short:
	$(GO) test -count=1 ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# Hot-path benchmarks (decode, encode, round trip, ...) with allocations.
bench:
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem ./...

# End-to-end load test: a standalone rocketgo in a temp dir on free ports
# and the fixed mqbench scenario of docs/BENCH.md (128 B and 1 KiB bodies x
# 1/16/64 producers, BENCH_DURATION per cell, default 30s). The results
# table goes to stdout and bench-results.md.
bench-e2e:
	GO=$(GO) bash scripts/bench-e2e.sh

# A short run of every fuzz target; new crashers land in testdata/fuzz.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "fuzz $$pkg $$t ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

# SIGKILL crash-recovery soak: 50 kill/recover iterations of the store
# (ROCKETGO_SOAK_ITER=n for more; ROCKETGO_CRASH_SEED=s replays a seed).
soak:
	ROCKETGO_SOAK=1 $(GO) test -race -count=1 -timeout 60m -run '^TestCrashRecovery$$' -v ./store/

clean:
	rm -rf bin
