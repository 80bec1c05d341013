/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the config.json parser: spec_parse() on arbitrary bytes must
 * return 0 or an error, never crash, and never leak. A parsed seccomp
 * profile is also compiled, as "create" does.
 *
 * Built with libFuzzer, AddressSanitizer and UBSan, and run for five
 * minutes, from the repository root in bash (clang 14):
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *		-fno-sanitize-recover=undefined -D_GNU_SOURCE -std=c11 \
 *		-Isrc -include src/util/banned.h tests/fuzz/fuzz-spec.c \
 *		src/util/{error,fs,json,log,strv,xalloc}.c \
 *		src/runtime/{spec*,capabilities,seccomp*}.c \
 *		-ljansson -lseccomp -lcap -o /tmp/fuzz-spec
 *	mkdir -p /tmp/spec-corpus
 *	/tmp/fuzz-spec -max_total_time=300 -max_len=8192 -timeout=10 \
 *		-artifact_prefix=/tmp/ -dict=tests/fuzz/spec.dict \
 *		/tmp/spec-corpus tests/fuzz/corpus/spec
 *
 * Inputs that once crashed it are kept as seeds in tests/fuzz/corpus/spec.
 * The meson build links tests/fuzz/standalone-main.c instead, which runs
 * the target once on each file, or each file in a directory, named on
 * the command line.
 */
#include <stddef.h>
#include <stdint.h>

#include "runtime/seccomp.h"
#include "runtime/spec.h"
#include "util/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct berth_error *err = NULL;
	struct spec *spec = NULL;

	if (spec_parse((const char *)data, size, "'config.json'", &spec, &err) <
	    0) {
		berth_error_free(&err);
		return 0;
	}

	if (seccomp_validate_spec(spec->linux.seccomp, &err) < 0)
		berth_error_free(&err);

	spec_free(spec);
	return 0;
}
