# wanmu — the two commands of the README are `make run` and `make check`.
SHELL := /bin/bash
export WANMU_ARTIFACTS ?= $(CURDIR)/artifacts/screenshots
export PATH := /usr/local/go/bin:$(PATH)

GO        ?= go
BIN       := bin/wanmu
ADDR      ?= 127.0.0.1:8080
# Fuzz budgets are execution counts, not durations: with a duration, Go 1.26's
# fuzz coordinator can report "context deadline exceeded" as a failure when
# the time runs out mid-execution (golang/go#75804, fixed in Go 1.27).
FUZZTIME  ?= 20000x

.PHONY: run deps web build serve check fmt vet test fuzz browser bench bench-hostile bench-tiles bench-dxf bench-browser bench-scenarios bench-shortfall bench-evaluation clean

## run: install what is missing, build, and serve the map with the sample data
run: deps build serve

deps:
	bash .ci/install-deps

web:
	@[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
	bash web/vendor.sh

build: web
	$(GO) build -o $(BIN) ./cmd/wanmu

serve:
	./$(BIN) serve --addr $(ADDR)

## check: every check — formatting, vet, all tests with -race (PostGIS, GDAL,
## browser), brief fuzzing of every parser of outside input
check: deps web fmt vet test fuzz

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

test:
	$(GO) test -race -count=1 -timeout 40m ./...

fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$f"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

## browser: the browser tests alone (headless Chromium against a real wanmu serve)
browser: web
	$(GO) test -count=1 ./web/browser/

BENCH_PARCELS ?= 200000

## bench: scale benchmark (issue 7); make bench BENCH_PARCELS=200000,1000000 adds the province-scale run
bench: bench-hostile bench-dxf bench-browser bench-scenarios bench-shortfall bench-evaluation
	WANMU_BENCH_PARCELS=$(BENCH_PARCELS) $(GO) test ./internal/store -run '^$$' -bench '^BenchmarkScale$$' -benchtime 1x -count=1 -v -timeout 120m

## bench-hostile: peak memory under 50 concurrent worst-case viewer requests on 50,000 zones (issue 13)
bench-hostile:
	$(GO) test ./cmd/wanmu -run '^$$' -bench '^BenchmarkHostileLoad$$' -benchtime 1x -count=1 -v -timeout 30m

## bench-dxf: time and peak memory of a 146,000-feature DXF export, the Go writer against ogr2ogr (issue 14)
bench-dxf:
	$(GO) test ./internal/exchange -run '^$$' -bench '^BenchmarkDXFExport$$' -benchtime 1x -count=1 -v -timeout 30m

## bench-browser: sign-in to a drawn map and frames while panning with 永久基本农田, in headless
## Chromium, on the sample data and on BENCH_PARCELS parcels from `wanmu gen` (issue 15)
bench-browser: web
	WANMU_BENCH_PARCELS=$(BENCH_PARCELS) $(GO) test ./web/browser -run '^$$' -bench '^Benchmark(SignInToMap|PanFrames)$$' -benchtime 1x -count=1 -v -timeout 40m

## bench-scenarios: a platform's report inside a plan with 20 changed zones against the official one, and
## comparing three plans × ten platforms, on BENCH_PARCELS parcels (issue 16)
bench-scenarios:
	WANMU_BENCH_PARCELS=$(BENCH_PARCELS) $(GO) test ./internal/store -run '^$$' -bench '^BenchmarkScenarios$$' -benchtime 1x -count=1 -v -timeout 60m

## bench-shortfall: what closes the gap of every short platform, the heaviest cold (target < 2 s), and each
## candidate's marginal figure against the report after adding it (≤ 0.01 mu), on BENCH_PARCELS parcels (issue 17)
bench-shortfall:
	WANMU_BENCH_PARCELS=$(BENCH_PARCELS) $(GO) test ./internal/store -run '^$$' -bench '^BenchmarkShortfall$$' -benchtime 1x -count=1 -v -timeout 60m

## bench-evaluation: the 亩均 evaluation of 20,000 synthetic enterprises and their platforms' indicators (issue 18; target < 1 s)
bench-evaluation:
	$(GO) test ./internal/evaluation -run '^$$' -bench '^BenchmarkEvaluate$$' -benchtime 5x -count=1 -timeout 10m

bench-tiles:
	$(GO) test ./internal/tiles -run '^$$' -bench '^BenchmarkTiles$$' -benchtime 1x -count=1 -v -timeout 30m

clean:
	rm -rf bin node_modules web/static/vendor
