#!/usr/bin/env bats
# What a container sees of the host: namespaces, capabilities, limits.

load helpers

setup() {
	berth_container_setup
}

teardown() {
	berth_container_teardown
}

@test "the command is PID 1 in its own pid namespace" {
	run "$BERTH" run --rm busybox sh -c 'echo $$'
	[ "$output" = 1 ]
	run "$BERTH" run --rm busybox ps -o pid,args
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[1]}" == *"1 ps -o pid,args"* ]]
	host_ns=$(readlink /proc/self/ns/pid)
	run "$BERTH" run --rm busybox readlink /proc/self/ns/pid
	[ "$output" != "$host_ns" ]
}

@test "the container has its own host name and namespaces" {
	run "$BERTH" run --rm --hostname iso busybox hostname
	[ "$output" = iso ]
	[ "$(hostname)" != iso ]
	for ns in ipc uts mnt net cgroup; do
		run "$BERTH" run --rm busybox readlink "/proc/self/ns/$ns"
		[ "$output" != "$(readlink "/proc/self/ns/$ns")" ]
	done
	run "$BERTH" run --rm --network host busybox readlink /proc/self/ns/net
	[ "$output" = "$(readlink /proc/self/ns/net)" ]
}

@test "capabilities are Docker's default set" {
	run "$BERTH" run --rm busybox grep -E '^Cap(Eff|Prm|Bnd)' \
		/proc/self/status
	[ "${#lines[@]}" -eq 3 ]
	for line in "${lines[@]}"; do
		[[ "$line" == *00000000a80425fb ]]
	done
	run "$BERTH" run --rm -u tester busybox grep CapEff /proc/self/status
	[[ "$output" == *0000000000000000 ]]
}

# Print the CapBnd mask of a container run with the given options.
bounding_set() {
	"$BERTH" run --rm "$@" busybox awk '/^CapBnd/ { print $2 }' \
		/proc/self/status
}

@test "--cap-add and --cap-drop change the set as in Docker" {
	[ "$(bounding_set --cap-add NET_ADMIN)" = 00000000a80435fb ]
	[ "$(bounding_set --cap-add cap_net_admin --cap-drop CHOWN)" = \
		00000000a80435fa ]
	[ "$(bounding_set --cap-drop ALL --cap-add CHOWN)" = \
		0000000000000001 ]

	host=$(awk '/^CapBnd/ { print $2 }' /proc/self/status)
	expected=$(printf '%016x' $((0x$host & ~1)))
	[ "$(bounding_set --cap-add ALL --cap-drop CHOWN)" = "$expected" ]

	run "$BERTH" create --name caps --cap-add NET_ADMIN --cap-drop MKNOD \
		busybox true
	[ "$status" -eq 0 ]
	[ "$(berth_inspect_field caps '.HostConfig.CapAdd[0]')" = \
		CAP_NET_ADMIN ]
	[ "$(berth_inspect_field caps '.HostConfig.CapDrop[0]')" = CAP_MKNOD ]

	run "$BERTH" run --rm --cap-add NOSUCH busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid capability 'NOSUCH' in --cap-add"* ]]
}

@test "the default seccomp profile is loaded" {
	run "$BERTH" run --rm busybox grep Seccomp: /proc/self/status
	[[ "$output" == *2 ]]
}

@test "a process beyond the memory limit is killed" {
	run "$BERTH" run --name oom -m 32m busybox sh -c \
		'dd if=/dev/zero of=/dev/null bs=64M count=1'
	[ "$status" -eq 137 ]
	[ "$(berth_inspect_field oom .State.OOMKilled)" = true ]
	run "$BERTH" run --rm -m 32m busybox sh -c \
		'dd if=/dev/zero of=/dev/null bs=8M count=1'
	[ "$status" -eq 0 ]
}

@test "the memory limit is set in the cgroup" {
	id=$("$BERTH" run -d -m 48m busybox sleep 100)
	limit=$(cat "$(berth_container_cgroup_file "$id" \
		memory/memory.limit_in_bytes)" 2>/dev/null ||
		cat "$(berth_container_cgroup_file "$id" ./memory.max)")
	[ "$limit" = $((48 * 1024 * 1024)) ]
}

@test "the pids limit stops fork bombs" {
	run "$BERTH" run --rm --pids-limit 5 busybox sh -c \
		'for i in 1 2 3 4 5 6 7 8; do sleep 5 & done; wait'
	[ "$status" -ne 0 ]
	[[ "$output" == *"fork"* || "$output" == *"Resource"* ]]
	run "$BERTH" run --rm --pids-limit 20 busybox sh -c \
		'for i in 1 2 3; do sleep 0.1 & done; wait'
	[ "$status" -eq 0 ]
}

@test "--cpus sets the CFS quota" {
	id=$("$BERTH" run -d --cpus 0.5 busybox sleep 100)
	quota=$(cat "$(berth_container_cgroup_file "$id" \
		cpu/cpu.cfs_quota_us)" 2>/dev/null ||
		cut -d' ' -f1 "$(berth_container_cgroup_file "$id" ./cpu.max)")
	[ "$quota" = 50000 ]
}

@test "host processes are invisible" {
	sleep 300 &
	host_pid=$!
	run "$BERTH" run --rm busybox ps -o args
	kill "$host_pid"
	[[ "$output" != *"sleep 300"* ]]
}

@test "the read-only root and read-only binds cannot be written" {
	mkdir "$BATS_TEST_TMPDIR/ro"
	run "$BERTH" run --rm --read-only \
		-v "$BATS_TEST_TMPDIR/ro:/ro:ro" busybox sh -c \
		'touch /x || echo root-ro; touch /ro/x || echo bind-ro'
	[[ "$output" == *root-ro* ]]
	[[ "$output" == *bind-ro* ]]
	[ ! -e "$BATS_TEST_TMPDIR/ro/x" ]
}

@test "sensitive /proc paths are masked" {
	run "$BERTH" run --rm busybox cat /proc/kcore
	[ "$status" -ne 0 ] || [ -z "$output" ]
	run "$BERTH" run --rm busybox sh -c 'echo 1 >/proc/sys/kernel/domainname'
	[ "$status" -ne 0 ]
}
