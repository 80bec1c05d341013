#!/usr/bin/env bats
# Detached containers: create, start, stop, kill, wait, rm.

load helpers

setup() {
	berth_container_setup
}

teardown() {
	berth_container_teardown
}

@test "run -d prints the id and runs in the background" {
	run "$BERTH" run -d --name bg busybox sleep 100
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	id=$output
	[ "$(berth_inspect_field bg .State.Status)" = running ]
	[ "$(berth_inspect_field bg .Id)" = "$id" ]
	pid=$(berth_inspect_field bg .State.Pid)
	[ -d "/proc/$pid" ]
	grep -q " $BERTH_ROOT/containers/$id/rootfs " /proc/self/mountinfo
	[ -n "$(berth_container_cgroups "$id")" ]
}

@test "create then start, wait returns the exit code" {
	id=$("$BERTH" create --name job busybox sh -c 'sleep 0.3; exit 7')
	[ "$(berth_inspect_field job .State.Status)" = created ]
	# Created containers have no mount until they start.
	[ -z "$(berth_store_mounts)" ]

	run "$BERTH" start job
	[ "$status" -eq 0 ]
	[ "$output" = job ]
	run "$BERTH" wait job
	[ "$status" -eq 0 ]
	[ "$output" = 7 ]
	[ "$(berth_inspect_field "$id" .State.Status)" = exited ]
	[ "$(berth_inspect_field "$id" .State.ExitCode)" = 7 ]
	[ "$(berth_inspect_field "$id" .State.FinishedAt)" != \
		"0001-01-01T00:00:00Z" ]
	[ -z "$(berth_store_mounts)" ]
	[ -z "$(berth_container_cgroups "$id")" ]
}

@test "an exited container starts again" {
	"$BERTH" run --name again busybox sh -c 'echo run'
	"$BERTH" start again
	"$BERTH" wait again
	run "$BERTH" logs again
	[ "$output" = "$(printf 'run\nrun')" ]
}

@test "stop sends SIGTERM and waits" {
	"$BERTH" run -d --name stopme busybox sh -c \
		'trap "exit 3" TERM; while :; do sleep 0.1; done'
	sleep 0.3
	run "$BERTH" stop stopme
	[ "$status" -eq 0 ]
	[ "$output" = stopme ]
	[ "$(berth_inspect_field stopme .State.Status)" = exited ]
	[ "$(berth_inspect_field stopme .State.ExitCode)" = 3 ]
	[ -z "$(berth_store_mounts)" ]
}

@test "stop -t kills after the timeout" {
	"$BERTH" run -d --name stubborn busybox sh -c \
		'trap "" TERM; while :; do sleep 0.1; done'
	sleep 0.3
	start=$(date +%s)
	run "$BERTH" stop -t 1 stubborn
	[ "$status" -eq 0 ]
	[ $(($(date +%s) - start)) -lt 8 ]
	[ "$(berth_inspect_field stubborn .State.ExitCode)" = 137 ]
}

@test "stop of a stopped container succeeds" {
	"$BERTH" create --name idle busybox true
	run "$BERTH" stop idle
	[ "$status" -eq 0 ]
}

@test "kill sends a signal" {
	"$BERTH" run -d --name killme busybox sh -c \
		'trap "exit 10" USR1; while :; do sleep 0.1; done'
	sleep 0.3
	run "$BERTH" kill -s USR1 killme
	[ "$status" -eq 0 ]
	run "$BERTH" wait killme
	[ "$output" = 10 ]

	run "$BERTH" kill killme
	[ "$status" -eq 125 ]
	[[ "$output" == *"is not running"* ]]

	"$BERTH" start killme
	"$BERTH" kill killme
	run "$BERTH" wait killme
	[ "$output" = 137 ]

	run "$BERTH" kill -s NOSUCHSIG killme
	[ "$status" -eq 125 ]
}

@test "rm refuses a running container without -f" {
	id=$("$BERTH" run -d busybox sleep 100)
	run "$BERTH" rm "$id"
	[ "$status" -eq 125 ]
	[[ "$output" == *"is running"* ]]
	[ "$(berth_inspect_field "$id" .State.Status)" = running ]

	run "$BERTH" rm -f "${id:0:12}"
	[ "$status" -eq 0 ]
	[ "$output" = "${id:0:12}" ]
	berth_assert_store_clean
	[ -z "$(berth_container_cgroups "$id")" ]
}

@test "rm removes an exited container" {
	"$BERTH" run --name done busybox true
	run "$BERTH" rm done
	[ "$status" -eq 0 ]
	[ "$output" = done ]
	berth_assert_store_clean
}

@test "run -d --rm removes the container when it exits" {
	id=$("$BERTH" run -d --rm busybox sh -c 'sleep 0.5; exit 9')
	run "$BERTH" wait "$id"
	[ "$status" -eq 0 ]
	[ "$output" = 9 ]
	berth_assert_store_clean
}

@test "names and id prefixes find containers" {
	id=$("$BERTH" create --name findme busybox true)
	[ "$(berth_inspect_field findme .Id)" = "$id" ]
	[ "$(berth_inspect_field "${id:0:5}" .Id)" = "$id" ]
	[ "$(berth_inspect_field findme .Name)" = /findme ]
}

@test "generated names are adjective_noun" {
	id=$("$BERTH" create busybox true)
	name=$(berth_inspect_field "$id" .Name)
	[[ "$name" =~ ^/[a-z]+_[a-z]+[0-9]*$ ]]
}

# Kill the detached monitor of container $1 and wait until it is gone.
kill_monitor() {
	local monitor

	monitor=$(jq -r .monitor_pid \
		"$BERTH_RUNROOT/containers/$1/monitor.json")
	kill -KILL "$monitor"
	for _ in $(seq 1 50); do
		[ "$(awk '{ print $3 }' "/proc/$monitor/stat" 2>/dev/null)" \
			= S ] || break
		sleep 0.1
	done
}

@test "a container whose monitor was killed runs until its init exits" {
	id=$("$BERTH" run -d busybox sleep 100)
	pid=$(berth_inspect_field "$id" .State.Pid)
	kill_monitor "$id"
	[ "$(berth_inspect_field "$id" .State.Status)" = running ]
	[ "$(berth_inspect_field "$id" .State.Pid)" = "$pid" ]
	run "$BERTH" exec "$id" true
	[ "$status" -eq 0 ]
	# start must not run a second copy.
	run "$BERTH" start "$id"
	[ "$(berth_inspect_field "$id" .State.Pid)" = "$pid" ]
	[ "$(wc -l <"$(berth_container_cgroup_file "$id" pids/cgroup.procs)")" \
		-eq 1 ]
	run "$BERTH" stop -t 1 "$id"
	[ "$status" -eq 0 ]
	[ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" != S ]
	[ "$(berth_inspect_field "$id" .State.Status)" = exited ]
	run "$BERTH" rm "$id"
	[ "$status" -eq 0 ]
	berth_assert_store_clean
}

@test "rm -f removes a container whose monitor was killed" {
	id=$("$BERTH" run -d busybox sleep 100)
	pid=$(berth_inspect_field "$id" .State.Pid)
	kill_monitor "$id"
	run "$BERTH" rm -f "$id"
	[ "$status" -eq 0 ]
	[ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" != S ]
	berth_assert_store_clean
}

@test "inspect shows the configuration" {
	mkdir "$BATS_TEST_TMPDIR/vol"
	"$BERTH" create --name cfg -e A=1 -w /tmp -u tester --hostname h1 \
		-m 64m --cpus 0.5 --pids-limit 20 --read-only -t -i \
		-v "$BATS_TEST_TMPDIR/vol:/vol:ro" busybox sleep 1
	[ "$(berth_inspect_field cfg .Config.WorkingDir)" = /tmp ]
	[ "$(berth_inspect_field cfg .Config.User)" = tester ]
	[ "$(berth_inspect_field cfg .Config.Hostname)" = h1 ]
	[ "$(berth_inspect_field cfg .Config.Tty)" = true ]
	[ "$(berth_inspect_field cfg .Config.OpenStdin)" = true ]
	[ "$(berth_inspect_field cfg '.Config.Env | index("A=1")')" != null ]
	[ "$(berth_inspect_field cfg .HostConfig.Memory)" = 67108864 ]
	[ "$(berth_inspect_field cfg .HostConfig.CpuQuota)" = 50000 ]
	[ "$(berth_inspect_field cfg .HostConfig.PidsLimit)" = 20 ]
	[ "$(berth_inspect_field cfg .HostConfig.ReadonlyRootfs)" = true ]
	[ "$(berth_inspect_field cfg .HostConfig.CgroupParent)" = \
		"$BERTH_CGROUP_PARENT" ]
	[ "$(berth_inspect_field cfg .Mounts[0].Destination)" = /vol ]
	[ "$(berth_inspect_field cfg .Mounts[0].RW)" = false ]
	image=$("$BERTH" inspect --type image busybox | jq -r '.[0].Id')
	[ "$(berth_inspect_field cfg .Image)" = "$image" ]
	grep -q '"image_id"' "$BERTH_ROOT/containers/$(berth_inspect_field \
		cfg .Id)/container.json"
}

@test "inspect falls back to images" {
	run "$BERTH" inspect busybox
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '.[0].RepoTags[0]')" = busybox:latest ]
	run "$BERTH" inspect --type container busybox
	[ "$status" -eq 125 ]
}

@test "the detached monitor stays small" {
	monitor_bin=$(dirname "$BERTH")/berth-monitor
	[ -x "$monitor_bin" ]
	if ldd "$monitor_bin" 2>/dev/null | grep -q libasan; then
		skip "sanitizer builds link berth-monitor with their runtime"
	fi

	id=$("$BERTH" run -d busybox sleep 100)
	monitor=$(jq -r .monitor_pid \
		"$BERTH_RUNROOT/containers/$id/monitor.json")
	[ "$(cat "/proc/$monitor/comm")" = berth-monitor ]
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$monitor/status")
	echo "# berth-monitor VmRSS: $rss kB" >&3
	# About 830 kB on Debian 12 x86-64: static libc, no heap to speak of.
	[ "$rss" -lt 1500 ]
	[ "$(ls "/proc/$monitor/fd" | wc -l)" -le 8 ]
}

@test "concurrent starts run one container" {
	id=$("$BERTH" create busybox sleep 100)
	for i in 1 2 3 4; do
		"$BERTH" start "$id" >"$BATS_TEST_TMPDIR/start.$i" 2>&1 &
	done
	wait
	[ "$(berth_inspect_field "$id" .State.Status)" = running ]
	[ "$(pgrep -c -f "^berth-monitor [0-9]+ .* $id ")" -eq 1 ]
	pid=$(berth_inspect_field "$id" .State.Pid)
	[ -d "/proc/$pid" ]
}
