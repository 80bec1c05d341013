#!/usr/bin/env bats
# Bad input: each failure exits with the documented status and leaves
# no container directory, mount, cgroup or runtime state behind.

bats_require_minimum_version 1.5.0

load helpers

setup() {
	berth_container_setup
}

teardown() {
	berth_container_teardown
}

@test "unknown image fails with 125" {
	run "$BERTH" run --rm no-such-image true
	[ "$status" -eq 125 ]
	[[ "$output" == *"no-such-image"* ]]
	berth_assert_store_clean
}

@test "missing command fails with 127 and keeps a created container" {
	run -127 "$BERTH" run --name missing busybox /no/such/command
	[ "$status" -eq 127 ]
	[[ "$output" == *"/no/such/command"* ]]
	# Docker keeps the container, never started, unless --rm.
	[ "$(berth_inspect_field missing .State.Status)" = created ]
	[ -z "$(berth_store_mounts)" ]
	[ -z "$(ls -A "$BERTH_RUNROOT/runtime" 2>/dev/null)" ]
	[ -z "$(berth_container_cgroups)" ]

	run -127 "$BERTH" run --rm busybox no-such-command-in-path
	[ "$status" -eq 127 ]
	"$BERTH" rm missing
	berth_assert_store_clean
}

@test "missing command with -d fails with 127" {
	run -127 "$BERTH" run -d --rm busybox /no/such/command
	[ "$status" -eq 127 ]
	berth_assert_store_clean
}

@test "a file that is not executable fails with 126" {
	run "$BERTH" run --rm busybox /etc/passwd
	[ "$status" -eq 126 ]
	run "$BERTH" run --rm busybox /tmp
	[ "$status" -eq 126 ]
	berth_assert_store_clean
}

@test "invalid names fail with 125" {
	for name in "bad name" "-lead" "a/b" "_x"; do
		run "$BERTH" run --rm --name "$name" busybox true
		[ "$status" -eq 125 ]
		[[ "$output" == *"invalid container name"* ]]
	done
	berth_assert_store_clean
}

@test "a duplicate name fails with 125 and names the owner" {
	id=$("$BERTH" create --name dup busybox true)
	run "$BERTH" run --rm --name dup busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"the container name 'dup' is already in use by container '$id'"* ]]
	[ "$("$BERTH" ps -aq --no-trunc)" = "$id" ]
	"$BERTH" rm dup
	berth_assert_store_clean
}

@test "an unknown user fails with 125" {
	run "$BERTH" run --rm -u nosuchuser busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"unable to find user nosuchuser: no matching entries in passwd file"* ]]
	run "$BERTH" run --rm -u tester:nosuchgroup busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"unable to find group nosuchgroup"* ]]
	berth_assert_store_clean
}

# Import the busybox image with /etc/passwd and /etc/group replaced by
# what the commands after the image name write into directory $2, as
# image $1.
import_edited_busybox() {
	local image=$1 dir=$BATS_TEST_TMPDIR/edited
	shift

	mkdir -p "$dir"
	tar -xf "$(berth_busybox_tarball)" -C "$dir"
	(cd "$dir" && "$@")
	tar -cf "$BATS_TEST_TMPDIR/edited.tar" -C "$dir" .
	"$BERTH" import "$BATS_TEST_TMPDIR/edited.tar" "$image" >/dev/null
}

@test "an overlong passwd line fails with 125 and names it" {
	import_edited_busybox long:latest sh -c \
		'{ head -c 70000 /dev/zero | tr "\0" a; echo; cat etc/passwd; } \
			>etc/passwd.new && mv etc/passwd.new etc/passwd'
	run timeout 60 "$BERTH" run --rm -u tester long:latest true
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid /etc/passwd in the image: line 1 is longer than 65536 bytes"* ]]
	berth_assert_store_clean
}

@test "a group file that is a FIFO fails with 125" {
	import_edited_busybox fifo:latest sh -c \
		'rm etc/group && mkfifo etc/group'
	run timeout 60 "$BERTH" run --rm -u tester fifo:latest true
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid /etc/group in the image: it is not a regular file"* ]]
	berth_assert_store_clean
}

@test "bad volumes fail with 125" {
	# As in Docker, -v creates a missing host directory but --mount not.
	run "$BERTH" run --rm \
		--mount type=bind,source=/no/such/dir,target=/data busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"/no/such/dir"* ]]
	run "$BERTH" run --rm -v rel/ative:/data busybox true
	[ "$status" -eq 125 ]
	run "$BERTH" run --rm -v /tmp:relative busybox true
	[ "$status" -eq 125 ]
	run "$BERTH" run --rm -v /tmp:/data:rx busybox true
	[ "$status" -eq 125 ]
	run "$BERTH" run --rm -v tmp busybox true
	[ "$status" -eq 125 ]
	berth_assert_store_clean
}

@test "volumes over / or /proc fail with 125 before anything is made" {
	for dest in / // /. /proc /proc/sys //proc/ /a/../proc; do
		run timeout 30 "$BERTH" run --rm -v "$BATS_TEST_TMPDIR:$dest" \
			busybox true
		[ "$status" -eq 125 ]
		[[ "$output" == *"invalid volume"* ]]
	done
	run "$BERTH" run --rm -v "$BATS_TEST_TMPDIR:/procs" busybox true
	[ "$status" -eq 0 ]
	berth_assert_store_clean
}

@test "a memory limit below 6m fails with 125" {
	for value in 1 6291455 5m; do
		run "$BERTH" run --rm -m "$value" busybox true
		[ "$status" -eq 125 ]
		[[ "$output" == *"minimum is 6m"* ]]
	done
	run "$BERTH" run --rm -m 6m busybox true
	[ "$status" -eq 0 ]
	berth_assert_store_clean
}

@test "--cpus outside 0.01 to the CPU count and long host names fail" {
	for value in 0.0000001 0.009 $(($(nproc) + 1)); do
		run "$BERTH" run --rm --cpus "$value" busybox true
		[ "$status" -eq 125 ]
		[[ "$output" == *"from 0.01 to $(nproc)"* ]]
	done
	run "$BERTH" run --rm --hostname "$(printf 'h%.0s' $(seq 65))" \
		busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"longer than 64"* ]]
	run "$BERTH" run --rm --hostname "$(printf 'h%.0s' $(seq 64))" \
		busybox hostname
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'h%.0s' $(seq 64))" ]
	berth_assert_store_clean
}

@test "bad resource values fail with 125" {
	for value in 12q -1 "" 0 m 99999999999999999999g; do
		run "$BERTH" run --rm -m "$value" busybox true
		[ "$status" -eq 125 ]
	done
	[[ "$output" == *"invalid memory size"* ]]
	run "$BERTH" run --rm --cpus abc busybox true
	[ "$status" -eq 125 ]
	run "$BERTH" run --rm --cpus 0 busybox true
	[ "$status" -eq 125 ]
	run "$BERTH" run --rm --pids-limit x busybox true
	[ "$status" -eq 125 ]
	berth_assert_store_clean
}

@test "no command and no image Cmd fails with 125" {
	run "$BERTH" run --rm busybox
	[ "$status" -eq 125 ]
	[[ "$output" == *"no command specified"* ]]
	berth_assert_store_clean
}

@test "unknown containers fail with 125" {
	for cmd in start stop kill rm logs wait inspect; do
		run "$BERTH" "$cmd" no-such-container
		[ "$status" -eq 125 ]
		[[ "$output" == *"no such"* ]]
	done
	run "$BERTH" exec no-such-container true
	[ "$status" -eq 125 ]
}

@test "an ambiguous id prefix fails" {
	for _ in $(seq 1 40); do
		"$BERTH" create busybox true >/dev/null
	done
	prefix=$("$BERTH" ps -aq --no-trunc | cut -c1 | sort | uniq -d |
		head -n 1)
	[ -n "$prefix" ]
	run "$BERTH" inspect --type container "$prefix"
	[ "$status" -eq 125 ]
	[[ "$output" == *ambiguous* ]]
}

@test "an invalid cgroup parent fails with 125" {
	for parent in "" / ../x a//b "a b" x/; do
		run "$BERTH" run --rm --cgroup-parent "$parent" busybox true
		[ "$status" -eq 125 ]
		[[ "$output" == *"invalid cgroup parent"* ]]
	done
	berth_assert_store_clean
}

@test "unknown options fail with 125" {
	run "$BERTH" run --no-such-flag busybox true
	[ "$status" -eq 125 ]
	run "$BERTH" run --security-opt seccomp=unconfined busybox true
	[ "$status" -eq 125 ]
	run "$BERTH" ps --format yaml
	[ "$status" -eq 125 ]
	berth_assert_store_clean
}

@test "option errors use Docker's words" {
	run "$BERTH" run --no-such-flag busybox true
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "berth run: unknown flag: --no-such-flag" ]
	[ "${lines[1]}" = "See 'berth run --help'." ]

	run "$BERTH" run -x busybox true
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "berth run: unknown shorthand flag: 'x' in -x" ]

	run "$BERTH" run --name
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "berth run: flag needs an argument: --name" ]

	run "$BERTH" stop -t
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "berth stop: flag needs an argument: 't' in -t" ]

	run "$BERTH" exec -p 8080:80 c true
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "berth exec: unknown shorthand flag: 'p' in -p" ]

	run "$BERTH" create -d busybox true
	[ "$status" -eq 125 ]
	[[ "${lines[0]}" == *"use 'berth run -d'"* ]]

	for cmd in ps rm start stop kill wait logs exec inspect images rmi \
		tag import; do
		run "$BERTH" "$cmd" --no-such-flag
		[ "$status" -eq 125 ]
		[ "${lines[0]}" = "berth $cmd: unknown flag: --no-such-flag" ]
	done
	berth_assert_store_clean
}

@test "validation messages end with the hint, without an OS error" {
	"$BERTH" run -d --name busy busybox sleep 100 >/dev/null
	run "$BERTH" kill -s NOSUCH busy
	[ "$status" -eq 125 ]
	[ "$output" = "berth: unknown signal 'NOSUCH': use a name such as 'SIGTERM' or a number" ]
	run "$BERTH" rm busy
	[ "$status" -eq 125 ]
	[[ "$output" == *"stop it first or use -f" ]]
	run "$BERTH" rm nosuch
	[ "$output" = "berth: no such container: 'nosuch'" ]
	"$BERTH" rm -f busy >/dev/null
	berth_assert_store_clean
}

@test "berth without a command prints the help and exits 0" {
	run --separate-stderr "$BERTH"
	[ "$status" -eq 0 ]
	[[ "$output" == "Usage: berth"* ]]
	[ -z "$stderr" ]
}

@test "version and --version print the version" {
	run --separate-stderr "$BERTH" version
	[ "$status" -eq 0 ]
	[[ "$output" == "berth version "* ]]
	version=$output
	run "$BERTH" --version
	[ "$status" -eq 0 ]
	[ "$output" = "$version" ]
	run "$BERTH" version extra
	[ "$status" -eq 125 ]
}
