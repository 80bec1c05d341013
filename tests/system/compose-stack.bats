#!/usr/bin/env bats
# berth compose runs a three-tier application of real programs: nginx
# as the reverse proxy, a busybox httpd CGI application that stores
# bookmarks with psql, and a PostgreSQL 15 server on a named volume. The
# images are made by scripts/host-binary-image from the host's own
# binaries, so nothing is pulled. Traffic only goes to 127.0.0.1 and
# between the test's containers. The containers resolve names from
# /etc/hosts only, so no DNS server is asked.

load helpers

PGBIN=/usr/lib/postgresql/15/bin

# Write the entrypoint and configuration of the three images under
# directory $1, one sub-directory per image.
write_image_files() {
	local dir=$1

	mkdir -p "$dir/db/usr/local/bin" "$dir/app/usr/local/bin" \
		"$dir/app/www/cgi-bin" "$dir/proxy/etc/nginx" \
		"$dir/db/etc" "$dir/app/etc" "$dir/proxy/etc"
	for image in db app proxy; do
		echo "hosts: files" >"$dir/$image/etc/nsswitch.conf"
	done

	# initdb runs once, into the empty volume. The server runs as the
	# unprivileged postgres user and takes scram-sha-256 passwords from
	# every address: the compose networks decide who reaches it.
	cat >"$dir/db/usr/local/bin/db-entrypoint" <<-EOF
		#!/bin/sh
		set -e
		data=/var/lib/postgresql/data
		mkdir -p "\$data" /run/postgresql
		chown postgres:postgres "\$data" /run/postgresql
		chmod 0700 "\$data"
		if [ ! -s "\$data/PG_VERSION" ]; then
		        echo "\$POSTGRES_PASSWORD" >/run/postgresql/pwfile
		        chown postgres /run/postgresql/pwfile
		        su postgres -c "$PGBIN/initdb -D \$data -U postgres \\
		                --pwfile=/run/postgresql/pwfile --no-locale \\
		                -E UTF8 --auth-local=trust \\
		                --auth-host=scram-sha-256"
		        rm /run/postgresql/pwfile
		        echo "host all all 0.0.0.0/0 scram-sha-256" \\
		                >>"\$data/pg_hba.conf"
		        echo "db-entrypoint: initialized \$data"
		fi
		exec su postgres -c "exec $PGBIN/postgres -D \$data \\
		        -c listen_addresses=0.0.0.0 \\
		        -c unix_socket_directories=/run/postgresql"
	EOF

	# The table is made before httpd starts, so the application fails
	# at once when it starts before the database accepts connections.
	cat >"$dir/app/usr/local/bin/app-entrypoint" <<-EOF
		#!/bin/sh
		set -e
		$PGBIN/psql -X -q -v ON_ERROR_STOP=1 -h db -U postgres -c \\
		        'CREATE TABLE IF NOT EXISTS bookmarks (
		                id serial PRIMARY KEY,
		                url text NOT NULL,
		                title text NOT NULL)'
		exec httpd -f -p 8080 -h /www
	EOF

	# POST url=...&title=... (URL-encoded) adds a bookmark and returns
	# its id; GET lists "id|url|title" lines. psql quotes the values
	# itself (:'name'), so they cannot change the statement.
	cat >"$dir/app/www/cgi-bin/bookmarks" <<-EOF
		#!/bin/sh
		psql() {
		        $PGBIN/psql -X -q -At -v ON_ERROR_STOP=1 -h db \\
		                -U postgres "\$@"
		}

		reply() {
		        printf 'HTTP/1.1 %s\r\nContent-Type: text/plain\r\n\r\n' "\$1"
		        shift
		        [ \$# -eq 0 ] || printf '%s\n' "\$@"
		}

		add_bookmark() {
		        url= title=
		        body=\$(head -c "\${CONTENT_LENGTH:-0}")
		        for pair in \$(echo "\$body" | tr '&' ' '); do
		                value=\$(httpd -d "\${pair#*=}")
		                case "\${pair%%=*}" in
		                url) url=\$value ;;
		                title) title=\$value ;;
		                esac
		        done
		        if [ -z "\$url" ]; then
		                reply "400 Bad Request" "missing url"
		                return
		        fi
		        if ! id=\$(echo "INSERT INTO bookmarks (url, title)
		                VALUES (:'url', :'title') RETURNING id;" |
		                psql -v url="\$url" -v title="\$title" 2>&1); then
		                reply "500 Internal Server Error" "\$id"
		                return
		        fi
		        reply "201 Created" "\$id"
		}

		list_bookmarks() {
		        if ! rows=\$(psql -c \\
		                'SELECT id, url, title FROM bookmarks ORDER BY id' \\
		                2>&1); then
		                reply "500 Internal Server Error" "\$rows"
		                return
		        fi
		        reply "200 OK" "\$rows"
		}

		case "\$REQUEST_METHOD" in
		POST) add_bookmark ;;
		GET) list_bookmarks ;;
		*) reply "405 Method Not Allowed" ;;
		esac
	EOF
	chmod 0755 "$dir/db/usr/local/bin/db-entrypoint" \
		"$dir/app/usr/local/bin/app-entrypoint" \
		"$dir/app/www/cgi-bin/bookmarks"

	# nginx resolves "app" once, from /etc/hosts, when it starts.
	cat >"$dir/proxy/etc/nginx/proxy.conf" <<-'EOF'
		daemon off;
		user nobody nogroup;
		worker_processes 1;
		pid /run/nginx.pid;
		error_log stderr;
		events {
			worker_connections 64;
		}
		http {
			access_log off;
			client_body_temp_path /tmp/body;
			proxy_temp_path /tmp/proxy;
			fastcgi_temp_path /tmp/fastcgi;
			uwsgi_temp_path /tmp/uwsgi;
			scgi_temp_path /tmp/scgi;
			server {
				listen 80;
				location / {
					proxy_pass http://app:8080;
					proxy_set_header X-Forwarded-For $remote_addr;
				}
			}
		}
	EOF
}

# Build the images stack-db, stack-app and stack-proxy into the current
# store from the host's PostgreSQL, psql and nginx.
build_images() {
	local files=$BATS_FILE_TMPDIR/image-files script
	local -a pglibs

	script=$BERTH_SOURCE_DIR/scripts/host-binary-image
	write_image_files "$files"

	# Every server module but the LLVM JIT, which pulls in LLVM and
	# which the server leaves out when it is missing.
	mapfile -t pglibs < <(ls /usr/lib/postgresql/15/lib/*.so | grep -v llvmjit)
	"$script" --user postgres:70 --add "$files/db" stack-db:latest \
		"$PGBIN/postgres" "$PGBIN/initdb" "$PGBIN/pg_ctl" \
		"$PGBIN/pg_isready" "$PGBIN/psql" "${pglibs[@]}" \
		/usr/share/postgresql/15 /usr/share/zoneinfo/UTC \
		>/dev/null
	"$script" --add "$files/app" stack-app:latest "$PGBIN/psql" \
		>/dev/null
	"$script" --add "$files/proxy" stack-proxy:latest /usr/sbin/nginx \
		>/dev/null
}

# Write the project to file $1. The outsider runs the proxy's image for
# its /etc/nsswitch.conf, which keeps name lookups to /etc/hosts.
write_compose_file() {
	cat >"$1" <<'EOF'
services:
  db:
    image: stack-db
    entrypoint: ["/usr/local/bin/db-entrypoint"]
    environment:
      POSTGRES_PASSWORD: stack-secret
      TZ: UTC
    stop_signal: SIGINT
    stop_grace_period: 5s
    healthcheck:
      test: ["CMD", "/usr/lib/postgresql/15/bin/pg_isready", "-h", "127.0.0.1", "-U", "postgres"]
      interval: 500ms
      timeout: 5s
      retries: 60
    volumes:
      - pgdata:/var/lib/postgresql/data
    networks: [back]
  app:
    image: stack-app
    entrypoint: ["/usr/local/bin/app-entrypoint"]
    environment:
      PGPASSWORD: stack-secret
    init: true
    stop_grace_period: 5s
    depends_on:
      db:
        condition: service_healthy
    networks: [back]
  proxy:
    image: stack-proxy
    command: ["nginx", "-e", "stderr", "-c", "/etc/nginx/proxy.conf"]
    stop_grace_period: 5s
    depends_on:
      app:
        condition: service_started
    ports:
      - "127.0.0.1::80"
    networks: [front, back]
  outsider:
    image: stack-proxy
    command: ["sleep", "3600"]
    init: true
    stop_grace_period: 5s
    networks: [front]
networks:
  front:
  back:
volumes:
  pgdata:
EOF
}

setup_file() {
	local program

	for program in "$PGBIN/postgres" "$PGBIN/psql" /usr/sbin/nginx; do
		if [ ! -x "$program" ]; then
			echo "'$program' is missing; run scripts/install-deps" >&2
			return 1
		fi
	done
	export BERTH_ROOT=$BATS_FILE_TMPDIR/root
	export BERTH_RUNROOT=$BATS_FILE_TMPDIR/run
	export BERTH_CGROUP_PARENT=/berth-test-stack-$$
	mkdir -p "$BERTH_ROOT" "$BERTH_RUNROOT" "$BATS_FILE_TMPDIR/proj"
	build_images
	write_compose_file "$BATS_FILE_TMPDIR/proj/compose.yaml"
}

setup() {
	cd "$BATS_FILE_TMPDIR/proj"
}

bc() {
	"$BERTH" compose -p bstack "$@"
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
	"$BERTH" rmi -f stack-db stack-app stack-proxy >/dev/null 2>&1 ||
		true
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
