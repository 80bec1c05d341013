#!/usr/bin/env bats
# berth exec: processes in a running container.

bats_require_minimum_version 1.5.0

load helpers

setup() {
	berth_container_setup
	"$BERTH" run -d --name box -e FROM_RUN=1 -w /tmp busybox sleep 1000 \
		>/dev/null
}

teardown() {
	berth_container_teardown
}

@test "exec runs a command and returns its status" {
	run "$BERTH" exec box echo hello
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
	run "$BERTH" exec box sh -c 'exit 9'
	[ "$status" -eq 9 ]
}

@test "exec reports missing and non-executable commands" {
	run -127 "$BERTH" exec box /no/such/command
	[ "$status" -eq 127 ]
	run "$BERTH" exec box /etc/passwd
	[ "$status" -eq 126 ]
}

@test "exec joins the container's namespaces" {
	run "$BERTH" exec box ps -o pid,args
	[ "$status" -eq 0 ]
	[[ "$output" == *"1 sleep 1000"* ]]
	[ "$("$BERTH" exec box hostname)" = \
		"$(berth_inspect_field box .Config.Hostname)" ]
}

@test "exec keeps the container's environment and directory" {
	run "$BERTH" exec box sh -c 'echo $FROM_RUN; pwd'
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = /tmp ]

	run "$BERTH" exec -e EXTRA=2 -w / box sh -c 'echo $EXTRA; pwd'
	[ "${lines[0]}" = 2 ]
	[ "${lines[1]}" = / ]
}

@test "exec -u runs as another user" {
	run "$BERTH" exec -u tester box id
	[[ "$output" == "uid=1000(tester) gid=1000"* ]]
	run "$BERTH" exec -u nosuchuser box id
	[ "$status" -eq 125 ]
}

@test "exec -u sets HOME from the user's passwd entry" {
	run "$BERTH" exec -u nobody box sh -c 'echo $HOME'
	[ "$output" = /nonexistent ]
	run "$BERTH" exec -u 4321 box sh -c 'echo $HOME'
	[ "$output" = / ]
	run "$BERTH" exec -u nobody -e HOME=/h box sh -c 'echo $HOME'
	[ "$output" = /h ]
	run "$BERTH" exec box sh -c 'echo $HOME'
	[ "$output" = /root ]
}

@test "exec -w of a missing directory fails with 126" {
	run "$BERTH" exec -w /nonexist box pwd
	[ "$status" -eq 126 ]
	[[ "$output" == *"/nonexist"* ]]
	run "$BERTH" exec box test -e /nonexist
	[ "$status" -eq 1 ]
}

@test "exec keeps the default capabilities" {
	run "$BERTH" exec box grep CapEff /proc/self/status
	[[ "$output" == *00000000a80425fb ]]
}

@test "exec -i forwards stdin" {
	run bash -c "echo piped | '$BERTH' exec -i box cat"
	[ "$output" = piped ]
}

@test "exec -t gives a terminal" {
	run script -qec "'$BERTH' exec -t box sh -c 'test -t 0 && test -t 1 &&
		echo terminal'" /dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *terminal* ]]
}

@test "exec -t gives a terminal of the container's /dev/pts" {
	run script -qec "'$BERTH' exec -t box tty" /dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == */dev/pts/* ]]
}

@test "exec -d leaves the process running" {
	run "$BERTH" exec -d box sh -c 'sleep 1; touch /tmp/marker'
	[ "$status" -eq 0 ]
	for _ in $(seq 1 50); do
		"$BERTH" exec box test -e /tmp/marker && break
		sleep 0.1
	done
	"$BERTH" exec box test -e /tmp/marker
}

@test "exec in a stopped container fails" {
	"$BERTH" create --name stopped busybox true
	run "$BERTH" exec stopped true
	[ "$status" -eq 125 ]
	[ "$output" = "berth: container 'stopped' is not running: start it first" ]
}
