#!/usr/bin/env bats
# scripts/busybox-image: the root file system tarball that the system
# tests and benchmarks run, and its import as busybox:latest.

load helpers

setup() {
	TARBALL=$(berth_busybox_tarball)
}

@test "busybox tarball exists and is reused" {
	[ -f "$TARBALL" ]

	run "$BERTH_SOURCE_DIR/scripts/busybox-image" --tarball-only
	[ "$status" -eq 0 ]
	[ "$output" = "$TARBALL" ]
}

@test "busybox tarball has busybox and applet links" {
	run tar -tvf "$TARBALL" ./bin/busybox ./bin/sh ./usr/bin/env
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == -rwxr-xr-x* ]]
	[[ ${lines[1]} == *"./bin/sh -> /bin/busybox" ]]
	[[ ${lines[2]} == *"./usr/bin/env -> /bin/busybox" ]]
}

@test "busybox tarball has users root, nobody, tester" {
	run tar -xOf "$TARBALL" ./etc/passwd
	[ "$status" -eq 0 ]
	[[ $output == *"root:x:0:0:"* ]]
	[[ $output == *"nobody:x:65534:65534:"* ]]
	[[ $output == *"tester:x:1000:1000:"* ]]

	run tar -xOf "$TARBALL" ./etc/group
	[[ $output == *"tester:x:1000:"* ]]
}

@test "busybox tarball modes and owners" {
	# tar lists entries in archive order, which is sorted by name.
	run tar -tvf "$TARBALL" --numeric-owner --no-recursion \
		./home/tester ./root ./tmp
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "drwxr-xr-x 1000/1000 "*" ./home/tester/" ]]
	[[ ${lines[1]} == "drwx------ 0/0 "*" ./root/" ]]
	[[ ${lines[2]} == "drwxrwxrwt 0/0 "*" ./tmp/" ]]
}

@test "busybox tarball is reproducible" {
	local cache=$BATS_TEST_TMPDIR/cache first second

	first=$(BERTH_CACHE_DIR=$cache \
		"$BERTH_SOURCE_DIR/scripts/busybox-image" --tarball-only)
	rm "$first"
	second=$(BERTH_CACHE_DIR=$cache \
		"$BERTH_SOURCE_DIR/scripts/busybox-image" --tarball-only)
	[ "$first" = "$second" ]
	[ "$(sha256sum <"$second")" = "$(sha256sum <"$TARBALL")" ]
}

@test "busybox image imports as busybox:latest" {
	berth_test_store

	run "$BERTH_SOURCE_DIR/scripts/busybox-image"
	[ "$status" -eq 0 ]
	[[ ${lines[-1]} == sha256:* ]]

	run "$BERTH" images
	[ "$status" -eq 0 ]
	[[ $output == *busybox*latest* ]]
}
