# toolq — run `make help` for the targets.

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
GO      ?= go
BIN     := bin
# Tests start their own redis-server; a missing one must fail, not skip.
export TOOLQ_REQUIRE_REDIS := 1
# The gateway's Python example runs in make test; a missing python3 must fail.
export TOOLQ_REQUIRE_PYTHON := 1
FUZZTIME ?= 10s
SOAKTIME ?= 10m
# The cgroup v2 VM: Debian's kernel, unpacked here, booted by internal/vmexec.
VMDIR   := .cache/vm

.DEFAULT_GOAL := help

help: ## Print this message
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## Build bin/worker, bin/toolq-child, bin/enqueue and bin/gateway
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/worker ./cmd/worker
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/toolq-child ./cmd/toolq-child
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/enqueue ./cmd/enqueue
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/gateway ./cmd/gateway

demo: ## Build, start a private Redis and a worker, submit a few calls, print their envelopes, stop
	$(GO) run ./internal/demo

test: lint compose-check test-race test-none test-vm fuzz-short chaos-short ## Everything CI checks: lint, race-enabled tests, the sandbox suite without cgroups and on cgroup v2 in a VM, short fuzz runs, a short chaos run

lint: ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

test-race: ## go test -race ./... (real redis-server, real children, real cgroups where the host has them)
	$(GO) test -race -count=1 ./...

test-none: ## The sandbox, job and end-to-end suites with TOOLQ_SANDBOX=none (no cgroups)
	TOOLQ_TEST_SANDBOX=none $(GO) test -count=1 ./sandbox/ ./jobs/ ./internal/e2e/

test-vm: $(VMDIR)/vmlinuz ## The sandbox suite on a real cgroup v2 kernel (qemu, TCG; no KVM needed)
	CGO_ENABLED=0 $(GO) build -o $(BIN)/vmexec ./internal/vmexec
	CGO_ENABLED=0 TOOLQ_TEST_SANDBOX=cgroup2 CI_CGROUP=1 TOOLQ_VM_KERNEL=$(CURDIR)/$(VMDIR)/vmlinuz \
	  $(GO) test -count=1 -exec $(CURDIR)/$(BIN)/vmexec ./sandbox/

vm-kernel: $(VMDIR)/vmlinuz ## Download and unpack Debian's kernel for test-vm (apt-get download, dpkg -x)

$(VMDIR)/vmlinuz:
	@command -v apt-get >/dev/null || { echo "test-vm needs apt-get to fetch Debian's linux-image-amd64"; exit 1; }
	rm -rf $(VMDIR)/deb $(VMDIR)/x && mkdir -p $(VMDIR)/deb
	cd $(VMDIR)/deb && apt-get download $$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $$2; exit}')
	dpkg -x $(VMDIR)/deb/linux-image-*.deb $(VMDIR)/x
	cp $(VMDIR)/x/boot/vmlinuz-* $@
	rm -rf $(VMDIR)/deb $(VMDIR)/x

compose-check: ## docker compose config accepts compose.yaml (skipped without docker compose)
	@if docker compose version >/dev/null 2>&1; then docker compose config --quiet && echo "compose.yaml: ok"; \
	  else echo "compose.yaml: docker compose not installed; not checked"; fi

fuzz-short: ## Run the fuzz targets of the untrusted-input paths (validation, envelopes, verdicts, formulas, the gateway's requests) for FUZZTIME each (default 10s)
	$(GO) test -run '^$$' -fuzz '^FuzzValidate$$' -fuzztime $(FUZZTIME) ./tools/
	$(GO) test -run '^$$' -fuzz '^FuzzEnvelope$$' -fuzztime $(FUZZTIME) ./jobs/
	$(GO) test -run '^$$' -fuzz '^FuzzVerdict$$' -fuzztime $(FUZZTIME) ./jobs/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./tools/internal/formula/
	$(GO) test -run '^$$' -fuzz '^FuzzFitLinearModel$$' -fuzztime $(FUZZTIME) ./tools/experiments/
	$(GO) test -run '^$$' -fuzz '^FuzzRequestParsing$$' -fuzztime $(FUZZTIME) ./gateway/

chaos: ## 2,000 mixed calls while workers are killed and stopped and Redis restarts; checks every call (about 5 min)
	$(GO) run ./internal/chaos -calls 2000 -window 60s -report .cache/chaos.json

chaos-short: ## The chaos run CI makes: 300 calls over 20 s, the same faults (about 2 min)
	$(GO) run ./internal/chaos -calls 300 -window 20s -kill-every 3s

soak: ## 10 minutes of load at 70% of the probed capacity; throughput, p99 and worker resources over time; fails on growth
	$(GO) run ./internal/soak -duration $(SOAKTIME) -report .cache/soak.json

bench: ## Benchmarks: per-call cost, idle latency, throughput, the gateway beside the Go client; prints one table
	@{ $(GO) test -run '^$$' -bench 'Noop|SubmitWait' -benchtime 300x ./internal/bench && \
	   $(GO) test -run '^$$' -bench 'Fit' -benchtime 5x ./internal/bench && \
	   $(GO) test -run '^$$' -bench 'Throughput' -benchtime 1x ./internal/bench && \
	   $(GO) test -run '^$$' -bench 'Gateway' -benchtime 1x ./internal/bench; } 2>&1 | $(GO) run ./internal/bench/report

doctor: build ## What this host can enforce
	$(BIN)/worker doctor

clean: ## Remove build outputs
	rm -rf $(BIN)

.PHONY: help build demo test test-vm vm-kernel lint compose-check test-race test-none fuzz-short chaos chaos-short soak bench doctor clean
