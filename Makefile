# Entry points for building, testing and demonstrating berth on Debian 12.
#
#   make            build into build/ (same as "make build")
#   make asan       build into build-asan/ with AddressSanitizer and UBSan
#   make check      install dependencies, build both, check formatting and
#                   run every test suite (root)
#   make demo       install dependencies, build, import debian:bookworm and
#                   walk through the main commands (root)
#   make install    install the binaries under PREFIX (root)
#   make bench      run every bench/*/run script (root)
#   make fuzz       build the fuzz targets with clang and libFuzzer into
#                   build-fuzz/ and fuzz each for FUZZ_SECONDS (default 60)
#   make format     rewrite the C sources with clang-format
#   make clean      remove the build directories

BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
PREFIX ?= /usr/local
MESON ?= meson
NINJA ?= ninja

.PHONY: all build asan check demo install clean bench fuzz format \
	format-check deps root-check

all: build

build: $(BUILD)/build.ninja
	$(NINJA) -C $(BUILD)

$(BUILD)/build.ninja:
	$(MESON) setup --prefix=$(PREFIX) $(BUILD)

asan: $(ASAN_BUILD)/build.ninja
	$(NINJA) -C $(ASAN_BUILD)

$(ASAN_BUILD)/build.ninja:
	$(MESON) setup -Db_sanitize=address,undefined $(ASAN_BUILD)

# Containers need namespaces, mounts and cgroups, packages come from apt
# and install writes under PREFIX, so these targets stop early unless
# they run as root.
root-check:
	@if [ "$$(id -u)" -ne 0 ]; then \
		echo "make $(MAKECMDGOALS): must run as root;" \
			"try 'sudo make $(MAKECMDGOALS)'" >&2; \
		exit 1; \
	fi

deps: root-check
	scripts/install-deps

# The steps run in order even under "make -j": the dependencies must be
# installed before meson looks for them. tests/run-all builds both
# directories itself, as its first suites, so that a target that fails
# to build shows up in the tally next to the tests that still ran.
check: root-check
	scripts/install-deps
	$(MAKE) --no-print-directory $(BUILD)/build.ninja \
		$(ASAN_BUILD)/build.ninja
	BERTH_BUILD=$(abspath $(BUILD)) BERTH_ASAN_BUILD=$(abspath $(ASAN_BUILD)) \
		tests/run-all

demo: root-check
	scripts/install-deps
	$(MAKE) --no-print-directory build
	BERTH=$(abspath $(BUILD))/src/cli/berth scripts/demo

install: root-check build
	$(MESON) configure --prefix=$(PREFIX) $(BUILD)
	$(MESON) install -C $(BUILD)

bench: root-check build
	@set -e; found=0; \
	for run in bench/*/run; do \
		[ -x "$$run" ] || continue; \
		found=1; \
		echo "== $$run"; \
		BERTH_BUILD=$(abspath $(BUILD)) "$$run"; \
	done; \
	if [ "$$found" -eq 0 ]; then echo "no bench/*/run scripts found"; fi

fuzz:
	BERTH_FUZZ_BUILD=$(abspath $(FUZZ_BUILD)) scripts/fuzz

format-check:
	scripts/check-format

format:
	scripts/check-format --fix

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
