#!/usr/bin/env bats
# berth build against what users bring from Docker: RUN heredoc forms,
# hostile Containerfiles, and RUN steps that fork, get killed or are
# interrupted.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	berth_container_setup
	CTX=$BATS_TEST_TMPDIR/ctx
	mkdir -p "$CTX"
}

teardown() {
	berth_container_teardown
}

containerfile() {
	cat >"$CTX/Containerfile"
}

# Print the number of blobs in the store.
count_blobs() {
	find "$BERTH_ROOT/blobs" -type f | wc -l
}

@test "build RUN heredoc inside a command line" {
	containerfile <<-'OUTER'
		FROM busybox
		RUN <<'EOF' sh
		echo "quoted $HOME" > /quoted
		EOF
		RUN cat <<A > /a && cat <<B > /b
		first $HOME
		A
		second
		B
	OUTER

	run -0 "$BERTH" build -q -t test:heredoc-line "$CTX"
	run -0 "$BERTH" run --rm test:heredoc-line cat /quoted /a /b
	[ "${lines[0]}" = "quoted /root" ]
	[ "${lines[1]}" = "first /root" ]
	[ "${lines[2]}" = second ]
}

@test "build RUN heredoc runs its shebang" {
	containerfile <<-'OUTER'
		FROM busybox
		RUN <<EOF
		#!/bin/cat
		not shell: $HOME
		EOF
		RUN <<EOF
		#!/bin/sh -e
		false
		echo not reached
		EOF
	OUTER

	run -1 "$BERTH" build "$CTX"
	[[ "$output" == *'not shell: $HOME'* ]]
	[[ "$output" != *"not reached"* ]]
	[[ "$output" == *"Containerfile:6: RUN: RUN failed with exit status 1"* ]]
	berth_assert_store_clean
}

@test "build RUN heredoc body change misses the cache" {
	printf 'FROM busybox\nRUN <<EOF\necho body-one\nEOF\n' \
		>"$CTX/Containerfile"
	run -0 "$BERTH" build "$CTX"
	[[ "$output" == *body-one* ]]

	printf 'FROM busybox\nRUN <<EOF\necho body-two\nEOF\n' \
		>"$CTX/Containerfile"
	run -0 "$BERTH" build "$CTX"
	[[ "$output" == *body-two* ]]
	[[ "$output" != *"Using cache"* ]]
}

@test "build RUN gets HOME from passwd" {
	containerfile <<-'EOF'
		FROM busybox
		RUN echo "home=$HOME"
		USER nobody
		RUN echo "home=$HOME"
	EOF

	run -0 "$BERTH" build "$CTX"
	[[ "$output" == *"home=/root"* ]]
	[[ "$output" == *"home=/home"* || "$output" == *"home=/nonexistent"* ]]
}

@test "build rejects exponential ARG expansion" {
	{
		echo 'FROM busybox'
		echo 'ARG A=x'
		for _ in $(seq 1 40); do echo 'ARG A=$A$A'; done
	} >"$CTX/Containerfile"

	run -125 timeout 60 "$BERTH" build -q "$CTX"
	[[ "$output" == *"Containerfile:20: ARG: expand '\$A\$A': the value is longer than 131072 bytes"* ]]
}

@test "build error quotes only the start of a long word" {
	{
		echo 'FROM busybox'
		printf 'ENV A='
		for _ in $(seq 1 1000); do printf '${B:-'; done
		for _ in $(seq 1 1000); do printf '}'; done
		echo
	} >"$CTX/Containerfile"

	run -125 "$BERTH" build -q "$CTX"
	[[ "$output" == *"more than 64 nested '\${'"* ]]
	[ "${#output}" -lt 300 ]
}

@test "build rejects a config too large to store" {
	{
		echo 'FROM busybox'
		printf 'ARG A=%s\n' "$(head -c 100000 /dev/zero | tr '\0' x)"
		printf 'LABEL'
		for i in $(seq 1 60); do printf ' l%d=$A' "$i"; done
		echo
	} >"$CTX/Containerfile"
	blobs=$(count_blobs)

	run -125 "$BERTH" build -q -t test:big "$CTX"
	[[ "$output" == *"the image config (Env, Labels and the like) has"* ]]
	[ "$(count_blobs)" -eq "$blobs" ]
	run "$BERTH" inspect --type image test:big
	[ "$status" -ne 0 ]
}

@test "build rejects a Containerfile over 1 MiB" {
	{
		echo 'FROM busybox'
		printf 'LABEL a=%s\n' "$(head -c 2000000 /dev/zero | tr '\0' x)"
	} >"$CTX/Containerfile"

	run -125 "$BERTH" build -q "$CTX"
	[[ "$output" == *"Containerfile: the file has 2000022 bytes, more than the limit of 1048576"* ]]
}

@test "build FROM of a later stage name is an image" {
	containerfile <<-'EOF'
		FROM later AS first
		RUN echo in-first

		FROM busybox AS later
		RUN echo in-later
	EOF
	"$BERTH" tag busybox later

	run -0 "$BERTH" build --target first "$CTX"
	[[ "$output" == *in-first* ]]
	[[ "$output" != *in-later* ]]

	printf 'FROM a AS a\n' >"$CTX/Containerfile"
	run -125 "$BERTH" build "$CTX"
	[[ "$output" == *"Containerfile:1: FROM: image 'a' not found"* ]]
}

@test "build rejects 10000 stages" {
	{
		echo 'FROM busybox AS s0'
		for i in $(seq 1 9999); do echo "FROM s$((i - 1)) AS s$i"; done
	} >"$CTX/Containerfile"

	run -125 timeout 60 "$BERTH" build -q "$CTX"
	[[ "$output" == *"Containerfile: 10000 stages, more than the limit of 1000"* ]]
}

@test "build SIGTERM stops a FROM chain" {
	{
		echo 'FROM busybox AS s0'
		for i in $(seq 1 999); do echo "FROM s$((i - 1)) AS s$i"; done
	} >"$CTX/Containerfile"

	"$BERTH" build "$CTX" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do
		grep -q 'FROM s1 AS s2' "$BATS_TEST_TMPDIR/out" && break
		sleep 0.1
	done
	kill -TERM "$pid"
	status=0
	timeout 30 tail --pid="$pid" -f /dev/null || kill -KILL "$pid"
	wait "$pid" || status=$?
	[ "$status" -eq 125 ]
	grep -q "build interrupted" "$BATS_TEST_TMPDIR/out"
	berth_assert_store_clean
}

@test "build RUN that forks a daemon ends" {
	containerfile <<-'EOF'
		FROM busybox
		RUN sleep 600 & echo forked
		RUN (setsid sleep 600 >/dev/null 2>&1 &); echo detached
	EOF

	run -0 timeout 60 "$BERTH" build "$CTX"
	[[ "$output" == *forked* ]]
	[[ "$output" == *detached* ]]
	berth_assert_store_clean
}

@test "build RUN killed by SIGKILL fails with 137" {
	# A duration of its own tells this RUN's sleep from any other.
	seconds=$((1000 + RANDOM))
	containerfile <<-EOF
		FROM busybox
		RUN echo started && exec sleep $seconds
	EOF

	"$BERTH" build "$CTX" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do
		grep -qx started "$BATS_TEST_TMPDIR/out" && break
		sleep 0.1
	done
	sleeper=$(ps -eo pid=,args= |
		awk -v s="$seconds" '$2 == "sleep" && $3 == s { print $1 }')
	[ -n "$sleeper" ]
	kill -KILL "$sleeper"
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 137 ]
	grep -q "RUN failed with exit status 137" "$BATS_TEST_TMPDIR/out"
	berth_assert_store_clean
}

@test "build stopped by SIGINT leaves nothing behind" {
	containerfile <<-'EOF'
		FROM busybox
		RUN echo started && sleep 60
	EOF

	"$BERTH" build "$CTX" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do
		grep -qx started "$BATS_TEST_TMPDIR/out" && break
		sleep 0.1
	done
	kill -INT "$pid"
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 125 ]
	grep -q "interrupted by signal 2" "$BATS_TEST_TMPDIR/out"
	berth_assert_store_clean
	[ -z "$(ls "$BERTH_RUNROOT/runtime" 2>/dev/null)" ]
	[ -z "$(ls "$BERTH_ROOT/cache/build/work" 2>/dev/null)" ]
}
