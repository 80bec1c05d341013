#!/usr/bin/env bats
# berth-runtime, the OCI runtime command line: lifecycle, state, exec,
# limits and isolation, with crun and runc run on the same bundles.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	RT_ROOT=$BATS_TEST_TMPDIR/state
	BUNDLE=$BATS_TEST_TMPDIR/bundle
	# Ids carry the test number so parallel or leftover runs never clash.
	ID=berth-rt-$BATS_TEST_NUMBER-$$
}

teardown() {
	local id

	for id in $("$BERTH_RUNTIME" --root "$RT_ROOT" list -q 2>/dev/null); do
		"$BERTH_RUNTIME" --root "$RT_ROOT" delete --force "$id" || true
	done
	[ -z "${USERNS_DIR:-}" ] || rm -rf "$USERNS_DIR"
}

rt() {
	"$BERTH_RUNTIME" --root "$RT_ROOT" "$@"
}

# Print the cgroup directories named after the container's cgroupsPath.
container_cgroups() {
	find /sys/fs/cgroup -maxdepth 3 -type d -name "berth-test-$1" \
		2>/dev/null
}

# Wait until container $1 reaches status $2, for up to five seconds.
wait_status() {
	local i

	for i in $(seq 50); do
		[ "$(rt state "$1" | jq -r .status)" = "$2" ] && return 0
		sleep 0.1
	done
	echo "container '$1' is $(rt state "$1" | jq -r .status), not $2" >&2
	return 1
}

# Listen on the unix socket $1, receive a pseudo-terminal master as
# containerd does, and print what the container writes to it until the
# terminal closes (EIO).
console_receiver() {
	python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(1)
conn, _ = s.accept()
_, fds, _, _ = socket.recv_fds(conn, 1024, 1)
while True:
    try:
        data = os.read(fds[0], 1024)
    except OSError:
        break
    if not data:
        break
    sys.stdout.write(data.decode())
' "$1"
}

@test "spec writes a config.json that parses" {
	mkdir -p "$BUNDLE"
	cd "$BUNDLE"
	run "$BERTH_RUNTIME" spec
	[ "$status" -eq 0 ]
	jq -e '.ociVersion and .process.args and .root.path == "rootfs"' \
		config.json

	run "$BERTH_RUNTIME" spec
	[ "$status" -ne 0 ]
	[[ $output == *exists* ]]
}

@test "run /bin/true exits 0" {
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/true
	run rt run -b "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ ! -e "$RT_ROOT/$ID" ]
}

@test "run returns the exit status of the process" {
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/sh -c 'exit 3'
	run rt run -b "$BUNDLE" "$ID"
	[ "$status" -eq 3 ]
}

@test "missing command fails create and leaves nothing" {
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/no-such-command
	run -127 rt run -b "$BUNDLE" "$ID"
	[[ $output == *"not found"* ]]
	[ ! -e "$RT_ROOT/$ID" ]
	[ -z "$(container_cgroups "$ID")" ]
}

@test "create, start, state and delete follow the lifecycle" {
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/sh -c 'read x; exit 0'
	mkfifo "$BATS_TEST_TMPDIR/in"
	rt create -b "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$ID" \
		<"$BATS_TEST_TMPDIR/in" &
	exec 7>"$BATS_TEST_TMPDIR/in"
	wait $!

	run rt state "$ID"
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<<"$output")" = created ]
	[ "$(jq -r .pid <<<"$output")" = "$(cat "$BATS_TEST_TMPDIR/pid")" ]
	[ "$(jq -r .bundle <<<"$output")" = "$BUNDLE" ]
	[ "$(jq -r .ociVersion <<<"$output")" != null ]
	[ -n "$(container_cgroups "$ID")" ]

	rt start "$ID"
	[ "$(rt state "$ID" | jq -r .status)" = running ]

	run rt start "$ID"
	[ "$status" -ne 0 ]
	[[ $output == *"not in created state"* ]]

	echo done >&7
	exec 7>&-
	wait_status "$ID" stopped

	rt delete "$ID"
	[ ! -e "$RT_ROOT/$ID" ]
	[ -z "$(container_cgroups "$ID")" ]
	run rt state "$ID"
	[ "$status" -ne 0 ]
	[[ $output == *"does not exist"* ]]
}

@test "process is pid 1 in its own pid namespace" {
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/sh -c 'echo $$'
	run rt run -b "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
}

@test "hostname comes from config.json" {
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/hostname
	berth_runtime_config "$BUNDLE" '.hostname = "berth-box"'
	run rt run -b "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "$output" = berth-box ]
}

@test "kill SIGTERM stops a container that handles it" {
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/sh -c \
		'trap "exit 0" TERM; while :; do sleep 0.1; done'
	rt run -d -b "$BUNDLE" "$ID"
	[ "$(rt state "$ID" | jq -r .status)" = running ]

	rt kill "$ID" SIGTERM
	wait_status "$ID" stopped

	run rt kill "$ID" KILL
	[ "$status" -ne 0 ]
	[[ $output == *"not running"* ]]
}

@test "delete refuses a running container without --force" {
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/sleep 100
	rt run -d -b "$BUNDLE" "$ID"

	run rt delete "$ID"
	[ "$status" -ne 0 ]
	[[ $output == *"not stopped"* ]]
	[ "$(rt state "$ID" | jq -r .status)" = running ]

	rt delete --force "$ID"
	[ ! -e "$RT_ROOT/$ID" ]
	[ -z "$(container_cgroups "$ID")" ]
}

@test "delete --force of a missing container succeeds" {
	run rt delete --force no-such-container
	[ "$status" -eq 0 ]
	run rt delete no-such-container
	[ "$status" -ne 0 ]
}

@test "list shows containers as a table, ids and json" {
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/sleep 100
	rt run -d -b "$BUNDLE" "$ID"

	run rt list
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "ID "*PID*STATUS*BUNDLE*CREATED*OWNER ]]
	[[ ${lines[1]} == "$ID "*running*"$BUNDLE"* ]]

	[ "$(rt list -q)" = "$ID" ]
	[ "$(rt list --format json | jq -r '.[0].status')" = running ]
}

@test "duplicate id is rejected" {
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/sleep 100
	rt create -b "$BUNDLE" "$ID"
	run rt create -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ $output == *"'$ID' already exists"* ]]
	[ "$(rt state "$ID" | jq -r .status)" = created ]
}

@test "invalid id is rejected" {
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/true
	run rt create -b "$BUNDLE" "../escape"
	[ "$status" -ne 0 ]
	[[ $output == *"invalid container id"* ]]
}

@test "bad config.json error names the field" {
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/true
	berth_runtime_config "$BUNDLE" '.process.args = "true"'
	run rt run -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ $output == *process.args* ]]
	[ ! -e "$RT_ROOT/$ID" ]
}

@test "config without a mount namespace is rejected" {
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/true
	berth_runtime_config "$BUNDLE" \
		'.linux.namespaces |= map(select(.type != "mount"))'
	run rt create -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ $output == *"no mount namespace"* ]]
	[ ! -e "$RT_ROOT/$ID" ]
}

@test "terminal without --console-socket is rejected" {
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/true
	berth_runtime_config "$BUNDLE" '.process.terminal = true'
	run rt create -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ $output == *"--console-socket is required"* ]]
	[ ! -e "$RT_ROOT/$ID" ]
}

@test "terminal goes to the --console-socket receiver" {
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/sh -c \
		'stty size; [ -t 0 ] && [ -t 1 ] && echo is-a-tty'
	berth_runtime_config "$BUNDLE" '.process.terminal = true
		| .process.consoleSize = {height: 30, width: 100}'
	local sock=$BATS_TEST_TMPDIR/console.sock out=$BATS_TEST_TMPDIR/out

	console_receiver "$sock" >"$out" &
	local receiver=$!
	for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done

	run rt run --console-socket "$sock" -b "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	wait "$receiver"
	grep -q '^30 100' "$out"
	grep -q is-a-tty "$out"
}

@test "memory limit kills a process that exceeds it" {
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/dd if=/dev/zero \
		of=/dev/null bs=64M count=1
	berth_runtime_config "$BUNDLE" \
		'.linux.resources.memory = {limit: 16777216, swap: 16777216}'
	run rt run -b "$BUNDLE" "$ID"
	[ "$status" -eq 137 ]

	# The same command fits without the limit.
	berth_runtime_config "$BUNDLE" 'del(.linux.resources.memory)'
	run rt run -b "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
}

@test "no host descriptor leaks into the container" {
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/ls /proc/self/fd
	exec 9</dev/null
	run rt run -b "$BUNDLE" "$ID"
	exec 9<&-
	[ "$status" -eq 0 ]
	# 3 is the directory ls reads.
	[ "$(echo $output)" = "0 1 2 3" ]
}

@test "preserve-fds passes descriptors through" {
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/sh -c 'cat <&3'
	echo passed-through >"$BATS_TEST_TMPDIR/data"
	run rt run --preserve-fds 1 -b "$BUNDLE" "$ID" \
		3<"$BATS_TEST_TMPDIR/data"
	[ "$status" -eq 0 ]
	[ "$output" = passed-through ]
}

@test "runtime binary is a sealed memfd the container cannot write" {
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/sleep 100
	rt run -b "$BUNDLE" "$ID" &
	local runner=$!
	wait_status "$ID" running

	# The foreground run is the parent of the container's init.
	local init parent
	init=$(rt state "$ID" | jq -r .pid)
	parent=$(awk '/^PPid:/ { print $2 }' "/proc/$init/status")
	[[ $(readlink "/proc/$parent/exe") == "/memfd:berth"* ]]
	run sh -c "echo x >/proc/$parent/exe"
	[ "$status" -ne 0 ]

	rt kill "$ID" KILL
	wait "$runner" || true
}

@test "container cannot write its own /proc/self/exe" {
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/sh -c \
		'echo x >/proc/self/exe && echo written'
	run rt run -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ $output != *written* ]]
}

@test "exec runs a process inside the container" {
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/sleep 100
	berth_runtime_config "$BUNDLE" '.hostname = "exec-box"'
	rt run -d -b "$BUNDLE" "$ID"

	run rt exec "$ID" /bin/hostname
	[ "$status" -eq 0 ]
	[ "$output" = exec-box ]

	run rt exec -e GREETING=hi "$ID" /bin/sh -c 'echo $GREETING $$'
	[ "$status" -eq 0 ]
	[[ $output == "hi "* ]]
	[ "${output#hi }" -gt 1 ]

	run rt exec "$ID" /bin/sh -c 'exit 7'
	[ "$status" -eq 7 ]

	run -127 rt exec "$ID" no-such-command
	[[ $output == *"not found"* ]]

	run rt ps --format json "$ID"
	[ "$status" -eq 0 ]
	[ "$(jq length <<<"$output")" -eq 1 ]
}

@test "exec with a missing cwd fails with 126" {
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/sleep 100
	rt run -d -b "$BUNDLE" "$ID"

	run -126 rt exec --cwd /nonexist "$ID" /bin/pwd
	[[ $output == *"/nonexist"* ]]
	[[ $output == *"No such file or directory"* ]]

	run rt exec "$ID" /bin/sh -c 'test -e /nonexist'
	[ "$status" -eq 1 ]
}

@test "capability outside the bounding set is ignored" {
	if capsh --decode="$(awk '/^CapBnd/ { print $2 }' /proc/self/status)" |
		grep -qi cap_sys_resource; then
		skip "CAP_SYS_RESOURCE is in this host's bounding set"
	fi
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/sh -c \
		'grep CapEff /proc/self/status'
	berth_runtime_config "$BUNDLE" '.process.capabilities |= with_entries(
		.value += ["CAP_SYS_RESOURCE", "CAP_NET_ADMIN"])'

	run --separate-stderr rt run -b "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "$(grep -c "capability 'CAP_SYS_RESOURCE' is not in the runtime's \
bounding set, ignoring" <<<"$stderr")" -eq 1 ]
	[[ $stderr != *CAP_NET_ADMIN* ]]
	# CAP_NET_ADMIN is bit 12, so the effective set still has it.
	eff=$((16#$(awk '{ print $2 }' <<<"$output")))
	[ $((eff >> 12 & 1)) -eq 1 ]
	[ $((eff >> 24 & 1)) -eq 0 ]
}

@test "exec in a stopped container fails" {
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/true
	rt run -d -b "$BUNDLE" "$ID"
	wait_status "$ID" stopped
	run rt exec "$ID" /bin/true
	[ "$status" -ne 0 ]
	[[ $output == *stopped* ]]
}

@test "pause and resume freeze the container" {
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/sleep 100
	rt run -d -b "$BUNDLE" "$ID"

	rt pause "$ID"
	[ "$(rt state "$ID" | jq -r .status)" = paused ]
	rt resume "$ID"
	[ "$(rt state "$ID" | jq -r .status)" = running ]
}

@test "kill --all signals every process" {
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/sh -c 'sleep 100 & wait'
	rt run -d -b "$BUNDLE" "$ID"
	rt kill --all "$ID" KILL
	wait_status "$ID" stopped
}

@test "features and version describe the runtime" {
	run "$BERTH_RUNTIME" features
	[ "$status" -eq 0 ]
	jq -e '.ociVersionMax and (.linux.namespaces | index("pid"))' \
		<<<"$output"

	run "$BERTH_RUNTIME" --version
	[ "$status" -eq 0 ]
	[[ $output == "berth-runtime version "* ]]
}

@test "errors go to the --log file as json" {
	run rt --log "$BATS_TEST_TMPDIR/log" --log-format json state nope
	[ "$status" -eq 1 ]
	jq -e 'select(.level == "error") | .msg | test("nope")' \
		"$BATS_TEST_TMPDIR/log"
}

@test "crun, runc and berth-runtime agree on the same bundle" {
	local runtime out

	berth_runtime_bundle "$BUNDLE" "$ID" /bin/sh -c \
		'hostname; echo $$; ls /proc/self/fd | wc -l; exit 3'
	berth_runtime_config "$BUNDLE" '.hostname = "same"'

	for runtime in /usr/bin/runc /usr/bin/crun "$BERTH_RUNTIME"; do
		[ -x "$runtime" ] || skip "$runtime is not installed"
		# crun rejects the hybrid cgroup layout with controllers in
		# cgroup2, so it gets a mount namespace without cgroup2.
		run unshare -m sh -c '
			[ "${1##*/}" != crun ] ||
				umount -l /sys/fs/cgroup/unified 2>/dev/null
			exec "$@"' sh "$runtime" \
			--root "$RT_ROOT-${runtime##*/}" run -b "$BUNDLE" "$ID"
		echo "$runtime: $status: $output"
		[ "$status" -eq 3 ]
		[ -z "${out:-}" ] || [ "$output" = "$out" ]
		out=$output
	done
}

@test "hooks run in lifecycle order with the state" {
	local log=$BUNDLE/rootfs/hooks.log
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/sh -c 'echo process >>/hooks.log'
	# Host hooks write the host path, container hooks the container one.
	berth_runtime_config "$BUNDLE" --arg log "$log" '
		def hook($name; $file): {path: "/bin/sh", args: ["sh", "-c",
			"read -r s; echo \($name) $(echo \"$s\" | grep -o \"\\\"status\\\":\\\"[a-z]*\\\"\") >>\($file)"]};
		.hooks = {
			prestart: [hook("prestart"; $log)],
			createRuntime: [hook("createRuntime"; $log)],
			createContainer: [hook("createContainer"; "/hooks.log")],
			startContainer: [hook("startContainer"; "/hooks.log")],
			poststart: [hook("poststart"; $log)],
			poststop: [hook("poststop"; $log)]
		}'
	rt create -b "$BUNDLE" "$ID"
	rt start "$ID"
	wait_status "$ID" stopped
	rt delete "$ID"

	cat "$log"
	run cut -d' ' -f1 "$log"
	[ "${lines[0]}" = prestart ]
	[ "${lines[1]}" = createRuntime ]
	[ "${lines[2]}" = createContainer ]
	[ "${lines[3]}" = startContainer ]
	# poststart runs after start returns, in parallel with the process.
	[[ "${lines[4]} ${lines[5]}" == *process* ]]
	[[ "${lines[4]} ${lines[5]}" == *poststart* ]]
	[ "${lines[6]}" = poststop ]
	grep -q '^prestart "status":"created"' "$log"
	grep -q '^poststop "status":"stopped"' "$log"
}

@test "failing prestart hook fails create and cleans up" {
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/true
	berth_runtime_config "$BUNDLE" \
		'.hooks.prestart = [{path: "/bin/false"}]'
	run rt create -b "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ $output == *prestart* ]]
	[ ! -e "$RT_ROOT/$ID" ]
	[ -z "$(container_cgroups "$ID")" ]
}

@test "hook leaving a background process is reaped" {
	local pid_file=$BATS_TEST_TMPDIR/background.pid
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/true
	# The background sleep keeps the hook's stdout open after it exits.
	berth_runtime_config "$BUNDLE" --arg pid_file "$pid_file" '
		.hooks.prestart = [{path: "/bin/sh", args: ["sh", "-c",
			"sleep 60 & echo $! >\($pid_file); echo started"]}]'

	SECONDS=0
	run rt run -b "$BUNDLE" "$ID"
	kill "$(cat "$pid_file")"
	[ "$status" -eq 0 ]
	[ "$SECONDS" -lt 30 ]
}

@test "user namespace maps container root" {
	# The container root (host uid 100000) must reach its root directory,
	# which the private temporary directory of bats does not allow.
	USERNS_DIR=$(mktemp -d /tmp/berth-test-userns.XXXXXX)
	chmod 755 "$USERNS_DIR"
	BUNDLE=$USERNS_DIR/bundle
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/sh -c \
		'id -u; cat /proc/self/uid_map; touch /tmp/created && echo ok'
	berth_runtime_config "$BUNDLE" '
		.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
	# The container root is host uid 100000, so it must own its root.
	chown -R 100000:100000 "$BUNDLE/rootfs"
	run rt run -b "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[[ ${lines[1]} == *"0"*"100000"*"65536" ]]
	[ "${lines[2]}" = ok ]
	[ "$(stat -c %u "$BUNDLE/rootfs/tmp/created")" = 100000 ]
}

@test "exec -t sends a terminal to the console socket" {
	berth_runtime_bundle "$BUNDLE" "$ID" /bin/sleep 100
	rt run -d -b "$BUNDLE" "$ID"
	local sock=$BATS_TEST_TMPDIR/exec.sock out=$BATS_TEST_TMPDIR/out

	console_receiver "$sock" >"$out" &
	local receiver=$!
	for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done

	run rt exec -t --console-socket "$sock" "$ID" /bin/sh -c \
		'[ -t 0 ] && [ -t 1 ] && echo is-a-tty'
	[ "$status" -eq 0 ]
	wait "$receiver"
	grep -q is-a-tty "$out"
}
