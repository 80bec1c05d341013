#!/usr/bin/env bats
# berth ps: the table, -a, -q, --no-trunc and --format json.

load helpers

setup() {
	berth_container_setup
}

teardown() {
	berth_container_teardown
}

@test "ps lists running containers only" {
	"$BERTH" create --name made busybox true
	"$BERTH" run -d --name up busybox sleep 100
	run "$BERTH" run --name gone busybox sh -c 'exit 4'
	[ "$status" -eq 4 ]

	run "$BERTH" ps
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == "CONTAINER ID"*IMAGE*COMMAND*CREATED*STATUS*NAMES ]]
	[[ "${lines[1]}" == *busybox*'"sleep 100"'*"Up "*up ]]
}

@test "ps -a shows every status" {
	"$BERTH" create --name made busybox true
	"$BERTH" run -d --name up busybox sleep 100
	run "$BERTH" run --name gone busybox sh -c 'exit 4'
	[ "$status" -eq 4 ]

	run "$BERTH" ps -a
	[ "${#lines[@]}" -eq 4 ]
	[[ "$output" == *"Created"*made* ]]
	[[ "$output" == *"Up "*up* ]]
	[[ "$output" == *"Exited (4) "*" ago"*gone* ]]
}

@test "ps -q prints ids" {
	id=$("$BERTH" run -d busybox sleep 100)
	run "$BERTH" ps -q
	[ "$output" = "${id:0:12}" ]
	run "$BERTH" ps -q --no-trunc
	[ "$output" = "$id" ]
}

@test "ps truncates long commands unless --no-trunc" {
	"$BERTH" create --name long busybox echo a-very-long-argument-list
	run "$BERTH" ps -a
	[[ "$output" == *'"echo a-very-long-ar…"'* ]]
	run "$BERTH" ps -a --no-trunc
	[[ "$output" == *'"echo a-very-long-argument-list"'* ]]
}

@test "ps --format json prints one object per line" {
	"$BERTH" run -d --name j1 busybox sleep 100
	"$BERTH" create --name j2 busybox true
	run "$BERTH" ps -a --format json
	[ "${#lines[@]}" -eq 2 ]
	[ "$(echo "${lines[0]}" | jq -r .Names)" = j1 ]
	[ "$(echo "${lines[0]}" | jq -r .State)" = running ]
	[ "$(echo "${lines[1]}" | jq -r .Status)" = Created ]
}

@test "ps shows Up then Exited for a detached container" {
	"$BERTH" run -d --name short busybox sh -c 'sleep 1; exit 2'
	run "$BERTH" ps -a --format json
	[[ "$(echo "$output" | jq -r .Status)" == "Up "* ]]
	"$BERTH" wait short
	run "$BERTH" ps -a --format json
	[[ "$(echo "$output" | jq -r .Status)" == "Exited (2) "* ]]
}
