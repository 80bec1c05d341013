#!/usr/bin/env bats
# Bridge networks: berth network commands, container addresses, names
# in /etc/hosts, and cleanup of bridges, veths and namespaces. Traffic
# only goes between containers on networks that the test creates.

load helpers

setup() {
	berth_container_setup
}

# Remove the test's containers and networks, then fail when a bridge,
# veth or network namespace of them is left.
teardown() {
	local name bridge left=""

	if [ -f "$BATS_TEST_TMPDIR/ip_forward" ]; then
		sysctl -qw net.ipv4.ip_forward="$(cat "$BATS_TEST_TMPDIR/ip_forward")"
	fi
	berth_container_teardown || left+="containers "
	for name in $("$BERTH" network ls --format '{{.Name}}' 2>/dev/null); do
		bridge=$(net_bridge "$name")
		"$BERTH" network rm "$name" >/dev/null 2>&1 ||
			left+="network:$name "
		if [ -n "$bridge" ] && ip link show "$bridge" >/dev/null 2>&1; then
			ip link delete "$bridge" 2>/dev/null
			left+="bridge:$bridge "
		fi
		if [ -n "$bridge" ] && [ -n "$(net_nat_rules "$bridge")" ]; then
			left+="nat:$bridge "
		fi
		if [ -n "$bridge" ] &&
			iptables -w -S | grep -q -e "-[io] $bridge "; then
			left+="isolation:$bridge "
		fi
	done
	left+=$(net_netns_left)
	if [ -n "$left" ]; then
		echo "# left behind: $left" >&3
		return 1
	fi
}

# Print the bridge device of network $1.
net_bridge() {
	"$BERTH" network inspect "$1" 2>/dev/null |
		jq -r '.[0].Options["com.docker.network.bridge.name"]'
}

# Print the NAT rules of bridge $1.
net_nat_rules() {
	iptables -w -t nat -S POSTROUTING | grep -e "-o $1 " || true
}

# Print the subnet of network $1.
net_subnet() {
	"$BERTH" network inspect "$1" | jq -r '.[0].IPAM.Config[0].Subnet'
}

# Print a subnet that no network or host route uses, found by making a
# network and removing it again.
net_free_subnet() {
	local subnet

	"$BERTH" network create nt-probe >/dev/null || return 1
	subnet=$(net_subnet nt-probe)
	"$BERTH" network rm nt-probe >/dev/null || return 1
	echo "$subnet"
}

# Print the host end of container $1's veth (its full id is needed).
net_veth() {
	echo "vb${1:0:11}"
}

# Print the network namespaces the test's containers left mounted.
net_netns_left() {
	awk -v dir="$BERTH_RUNROOT/netns/" 'index($5, dir) == 1 { print $5 }' \
		/proc/self/mountinfo
	if [ -d "$BERTH_RUNROOT/netns" ]; then
		ls -A "$BERTH_RUNROOT/netns"
	fi
}

# Wait until container $1 answers HTTP on port 8080 of $2 (from $1).
net_wait_http() {
	local i

	for i in $(seq 50); do
		if timeout 10 "$BERTH" exec "$1" wget -q -O /dev/null \
			"http://$2:8080/hostname"; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

@test "network create, ls, inspect and rm" {
	run "$BERTH" network create --label team=qa nt-one
	[ "$status" -eq 0 ]
	id=$output
	[[ "$id" =~ ^[0-9a-f]{64}$ ]]

	run "$BERTH" network ls
	[ "$status" -eq 0 ]
	[[ "$output" == *nt-one* ]]

	run "$BERTH" network ls -q
	[ "$output" = "${id:0:12}" ]

	run "$BERTH" network ls --format json
	[ "$(echo "$output" | jq -r .Name)" = nt-one ]
	[ "$(echo "$output" | jq -r .Labels.team)" = qa ]

	"$BERTH" network create nt-two >/dev/null
	run "$BERTH" network ls -q --filter label=team=qa
	[ "$output" = "${id:0:12}" ]
	run "$BERTH" network ls --filter name=two --format '{{.Name}}'
	[ "$output" = nt-two ]
	run "$BERTH" network ls -f id="${id:0:6}" -f dangling=true \
		--format '{{.Name}}'
	[ "$output" = nt-one ]
	run "$BERTH" network ls --filter type=builtin -q
	[ -z "$output" ]
	run "$BERTH" network ls --filter colour=red
	[ "$status" -ne 0 ]
	[[ "$output" == *"invalid filter 'colour=red'"* ]]
	"$BERTH" network rm nt-two >/dev/null

	run "$BERTH" network inspect nt-one
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '.[0].Id')" = "$id" ]
	[ "$(echo "$output" | jq -r '.[0].Driver')" = bridge ]
	subnet=$(echo "$output" | jq -r '.[0].IPAM.Config[0].Subnet')
	gateway=$(echo "$output" | jq -r '.[0].IPAM.Config[0].Gateway')
	[[ "$subnet" == 10.89.*.0/24 ]]
	[ "$gateway" = "${subnet%.0/24}.1" ]

	bridge=$(net_bridge nt-one)
	[ "$bridge" = "br-${id:0:12}" ]
	ip -4 addr show "$bridge" | grep -q "inet $gateway/24"
	rule="-s $subnet ! -o $bridge -j MASQUERADE"
	[[ "$(net_nat_rules "$bridge")" == *"$rule"* ]]

	run "$BERTH" network rm nt-one
	[ "$status" -eq 0 ]
	run ip link show "$bridge"
	[ "$status" -ne 0 ]
	[ -z "$(net_nat_rules "$bridge")" ]
	run "$BERTH" network inspect nt-one
	[ "$status" -eq 125 ]
	[[ "$output" == *"network 'nt-one' not found"* ]]
}

@test "network create rejects an overlapping subnet" {
	"$BERTH" network create nt-first >/dev/null
	subnet=$(net_subnet nt-first)

	run "$BERTH" network create --subnet "${subnet%.0/24}.128/25" nt-second
	[ "$status" -eq 125 ]
	[[ "$output" == *"overlaps network 'nt-first'"* ]]
	run "$BERTH" network inspect nt-second
	[ "$status" -eq 125 ]

	run "$BERTH" network create --subnet 10.89.1.7/24 nt-second
	[ "$status" -eq 125 ]
	[[ "$output" == *"host bits set"* ]]

	run "$BERTH" network create nt-first
	[ "$status" -eq 125 ]
	[[ "$output" == *"already exists"* ]]
}

@test "network create with subnet, gateway and internal" {
	subnet=$(net_free_subnet)
	run "$BERTH" network create --subnet "$subnet" \
		--gateway "${subnet%.0/24}.254" --internal nt-fixed
	[ "$status" -eq 0 ]
	run "$BERTH" network inspect nt-fixed
	[ "$(echo "$output" | jq -r '.[0].IPAM.Config[0].Gateway')" = \
		"${subnet%.0/24}.254" ]
	[ "$(echo "$output" | jq -r '.[0].Internal')" = true ]
	[ -z "$(net_nat_rules "$(net_bridge nt-fixed)")" ]

	run "$BERTH" run --rm --network nt-fixed busybox ip route
	[ "$status" -eq 0 ]
	[[ "$output" != *default* ]]

	run "$BERTH" network create --subnet 10.89.250.0/24 \
		--gateway 10.89.251.1 nt-badgw
	[ "$status" -eq 125 ]
	[[ "$output" == *"is not a host address"* ]]
}

@test "run --ip outside the subnet or taken fails cleanly" {
	"$BERTH" network create nt-ip >/dev/null
	subnet=$(net_subnet nt-ip)
	base=${subnet%.0/24}

	run "$BERTH" run -d --name fixed --network nt-ip --ip "$base.50" \
		busybox sleep 60
	[ "$status" -eq 0 ]
	run "$BERTH" exec fixed ip -4 addr show eth0
	[[ "$output" == *"inet $base.50/24"* ]]
	run "$BERTH" inspect fixed
	[ "$(echo "$output" | jq -r '.[0].NetworkSettings.IPAddress')" = \
		"$base.50" ]
	[ "$(echo "$output" |
		jq -r '.[0].NetworkSettings.Networks["nt-ip"].Gateway')" = \
		"$base.1" ]

	run "$BERTH" run --network nt-ip --ip "$base.50" busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"already in use by container 'fixed'"* ]]

	run "$BERTH" run --network nt-ip --ip 192.0.2.77 busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"not a host address of network 'nt-ip'"* ]]

	run "$BERTH" run --network nt-ip --ip "$base.1" busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *gateway* ]]

	run "$BERTH" run --network none --ip "$base.9" busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"need a bridge network"* ]]

	# Only the first container exists and holds an address.
	[ "$("$BERTH" ps -aq | wc -l)" -eq 1 ]
	run "$BERTH" network inspect nt-ip
	[ "$(echo "$output" | jq '.[0].Containers | length')" -eq 1 ]
}

@test "containers on a network reach each other by name and alias" {
	"$BERTH" network create nt-app >/dev/null
	# --dns 127.0.0.1 keeps a name that /etc/hosts lacks off the wire.
	"$BERTH" run -d --name web --network nt-app --network-alias www \
		--dns 127.0.0.1 busybox httpd -f -p 8080 -h /etc >/dev/null
	"$BERTH" run -d --name client --network nt-app --dns 127.0.0.1 \
		busybox sleep 60 >/dev/null

	run "$BERTH" exec client ping -c1 -W2 web
	[ "$status" -eq 0 ]
	run "$BERTH" exec client ping -c1 -W2 www
	[ "$status" -eq 0 ]
	run "$BERTH" exec web ping -c1 -W2 client
	[ "$status" -eq 0 ]

	net_wait_http client www
	run timeout 10 "$BERTH" exec client wget -q -O - \
		http://web:8080/hostname
	[ "$status" -eq 0 ]
	[ "$output" = "$("$BERTH" exec web hostname)" ]
}

@test "hosts file drops a removed peer in place" {
	"$BERTH" network create nt-hosts >/dev/null
	"$BERTH" run -d --name stay --network nt-hosts busybox sleep 60 \
		>/dev/null
	"$BERTH" run -d --name go --network nt-hosts --network-alias gone \
		busybox sleep 60 >/dev/null

	run "$BERTH" exec stay cat /etc/hosts
	[[ "$output" == *$'\tgo gone'* ]]

	"$BERTH" rm -f go >/dev/null
	run "$BERTH" exec stay cat /etc/hosts
	[ "$status" -eq 0 ]
	[[ "$output" != *go* ]]
	[[ "$output" == *stay* ]]
}

@test "add-host and dns fill hosts and resolv.conf" {
	"$BERTH" network create nt-dns >/dev/null
	run "$BERTH" run --rm --network nt-dns --add-host db.local:192.0.2.10 \
		--dns 192.0.2.53 busybox sh -c 'cat /etc/hosts /etc/resolv.conf'
	[ "$status" -eq 0 ]
	[[ "$output" == *$'192.0.2.10\tdb.local'* ]]
	[[ "$output" == *"nameserver 192.0.2.53"* ]]

	run "$BERTH" run --rm --network nt-dns --add-host gw:host-gateway \
		--dns-search corp.example --dns-search lab.example \
		--dns-option ndots:2 busybox sh -c 'cat /etc/hosts /etc/resolv.conf'
	[ "$status" -eq 0 ]
	[[ "$output" == *"$(net_subnet nt-dns | sed 's|0/24$|1|')"$'\tgw'* ]]
	[[ "$output" == *"search corp.example lab.example"* ]]
	[[ "$output" == *"options ndots:2"* ]]
	[ "$(grep -c '^search' <<<"$output")" -eq 1 ]

	run "$BERTH" run --rm --network none --add-host gw:host-gateway \
		busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"host-gateway needs a bridge network"* ]]
	run "$BERTH" run --rm --network host --dns-search x.example \
		busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"do not apply to --network host"* ]]
	run "$BERTH" run --rm --dns-option 'ndots:2 rotate' busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid --dns-option"* ]]

	run "$BERTH" run --rm --add-host bad busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"use NAME:IP"* ]]
	run "$BERTH" run --rm --dns 1.2.3 busybox true
	[ "$status" -eq 125 ]
}

@test "network none has only loopback" {
	run "$BERTH" run --rm --network none busybox ls /sys/class/net
	[ "$status" -eq 0 ]
	[ "$output" = lo ]
}

@test "network container:NAME shares the namespace" {
	"$BERTH" network create nt-share >/dev/null
	"$BERTH" run -d --name owner --network nt-share busybox sleep 60 \
		>/dev/null
	address=$("$BERTH" exec owner ip -4 -o addr show eth0 | awk '{print $4}')
	[ -n "$address" ]

	run "$BERTH" run --rm --network container:owner busybox \
		ip -4 -o addr show eth0
	[ "$status" -eq 0 ]
	[[ "$output" == *"$address"* ]]

	run "$BERTH" run --rm --network container:missing busybox true
	[ "$status" -eq 125 ]

	"$BERTH" create --name joiner --network container:owner busybox true \
		>/dev/null
	"$BERTH" stop -t 0 owner >/dev/null
	run "$BERTH" start joiner
	[ "$status" -eq 125 ]
	[[ "$output" == *"is not running"* ]]
}

@test "rm -f and run --rm leave no veth, netns or address" {
	"$BERTH" network create nt-clean >/dev/null
	id=$("$BERTH" run -d --network nt-clean busybox sleep 60)
	ip link show "$(net_veth "$id")" >/dev/null
	[ -e "$BERTH_RUNROOT/netns/$id" ]

	"$BERTH" rm -f "$id" >/dev/null
	run ip link show "$(net_veth "$id")"
	[ "$status" -ne 0 ]
	[ -z "$(net_netns_left)" ]

	run "$BERTH" run --rm --network nt-clean busybox true
	[ "$status" -eq 0 ]
	[ -z "$(net_netns_left)" ]
	[ -z "$(ip link show master "$(net_bridge nt-clean)")" ]

	run "$BERTH" network inspect nt-clean
	[ "$(echo "$output" | jq '.[0].Containers | length')" -eq 0 ]
}

@test "stop after a killed monitor cleans up the network" {
	"$BERTH" network create nt-orphan >/dev/null
	id=$("$BERTH" run -d --network nt-orphan -p 127.0.0.1::8080 busybox \
		sleep 60)
	monitor=$(jq .monitor_pid "$BERTH_RUNROOT/containers/$id/monitor.json")
	kill -9 "$monitor"

	"$BERTH" stop -t 1 "$id" >/dev/null
	run ip link show "$(net_veth "$id")"
	[ "$status" -ne 0 ]
	[ -z "$(net_netns_left)" ]
	[ -z "$(iptables -w -t nat -S | grep -e "berth:$id")" ]
	[ -z "$(berth_store_mounts)" ]
	run "$BERTH" inspect "$id"
	[ "$(echo "$output" | jq -r '.[0].State.Status')" = exited ]

	run "$BERTH" start "$id"
	[ "$status" -eq 0 ]
	ip link show "$(net_veth "$id")" >/dev/null
}

@test "rm after a killed monitor cleans up the network" {
	"$BERTH" network create nt-killed >/dev/null
	id=$("$BERTH" run -d --network nt-killed busybox sleep 60)
	monitor=$(jq .monitor_pid "$BERTH_RUNROOT/containers/$id/monitor.json")
	kill -9 "$monitor"

	"$BERTH" rm -f "$id" >/dev/null
	run ip link show "$(net_veth "$id")"
	[ "$status" -ne 0 ]
	[ -z "$(net_netns_left)" ]
	run "$BERTH" network inspect nt-killed
	[ "$(echo "$output" | jq '.[0].Containers | length')" -eq 0 ]
}

@test "network rm refuses while containers are attached; prune" {
	"$BERTH" network create nt-busy >/dev/null
	"$BERTH" network create nt-idle >/dev/null
	"$BERTH" create --name member --network nt-busy busybox true >/dev/null

	run "$BERTH" network rm nt-busy
	[ "$status" -eq 125 ]
	[[ "$output" == *"such as 'member'"* ]]

	run "$BERTH" network prune -f
	[ "$status" -eq 0 ]
	[[ "$output" == *nt-idle* ]]
	[[ "$output" != *nt-busy* ]]

	"$BERTH" rm member >/dev/null
	run "$BERTH" network rm nt-busy
	[ "$status" -eq 0 ]
	[ -z "$("$BERTH" network ls -q)" ]
}

@test "stop and start keep the address" {
	"$BERTH" network create nt-restart >/dev/null
	id=$("$BERTH" run -d --network nt-restart busybox sleep 60)
	before=$("$BERTH" exec "$id" ip -4 -o addr show eth0 | awk '{print $4}')
	"$BERTH" stop -t 0 "$id" >/dev/null
	run ip link show "$(net_veth "$id")"
	[ "$status" -ne 0 ]
	[ -z "$(net_netns_left)" ]

	"$BERTH" start "$id" >/dev/null
	after=$("$BERTH" exec "$id" ip -4 -o addr show eth0 | awk '{print $4}')
	[ -n "$before" ]
	[ "$before" = "$after" ]
}

@test "default bridge network is made on first use" {
	if ip link show berth0 >/dev/null 2>&1; then
		skip "berth0 exists already: the test would remove it"
	fi
	run "$BERTH" run --rm --network bridge busybox ip -4 -o addr show eth0
	[ "$status" -eq 0 ]
	[[ "$output" == *"inet 10.89.0."* ]]
	[ "$(net_bridge bridge)" = berth0 ]
	run "$BERTH" network ls --format '{{.Name}}'
	[ "$output" = bridge ]
}

@test "publishing without --network joins the default bridge network" {
	if ip link show berth0 >/dev/null 2>&1; then
		skip "berth0 exists already: the test would remove it"
	fi
	"$BERTH" run -d --name published -p 127.0.0.1::8080 busybox \
		httpd -f -p 8080 -h /etc >/dev/null
	run "$BERTH" inspect published
	[ "$(echo "$output" | jq -r '.[0].HostConfig.NetworkMode')" = bridge ]
	[[ "$(echo "$output" | jq -r '.[0].NetworkSettings.IPAddress')" == \
		10.89.0.* ]]

	address=$("$BERTH" port published 8080)
	for i in $(seq 50); do
		curl -sf -m 5 -o /dev/null "http://$address/hostname" && break
		sleep 0.1
	done
	run curl -sf -m 5 "http://$address/hostname"
	[ "$status" -eq 0 ]
	[ "$output" = "$("$BERTH" exec published hostname)" ]

	run "$BERTH" run --rm busybox ls /sys/class/net
	[ "$output" = lo ]
}

# Print the host end of container $1's veth for its device eth$2.
net_veth_more() {
	echo "vb${1:0:10}x$2"
}

# Print the containers attached to network $1, by name, sorted.
net_members() {
	"$BERTH" network inspect "$1" |
		jq -r '.[0].Containers[].Name' | sort | tr '\n' ' '
}

@test "run on several networks: a device, an address and names on each" {
	"$BERTH" network create nt-front >/dev/null
	"$BERTH" network create nt-back >/dev/null
	front=$(net_subnet nt-front)
	back=$(net_subnet nt-back)

	id=$("$BERTH" run -d --name both --network nt-front \
		--network name=nt-back,alias=api,ip="${back%.0/24}.40" \
		--dns 127.0.0.1 busybox httpd -f -p 8080 -h /etc)
	"$BERTH" run -d --name fclient --network nt-front --dns 127.0.0.1 \
		busybox sleep 60 >/dev/null
	"$BERTH" run -d --name bclient --network nt-back --dns 127.0.0.1 \
		busybox sleep 60 >/dev/null

	run "$BERTH" exec both ip -4 -o addr show eth1
	[[ "$output" == *"inet ${back%.0/24}.40/24"* ]]
	run "$BERTH" exec both ip route
	[[ "$output" == *"default via ${front%.0/24}.1 dev eth0"* ]]
	[[ "$output" != *"default via ${back%.0/24}.1"* ]]
	ip link show "$(net_veth_more "$id" 1)" >/dev/null

	run "$BERTH" inspect both
	[ "$(echo "$output" |
		jq -r '.[0].NetworkSettings.Networks | keys | join(",")')" = \
		nt-back,nt-front ]
	[ "$(echo "$output" |
		jq -r '.[0].NetworkSettings.Networks["nt-back"].Aliases[0]')" = \
		api ]

	# Each client knows "both" by its address on the shared network.
	run "$BERTH" exec fclient grep -w both /etc/hosts
	[[ "$output" == "${front%.0/24}."* ]]
	run "$BERTH" exec bclient grep -w api /etc/hosts
	[[ "$output" == "${back%.0/24}.40"$'\t'"both api" ]]
	net_wait_http bclient api
	net_wait_http fclient both
	run "$BERTH" exec both cat /etc/hosts
	[[ "$output" == *fclient* ]]
	[[ "$output" == *bclient* ]]

	# The two clients share no network.
	run "$BERTH" exec fclient grep -w bclient /etc/hosts
	[ "$status" -ne 0 ]

	"$BERTH" rm -f both >/dev/null
	run ip link show "$(net_veth_more "$id" 1)"
	[ "$status" -ne 0 ]
	[ "$(net_members nt-back)" = "bclient " ]
}

@test "network connect and disconnect a running container" {
	"$BERTH" network create nt-one >/dev/null
	"$BERTH" network create nt-two >/dev/null
	id=$("$BERTH" run -d --name mover --network nt-one --dns 127.0.0.1 \
		busybox httpd -f -p 8080 -h /etc)
	"$BERTH" run -d --name peer --network nt-two --dns 127.0.0.1 \
		busybox sleep 60 >/dev/null

	run "$BERTH" network connect --alias mv nt-two mover
	[ "$status" -eq 0 ]
	run "$BERTH" exec mover ls /sys/class/net
	[ "$output" = "$(printf 'eth0\neth1\nlo')" ]
	run "$BERTH" exec peer cat /etc/hosts
	[[ "$output" == *$'\tmover mv'* ]]
	net_wait_http peer mv

	run "$BERTH" network connect nt-two mover
	[ "$status" -eq 125 ]
	[[ "$output" == *"already on network 'nt-two'"* ]]
	run "$BERTH" network connect nt-none mover
	[ "$status" -eq 125 ]
	[[ "$output" == *"network 'nt-none' not found"* ]]

	run "$BERTH" network disconnect nt-two mover
	[ "$status" -eq 0 ]
	run "$BERTH" exec mover ls /sys/class/net
	[ "$output" = "$(printf 'eth0\nlo')" ]
	run "$BERTH" exec peer cat /etc/hosts
	[[ "$output" != *mover* ]]
	[ "$(net_members nt-two)" = "peer " ]
	run ip link show "$(net_veth_more "$id" 1)"
	[ "$status" -ne 0 ]

	run "$BERTH" network disconnect nt-two mover
	[ "$status" -eq 125 ]
	[[ "$output" == *"is not on network 'nt-two'"* ]]
}

@test "disconnect from the first network moves the default route" {
	"$BERTH" network create nt-first >/dev/null
	"$BERTH" network create nt-second >/dev/null
	second=$(net_subnet nt-second)
	"$BERTH" run -d --name roam --network nt-first --network nt-second \
		busybox sleep 60 >/dev/null

	"$BERTH" network disconnect nt-first roam
	run "$BERTH" exec roam ip route
	[[ "$output" == *"default via ${second%.0/24}.1 dev eth1"* ]]
	run "$BERTH" inspect roam
	[ "$(echo "$output" | jq -r '.[0].NetworkSettings.IPAddress')" = \
		"${second%.0/24}.2" ]

	# Stopped and started again, it keeps what is left.
	"$BERTH" restart -t 0 roam >/dev/null
	run "$BERTH" exec roam ls /sys/class/net
	[ "$output" = "$(printf 'eth1\nlo')" ]

	# Without a network it keeps loopback, and can join one again.
	"$BERTH" network disconnect nt-second roam
	run "$BERTH" exec roam ls /sys/class/net
	[ "$output" = lo ]
	"$BERTH" restart -t 0 roam >/dev/null
	run "$BERTH" exec roam ls /sys/class/net
	[ "$output" = lo ]
	"$BERTH" network connect nt-first roam
	run "$BERTH" exec roam ip route
	[[ "$output" == *"default via"*"dev eth0"* ]]
	[ "$(net_members nt-first)" = "roam " ]
	[ "$(net_members nt-second)" = "" ]
}

@test "connect a stopped container; refuse host and shared namespaces" {
	"$BERTH" network create nt-late >/dev/null
	"$BERTH" create --name later --network none busybox sleep 60 >/dev/null
	"$BERTH" network connect nt-late later
	"$BERTH" start later >/dev/null
	run "$BERTH" exec later ls /sys/class/net
	[ "$output" = "$(printf 'eth0\nlo')" ]

	"$BERTH" create --name hosted --network host busybox true >/dev/null
	run "$BERTH" network connect nt-late hosted
	[ "$status" -eq 125 ]
	[[ "$output" == *"uses the network of the host"* ]]

	"$BERTH" run -d --name ported --network nt-late -p 127.0.0.1::8080 \
		busybox sleep 60 >/dev/null
	run "$BERTH" network disconnect nt-late ported
	[ "$status" -eq 125 ]
	[[ "$output" == *"publishes ports through network 'nt-late'"* ]]
}

@test "bad network lists leave no container and no address" {
	"$BERTH" network create nt-ok >/dev/null

	run "$BERTH" run --network nt-ok --network nt-missing busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"network 'nt-missing' not found"* ]]
	run "$BERTH" run --network nt-ok --network nt-ok busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"given twice"* ]]
	run "$BERTH" run --network host --network nt-ok busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"cannot be combined"* ]]
	run "$BERTH" run --network name=nt-ok,mtu=9000 busybox true
	[ "$status" -ne 0 ]
	[[ "$output" == *"unknown or empty field 'mtu=9000'"* ]]
	run "$BERTH" run --network name=nt-ok,ip=10.89.0.9 --ip 10.89.0.8 \
		busybox true
	[ "$status" -ne 0 ]
	[[ "$output" == *"both give an address"* ]]
	run "$BERTH" run --network name=nt-ok,name=bridge busybox true
	[ "$status" -ne 0 ]
	[[ "$output" == *"'name' is given twice"* ]]
	run "$BERTH" run --network nt-ok --network name=bridge,ip=10.88.0.1 \
		busybox true
	[ "$status" -eq 125 ]

	[ -z "$("$BERTH" ps -aq)" ]
	[ "$(net_members nt-ok)" = "" ]
	[ "$(net_members bridge)" = "" ]
}

@test "rename updates the names that peers see" {
	"$BERTH" network create nt-rename >/dev/null
	"$BERTH" run -d --name old --network nt-rename busybox sleep 60 \
		>/dev/null
	"$BERTH" run -d --name watcher --network nt-rename busybox sleep 60 \
		>/dev/null

	"$BERTH" rename old new
	run "$BERTH" exec watcher cat /etc/hosts
	[[ "$output" == *$'\tnew'* ]]
	[[ "$output" != *old* ]]
	[ "$(net_members nt-rename)" = "new watcher " ]
}

@test "a forwarding host drops traffic between networks" {
	sysctl -n net.ipv4.ip_forward >"$BATS_TEST_TMPDIR/ip_forward"
	"$BERTH" network create nt-left >/dev/null
	"$BERTH" network create nt-right >/dev/null
	left=$(net_subnet nt-left)
	"$BERTH" run -d --name server --network nt-right -p 0.0.0.0::8080 \
		busybox httpd -f -p 8080 -h /etc >/dev/null
	"$BERTH" run -d --name client --network nt-left busybox sleep 60 \
		>/dev/null
	server_ip=$("$BERTH" inspect server |
		jq -r '.[0].NetworkSettings.IPAddress')
	port=$("$BERTH" port server 8080 | head -1)
	port=${port##*:}
	rules=$(iptables -w -S BERTH-ISOLATION-2)
	[[ "$rules" == *"-o $(net_bridge nt-right) -j DROP"* ]]

	sysctl -qw net.ipv4.ip_forward=1
	# busybox wget -T crashes, so timeout ends the hanging connect.
	run timeout 5 "$BERTH" exec client wget -q -O /dev/null \
		"http://$server_ip:8080/hostname"
	[ "$status" -ne 0 ]

	# A published port stays open to clients on other networks.
	run timeout 10 "$BERTH" exec client wget -q -O - \
		"http://${left%.0/24}.1:$port/hostname"
	[ "$status" -eq 0 ]
	[ "$output" = "$("$BERTH" exec server hostname)" ]

	sysctl -qw net.ipv4.ip_forward="$(cat "$BATS_TEST_TMPDIR/ip_forward")"
	right_bridge=$(net_bridge nt-right)
	"$BERTH" rm -f server client >/dev/null
	"$BERTH" network rm nt-right >/dev/null
	run iptables -w -S
	[[ "$output" != *"$right_bridge"* ]]
	[[ "$output" == *"-o $(net_bridge nt-left) -j DROP"* ]]
}

@test "connect a container that waits to restart" {
	"$BERTH" network create nt-main >/dev/null
	"$BERTH" network create nt-extra >/dev/null
	"$BERTH" run -d --name crasher --restart always --network nt-main \
		busybox sh -c 'echo $(ls /sys/class/net); exit 3' >/dev/null

	# The back-off doubles from 100 ms at each restart, so the fourth run
	# is followed by 1.6 s without a process. The count goes up as a run
	# starts, so wait for that run to end as well.
	for i in $(seq 100); do
		count=$("$BERTH" inspect crasher | jq -r '.[0].RestartCount')
		[ "$count" -ge 4 ] && break
		sleep 0.05
	done
	sleep 0.5
	run "$BERTH" inspect crasher
	[ "$(echo "$output" | jq -r '.[0].RestartCount')" = "$count" ]
	[ "$(echo "$output" | jq -r '.[0].State.Status')" = restarting ]

	run "$BERTH" network connect nt-extra crasher
	[ "$status" -eq 0 ]
	[ "$(net_members nt-extra)" = "crasher " ]

	# A later run gets the device.
	for i in $(seq 100); do
		run "$BERTH" logs crasher
		[[ "$output" == *"eth0 eth1 lo"* ]] && break
		sleep 0.05
	done
	[[ "$output" == *"eth0 eth1 lo"* ]]
}

@test "network create rejects predefined names and reserved subnets" {
	for name in bridge host none; do
		run "$BERTH" network create "$name"
		[ "$status" -eq 125 ]
		[[ "$output" == *"network '$name' is predefined"* ]]
	done

	for subnet in 127.0.0.0/24 224.0.0.0/24 0.0.0.0/24 250.1.0.0/16; do
		run "$BERTH" network create --subnet "$subnet" nt-reserved
		[ "$status" -eq 125 ]
		[[ "$output" == *"overlaps the "*" range"* ]]
	done
	[ -z "$("$BERTH" network ls -q)" ]
	run ip -4 addr show
	[[ "$output" != *"inet 127.0.0.1/24"* ]]
}
