# caucus: the two commands are `make run` and `make test`. See README.md.
SHELL := /bin/bash
CARGO ?= cargo
NPM ?= npm
LISTEN ?= 127.0.0.1:8080
DATA ?= ./caucus-data

.PHONY: run build web-build test lint rust-test interop-test cluster-test web-test browser-test deploy-test fuzz fuzz-smoke bench clean fixtures

## Build everything and start the relay with the web client on http://$(LISTEN).
run: build
	./target/release/caucus serve --listen $(LISTEN) --data $(DATA) --web-dir web/dist

## Build the web client (web/dist) and the release binary (target/release/caucus).
build: web-build
	$(CARGO) build --release --locked -p caucus

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && $(NPM) ci --no-audit --no-fund

web-build: web/node_modules/.package-lock.json
	cd web && $(NPM) run build

tests/interop/node_modules/.package-lock.json: tests/interop/package-lock.json
	cd tests/interop && $(NPM) ci --no-audit --no-fund

## Every test: lints, Rust unit and integration tests, web unit tests, interop with the
## official JS client, browser tests in headless Chromium.
test: lint rust-test web-test interop-test cluster-test browser-test deploy-test

# Size budgets (functions <= 80 lines, files <= 600, non-test code): scripts/budgets.py.
# Module circles in the relay are a unit test (crates/relay/src/structure.rs).
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings
	python3 scripts/budgets.py

# The bad-network and NodeFS-import tests drive the official JS client from tests/interop.
rust-test: tests/interop/node_modules/.package-lock.json
	$(CARGO) test --locked --workspace

# The interop and browser suites drive the real binary (debug build: faster to build here).
target/debug/caucus: FORCE
	$(CARGO) build --locked -p caucus
FORCE:

interop-test: target/debug/caucus tests/interop/node_modules/.package-lock.json
	cd tests/interop && CAUCUS_BIN=$(CURDIR)/target/debug/caucus $(NPM) test

# Cluster mode: three or four relays on one nats-server (JetStream, from apt: .ci/run), the
# official JS client from tests/interop, a round-robin TCP balancer (tests/cluster/README.md).
cluster-test: target/debug/caucus tests/interop/node_modules/.package-lock.json
	@command -v nats-server >/dev/null || { echo "cluster-test: nats-server is missing; .ci/run installs it (apt-get install nats-server)" >&2; exit 1; }
	cd tests/cluster && CAUCUS_BIN=$(CURDIR)/target/debug/caucus node --test --test-concurrency=1 *.test.mjs

web-test: web/node_modules/.package-lock.json
	cd web && $(NPM) test

browser-test: target/debug/caucus web-build
	cd web && CAUCUS_BIN=$(CURDIR)/target/debug/caucus $(NPM) run test:browser

# The deploy path without Docker: Debian's caddy with deploy/Caddyfile in front of the real
# relay, the official JS client through wss:// (tests/deploy/), and docker-compose.yml checked
# statically with the sample .env. caddy and docker-compose come from apt (.ci/run).
deploy-test: target/debug/caucus tests/interop/node_modules/.package-lock.json
	@command -v docker-compose >/dev/null || { echo "deploy-test: docker-compose is missing; .ci/run installs it (apt-get install docker-compose)" >&2; exit 1; }
	docker-compose --env-file deploy/.env.example -f docker-compose.yml config -q
	@echo "deploy-test: docker-compose.yml is valid with deploy/.env.example"
	CAUCUS_BIN=$(CURDIR)/target/debug/caucus node --test tests/deploy/*.test.mjs

# Coverage-guided fuzzing (fuzz/README.md). cargo-fuzz needs nightly-only rustc flags: allow
# them for this build only. New inputs go to fuzz/corpus (ignored); fuzz/seeds stays as committed.
FUZZ_TARGETS := frame_decoder sync_into_document change_file_import sealed_parse
FUZZ_SECONDS ?= 3600
FUZZ_SMOKE_SECONDS ?= 15
define run-fuzz
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  mkdir -p corpus/$$t && \
	  RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none $$t corpus/$$t seeds/$$t -- \
	    -max_total_time=$(1) -print_final_stats=1 || exit 1; \
	done
endef

## A short run of every fuzz target (CI runs it after `make test`, see .ci/run).
fuzz-smoke:
	$(call run-fuzz,$(FUZZ_SMOKE_SECONDS))

## Long fuzzing runs: FUZZ_SECONDS per target.
fuzz:
	$(call run-fuzz,$(FUZZ_SECONDS))

## Long benchmarks (not part of `make test`).
## Benchmarks against the reference relay (docs/performance.md, docs/bad-networks.md):
## the load generator's scenarios (cluster mode and its scaling over 1-3 relays included, then
## the one-hour soak), then the bad-network sweep. ~78 min on 2 cores, the soak 60 of them;
## BENCH_ARGS="--only fanout,many-docs" to pick, BENCH_ARGS=--quick for a smoke run (a 6-minute
## soak); results go to target/bench/.
bench:
	$(CARGO) build --release -p caucus -p caucus-bench -p caucus-faultproxy
	target/release/caucus-bench $(BENCH_ARGS)
	target/release/caucus-faultproxy sweep $(BENCH_ARGS)

## Regenerate the storage-format fixture (a real format 1 file) and the automerge-repo NodeFS sample.
fixtures: tests/interop/node_modules/.package-lock.json
	$(CARGO) test -p caucus-tests --test relay_migration -- --ignored generate_storage_v1_fixture
	node tests/fixtures/nodefs-sample.mjs tests/fixtures/nodefs-sample tests/fixtures/nodefs-sample.expected.json

clean:
	$(CARGO) clean
	rm -rf web/dist web/node_modules tests/interop/node_modules
