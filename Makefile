# redcell: `make run` to try it, `make test` to check it. Both install what is missing.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
LISTEN ?= 127.0.0.1:8080
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := true

CMAKE_COMMON := -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON

.PHONY: setup setup-test build build-asan run test tidy unit integration bench format clean

setup:
	@bash scripts/setup.sh

setup-test:
	@bash scripts/setup.sh --test

build: setup
	@cmake -S . -B build $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
	@cmake --build build -j $(JOBS) --target redcell

MOCK_LISTEN ?= 127.0.0.1:9000

# The server, plus a demo mock LLM (http://127.0.0.1:9000/v1, OpenAI-compatible) to attack;
# the mock stops with the server.
run: build
	@./build/redcell mock-target --listen $(MOCK_LISTEN) --behavior decode --log-level warn & \
	  mock=$$!; trap 'kill $$mock 2>/dev/null' EXIT INT TERM; \
	  np="$${NO_PROXY:-$${no_proxy:-}}"; \
	  NO_PROXY="$${np:+$$np,}127.0.0.1,localhost" ./build/redcell serve --listen $(LISTEN) --target-allow loopback \
	    --demo-target http://$(MOCK_LISTEN)/v1

build-asan: setup-test
	@cmake -S . -B build-asan $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Debug \
	  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" -DREDCELL_SANITIZE=ON -DBUILD_TESTING=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)

# Every test, against the ASan+UBSan build, then clang-tidy over src/ (both must pass).
test: build-asan
	@rc=0; cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 900 || rc=$$?; \
	  cd .. && python3 scripts/tidy.py build-asan --jobs $(JOBS) || rc=1; exit $$rc

# clang-tidy alone (bugprone-* and a function-size limit; results cached per unit).
tidy: build-asan
	@python3 scripts/tidy.py build-asan --jobs $(JOBS)

bench: setup-test
	@cmake -S . -B build-bench $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
	@cmake --build build-bench -j $(JOBS)
	@bash bench/run.sh build-bench

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf build build-asan build-bench
