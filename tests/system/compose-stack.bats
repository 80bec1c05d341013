#!/usr/bin/env bats
# berth compose runs a three-tier application of real programs: nginx
# as the reverse proxy, a busybox httpd CGI application that stores
# bookmarks with psql, and a PostgreSQL 15 server on a named volume. The
# project is examples/bookmarks, which "make demo" runs too, with one
# service added: the outsider, on the front network only. The example's
# build-images makes the images from the host's own binaries, so nothing
# is pulled. Traffic only goes to 127.0.0.1 and between the test's
# containers. The containers resolve names from /etc/hosts only, so no
# DNS server is asked.

load helpers

EXAMPLE=$BERTH_SOURCE_DIR/examples/bookmarks

# Write a file that adds the outsider to the example's project, into
# directory $1. The outsider runs the proxy's image for its
# /etc/nsswitch.conf, which keeps name lookups to /etc/hosts.
write_outsider_file() {
	cat >"$1/outsider.yaml" <<'EOF'
services:
  outsider:
    image: bookmarks-proxy
    command: ["sleep", "3600"]
    init: true
    stop_grace_period: 5s
    networks: [front]
EOF
}

setup_file() {
	export BERTH_ROOT=$BATS_FILE_TMPDIR/root
	export BERTH_RUNROOT=$BATS_FILE_TMPDIR/run
	export BERTH_CGROUP_PARENT=/berth-test-stack-$$
	# An empty port lets berth pick a free one for the proxy.
	export BOOKMARKS_PORT=
	mkdir -p "$BERTH_ROOT" "$BERTH_RUNROOT" "$BATS_FILE_TMPDIR/proj"
	"$EXAMPLE/build-images" >/dev/null
	write_outsider_file "$BATS_FILE_TMPDIR/proj"
}

setup() {
	cd "$BATS_FILE_TMPDIR/proj"
}

bc() {
	"$BERTH" compose -p bstack -f "$EXAMPLE/compose.yaml" \
		-f "$BATS_FILE_TMPDIR/proj/outsider.yaml" "$@"
}

# Take the project down, then fail when a container, network or volume
# of it is left, after removing it.
teardown() {
	local left="" networks volumes

	bc down -v >/dev/null 2>&1
	berth_container_teardown || left+="containers "
	networks=$("$BERTH" network ls -q 2>/dev/null)
	if [ -n "$networks" ]; then
		# shellcheck disable=SC2086 # one network id per word
		"$BERTH" network rm $networks >/dev/null 2>&1
		left+="networks "
	fi
	volumes=$("$BERTH" volume ls -q 2>/dev/null)
	if [ -n "$volumes" ]; then
		# shellcheck disable=SC2086 # one volume name per word
		"$BERTH" volume rm $volumes >/dev/null 2>&1
		left+="volumes "
	fi
	if [ -n "$left" ]; then
		echo "# left behind: $left" >&3
		return 1
	fi
}

teardown_file() {
	"$BERTH" rmi -f bookmarks-db bookmarks-app bookmarks-proxy \
		>/dev/null 2>&1 || true
}

# Print the host port that the proxy publishes for its port 80.
proxy_port() {
	"$BERTH" port bstack-proxy-1 80 | sed 's/.*://'
}

# Send request $@ (curl arguments after the URL) to the bookmarks
# application through the proxy, retrying while the application's
# httpd is not listening yet (nginx answers 502 then).
bookmarks() {
	local url i code

	url="http://127.0.0.1:$(proxy_port)/cgi-bin/bookmarks"
	for i in $(seq 1 50); do
		code=$(curl -s -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' \
			"$url" "$@") || code=000
		if [ "$code" != 502 ] && [ "$code" != 000 ]; then
			echo "$code"
			cat "$BATS_TEST_TMPDIR/body"
			return 0
		fi
		sleep 0.1
	done
	echo "no answer from $url: $code" >&2
	return 1
}

@test "compose up -d starts the app once db is healthy" {
	run bc up -d
	[ "$status" -eq 0 ]
	[ "$(berth_inspect_field bstack-db-1 .State.Health.Status)" = healthy ]
	[ "$(berth_inspect_field bstack-app-1 .State.Status)" = running ]
	[ "$(berth_inspect_field bstack-proxy-1 .State.Status)" = running ]
	[ "$(berth_inspect_field bstack-outsider-1 .State.Status)" = running ]

	# The app started after db's first successful check.
	healthy_at=$(berth_inspect_field bstack-db-1 \
		'.State.Health.Log | map(select(.ExitCode == 0))[0].End')
	app_started_at=$(berth_inspect_field bstack-app-1 .State.StartedAt)
	[ "$(date -d "$app_started_at" +%s%N)" -gt \
		"$(date -d "$healthy_at" +%s%N)" ]

	run bc logs db
	[[ "$output" == *"db-entrypoint: initialized"* ]]
	[[ "$output" == *"database system is ready to accept connections"* ]]
}

@test "proxy, app and db store and list bookmarks" {
	bc up -d >/dev/null

	run bookmarks --data-urlencode "url=https://example.org/a?b=1&c=2" \
		--data-urlencode "title=Example's page"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 201 ]
	[ "${lines[1]}" = 1 ]

	run bookmarks --data-urlencode "title=no url"
	[ "${lines[0]}" = 400 ]

	run bookmarks
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 200 ]
	[ "${lines[1]}" = "1|https://example.org/a?b=1&c=2|Example's page" ]
	[ "${#lines[@]}" -eq 2 ]

	# The row is in the database, and the request went through nginx.
	run bc exec -T db /usr/lib/postgresql/15/bin/psql -X -At \
		-h /run/postgresql -U postgres -c 'SELECT title FROM bookmarks'
	[ "$status" -eq 0 ]
	[ "$output" = "Example's page" ]
	run curl -sI "http://127.0.0.1:$(proxy_port)/cgi-bin/bookmarks"
	[[ "$output" == *"Server: nginx"* ]]
}

@test "bookmarks survive compose down and up" {
	bc up -d >/dev/null
	run bookmarks --data-urlencode "url=https://example.org/kept" \
		--data-urlencode "title=kept"
	[ "${lines[0]}" = 201 ]

	run bc down
	[ "$status" -eq 0 ]
	[ -z "$("$BERTH" ps -aq)" ]
	"$BERTH" volume inspect bstack_pgdata >/dev/null

	run bc up -d
	[ "$status" -eq 0 ]
	run bc logs db
	[[ "$output" != *"db-entrypoint: initialized"* ]]
	run bookmarks
	[ "${lines[0]}" = 200 ]
	[ "${lines[1]}" = "1|https://example.org/kept|kept" ]
}

@test "service on front only cannot reach db" {
	bc up -d >/dev/null
	db_ip=$(berth_inspect_field bstack-db-1 \
		'.NetworkSettings.Networks.bstack_back.IPAddress')
	[[ "$db_ip" =~ ^[0-9.]+$ ]]

	# The proxy, on both networks, reaches db by name; the outsider
	# reaches the proxy on front, which shows that its nc works.
	run bc exec -T proxy grep -w db /etc/hosts
	[ "$status" -eq 0 ]
	run bc exec -T proxy sh -c 'nc -w 2 db 5432 </dev/null'
	[ "$status" -eq 0 ]
	run bc exec -T outsider sh -c 'nc -w 2 proxy 80 </dev/null'
	[ "$status" -eq 0 ]

	# The outsider neither knows db's name nor gets a connection to its
	# address on back.
	run bc exec -T outsider grep -w -e db -e app /etc/hosts
	[ "$status" -eq 1 ]
	run bc exec -T outsider sh -c 'nc -w 2 db 5432 </dev/null'
	[ "$status" -ne 0 ]
	[[ "$output" == *"bad address 'db'"* ]]
	run bc exec -T outsider sh -c "nc -w 2 $db_ip 5432 </dev/null"
	[ "$status" -ne 0 ]
}

# Print the cgroup directories of the process with pid $1 but the root
# ones. Compose ignores $BERTH_CGROUP_PARENT, so berth_container_cgroups
# does not find its containers.
process_cgroups() {
	local unified=/sys/fs/cgroup

	[ -d /sys/fs/cgroup/unified ] && unified=/sys/fs/cgroup/unified
	awk -F: -v unified="$unified" '$3 != "/" {
		controller = $2
		sub(/^name=/, "", controller)
		if (controller == "")
			print unified $3
		else
			print "/sys/fs/cgroup/" controller $3
	}' "/proc/$1/cgroup"
}

# Print the host devices, the iptables rules and the netns files that
# name one of the project's containers or bridges.
project_traces() {
	local id bridge

	for id in "${ids[@]}"; do
		ip -o link show | grep -e "vb${id:0:10}" || true
		iptables-save -t nat | grep -e "${id:0:12}" || true
		ls -A "$BERTH_RUNROOT/netns" 2>/dev/null | grep -e "$id" || true
	done
	for bridge in "${bridges[@]}"; do
		ip -o link show dev "$bridge" 2>/dev/null || true
		iptables-save | grep -e "$bridge" || true
	done
}

@test "compose down -v leaves nothing behind" {
	bc up -d >/dev/null
	run bookmarks
	[ "${lines[0]}" = 200 ]

	mapfile -t ids < <("$BERTH" ps -q --no-trunc)
	[ "${#ids[@]}" -eq 4 ]
	bridges=()
	for net in bstack_front bstack_back; do
		bridges+=("$("$BERTH" network inspect "$net" |
			jq -r '.[0].Options["com.docker.network.bridge.name"]')")
	done
	volume=$("$BERTH" volume inspect bstack_pgdata |
		jq -r '.[0].Mountpoint')
	[ -d "$volume" ]
	[ -n "$(project_traces)" ]
	cgroups=()
	for id in "${ids[@]}"; do
		mapfile -t -O "${#cgroups[@]}" cgroups < <(process_cgroups \
			"$(berth_inspect_field "$id" .State.Pid)")
	done
	[ "${#cgroups[@]}" -ge 4 ]
	for dir in "${cgroups[@]}"; do
		[ -d "$dir" ]
	done

	run bc down -v
	[ "$status" -eq 0 ]
	[ -z "$("$BERTH" ps -aq)" ]
	[ -z "$("$BERTH" network ls -q)" ]
	[ -z "$("$BERTH" volume ls -q)" ]
	[ ! -e "$volume" ]
	run project_traces
	[ -z "$output" ]
	for dir in "${cgroups[@]}"; do
		[ ! -e "$dir" ]
	done
	berth_assert_store_clean
}
