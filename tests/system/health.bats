#!/usr/bin/env bats
# Health checks (--health-*, HEALTHCHECK, berth healthcheck run) and
# the start of restart-policy containers after a reboot (start --all).

load helpers

setup() {
	berth_container_setup
}

teardown() {
	berth_container_teardown
}

# Wait up to 10 s until container $1's health status is $2.
wait_health() {
	local i

	for i in $(seq 100); do
		[ "$(berth_inspect_field "$1" .State.Health.Status)" = "$2" ] &&
			return 0
		sleep 0.1
	done
	echo "# health of $1: $(berth_inspect_field "$1" .State.Health)" >&3
	return 1
}

@test "failing check turns unhealthy after retries" {
	"$BERTH" run -d --name web --health-cmd 'test -f /tmp/ok && echo ok' \
		--health-interval 200ms --health-retries 2 \
		busybox sh -c 'touch /tmp/ok; exec sleep 100' >/dev/null
	[ "$(berth_inspect_field web .Config.Healthcheck.Test[1])" = \
		'test -f /tmp/ok && echo ok' ]
	wait_health web healthy
	run "$BERTH" ps
	[[ "$output" == *"(healthy)"* ]]
	[ "$(berth_inspect_field web .State.Health.Log[-1].Output)" = ok ]
	[ "$(berth_inspect_field web .State.Health.FailingStreak)" = 0 ]
	run "$BERTH" ps -q --filter health=healthy
	[ -n "$output" ]

	"$BERTH" exec web rm /tmp/ok
	wait_health web unhealthy
	[ "$(berth_inspect_field web .State.Health.FailingStreak)" -ge 2 ]
	[ "$(berth_inspect_field web '.State.Health.Log | length')" -le 5 ]
	run "$BERTH" ps
	[[ "$output" == *"(unhealthy)"* ]]
	run "$BERTH" ps -q --filter health=healthy
	[ -z "$output" ]
	run "$BERTH" ps -q --filter health=unhealthy
	[ -n "$output" ]

	run "$BERTH" healthcheck run web
	[ "$status" -eq 1 ]
	"$BERTH" exec web touch /tmp/ok
	run "$BERTH" healthcheck run web
	[ "$status" -eq 0 ]
	[ "$(berth_inspect_field web .State.Health.Status)" = healthy ]
}

@test "check past its timeout is killed" {
	"$BERTH" run -d --name slow --health-cmd 'echo begun; sleep 30' \
		--health-interval 1h --health-timeout 300ms busybox \
		sleep 100 >/dev/null
	run "$BERTH" healthcheck run slow
	[ "$status" -eq 1 ]
	[ "$(berth_inspect_field slow .State.Health.Log[0].ExitCode)" = -1 ]
	[[ "$(berth_inspect_field slow .State.Health.Log[0].Output)" == \
		*"exceeded timeout"* ]]
	# Neither the shell nor its sleep is left in the container.
	run "$BERTH" exec slow ps
	[[ "$output" != *"sleep 30"* ]]
}

@test "start period failures do not count" {
	"$BERTH" run -d --name boot --health-cmd false \
		--health-interval 100ms --health-retries 1 \
		--health-start-period 1h busybox sleep 100 >/dev/null
	sleep 1
	[ "$(berth_inspect_field boot .State.Health.Status)" = starting ]
	[ "$(berth_inspect_field boot .State.Health.FailingStreak)" = 0 ]
	[ "$(berth_inspect_field boot '.State.Health.Log | length')" -ge 2 ]
	run "$BERTH" ps
	[[ "$output" == *"(health: starting)"* ]]
	run "$BERTH" ps -q --filter health=starting
	[ -n "$output" ]
}

@test "image HEALTHCHECK, --no-healthcheck and NONE" {
	ctx=$BATS_TEST_TMPDIR/ctx
	mkdir -p "$ctx"
	printf '%s\n' 'FROM busybox' \
		'HEALTHCHECK --interval=100ms --retries=1 CMD test -f /etc/hostname' \
		>"$ctx/Containerfile"
	"$BERTH" build -q -t checked "$ctx" >/dev/null
	printf '%s\n' 'FROM checked' 'HEALTHCHECK NONE' >"$ctx/Containerfile"
	"$BERTH" build -q -t unchecked "$ctx" >/dev/null

	"$BERTH" run -d --name img checked sleep 100 >/dev/null
	[ "$(berth_inspect_field img .Config.Healthcheck.Test[0])" = CMD-SHELL ]
	wait_health img healthy

	"$BERTH" run -d --name off --no-healthcheck checked sleep 100 >/dev/null
	"$BERTH" run -d --name none unchecked sleep 100 >/dev/null
	for c in off none; do
		[ "$(berth_inspect_field $c .State.Health)" = null ]
		[ "$(berth_inspect_field $c .Config.Healthcheck)" = null ]
		run "$BERTH" healthcheck run $c
		[ "$status" -eq 125 ]
		[[ "$output" == *"has no health check"* ]]
	done
	run "$BERTH" ps -q --filter health=none
	[ "$(echo "$output" | wc -l)" -eq 2 ]
}

@test "check command not found counts as failure" {
	ctx=$BATS_TEST_TMPDIR/ctx
	mkdir -p "$ctx"
	printf '%s\n' 'FROM busybox' \
		'HEALTHCHECK --interval=100ms --retries=1 CMD ["/no/such/check"]' \
		>"$ctx/Containerfile"
	"$BERTH" build -q -t missing "$ctx" >/dev/null
	"$BERTH" run -d --name lost missing sleep 100 >/dev/null
	wait_health lost unhealthy
	[ "$(berth_inspect_field lost .State.Health.Log[0].ExitCode)" = 127 ]
	[[ "$(berth_inspect_field lost .State.Health.Log[0].Output)" == \
		*/no/such/check* ]]
}

@test "invalid health flags are rejected" {
	run "$BERTH" create --health-interval 5x busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid --health-interval '5x'"* ]]
	run "$BERTH" create --health-cmd true --no-healthcheck busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"conflicts"* ]]
	# Below 1 ms the watcher would run the check in a busy loop.
	for flag in interval timeout start-period start-interval; do
		run "$BERTH" create --health-cmd true --health-$flag 999us \
			busybox true
		[ "$status" -eq 125 ]
		[[ "$output" == *"invalid --health-$flag of 999000 ns"* ]]
	done
	run "$BERTH" ps --filter health=sick
	[ "$status" -eq 125 ]
	[ -z "$("$BERTH" ps -aq)" ]
}

@test "watcher exits with the container" {
	id=$("$BERTH" run -d --name brief --health-cmd true \
		--health-interval 100ms busybox sleep 100)
	wait_health brief healthy
	watcher=$(pgrep -f "healthcheck watch $id")
	[ -n "$watcher" ]
	"$BERTH" stop -t 0 brief >/dev/null
	for i in $(seq 50); do
		[ -d "/proc/$watcher" ] || break
		sleep 0.1
	done
	[ ! -d "/proc/$watcher" ]
	[ "$(berth_inspect_field brief .State.Health)" = null ]
}

# What a reboot does to berth's containers: every process dies, the
# tmpfs RUNROOT, the overlay mounts and the cgroups are gone.
simulate_reboot() {
	local id monitor pid m

	for id in $("$BERTH" ps -q --no-trunc); do
		monitor=$(jq -r .monitor_pid \
			"$BERTH_RUNROOT/containers/$id/monitor.json")
		pid=$(berth_inspect_field "$id" .State.Pid)
		kill -9 "$monitor" "$pid"
	done
	for m in $(berth_store_mounts); do
		umount "$m"
	done
	rm -rf "$BERTH_RUNROOT"
	mkdir -p "$BERTH_RUNROOT"
	berth_container_cgroups | sort -r | xargs -r rmdir
}

@test "start --all after a reboot" {
	"$BERTH" run -d --name always --restart always busybox sleep 100 >/dev/null
	"$BERTH" run -d --name unless --restart unless-stopped busybox \
		sleep 100 >/dev/null
	"$BERTH" run -d --name stopped --restart unless-stopped busybox \
		sleep 100 >/dev/null
	"$BERTH" run -d --name plain busybox sleep 100 >/dev/null
	"$BERTH" stop -t 0 stopped >/dev/null

	simulate_reboot
	for c in always unless stopped plain; do
		[ "$(berth_inspect_field $c .State.Status)" = exited ]
	done
	run "$BERTH" ps -q
	[ -z "$output" ]
	# The reboot took the end time, so there is no "... ago".
	run "$BERTH" ps -a --filter name=plain --format '{{.Status}}'
	[ "$output" = "Exited (255)" ]

	run "$BERTH" start --all --filter restart=always
	[ "$status" -eq 0 ]
	[ "$output" = always ]
	[ "$(berth_inspect_field always .State.Status)" = running ]
	[ "$(berth_inspect_field unless .State.Status)" = exited ]

	run "$BERTH" start --all
	[ "$status" -eq 0 ]
	[ "$output" = unless ]
	[ "$(berth_inspect_field unless .State.Status)" = running ]
	[ "$(berth_inspect_field stopped .State.Status)" = exited ]
	[ "$(berth_inspect_field plain .State.Status)" = exited ]

	run "$BERTH" start --all --filter restart=sometimes
	[ "$status" -eq 125 ]
	run "$BERTH" start --filter restart=always plain
	[ "$status" -eq 125 ]
}
