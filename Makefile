# Solace: the two commands of the README, and a few more.
#   make demo    install dependencies, build, generate a Helmholtz dataset with SKR
#                (demo-helmholtz.h5) and compare SKR with GMRES(40) on the same systems
#   make test    install dependencies, build, run the whole test suite
#   make bench   side-by-side benchmarks (minutes)
#   make install PREFIX=/usr/local
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
PREFIX ?= /usr/local
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps configure build demo test test-sanitize bench install clean format

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS) > $(BUILD).configure.log || (cat $(BUILD).configure.log; exit 1)

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# The demo: an indefinite Helmholtz dataset (k up to 20) generated with SKR, then the same
# systems solved side by side with plain GMRES(40) to show what recycling buys.
DEMO = -family helmholtz -kmax 20 -n 64 -seed 1
demo: build
	$(BUILD)/bin/solace-generate $(DEMO) -count 200 -solver skr -o demo-helmholtz.h5 -force
	@/usr/bin/python3 scripts/show-dataset.py demo-helmholtz.h5
	@bash scripts/demo-compare.sh $(BUILD)/bin 24 $(DEMO)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-sanitize:
	$(MAKE) test BUILD=build-sanitize CMAKE_FLAGS=-DSOLACE_SANITIZE=ON BUILD_TYPE=Debug

bench: build
	bash bench/run-all.sh $(BUILD)

install: build
	cmake --install $(BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(BUILD).configure.log
