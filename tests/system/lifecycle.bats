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

@test "start -ai forwards stdin to a container made with -i" {
	"$BERTH" create -i --name cat1 busybox cat
	run bash -c "echo hello | '$BERTH' start -ai cat1"
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
	[ "$(berth_inspect_field cat1 .State.ExitCode)" = 0 ]
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

# Print the milliseconds since the epoch.
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

@test "stop -t kills after the timeout" {
	"$BERTH" run -d --name stubborn busybox sh -c \
		'trap "" TERM; while :; do sleep 0.1; done'
	sleep 0.3
	start=$(now_ms)
	run "$BERTH" stop -t 2 stubborn
	elapsed=$(($(now_ms) - start))
	[ "$status" -eq 0 ]
	echo "stop took $elapsed ms"
	[ "$elapsed" -ge 1900 ]
	[ "$elapsed" -lt 2600 ]
	[ "$(berth_inspect_field stubborn .State.ExitCode)" = 137 ]
}

@test "stop returns as soon as the container exits" {
	"$BERTH" run -d --name quick busybox sh -c \
		'trap "exit 0" TERM; while :; do sleep 0.1; done'
	sleep 0.3
	start=$(now_ms)
	run "$BERTH" stop -t 10 quick
	elapsed=$(($(now_ms) - start))
	[ "$status" -eq 0 ]
	echo "stop took $elapsed ms"
	# The sanitizer builds start each berth process several times slower.
	if ldd "$BERTH" 2>/dev/null | grep -q libasan; then
		[ "$elapsed" -lt 1500 ]
	else
		[ "$elapsed" -lt 500 ]
	fi
	[ "$(berth_inspect_field quick .State.ExitCode)" = 0 ]
	[ -z "$(berth_store_mounts)" ]
}

@test "stop sends the container's stop signal" {
	"$BERTH" run -d --name usr1 --stop-signal SIGUSR1 --stop-timeout 1 \
		busybox sh -c 'trap "exit 42" USR1; trap "exit 43" HUP
			while :; do sleep 0.1; done'
	[ "$(berth_inspect_field usr1 .Config.StopSignal)" = SIGUSR1 ]
	[ "$(berth_inspect_field usr1 .Config.StopTimeout)" = 1 ]
	sleep 0.3
	run "$BERTH" stop usr1
	[ "$status" -eq 0 ]
	[ "$(berth_inspect_field usr1 .State.ExitCode)" = 42 ]

	# -s overrides it; the container's timeout of 1 s still applies.
	"$BERTH" start usr1
	sleep 0.3
	start=$(now_ms)
	run "$BERTH" stop -s SIGHUP usr1
	elapsed=$(($(now_ms) - start))
	[ "$status" -eq 0 ]
	[ "$(berth_inspect_field usr1 .State.ExitCode)" = 43 ]
	[ "$elapsed" -lt 900 ]

	run "$BERTH" stop -s NOSUCHSIG usr1
	[ "$status" -eq 125 ]
	[[ "$output" == *"unknown signal 'NOSUCHSIG'"* ]]
	run "$BERTH" create --stop-signal BOGUS busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid stop signal 'BOGUS'"* ]]
}

@test "run takes StopSignal and Labels from the image" {
	"$BERTH" build --help >/dev/null 2>&1 ||
		skip "this berth has no build command to set StopSignal"
	mkdir "$BATS_TEST_TMPDIR/ctx"
	printf 'FROM busybox\nSTOPSIGNAL SIGUSR1\nLABEL a=1 b=2\n' \
		>"$BATS_TEST_TMPDIR/ctx/Containerfile"
	"$BERTH" build -t usr1:latest "$BATS_TEST_TMPDIR/ctx"

	"$BERTH" run -d --name fromimage -l b=3 usr1 sh -c \
		'trap "exit 42" USR1; while :; do sleep 0.1; done'
	[ "$(berth_inspect_field fromimage .Config.StopSignal)" = SIGUSR1 ]
	[ "$(berth_inspect_field fromimage .Config.Labels.a)" = 1 ]
	[ "$(berth_inspect_field fromimage .Config.Labels.b)" = 3 ]
	sleep 0.3
	run "$BERTH" stop -t 5 fromimage
	[ "$status" -eq 0 ]
	[ "$(berth_inspect_field fromimage .State.ExitCode)" = 42 ]
}

@test "stop waits the container's stop timeout" {
	"$BERTH" run -d --name deaf --stop-timeout 1 busybox sh -c \
		'trap "" TERM; while :; do sleep 0.1; done'
	sleep 0.3
	start=$(now_ms)
	run "$BERTH" stop deaf
	elapsed=$(($(now_ms) - start))
	[ "$status" -eq 0 ]
	echo "stop took $elapsed ms"
	[ "$elapsed" -ge 900 ]
	[ "$elapsed" -lt 1600 ]
	[ "$(berth_inspect_field deaf .State.ExitCode)" = 137 ]
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

@test "rm -f cleans up after a killed foreground run --rm" {
	"$BERTH" run --rm --name fg busybox sleep 100 &
	berth_wait_status fg running
	kill_monitor "$(berth_inspect_field fg .Id)"
	wait
	[ "$(berth_inspect_field fg .State.Status)" = running ]

	run "$BERTH" rm -f fg
	[ "$status" -eq 0 ]
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

@test "inspect -f prints template fields" {
	id=$("$BERTH" run -d --name tmpl busybox sleep 100)
	pid=$(berth_inspect_field tmpl .State.Pid)

	run "$BERTH" inspect -f '{{.State.Status}} {{ .State.Pid }}' tmpl
	[ "$status" -eq 0 ]
	[ "$output" = "running $pid" ]

	run "$BERTH" inspect -f '{{json .Config.Cmd}}|{{.Nope.Deeper}}' tmpl
	[ "$status" -eq 0 ]
	[ "$output" = '["sleep","100"]|<no value>' ]

	run "$BERTH" inspect --format '{{.Id}}' tmpl busybox
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$id" ]
	[[ "${lines[1]}" == sha256:* ]]

	run "$BERTH" inspect -f '{{.State.Running}}' tmpl nosuch
	[ "$status" -eq 125 ]
	[ "$output" != "${output/true/}" ]

	run "$BERTH" inspect -f '{{range .Mounts}}x{{end}}' tmpl
	[ "$status" -eq 125 ]
	[[ "$output" == *"unsupported template action '{{range .Mounts}}'"* ]]
	run "$BERTH" inspect -f '{{.State' tmpl
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

@test "start right after the exit runs the container again" {
	# The last run's monitor may still be cleaning up; start waits
	# for it instead of losing the new run to that clean-up.
	for i in 1 2 3 4 5; do
		"$BERTH" run -d --name "quick$i" busybox echo ran
		"$BERTH" start "quick$i"
		run "$BERTH" wait "quick$i"
		[ "$status" -eq 0 ]
		[ "$output" = 0 ]
		run "$BERTH" logs "quick$i"
		[ "$status" -eq 0 ]
		[ "$output" = "$(printf 'ran\nran')" ]
	done
}
