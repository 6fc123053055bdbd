# Spikecast: `make demo` and `make test` are the two set-up commands (see README.md).
SWIFT ?= swift
SPIKECAST_RELEASE := .build/release/spikecast

.PHONY: deps test-deps build release test demo bench clean

deps:
	@bash scripts/install-deps.sh

test-deps:
	@bash scripts/install-deps.sh --test

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product spikecast

test: test-deps
	bash scripts/test.sh

demo: release
	bash scripts/demo.sh $(SPIKECAST_RELEASE)

bench: release
	$(SWIFT) build -c release --product spikecast-bench
	bash scripts/bench.sh $(SPIKECAST_RELEASE)

clean:
	rm -rf .build
