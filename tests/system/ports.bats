#!/usr/bin/env bats
# Published ports: -p, -P, --expose, "berth port", and the iptables nat
# rules that forward host ports to busybox httpd in a container. Traffic
# only goes to 127.0.0.1, the host's own addresses and the containers.

load helpers

setup() {
	berth_container_setup
	PY_PID=
	"$BERTH" network create pt-net >/dev/null
}

teardown() {
	local left=""

	if [ -n "$PY_PID" ]; then
		kill "$PY_PID" 2>/dev/null
		wait "$PY_PID" 2>/dev/null
	fi
	berth_container_teardown || left+="containers "
	"$BERTH" network rm pt-net >/dev/null || left+="network "
	if iptables -w -t nat -S | grep -q "berth:$(ports_ids_pattern)"; then
		left+="iptables "
	fi
	if [ -n "$left" ]; then
		echo "# left behind: $left" >&3
		return 1
	fi
}

# Print a pattern matching the ids the test recorded in $BATS_TEST_TMPDIR.
ports_ids_pattern() {
	if [ -s "$BATS_TEST_TMPDIR/ids" ]; then
		paste -sd'|' "$BATS_TEST_TMPDIR/ids" | sed 's/|/\\|/g'
	else
		echo "no-container"
	fi
}

# Print the nat rules that name container $1.
ports_rules() {
	iptables -w -t nat -S | grep -e "berth:$1" || true
}

# Run busybox httpd detached with the given berth options; print its id.
ports_httpd() {
	local id

	id=$("$BERTH" run -d --network pt-net "$@" busybox \
		httpd -f -p 80 -h /etc) || return 1
	echo "$id" >>"$BATS_TEST_TMPDIR/ids"
	echo "$id"
}

# Fetch /hostname from $1 (HOST:PORT), retrying while httpd starts.
ports_fetch() {
	local i

	for i in $(seq 50); do
		if curl -sf -m 5 "http://$1/hostname"; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# Print a TCP port no socket on the host uses.
ports_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])'
}

# Print the first of $1 consecutive TCP ports that no host socket uses,
# below the kernel's ephemeral range so that no client takes one.
ports_free_range() {
	python3 -c 'import random, socket, sys
n = int(sys.argv[1])
for _ in range(100):
    base = random.randrange(20000, 30000)
    try:
        socks = []
        for p in range(base, base + n):
            s = socket.socket()
            s.bind(("", p))
            socks.append(s)
        print(base)
        sys.exit(0)
    except OSError:
        pass
sys.exit(1)' "$1"
}

# Print an IPv4 address of the host other than loopback and berth's
# bridges, or nothing.
ports_host_address() {
	ip -4 -o addr show scope global |
		awk '$2 !~ /^(br-|berth)/ { sub(/\/.*/, "", $4); print $4; exit }'
}

@test "ports publish on loopback and all addresses" {
	port=$(ports_free_port)
	id=$(ports_httpd -p 127.0.0.1::80 -p "$port:80")

	run "$BERTH" port "$id"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" =~ ^80/tcp\ -\>\ 127\.0\.0\.1:[0-9]+$ ]]
	[ "${lines[1]}" = "80/tcp -> 0.0.0.0:$port" ]
	loopback=${lines[0]#80/tcp -> }

	run "$BERTH" ps
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *STATUS*PORTS*NAMES ]]
	[[ "${lines[1]}" == *"127.0.0.1:"*"->80/tcp, 0.0.0.0:$port->80/tcp"* ]]
	run "$BERTH" ps --format '{{.Ports}}'
	[ "$status" -eq 0 ]
	[[ "$output" == "127.0.0.1:"*"->80/tcp, 0.0.0.0:$port->80/tcp" ]]

	run ports_fetch "$loopback"
	[ "$status" -eq 0 ]
	[ "$output" = "${id:0:12}" ]

	run ports_fetch "127.0.0.1:$port"
	[ "$status" -eq 0 ]
	[ "$output" = "${id:0:12}" ]
}

@test "ports answer on the host's own address" {
	address=$(ports_host_address)
	[ -n "$address" ] || skip "the host has no non-loopback IPv4 address"
	port=$(ports_free_port)
	id=$(ports_httpd -p "$port:80")

	run ports_fetch "$address:$port"
	[ "$status" -eq 0 ]
	[ "$output" = "${id:0:12}" ]
}

@test "ports loopback-only binding ignores other addresses" {
	address=$(ports_host_address)
	[ -n "$address" ] || skip "the host has no non-loopback IPv4 address"
	port=$(ports_free_port)
	id=$(ports_httpd -p "127.0.0.1:$port:80")

	run ports_fetch "127.0.0.1:$port"
	[ "$status" -eq 0 ]
	run curl -sf -m 2 "http://$address:$port/hostname"
	[ "$status" -ne 0 ]
}

@test "ports range maps each port" {
	first=$(ports_free_range 3)
	last=$((first + 2))
	id=$(ports_httpd -p "$first-$last:80-82")

	run "$BERTH" port "$id"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "80/tcp -> 0.0.0.0:$first" ]
	[ "${lines[1]}" = "81/tcp -> 0.0.0.0:$((first + 1))" ]
	[ "${lines[2]}" = "82/tcp -> 0.0.0.0:$last" ]
	[ "$(ports_rules "$id" | grep -c DNAT)" -eq 3 ]

	run ports_fetch "127.0.0.1:$first"
	[ "$status" -eq 0 ]
}

@test "ports publish-all with expose" {
	id=$(ports_httpd -P --expose 80 --expose 53/udp)

	run "$BERTH" port "$id" 80
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^0\.0\.0\.0:[0-9]+$ ]]
	hostport=${output#0.0.0.0:}

	run "$BERTH" port "$id" 53/udp
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^0\.0\.0\.0:[0-9]+$ ]]

	run ports_fetch "127.0.0.1:$hostport"
	[ "$status" -eq 0 ]
	[ "$output" = "${id:0:12}" ]

	run "$BERTH" inspect "$id"
	[ "$(echo "$output" | jq -r '.[0].NetworkSettings.Ports["80/tcp"][0].HostPort')" = "$hostport" ]
	[ "$(echo "$output" | jq -r '.[0].HostConfig.PortBindings["80/tcp"][0].HostIp')" = 0.0.0.0 ]
}

@test "port of an unpublished port fails" {
	id=$(ports_httpd -p 127.0.0.1::80)

	run "$BERTH" port "$id" 81
	[ "$status" -eq 1 ]
	[[ "$output" == *"no public port '81/tcp'"* ]]

	run "$BERTH" port "$id" 80/tcp
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^127\.0\.0\.1:[0-9]+$ ]]
}

@test "ports in use by a host socket fail with 125" {
	port=$(ports_free_port)
	python3 -c 'import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()
print("ready", flush=True)
time.sleep(60)' "$port" >"$BATS_TEST_TMPDIR/py.out" &
	PY_PID=$!
	for i in $(seq 50); do
		grep -q ready "$BATS_TEST_TMPDIR/py.out" && break
		sleep 0.1
	done

	run "$BERTH" run -d --network pt-net -p "127.0.0.1:$port:80" busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"127.0.0.1:$port"*"port is already allocated"* ]]

	run "$BERTH" ps -aq
	[ -z "$output" ]
	[ -z "$(ls -A "$BERTH_RUNROOT/netns" 2>/dev/null)" ]
	run "$BERTH" network inspect pt-net
	[ "$(echo "$output" | jq '.[0].Containers | length')" -eq 0 ]
	[ -z "$(iptables -w -t nat -S BERTH-DNAT 2>/dev/null | grep -e "--dport $port ")" ]
}

@test "ports taken by a host socket after create fail start" {
	port=$(ports_free_port)
	"$BERTH" create --name late --network pt-net -p "127.0.0.1:$port:80" \
		busybox sleep 60 >>"$BATS_TEST_TMPDIR/ids"
	python3 -c 'import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()
print("ready", flush=True)
time.sleep(60)' "$port" >"$BATS_TEST_TMPDIR/py.out" &
	PY_PID=$!
	for i in $(seq 50); do
		grep -q ready "$BATS_TEST_TMPDIR/py.out" && break
		sleep 0.1
	done

	run "$BERTH" start late
	[ "$status" -eq 125 ]
	[[ "$output" == *"127.0.0.1:$port"*"port is already allocated"* ]]
	[ -z "$(ls -A "$BERTH_RUNROOT/netns" 2>/dev/null)" ]
	[ -z "$(iptables -w -t nat -S BERTH-DNAT 2>/dev/null | grep -e "--dport $port ")" ]

	kill "$PY_PID"
	wait "$PY_PID" || true
	PY_PID=
	run "$BERTH" start late
	[ "$status" -eq 0 ]
}

@test "ports held by another container fail with 125" {
	port=$(ports_free_port)
	"$BERTH" create --network pt-net -p "$port:80" busybox true \
		>>"$BATS_TEST_TMPDIR/ids"

	run "$BERTH" create --network pt-net -p "127.0.0.1:$port:80" busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"0.0.0.0:$port"*"port is already allocated"* ]] ||
		[[ "$output" == *"127.0.0.1:$port"*"port is already allocated"* ]]
	[ "$("$BERTH" ps -aq | wc -l)" -eq 1 ]
}

@test "ports reject invalid values" {
	run "$BERTH" create --network pt-net -p 80:http busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid port '80:http'"* ]]

	run "$BERTH" create --network pt-net -p 8000-8001:80-82 busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid port '8000-8001:80-82'"* ]]

	run "$BERTH" create --network pt-net --expose 80/sctp busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid port '80/sctp'"* ]]

	run "$BERTH" create --network none -p 8080:80 busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"need a bridge network"* ]]

	run "$BERTH" ps -aq
	[ -z "$output" ]
}

@test "ports rules removed by rm -f" {
	id=$(ports_httpd -p 127.0.0.1::80)
	[ -n "$(ports_rules "$id")" ]

	"$BERTH" rm -f "$id"
	[ -z "$(ports_rules "$id")" ]
}

@test "ports rules removed when the container exits" {
	id=$("$BERTH" run -d --network pt-net -p 127.0.0.1::80 busybox sleep 1)
	echo "$id" >>"$BATS_TEST_TMPDIR/ids"

	run "$BERTH" wait "$id"
	[ "$status" -eq 0 ]
	for i in $(seq 50); do
		[ -z "$(ports_rules "$id")" ] && break
		sleep 0.1
	done
	[ -z "$(ports_rules "$id")" ]

	"$BERTH" start "$id"
	[ -n "$(ports_rules "$id")" ]
	"$BERTH" rm -f "$id"
}

@test "ports rules removed after killed monitor" {
	id=$(ports_httpd -p 127.0.0.1::80)
	[ -n "$(ports_rules "$id")" ]
	monitor=$(jq .monitor_pid "$BERTH_RUNROOT/containers/$id/monitor.json")
	kill -9 "$monitor"

	"$BERTH" rm -f "$id" >/dev/null
	[ -z "$(ports_rules "$id")" ]
}

@test "ports freed by rm for a new container" {
	port=$(ports_free_port)
	"$BERTH" create --name first --network pt-net -p "$port:80" busybox \
		true >/dev/null
	"$BERTH" rm first >/dev/null

	id=$(ports_httpd -p "$port:80")
	run ports_fetch "127.0.0.1:$port"
	[ "$status" -eq 0 ]
	[ "$output" = "${id:0:12}" ]
}
