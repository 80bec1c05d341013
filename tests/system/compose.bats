#!/usr/bin/env bats
# berth compose up, down, ps, logs, exec, run, start, stop and restart
# on projects of busybox services. Traffic only goes between the
# containers of the test's own network.

load helpers
load lib/registry

setup() {
	berth_container_setup
	PROJ=$BATS_TEST_TMPDIR/proj
	mkdir -p "$PROJ"
	cd "$PROJ"
}

# Take the project down, then fail when a container, network, volume,
# bridge or cgroup of it is left.
teardown() {
	local left=""

	cd "$PROJ" && "$BERTH" compose -p ctest down -v >/dev/null 2>&1
	registry_stop_all
	berth_container_teardown || left+="containers "
	[ -z "$("$BERTH" network ls -q 2>/dev/null)" ] || left+="networks "
	[ -z "$("$BERTH" volume ls -q 2>/dev/null)" ] || left+="volumes "
	if [ -n "$left" ]; then
		echo "# left behind: $left" >&3
		return 1
	fi
}

bc() {
	"$BERTH" compose -p ctest "$@"
}

# A web server that serves a file of a named volume, and a client that
# fetches it by the server's service name once the server started.
write_web_project() {
	cat >compose.yaml <<'EOF'
services:
  web:
    image: busybox
    environment:
      PAGE: ${PAGE:-served-from-volume}
    command: ["sh", "-c", "echo $$PAGE >/www/index.html && exec httpd -f -p 8080 -h /www"]
    stop_grace_period: 1s
    volumes:
      - site:/www
  client:
    image: busybox
    depends_on:
      web:
        condition: service_started
    command:
      - sh
      - -c
      - |
        for i in $$(seq 1 50); do
          wget -qO- http://web:8080/index.html && exit 0
          sleep 0.1
        done
        exit 1
volumes:
  site:
EOF
}

# Print the id of the container of service $1.
service_id() {
	"$BERTH" inspect --type container "ctest-$1-1" | jq -r '.[0].Id'
}

@test "compose up -d, ps, logs, exec and down -v leave nothing behind" {
	write_web_project

	run bc up -d
	[ "$status" -eq 0 ]
	[[ "$output" == *"Container ctest-web-1  Started"* ]]
	[[ "$output" == *"Container ctest-client-1  Started"* ]]

	run "$BERTH" wait ctest-client-1
	[ "$output" = 0 ]

	run bc ps
	[ "$status" -eq 0 ]
	[[ "$output" == *"ctest-web-1"*"running"* ]]
	[[ "$output" != *"ctest-client-1"* ]]
	run bc ps -a
	[[ "$output" == *"ctest-client-1"*"exited (0)"* ]]
	run bc ps -aq
	[ "${#lines[@]}" -eq 2 ]

	run bc logs client
	[ "$status" -eq 0 ]
	[ "$output" = "client | served-from-volume" ]

	run bc exec web cat /www/index.html
	[ "$status" -eq 0 ]
	[ "$output" = "served-from-volume" ]
	run bc exec web sh -c 'exit 7'
	[ "$status" -eq 7 ]

	"$BERTH" volume inspect ctest_site >/dev/null
	"$BERTH" network inspect ctest_default >/dev/null

	run bc down -v
	[ "$status" -eq 0 ]
	[[ "$output" == *"Volume ctest_site  Removed"* ]]
	[ -z "$("$BERTH" ps -aq)" ]
	[ -z "$("$BERTH" volume ls -q)" ]
	[ -z "$("$BERTH" network ls -q)" ]
	[ -z "$(berth_container_cgroups)" ]
	berth_assert_store_clean
}

@test "compose up keeps an unchanged container and recreates a changed one" {
	write_web_project
	bc up -d web >/dev/null
	first=$(service_id web)

	run bc up -d web
	[ "$status" -eq 0 ]
	[[ "$output" == *"ctest-web-1  Running"* ]]
	[ "$(service_id web)" = "$first" ]

	run env PAGE=changed "$BERTH" compose -p ctest up -d web
	[ "$status" -eq 0 ]
	[[ "$output" == *"ctest-web-1  Recreated"* ]]
	second=$(service_id web)
	[ "$second" != "$first" ]
	run "$BERTH" ps -aq --no-trunc
	[ "$output" = "$second" ]

	run env PAGE=changed "$BERTH" compose -p ctest up -d --force-recreate web
	[ "$status" -eq 0 ]
	[ "$(service_id web)" != "$second" ]
	run bc exec web cat /www/index.html
	[ "$output" = changed ]
}

@test "compose up waits for a dependency to complete successfully" {
	cat >compose.yaml <<'EOF'
services:
  migrate:
    image: busybox
    command: ["sh", "-c", "echo migrating; sleep 1; exit ${MIGRATE_EXIT:-0}"]
  app:
    image: busybox
    depends_on:
      migrate:
        condition: service_completed_successfully
    command: ["echo", "app after migrate"]
EOF
	run bc up
	[ "$status" -eq 0 ]
	[[ "$output" == *"migrate | migrating"*"app     | app after migrate"* ]]

	bc down >/dev/null
	run env MIGRATE_EXIT=3 "$BERTH" compose -p ctest up -d
	[ "$status" -eq 125 ]
	[[ "$output" == *"service 'app': dependency 'migrate' exited with status 3"* ]]
	run "$BERTH" inspect --type container ctest-app-1
	[ "$status" -ne 0 ]
}

@test "compose up names the service whose image is missing" {
	# Nothing listens on port 1, so the pull fails at once.
	cat >compose.yaml <<'EOF'
services:
  ghost:
    image: 127.0.0.1:1/berth-test-missing:1
EOF
	run bc up -d
	[ "$status" -eq 125 ]
	[[ "$output" == *"service 'ghost': pull '127.0.0.1:1/berth-test-missing:1'"* ]]
	[ -z "$("$BERTH" ps -aq)" ]
}

@test "compose pull, and up pulls a missing image" {
	registry_start plain
	registry_seed busybox:latest app:v1
	cat >compose.yaml <<EOF
services:
  a:
    image: $REGISTRY_HOST/app:v1
    command: ["echo", "pulled image ran"]
EOF
	run bc pull
	[ "$status" -eq 0 ]
	[[ "$output" == *"Pulling a ($REGISTRY_HOST/app:v1)"* ]]
	run "$BERTH" image inspect "$REGISTRY_HOST/app:v1"
	[ "$status" -eq 0 ]

	"$BERTH" rmi "$REGISTRY_HOST/app:v1" >/dev/null
	run bc up
	[ "$status" -eq 0 ]
	[[ "$output" == *"Pulling a"* ]]
	[[ "$output" == *"a | pulled image ran"* ]]

	bc down >/dev/null
	"$BERTH" rmi "$REGISTRY_HOST/app:v1" >/dev/null
}

@test "compose push uploads the images that are in the store" {
	registry_start plain
	"$BERTH" tag busybox:latest "$REGISTRY_HOST/ctest/app:1"
	cat >compose.yaml <<EOF
services:
  a:
    image: $REGISTRY_HOST/ctest/app:1
  b:
    image: $REGISTRY_HOST/ctest/absent:1
EOF
	run bc push --tls-verify=false
	[ "$status" -eq 0 ]
	[[ "$output" == *"Pushing a ($REGISTRY_HOST/ctest/app:1)"* ]]
	[[ "$output" == *"Skipping b"* ]]
	run skopeo inspect --tls-verify=false \
		"docker://$REGISTRY_HOST/ctest/app:1"
	[ "$status" -eq 0 ]
	run skopeo inspect --tls-verify=false \
		"docker://$REGISTRY_HOST/ctest/absent:1"
	[ "$status" -ne 0 ]

	run bc push nosuch
	[ "$status" -eq 125 ]
	"$BERTH" rmi "$REGISTRY_HOST/ctest/app:1" >/dev/null
}

@test "compose maps init and deploy.resources.limits" {
	cat >compose.yaml <<'EOF'
services:
  a:
    image: busybox
    init: true
    command: ["sleep", "60"]
    stop_grace_period: 1s
    deploy:
      resources:
        limits:
          cpus: "0.5"
          memory: 64M
          pids: 50
EOF
	bc up -d >/dev/null
	run "$BERTH" inspect -f '{{.HostConfig.Init}} {{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}' ctest-a-1
	[ "$status" -eq 0 ]
	[ "$output" = "true 67108864 500000000 50" ]
	run bc exec a cat /proc/1/comm
	[ "$status" -eq 0 ]
	[ "$output" = berth-init ]
	bc down >/dev/null
}

@test "compose stop, start, restart and run --rm" {
	write_web_project
	bc up -d web >/dev/null

	run bc stop
	[ "$status" -eq 0 ]
	run bc ps -a
	[[ "$output" == *"ctest-web-1"*"exited"* ]]

	run bc start web
	[ "$status" -eq 0 ]
	run bc ps
	[[ "$output" == *"ctest-web-1"*"running"* ]]

	run bc restart web
	[ "$status" -eq 0 ]
	[[ "$output" == *"Stopped"*"Started"* ]]

	run bc run --rm client
	[ "$status" -eq 0 ]
	[[ "$output" == *"served-from-volume"* ]]
	run bc run --rm client sh -c 'exit 4'
	[ "$status" -eq 4 ]
	run bc ps -aq
	[ "${#lines[@]}" -eq 1 ]
}

@test "compose up in the foreground stops the services on SIGINT" {
	cat >compose.yaml <<'EOF'
services:
  loop:
    image: busybox
    command: ["sh", "-c", "trap 'echo stopping; exit 0' TERM; echo looping; while true; do sleep 0.1; done"]
EOF
	# Not through bc: $! must be berth itself, not a subshell.
	"$BERTH" compose -p ctest up >"$BATS_TEST_TMPDIR/up.out" 2>&1 &
	pid=$!
	for i in $(seq 1 100); do
		grep -q "loop | looping" "$BATS_TEST_TMPDIR/up.out" && break
		sleep 0.1
	done
	kill -INT "$pid"
	wait "$pid"
	run cat "$BATS_TEST_TMPDIR/up.out"
	[[ "$output" == *"loop | looping"*"loop | stopping"* ]]
	run bc ps -a
	[[ "$output" == *"ctest-loop-1"*"exited (0)"* ]]
}

@test "compose up builds a service image and rebuilds it with --build" {
	printf 'FROM busybox\nRUN echo built-one >/built\nCMD ["cat", "/built"]\n' \
		>Containerfile
	printf 'services:\n  b:\n    build: .\n' >compose.yaml

	run bc up
	[ "$status" -eq 0 ]
	[[ "$output" == *"b | built-one"* ]]
	run "$BERTH" image inspect ctest-b
	[ "$status" -eq 0 ]
	first=$(service_id b)

	sed -i 's/built-one/built-two/' Containerfile
	run bc up --build
	[ "$status" -eq 0 ]
	[[ "$output" == *"ctest-b-1  Recreated"* ]]
	[[ "$output" == *"b | built-two"* ]]
	[ "$(service_id b)" != "$first" ]

	bc down >/dev/null
	"$BERTH" rmi ctest-b >/dev/null
}

@test "compose sub-commands reject an unknown service" {
	write_web_project
	run bc logs nosuch
	[ "$status" -eq 125 ]
	[[ "$output" == *"no such service: 'nosuch'"* ]]
	run bc up -d nosuch
	[ "$status" -eq 125 ]
	[[ "$output" == *"no such service: 'nosuch'"* ]]
}

@test "compose waits for a healthy dependency and publishes ports" {
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	cat >compose.yaml <<EOF2
services:
  db:
    image: busybox
    command: ["sh", "-c", "sleep 1; touch /tmp/ready; exec sleep 600"]
    stop_grace_period: 1s
    healthcheck:
      test: ["CMD", "test", "-e", "/tmp/ready"]
      interval: 200ms
      retries: 50
  web:
    image: busybox
    depends_on:
      db:
        condition: service_healthy
    command: ["sh", "-c", "echo hello >/tmp/index.html && exec httpd -f -p 8080 -h /tmp"]
    stop_grace_period: 1s
    restart: unless-stopped
    ports:
      - "127.0.0.1:$port:8080"
EOF2
	run bc up -d
	[ "$status" -eq 0 ]
	[ "$("$BERTH" inspect -f '{{.State.Health.Status}}' ctest-db-1)" = healthy ]
	[ "$("$BERTH" inspect -f '{{.HostConfig.RestartPolicy.Name}}' ctest-web-1)" = unless-stopped ]

	for _ in $(seq 1 50); do
		curl -fsS "http://127.0.0.1:$port/index.html" >/dev/null && break
		sleep 0.1
	done
	run curl -fsS "http://127.0.0.1:$port/index.html"
	[ "$status" -eq 0 ]
	[ "$output" = hello ]

	run bc ps web
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *PORTS ]]
	[[ "${lines[1]}" == *"127.0.0.1:$port->8080/tcp" ]]
}

@test "compose fails when a dependency has no health check" {
	cat >compose.yaml <<'EOF2'
services:
  db:
    image: busybox
    command: ["sleep", "600"]
    stop_grace_period: 1s
  web:
    image: busybox
    command: ["true"]
    depends_on:
      db:
        condition: service_healthy
EOF2
	run bc up -d
	[ "$status" -eq 125 ]
	[[ "$output" == *"dependency 'db' did not become healthy"* ]]
}

@test "compose services join every network they list" {
	cat >compose.yaml <<'EOF2'
services:
  app:
    image: busybox
    command: ["httpd", "-f", "-p", "8080", "-h", "/etc"]
    stop_grace_period: 1s
    networks: [back]
  proxy:
    image: busybox
    command: ["sleep", "60"]
    stop_grace_period: 1s
    networks:
      front:
        aliases: [gateway]
      back:
  outside:
    image: busybox
    command: ["sleep", "60"]
    stop_grace_period: 1s
    networks: [front]
networks:
  front:
  back:
EOF2
	run bc up -d
	[ "$status" -eq 0 ]
	[[ "$output" != *warning* ]]

	run bc exec proxy ls /sys/class/net
	[ "$output" = "$(printf 'eth0\neth1\nlo')" ]
	run bc exec proxy sh -c 'for i in $(seq 50); do
		wget -qO /dev/null http://app:8080/hostname && exit 0
		sleep 0.1
	done; exit 1'
	[ "$status" -eq 0 ]
	run bc exec outside grep -w gateway /etc/hosts
	[ "$status" -eq 0 ]
	run bc exec outside grep -w app /etc/hosts
	[ "$status" -ne 0 ]

	run bc down
	[ "$status" -eq 0 ]
	[ -z "$("$BERTH" network ls -q)" ]
}

@test "compose up that fails leaves no container, network or volume" {
	# Nothing listens on port 1: the pull of the second service fails.
	cat >compose.yaml <<'EOF2'
services:
  a:
    image: busybox
    command: ["sleep", "600"]
    volumes: [data:/d]
  b:
    image: 127.0.0.1:1/berth-test-missing:1
    depends_on: [a]
volumes:
  data:
EOF2
	run bc up -d
	[ "$status" -eq 125 ]
	[[ "$output" == *"service 'b': pull"* ]]
	[ -z "$("$BERTH" ps -aq)" ]
	[ -z "$("$BERTH" network ls -q)" ]
	[ -z "$("$BERTH" volume ls -q)" ]

	cat >compose.yaml <<'EOF2'
services:
  a:
    image: busybox
    command: ["sleep", "600"]
    volumes: [data:/d, ext:/e]
volumes:
  data:
  ext:
    external: true
EOF2
	run bc up -d
	[ "$status" -eq 125 ]
	[[ "$output" == *"volume 'ext' is external but does not exist"* ]]
	[ -z "$("$BERTH" ps -aq)" ]
	[ -z "$("$BERTH" network ls -q)" ]
	[ -z "$("$BERTH" volume ls -q)" ]

	# A container outside the project holds the name of service b.
	"$BERTH" create --name ctest-b-1 busybox true >/dev/null
	cat >compose.yaml <<'EOF2'
services:
  a:
    image: busybox
    command: ["sleep", "600"]
  b:
    image: busybox
    depends_on: [a]
EOF2
	run bc up -d
	[ "$status" -eq 125 ]
	[[ "$output" == *"service 'b': the container name 'ctest-b-1' is already"* ]]
	[ "$("$BERTH" ps -a --format '{{.Names}}')" = ctest-b-1 ]
	[ -z "$("$BERTH" network ls -q)" ]
	"$BERTH" rm ctest-b-1 >/dev/null

	# The engine refuses b's options only when it creates b.
	cat >compose.yaml <<'EOF2'
services:
  a:
    image: busybox
    command: ["sleep", "600"]
  b:
    image: busybox
    working_dir: relative
    depends_on: [a]
EOF2
	run bc up -d
	[ "$status" -eq 125 ]
	[[ "$output" == *"service 'b': invalid working directory 'relative'"* ]]
	[ -z "$("$BERTH" ps -aq)" ]
	[ -z "$("$BERTH" network ls -q)" ]
}

@test "compose up exits 125 when a service's command is missing" {
	cat >compose.yaml <<'EOF2'
services:
  a:
    image: busybox
    command: ["berth-test-no-such-command"]
EOF2
	run bc up -d
	[ "$status" -eq 125 ]
	[[ "$output" == *"berth-test-no-such-command"* ]]
}

@test "compose down copes with a run --rm container that removes itself" {
	cat >compose.yaml <<'EOF2'
services:
  job:
    image: busybox
EOF2
	bc run --rm -d job sleep 30 >/dev/null
	run bc down
	[ "$status" -eq 0 ]
	[[ "$output" == *"Network ctest_default  Removed"* ]]
	[ -z "$("$BERTH" ps -aq)" ]
	[ -z "$("$BERTH" network ls -q)" ]
}

@test "compose profiles and up of one service without its dependencies' output" {
	cat >compose.yaml <<'EOF2'
services:
  a:
    image: busybox
    command: ["sleep", "600"]
    stop_grace_period: 1s
  tools:
    image: busybox
    profiles: [tools]
    depends_on: [a]
    command: ["echo", "tools ran"]
EOF2
	run bc up -d
	[ "$status" -eq 0 ]
	[ "$("$BERTH" ps -a --format '{{.Names}}')" = ctest-a-1 ]

	# A named service runs although its profile is inactive, and up
	# returns once it exited, while its dependency keeps running.
	run timeout 60 "$BERTH" compose -p ctest up tools
	[ "$status" -eq 0 ]
	[[ "$output" == *"tools | tools ran"* ]]
	[[ "$output" != *"a     |"* ]]

	run bc run --rm tools
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "tools ran" ]
}

@test "compose network_mode service shares the other service's network" {
	cat >compose.yaml <<'EOF2'
services:
  web:
    image: busybox
    command: ["httpd", "-f", "-p", "8080", "-h", "/etc"]
    stop_grace_period: 1s
  sidecar:
    image: busybox
    command: ["sleep", "60"]
    stop_grace_period: 1s
    network_mode: service:web
  alone:
    image: busybox
    command: ["sleep", "60"]
    stop_grace_period: 1s
    network_mode: none
EOF2
	run bc up -d sidecar alone
	[ "$status" -eq 0 ]
	[[ "$output" == *"Container ctest-web-1  Started"* ]]

	run bc exec sidecar sh -c 'for i in $(seq 50); do
		wget -qO- http://127.0.0.1:8080/hostname && exit 0
		sleep 0.1
	done; exit 1'
	[ "$status" -eq 0 ]
	[ "$output" = "$(bc exec web hostname)" ]
	run bc exec alone ls /sys/class/net
	[ "$output" = lo ]

	run "$BERTH" inspect ctest-sidecar-1
	[ "$(echo "$output" | jq -r '.[0].HostConfig.NetworkMode')" = \
		container:ctest-web-1 ]
}
