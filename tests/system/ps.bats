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
	[ "$(echo "${lines[1]}" | jq -r .Names)" = j1 ]
	[ "$(echo "${lines[1]}" | jq -r .State)" = running ]
	[ "$(echo "${lines[0]}" | jq -r .Status)" = Created ]
}

@test "ps lists the newest container first" {
	"$BERTH" create --name first busybox true
	"$BERTH" create --name second busybox true
	"$BERTH" create --name third busybox true
	run "$BERTH" ps -a --format json
	[ "$status" -eq 0 ]
	[ "$(jq -r .Names <<<"${lines[0]}")" = third ]
	[ "$(jq -r .Names <<<"${lines[1]}")" = second ]
	[ "$(jq -r .Names <<<"${lines[2]}")" = first ]
}

@test "ps shows Up then Exited for a detached container" {
	"$BERTH" run -d --name short busybox sh -c 'sleep 1; exit 2'
	run "$BERTH" ps -a --format json
	[[ "$(echo "$output" | jq -r .Status)" == "Up "* ]]
	"$BERTH" wait short
	run "$BERTH" ps -a --format json
	[[ "$(echo "$output" | jq -r .Status)" == "Exited (2) "* ]]
}

@test "ps --filter selects by status, name, exit code and image" {
	"$BERTH" run -d --name web1 busybox sleep 100
	run "$BERTH" run --name ex3 busybox sh -c 'exit 3'
	"$BERTH" create --name made busybox true

	run "$BERTH" ps -a -f status=exited --format '{{.Names}}'
	[ "$status" -eq 0 ]
	[ "$output" = ex3 ]

	run "$BERTH" ps -a --filter 'name=^w' --filter name=^m \
		--format '{{.Names}}'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = made ]
	[ "${lines[1]}" = web1 ]

	run "$BERTH" ps -a -f exited=3 -f name=e --format '{{.Names}}'
	[ "$output" = ex3 ]

	run "$BERTH" ps -a -f ancestor=busybox:latest -q
	[ "${#lines[@]}" -eq 3 ]
	run "$BERTH" ps -a -f ancestor=nosuch -q
	[ -z "$output" ]

	id=$(berth_inspect_field web1 .Id)
	run "$BERTH" ps -a -f "id=${id:0:6}" --format '{{.Names}}'
	[ "$output" = web1 ]
}

@test "ps --filter rejects what it cannot match" {
	run "$BERTH" ps -f volume=a
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid filter 'volume'"* ]]
	run "$BERTH" ps -f status=zombie
	[ "$status" -eq 125 ]
	run "$BERTH" ps -f 'name=('
	[ "$status" -eq 125 ]
	run "$BERTH" ps -f name
	[ "$status" -eq 125 ]
}

@test "ps -n and -l show the newest of every status" {
	"$BERTH" run -d --name older busybox sleep 100
	"$BERTH" create --name newer busybox true
	"$BERTH" create --name newest busybox true

	run "$BERTH" ps -n 2 --format '{{.Names}}'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = newest ]
	[ "${lines[1]}" = newer ]

	run "$BERTH" ps -l -q
	[ "$output" = "$(berth_inspect_field newest .Id | cut -c1-12)" ]
}

@test "ps --format takes a template" {
	"$BERTH" run -d --name tmpl busybox sleep 100
	run "$BERTH" ps --format '{{.Names}}|{{.State}}|{{.Command}}'
	[ "$status" -eq 0 ]
	[ "$output" = 'tmpl|running|"sleep 100"' ]
	run "$BERTH" ps --format '{{if .Names}}x{{end}}'
	[ "$status" -eq 125 ]
	run "$BERTH" ps --format 'table {{.Names}}'
	[ "$status" -eq 125 ]
}

@test "labels from the image and --label are shown and filtered" {
	run "$BERTH" create --name lab1 -l app=web --label tier busybox true
	[ "$status" -eq 0 ]
	"$BERTH" create --name lab2 -l app=db busybox true
	[ "$(berth_inspect_field lab1 '.Config.Labels.app')" = web ]
	[ "$(berth_inspect_field lab1 '.Config.Labels.tier')" = "" ]

	run "$BERTH" ps -a -f label=app=db --format '{{.Names}}'
	[ "$output" = lab2 ]
	run "$BERTH" ps -a -f label=tier --format '{{.Names}} {{.Labels}}'
	[ "$output" = "lab1 app=web,tier=" ]
	run "$BERTH" ps -a -f label=app -q
	[ "${#lines[@]}" -eq 2 ]

	run "$BERTH" create -l =x busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid label '=x'"* ]]
}
