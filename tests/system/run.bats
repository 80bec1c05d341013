#!/usr/bin/env bats
# berth run in the foreground: output, exit status, options.

load helpers

setup() {
	berth_container_setup
}

teardown() {
	berth_container_teardown
}

@test "run relays output and exit status" {
	run "$BERTH" run --rm busybox sh -c 'echo out; echo err >&2; exit 3'
	[ "$status" -eq 3 ]
	[[ "$output" == *out* ]]
	[[ "$output" == *err* ]]
}

@test "run keeps stdout and stderr apart" {
	out=$("$BERTH" run --rm busybox sh -c 'echo out; echo err >&2' \
		2>/dev/null)
	[ "$out" = out ]
	err=$("$BERTH" run --rm busybox sh -c 'echo out; echo err >&2' \
		2>&1 >/dev/null)
	[ "$err" = err ]
}

@test "run --rm leaves nothing behind" {
	run "$BERTH" run --rm busybox true
	[ "$status" -eq 0 ]
	berth_assert_store_clean
}

@test "run without --rm keeps the exited container" {
	run "$BERTH" run --name keep busybox sh -c 'exit 5'
	[ "$status" -eq 5 ]
	[ "$(berth_inspect_field keep .State.Status)" = exited ]
	[ "$(berth_inspect_field keep .State.ExitCode)" = 5 ]
	[ -z "$(berth_store_mounts)" ]
}

@test "run reports a signal death as 128 plus the signal" {
	"$BERTH" run --name killed busybox sleep 100 &
	pid=$!
	berth_wait_status killed running
	"$BERTH" kill killed
	wait "$pid" || status=$?
	[ "${status:-0}" -eq 137 ]
	[ "$(berth_inspect_field killed .State.ExitCode)" = 137 ]
}

@test "run sets environment variables" {
	printf '# comment\n\nFROM_FILE=file value\nOVERRIDE=file\n' \
		>"$BATS_TEST_TMPDIR/vars.env"
	export FROM_HOST=host-value
	run "$BERTH" run --rm --hostname envhost \
		--env-file "$BATS_TEST_TMPDIR/vars.env" -e OVERRIDE=flag \
		-e FROM_HOST -e PLAIN=1 busybox env
	[ "$status" -eq 0 ]
	[[ "$output" == *"FROM_FILE=file value"* ]]
	[[ "$output" == *"OVERRIDE=flag"* ]]
	[[ "$output" == *"FROM_HOST=host-value"* ]]
	[[ "$output" == *"PLAIN=1"* ]]
	[[ "$output" == *"HOSTNAME=envhost"* ]]
	[[ "$output" == *"PATH=/usr/local/sbin"* ]]
	[[ "$output" != *"TERM="* ]]
}

@test "run --env-file error names the line" {
	printf 'A=1\n=bad\n' >"$BATS_TEST_TMPDIR/bad.env"
	run "$BERTH" run --rm --env-file "$BATS_TEST_TMPDIR/bad.env" \
		busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"bad.env:2:"* ]]
	berth_assert_store_clean
}

@test "run sets the working directory and creates it" {
	run "$BERTH" run --rm -w /new/dir busybox pwd
	[ "$status" -eq 0 ]
	[ "$output" = /new/dir ]
}

@test "run resolves users from the image" {
	run "$BERTH" run --rm -u tester busybox id
	[ "$status" -eq 0 ]
	[[ "$output" == "uid=1000(tester) gid=1000"* ]]

	run "$BERTH" run --rm -u 1234:5678 busybox sh -c 'id -u; id -g'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1234 ]
	[ "${lines[1]}" = 5678 ]

	run "$BERTH" run --rm -u nobody busybox id -u
	[ "$status" -eq 0 ]
	[ "$output" = 65534 ]
}

@test "run sets HOME from the user's entry" {
	run "$BERTH" run --rm busybox sh -c 'echo $HOME'
	[ "$output" = /root ]
	run "$BERTH" run --rm -u tester busybox sh -c 'echo $HOME'
	[ "$output" = /home/tester ]
	run "$BERTH" run --rm -u 4444 busybox sh -c 'echo $HOME'
	[ "$output" = / ]
	run "$BERTH" run --rm -e HOME=/custom -u tester busybox \
		sh -c 'echo $HOME'
	[ "$output" = /custom ]
}

@test "run sets the host name" {
	run "$BERTH" run --rm --hostname box1 busybox hostname
	[ "$output" = box1 ]

	id=$("$BERTH" create busybox hostname)
	run "$BERTH" start -a "$id"
	[ "$output" = "${id:0:12}" ]
	run "$BERTH" run --rm busybox cat /etc/hosts
	[[ "$output" == *"127.0.0.1"*localhost* ]]
}

@test "run combines entrypoint and command as docker does" {
	run "$BERTH" run --rm --entrypoint echo busybox a b
	[ "$output" = "a b" ]

	run "$BERTH" run --rm --entrypoint "" busybox echo cleared
	[ "$output" = cleared ]

	run "$BERTH" run --rm --entrypoint /bin/true busybox
	[ "$status" -eq 0 ]

	id=$("$BERTH" create --entrypoint echo busybox x y)
	[ "$(berth_inspect_field "$id" .Path)" = echo ]
	[ "$(berth_inspect_field "$id" '.Args | join(",")')" = "x,y" ]
}

@test "run -i forwards stdin" {
	run bash -c "printf 'line1\nline2' | '$BERTH' run --rm -i busybox cat"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'line1\nline2')" ]

	run bash -c "echo ignored | '$BERTH' run --rm busybox cat"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "run -t gives the container a terminal" {
	run script -qec "'$BERTH' run --rm -t busybox sh -c \
		'tty; echo \$TERM; test -t 0 && test -t 1 && echo both'" /dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == */dev/pts/* || "$output" == */dev/console* ]]
	[[ "$output" == *xterm* ]]
	[[ "$output" == *both* ]]
}

@test "run -it relays input through the terminal" {
	run bash -c "printf 'echo typed-\$((40+2))\nexit 7\n' |
		script -qec \"'$BERTH' run --rm -it busybox sh\" /dev/null"
	[ "$status" -eq 7 ]
	[[ "$output" == *typed-42* ]]
}

@test "run -it and exec -it need a terminal on stdin" {
	run bash -c "echo x | '$BERTH' run --rm -it busybox cat"
	[ "$status" -eq 125 ]
	[[ "$output" == *"the input device is not a TTY"* ]]

	"$BERTH" run -d --name box busybox sleep 100
	run bash -c "echo x | '$BERTH' exec -it box cat"
	[ "$status" -eq 125 ]
	[[ "$output" == *"the input device is not a TTY"* ]]
	berth_container_teardown
	berth_assert_store_clean
}

@test "run forwards SIGTERM to the container" {
	"$BERTH" run --name sig busybox sh -c \
		'trap "exit 42" TERM; echo ready; while :; do sleep 0.1; done' \
		>"$BATS_TEST_TMPDIR/out" &
	pid=$!
	for _ in $(seq 1 100); do
		grep -q ready "$BATS_TEST_TMPDIR/out" && break
		sleep 0.1
	done
	kill -TERM "$pid"
	wait "$pid" || status=$?
	[ "${status:-0}" -eq 42 ]
	[ "$(berth_inspect_field sig .State.ExitCode)" = 42 ]
}

@test "run --network none has only loopback" {
	run "$BERTH" run --rm busybox cat /proc/net/dev
	[ "$status" -eq 0 ]
	[[ "$output" == *lo:* ]]
	[ "$(echo "$output" | grep -c ':')" -eq 1 ]
}

@test "run brings up loopback as Docker does" {
	run "$BERTH" run --rm busybox sh -c \
		'ip link show lo; ping -c 1 -W 2 127.0.0.1'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"<LOOPBACK,UP"* ]]
	[[ "$output" == *"1 packets received"* ]]
}

@test "run --network host shares the host's interfaces" {
	host_count=$(grep -c ':' /proc/net/dev)
	run "$BERTH" run --rm --network host busybox cat /proc/net/dev
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c ':')" -eq "$host_count" ]

	run "$BERTH" run --rm --network nosuchnet busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"network 'nosuchnet' not found"* ]]
}

@test "run names no unreachable name server without a network" {
	run "$BERTH" run --rm busybox cat /etc/resolv.conf
	[ "$status" -eq 0 ]
	[ -z "$(echo "$output" | grep nameserver)" ]
}

@test "run --network host takes the host's name and name servers" {
	run "$BERTH" run --rm --network host busybox cat /etc/resolv.conf
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat /etc/resolv.conf)" ]
	run "$BERTH" run --rm --network host busybox hostname
	[ "$output" = "$(hostname)" ]
	run "$BERTH" run --rm --network host -h given busybox hostname
	[ "$output" = given ]
}

@test "run -v bind mounts a host directory" {
	mkdir "$BATS_TEST_TMPDIR/data"
	echo from-host >"$BATS_TEST_TMPDIR/data/in"
	run "$BERTH" run --rm -v "$BATS_TEST_TMPDIR/data:/data" busybox \
		sh -c 'cat /data/in; echo from-container >/data/out'
	[ "$status" -eq 0 ]
	[ "$output" = from-host ]
	[ "$(cat "$BATS_TEST_TMPDIR/data/out")" = from-container ]

	run "$BERTH" run --rm -v "$BATS_TEST_TMPDIR/data:/data:ro" busybox \
		sh -c 'echo x >/data/out2'
	[ "$status" -ne 0 ]
	[ ! -e "$BATS_TEST_TMPDIR/data/out2" ]
	[[ "$output" == *"Read-only file system"* ]]
}

@test "run --tmpfs mounts a tmpfs with Docker's defaults" {
	run "$BERTH" run --rm --read-only --tmpfs /scratch \
		--tmpfs /big:size=1m,mode=1770 busybox sh -c \
		'grep -E " /(scratch|big) " /proc/mounts; stat -c %a /big
		touch /scratch/x && echo written'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "tmpfs /scratch tmpfs "*nosuid,nodev,noexec* ]]
	[[ "${lines[1]}" == "tmpfs /big tmpfs "*size=1024k,mode=1770* ]]
	[ "${lines[2]}" = 1770 ]
	[ "${lines[3]}" = written ]

	run "$BERTH" run --rm --tmpfs /proc/x busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"'/proc/x': the container path must not be /proc"* ]]
	run "$BERTH" run --rm --tmpfs relative busybox true
	[ "$status" -eq 125 ]
	run "$BERTH" run --rm --tmpfs /x:bogus=1 busybox true
	[ "$status" -eq 125 ]
	berth_assert_store_clean
}

@test "run --read-only makes the root read-only" {
	run "$BERTH" run --rm --read-only busybox touch /file
	[ "$status" -ne 0 ]
	[[ "$output" == *"Read-only file system"* ]]

	run "$BERTH" run --rm busybox touch /file
	[ "$status" -eq 0 ]
}

@test "run writes go to the container's own layer" {
	id=$("$BERTH" create busybox sh -c 'echo data >/file')
	run "$BERTH" start -a "$id"
	[ "$status" -eq 0 ]
	[ "$(cat "$BERTH_ROOT/containers/$id/upper/file")" = data ]

	run "$BERTH" run --rm busybox cat /file
	[ "$status" -ne 0 ]
}

@test "run --security-opt no-new-privileges sets NoNewPrivs" {
	run "$BERTH" run --rm busybox grep NoNewPrivs /proc/self/status
	[ "$(echo "$output" | awk '{ print $2 }')" = 0 ]
	run "$BERTH" run --rm --security-opt no-new-privileges busybox \
		grep NoNewPrivs /proc/self/status
	[ "$(echo "$output" | awk '{ print $2 }')" = 1 ]
}

@test "run limits open files to what the host allows" {
	run "$BERTH" run --rm busybox sh -c 'ulimit -n; ulimit -Hn'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1024 ]
	host_hard=$(ulimit -Hn)
	expected=1048576
	[ "$host_hard" != unlimited ] && [ "$host_hard" -lt "$expected" ] &&
		expected=$host_hard
	[ "${lines[1]}" = "$expected" ]
}
