#!/usr/bin/env bats
# berth logs: the CRI log file read back.

load helpers

setup() {
	berth_container_setup
}

teardown() {
	berth_container_teardown
}

@test "logs separates stdout and stderr" {
	"$BERTH" run -d --name out busybox sh -c \
		'echo o1; echo e1 >&2; echo o2; echo e2 >&2'
	"$BERTH" wait out
	[ "$("$BERTH" logs out 2>/dev/null)" = "$(printf 'o1\no2')" ]
	[ "$("$BERTH" logs out 2>&1 >/dev/null)" = "$(printf 'e1\ne2')" ]
}

@test "logs writes the CRI format" {
	"$BERTH" run --name cri busybox sh -c 'echo line; printf part'
	id=$(berth_inspect_field cri .Id)
	log=$BERTH_ROOT/containers/$id/ctr.log
	[ "$(berth_inspect_field cri .LogPath)" = "$log" ]
	grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z stdout F line$' "$log"
	grep -Eq ' stdout P part$' "$log"
}

@test "logs restores output without a final newline" {
	"$BERTH" run --name partial busybox printf 'a\nno newline'
	run "$BERTH" logs partial
	[ "$output" = "$(printf 'a\nno newline')" ]
	# The last byte is the 'e' of "newline", not a '\n'.
	[ "$("$BERTH" logs partial | tail -c 1)" = e ]
}

@test "logs -t prefixes timestamps" {
	"$BERTH" run --name ts busybox echo stamped
	run "$BERTH" logs -t ts
	[[ "$output" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]+Z\ stamped$ ]]
}

@test "logs --tail prints the last lines" {
	"$BERTH" run --name tail busybox sh -c 'for i in 1 2 3 4 5; do echo $i; done'
	run "$BERTH" logs --tail 2 tail
	[ "$output" = "$(printf '4\n5')" ]
	run "$BERTH" logs --tail 0 tail
	[ -z "$output" ]
	run "$BERTH" logs --tail all tail
	[ "${#lines[@]}" -eq 5 ]
	run "$BERTH" logs --tail x tail
	[ "$status" -eq 125 ]
}

@test "logs -f follows until the container exits" {
	"$BERTH" run -d --name follow busybox sh -c \
		'echo first; sleep 1; echo second; sleep 0.5'
	run timeout 20 "$BERTH" logs -f follow
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'first\nsecond')" ]
}

@test "logs of a terminal container are stdout" {
	"$BERTH" run -d -t --name tty busybox sh -c 'echo on-tty; echo err >&2'
	"$BERTH" wait tty
	run bash -c "'$BERTH' logs tty 2>/dev/null"
	[[ "$output" == *on-tty* ]]
	[[ "$output" == *err* ]]
}

@test "logs of a created container are empty" {
	"$BERTH" create --name new busybox true
	run "$BERTH" logs new
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}
