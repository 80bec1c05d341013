#!/usr/bin/env bats
# Restart policies, applied by the container's monitor.

load helpers

setup() {
	berth_container_setup
}

teardown() {
	berth_container_teardown
}

# Wait until field $2 of container $1 is $3, for at most 10 s.
wait_field() {
	local i

	for i in $(seq 1 100); do
		[ "$(berth_inspect_field "$1" "$2")" = "$3" ] && return 0
		sleep 0.1
	done
	echo "$2 of $1 is $(berth_inspect_field "$1" "$2"), not $3"
	return 1
}

@test "--restart rejects a bad policy and --rm" {
	run "$BERTH" create --restart sometimes busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid --restart 'sometimes'"* ]]
	run "$BERTH" create --restart on-failure:x busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"maximum retry count 'x'"* ]]
	run "$BERTH" create --rm --restart always busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"conflicts with --rm"* ]]
	run "$BERTH" run --restart always busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"--restart needs --detach"* ]]
	[ -z "$("$BERTH" ps -aq)" ]
}

@test "on-failure:3 restarts a failing container three times" {
	"$BERTH" run -d --name fail --restart on-failure:3 busybox \
		sh -c 'echo ran; exit 3'
	wait_field fail .RestartCount 3
	wait_field fail .State.Status exited
	run "$BERTH" wait fail
	[ "$output" = 3 ]
	[ "$(berth_inspect_field fail .RestartCount)" = 3 ]
	[ "$(berth_inspect_field fail .HostConfig.RestartPolicy.Name)" = \
		on-failure ]
	[ "$(berth_inspect_field fail \
		.HostConfig.RestartPolicy.MaximumRetryCount)" = 3 ]
	[ "$("$BERTH" logs fail | grep -c ran)" -eq 4 ]
	[ -z "$(berth_store_mounts)" ]
	[ ! -e "$BERTH_RUNROOT/containers/$(berth_inspect_field fail .Id)" ]
}

@test "on-failure does not restart a container that exits with 0" {
	"$BERTH" run -d --name ok --restart on-failure busybox true
	run "$BERTH" wait ok
	[ "$output" = 0 ]
	sleep 0.5
	[ "$(berth_inspect_field ok .State.Status)" = exited ]
	[ "$(berth_inspect_field ok .RestartCount)" = 0 ]
}

@test "always restarts after exit 0 with a doubling back-off" {
	id=$("$BERTH" run -d --name loop --restart always busybox echo ran)
	wait_field loop .RestartCount 4
	# Back-offs of 100, 200 and 400 ms: the log's first and fourth
	# lines (CRI timestamps in ns) are 0.7 s or more apart.
	sleep 0.3
	log="$BERTH_ROOT/containers/$id/ctr.log"
	first=$(date -d "$(sed -n 1p "$log" | cut -d' ' -f1)" +%s.%N)
	fourth=$(date -d "$(sed -n 4p "$log" | cut -d' ' -f1)" +%s.%N)
	echo "first $first fourth $fourth"
	awk -v a="$first" -v b="$fourth" 'BEGIN { exit !(b - a >= 0.65) }'
	"$BERTH" stop -t 1 loop
	[ "$(berth_inspect_field loop .State.Status)" = exited ]
	count=$(berth_inspect_field loop .RestartCount)
	sleep 2
	[ "$(berth_inspect_field loop .State.Status)" = exited ]
	[ "$(berth_inspect_field loop .RestartCount)" = "$count" ]
	[ -z "$(berth_store_mounts)" ]
}

@test "stop ends unless-stopped, a new start resets the count" {
	"$BERTH" run -d --name svc --restart unless-stopped busybox \
		sh -c 'sleep 0.2; exit 1'
	wait_field svc .RestartCount 2
	"$BERTH" stop -t 1 svc
	[ "$(berth_inspect_field svc .State.Status)" = exited ]
	sleep 1
	[ "$(berth_inspect_field svc .State.Status)" = exited ]

	"$BERTH" start svc
	[ "$(berth_inspect_field svc .RestartCount)" = 0 ]
	wait_field svc .RestartCount 1
	"$BERTH" stop -t 1 svc
	[ "$(berth_inspect_field svc .State.Status)" = exited ]
}

@test "kill ends the restart policy as Docker's kill does" {
	"$BERTH" run -d --name killed --restart always busybox sleep 100 \
		>/dev/null
	wait_field killed .State.Status running
	"$BERTH" kill killed
	wait_field killed .State.Status exited
	sleep 0.5
	[ "$(berth_inspect_field killed .State.Status)" = exited ]
	[ "$(berth_inspect_field killed .RestartCount)" = 0 ]

	# A signal other than the stop signal leaves the policy in force.
	"$BERTH" run -d --name hup --restart always --stop-signal USR1 \
		busybox sh -c 'trap "exit 3" HUP; while :; do sleep 0.1; done' \
		>/dev/null
	wait_field hup .State.Status running
	sleep 0.3
	"$BERTH" kill -s HUP hup
	wait_field hup .RestartCount 1
}

@test "kill during the restart back-off ends the restarts" {
	"$BERTH" run -d --name looping --restart always --stop-signal USR1 \
		busybox false >/dev/null
	wait_field looping .State.Restarting true

	# With a stop signal set, other signals leave the policy in force.
	# Between two back-offs the container is briefly exited: retry.
	for i in $(seq 20); do
		run "$BERTH" kill -s HUP looping
		[[ "$output" == *"is restarting"* ]] && break
		sleep 0.1
	done
	[ "$status" -eq 125 ]
	[[ "$output" == *"is restarting"* ]]
	wait_field looping .State.Restarting true

	run "$BERTH" kill looping
	[ "$status" -eq 0 ]
	wait_field looping .State.Status exited
	count=$(berth_inspect_field looping .RestartCount)
	sleep 2
	[ "$(berth_inspect_field looping .RestartCount)" = "$count" ]
	[ "$(berth_inspect_field looping .State.Status)" = exited ]
}

@test "a restarted container gets a new init under the same monitor" {
	id=$("$BERTH" run -d --restart always busybox sleep 100)
	monitor=$(jq -r .monitor_pid \
		"$BERTH_RUNROOT/containers/$id/monitor.json")
	pid=$(berth_inspect_field "$id" .State.Pid)
	kill -KILL "$pid"
	wait_field "$id" .RestartCount 1
	wait_field "$id" .State.Status running
	pid2=$(berth_inspect_field "$id" .State.Pid)
	[ "$pid2" != "$pid" ] && [ "$pid2" -gt 0 ]
	[ "$(jq -r .monitor_pid \
		"$BERTH_RUNROOT/containers/$id/monitor.json")" = "$monitor" ]
	[ "$(cat "/proc/$monitor/comm")" = berth-monitor ]
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$monitor/status")
	echo "# berth-monitor VmRSS after a restart: $rss kB" >&3
	# Sanitizer builds link berth-monitor with their large runtime.
	if ! ldd "$(dirname "$BERTH")/berth-monitor" 2>/dev/null |
		grep -q libasan; then
		[ "$rss" -lt 1500 ]
	fi
	# No descriptor of the first run is left open.
	[ "$(ls "/proc/$monitor/fd" | wc -l)" -le 8 ]
	run "$BERTH" rm -f "$id"
	[ "$status" -eq 0 ]
	[ -z "$("$BERTH" ps -aq)" ]
}

@test "a container in its back-off shows as restarting and stops at once" {
	"$BERTH" run -d --name flap --restart always busybox false
	# The count grows as a restart begins. After the sixth run the
	# back-off is 6.4 s, long enough for the checks below in slow
	# sanitizer builds too.
	wait_field flap .RestartCount 6
	# One snapshot of the state: the back-off may end between two reads.
	for i in $(seq 100); do
		state=$("$BERTH" inspect flap | jq -c '.[0].State')
		[ "$(jq -r .Status <<<"$state")" = restarting ] && break
		sleep 0.1
	done
	[ "$(jq -r .Restarting <<<"$state")" = true ]
	[ "$(jq -r .Pid <<<"$state")" = 0 ]
	run "$BERTH" ps --filter name=flap --format '{{.Status}}'
	[[ "$output" == "Restarting (1) "* ]]
	start=$(date +%s%N)
	"$BERTH" stop flap
	[ $((($(date +%s%N) - start) / 1000000)) -lt 1500 ]
	[ "$(berth_inspect_field flap .State.Status)" = exited ]
	[ "$(berth_inspect_field flap .State.Restarting)" = false ]
}

@test "rm -f removes a container in its back-off" {
	"$BERTH" run -d --name gone --restart on-failure busybox false
	wait_field gone .RestartCount 3
	run "$BERTH" rm -f gone
	[ "$status" -eq 0 ]
	[ -z "$("$BERTH" ps -aq)" ]
	[ -z "$(berth_store_mounts)" ]
}

@test "restart stops and starts a running container" {
	"$BERTH" run -d --name rs busybox sh -c 'echo up; sleep 100'
	pid=$(berth_inspect_field rs .State.Pid)
	run "$BERTH" restart -t 1 rs
	[ "$status" -eq 0 ]
	[ "$output" = rs ]
	[ "$(berth_inspect_field rs .State.Status)" = running ]
	[ "$(berth_inspect_field rs .State.Pid)" != "$pid" ]
	[ ! -d "/proc/$pid" ]
	[ "$("$BERTH" logs rs | grep -c up)" -eq 2 ]
	# An exited container just starts.
	"$BERTH" stop -t 1 rs
	"$BERTH" restart rs
	[ "$(berth_inspect_field rs .State.Status)" = running ]
	run "$BERTH" restart nosuch
	[ "$status" -eq 125 ]
}

@test "pause freezes the container, unpause thaws it" {
	"$BERTH" run -d --name pz busybox sh -c \
		'while :; do date +%s%N >/tmp/tick; sleep 0.05; done'
	run "$BERTH" pause pz
	[ "$status" -eq 0 ]
	[ "$output" = pz ]
	[ "$(berth_inspect_field pz .State.Status)" = paused ]
	[ "$(berth_inspect_field pz .State.Paused)" = true ]
	run "$BERTH" ps --format '{{.Status}}'
	[[ "$output" == "Up "*" (Paused)" ]]
	[ "$("$BERTH" ps -q --filter status=paused)" != "" ]
	pid=$(berth_inspect_field pz .State.Pid)
	t1=$(cat "/proc/$pid/root/tmp/tick")
	sleep 0.4
	[ "$(cat "/proc/$pid/root/tmp/tick")" = "$t1" ]
	run "$BERTH" pause pz
	[ "$status" -eq 125 ]
	[[ "$output" == *"already paused"* ]]

	"$BERTH" unpause pz
	[ "$(berth_inspect_field pz .State.Status)" = running ]
	sleep 0.4
	[ "$(cat "/proc/$pid/root/tmp/tick")" != "$t1" ]
	run "$BERTH" unpause pz
	[ "$status" -eq 125 ]
	[[ "$output" == *"not paused"* ]]

	# A paused container stops at once: the signal waits for the thaw.
	"$BERTH" pause pz
	"$BERTH" stop -t 5 pz
	[ "$(berth_inspect_field pz .State.Status)" = exited ]
	run "$BERTH" pause pz
	[ "$status" -eq 125 ]
	[[ "$output" == *"is not running"* ]]
}

@test "rename gives a container a new name" {
	id=$("$BERTH" create --name old busybox true)
	"$BERTH" create --name taken busybox true
	run "$BERTH" rename old new
	[ "$status" -eq 0 ]
	[ "$(berth_inspect_field new .Id)" = "$id" ]
	[ "$(berth_inspect_field "$id" .Name)" = /new ]
	run "$BERTH" inspect old
	[ "$status" -ne 0 ]
	run "$BERTH" rename new taken
	[ "$status" -eq 125 ]
	[[ "$output" == *"the name 'taken' is in use"* ]]
	run "$BERTH" rename new 'bad/name'
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid container name 'bad/name'"* ]]
	run "$BERTH" rename new
	[ "$status" -eq 125 ]
	[ "$(berth_inspect_field "$id" .Name)" = /new ]
}

@test "top lists the container's processes with ps columns" {
	"$BERTH" run -d --name tp busybox sh -c 'sleep 101 & sleep 102'
	wait_field tp .State.Status running
	sleep 0.3
	run "$BERTH" top tp
	[ "$status" -eq 0 ]
	echo "$output"
	[[ "${lines[0]}" == UID*PID*PPID*CMD ]]
	# busybox sh execs its last command: two processes.
	[ "${#lines[@]}" -eq 3 ]
	[[ "$output" == *"sleep 101"* ]]
	[[ "$output" == *"sleep 102"* ]]
	# No process of the host, such as this test's shell.
	[[ "$output" != *bats* ]]
	run "$BERTH" top tp -o pid,comm
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^\ *PID\ COMMAND$ ]]
	[ "${#lines[@]}" -eq 3 ]
	run "$BERTH" top tp -o comm
	[ "$status" -eq 125 ]
	[[ "$output" == *"no PID column"* ]]
	"$BERTH" create --name idle busybox true
	run "$BERTH" top idle
	[ "$status" -eq 125 ]
	[[ "$output" == *"is not running"* ]]
}

@test "stats --no-stream shows CPU, memory, pids and network use" {
	"$BERTH" run -d --name busy -m 64m busybox \
		sh -c 'sleep 100 & while :; do :; done'
	"$BERTH" run -d --name calm busybox sleep 100
	"$BERTH" create --name idle busybox true
	run "$BERTH" stats --no-stream --format json
	[ "$status" -eq 0 ]
	echo "$output"
	[ "${#lines[@]}" -eq 2 ]
	busy=$(echo "$output" | jq -c 'select(.Name == "busy")')
	cpu=$(echo "$busy" | jq -r .CPUPerc)
	awk -v c="${cpu%\%}" 'BEGIN { exit !(c >= 20 && c <= 150) }'
	[[ "$(echo "$busy" | jq -r .MemUsage)" == *" / 64MiB" ]]
	[ "$(echo "$busy" | jq -r .PIDs)" = 2 ]
	[ "$(echo "$busy" | jq -r .NetIO)" = "0B / 0B" ]
	[ "$(echo "$busy" | jq -r .ID)" = \
		"$(berth_inspect_field busy .Id | cut -c1-12)" ]
	calm=$(echo "$output" | jq -c 'select(.Name == "calm")')
	[ "$(echo "$calm" | jq -r .PIDs)" = 1 ]
	cpu=$(echo "$calm" | jq -r .CPUPerc)
	awk -v c="${cpu%\%}" 'BEGIN { exit !(c < 5) }'

	run "$BERTH" stats --no-stream calm
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "CONTAINER ID"*"MEM USAGE / LIMIT"*PIDS ]]
	[[ "${lines[1]}" == *" calm "* ]]
	[ "${#lines[@]}" -eq 2 ]
	run "$BERTH" stats --no-stream idle
	[ "$status" -eq 125 ]
	[[ "$output" == *"is not running"* ]]
}

@test "stats streams a sample every second" {
	"$BERTH" run -d --name st busybox sleep 100
	"$BERTH" stats --format json st >"$BATS_TEST_TMPDIR/out" &
	pid=$!
	sleep 2.8
	kill "$pid"
	wait "$pid" || true
	n=$(wc -l <"$BATS_TEST_TMPDIR/out")
	[ "$n" -ge 2 ] && [ "$n" -le 4 ]
	[ "$(jq -r .Name "$BATS_TEST_TMPDIR/out" | sort -u)" = st ]
}

@test "--init runs berth-init as process 1, which reaps zombies" {
	# The shell's children outlive it as orphans of process 1.
	"$BERTH" run -d --init --name in busybox sh -c \
		'(sleep 0.2 &) ; (sleep 0.2 &) ; exec sleep 100'
	[ "$(berth_inspect_field in .HostConfig.Init)" = true ]
	pid=$(berth_inspect_field in .State.Pid)
	[ "$(cat "/proc/$pid/comm")" = berth-init ]
	[ "$("$BERTH" exec in cat /proc/1/cmdline | tr '\0' ' ')" = \
		"/sbin/berth-init -- sh -c (sleep 0.2 &) ; (sleep 0.2 &) ; exec sleep 100 " ]
	sleep 1
	# No zombie is left among process 1's children.
	run "$BERTH" exec in sh -c 'grep -l "^State:.*Z" /proc/[0-9]*/status'
	[ -z "$output" ]
	run "$BERTH" exec in ls -l /sbin/berth-init
	[ "$status" -eq 0 ]
	run "$BERTH" exec in sh -c 'echo x >/sbin/berth-init'
	[ "$status" -ne 0 ]
}

@test "--init passes SIGTERM on and exits with the child's status" {
	"$BERTH" run -d --init --name term busybox sh -c \
		'trap "echo got TERM; exit 42" TERM; while :; do sleep 0.1; done'
	sleep 0.5
	start=$(date +%s)
	"$BERTH" stop -t 20 term
	[ $(($(date +%s) - start)) -lt 10 ]
	[ "$(berth_inspect_field term .State.ExitCode)" = 42 ]
	[ "$("$BERTH" logs term)" = "got TERM" ]

	"$BERTH" run --init --name code busybox sh -c 'exit 3' || status=$?
	[ "${status:-0}" -eq 3 ]
	run -127 "$BERTH" run --init --rm busybox nosuchcommand
	[ "$status" -eq 127 ]
	[[ "$output" == *"nosuchcommand"* ]]
	# Without --init, sh as process 1 ignores SIGTERM it did not trap.
	run "$BERTH" run --rm busybox cat /proc/1/cmdline
	[[ "$output" != *berth-init* ]]
}

@test "events lists what happened to containers" {
	since=$(date +%s)
	id=$("$BERTH" run -d --name ev busybox sh -c 'exit 5')
	"$BERTH" wait ev
	"$BERTH" rename ev ev2
	"$BERTH" rm ev2
	until=$(($(date +%s) + 1))
	run "$BERTH" events --since "$since" --until "$until" --format json
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .Action | tr '\n' ' ')" = \
		"create start die rename destroy " ]
	[ "$(echo "$output" | jq -r 'select(.Action == "die")
		| .Actor.Attributes.exitCode')" = 5 ]
	[ "$(echo "$output" | jq -r .Actor.ID | sort -u)" = "$id" ]

	run "$BERTH" events --since 1m --until "$until" --filter event=die
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == *"Z container die $id (exitCode=5, image=busybox, name=ev)" ]]
	run "$BERTH" events --since 1m --until "$until" \
		--filter container=ev2 --filter event=destroy
	[ "${#lines[@]}" -eq 1 ]
	run "$BERTH" events --until "$until" --filter container=nosuch
	[ -z "$output" ]
	run "$BERTH" events --filter color=red
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid filter 'color=red'"* ]]
	run "$BERTH" events --since yesterday
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid time 'yesterday'"* ]]

	# The epoch and durations past it end at once, too large is invalid.
	run timeout 5 "$BERTH" events --until 0
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run timeout 5 "$BERTH" events --until 1000000000h
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run timeout 5 "$BERTH" events --until 1e30
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid time '1e30'"* ]]
}

@test "events streams new events, the monitor's restarts too" {
	"$BERTH" events --format json --filter event=start \
		--filter event=die >"$BATS_TEST_TMPDIR/ev" &
	pid=$!
	sleep 0.3
	"$BERTH" run -d --name evr --restart on-failure:2 busybox false
	# wait returns once the monitor, which sends "die", exited.
	"$BERTH" wait evr
	sleep 0.3
	kill "$pid"
	wait "$pid" || true
	cat "$BATS_TEST_TMPDIR/ev"
	[ "$(jq -r .Action "$BATS_TEST_TMPDIR/ev" | tr '\n' ' ')" = \
		"start die start die start die " ]
}
