#!/usr/bin/env bats
# berth compose config: loading, interpolation, merging and validation
# of Compose files, driven through the real binary.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	PROJ=$BATS_TEST_TMPDIR/My.Project
	mkdir -p "$PROJ"
	cd "$PROJ"
	unset COMPOSE_PROJECT_NAME COMPOSE_FILE
}

# Print the JSON configuration of the project in the current directory,
# passing the arguments before "config".
config_json() {
	"$BERTH" compose "$@" config --format json
}

@test "compose config prints normalized yaml" {
	cat >compose.yaml <<-'EOF2'
		services:
		  web:
		    image: nginx
		    ports: ["8080:80"]
		    command: echo "hello world"
	EOF2
	run -0 "$BERTH" compose config
	[[ "$output" == *"name: myproject"* ]]
	[[ "$output" == *'published: "8080"'* ]]
	[[ "$output" == *"target: 80"* ]]
	[[ "$output" == *"- hello world"* ]]
	[[ "$output" == *"name: myproject_default"* ]]
}

@test "compose config json has the long syntax" {
	cat >compose.yaml <<-'EOF2'
		services:
		  web:
		    image: nginx
		    volumes: ["./html:/usr/share/nginx/html:ro", "data:/data"]
		    environment: [A=1]
		    depends_on: [db]
		  db:
		    image: postgres
		    healthcheck:
		      test: pg_isready
		      interval: 90s
		volumes:
		  data: {}
	EOF2
	run -0 config_json
	[ "$(jq -r '.services.web.volumes[0].source' <<<"$output")" = \
		"$PROJ/html" ]
	[ "$(jq -r '.services.web.volumes[0].read_only' <<<"$output")" = true ]
	[ "$(jq -r '.services.web.volumes[1].type' <<<"$output")" = volume ]
	[ "$(jq -r '.services.web.environment.A' <<<"$output")" = 1 ]
	[ "$(jq -r '.services.web.depends_on.db.condition' <<<"$output")" = \
		service_started ]
	[ "$(jq -c '.services.db.healthcheck.test' <<<"$output")" = \
		'["CMD-SHELL","pg_isready"]' ]
	[ "$(jq -r '.services.db.healthcheck.interval' <<<"$output")" = \
		1m30s ]
	[ "$(jq -r '.volumes.data.name' <<<"$output")" = myproject_data ]
}

@test "compose config interpolates from .env and environment" {
	cat >.env <<-'EOF2'
		# defaults for the project
		export TAG=1.25
		PORT="8080"
		SHADOWED=from-dotenv
	EOF2
	cat >compose.yaml <<-'EOF2'
		services:
		  web:
		    image: nginx:${TAG}
		    ports: ["${PORT}:80"]
		    environment:
		      S: ${SHADOWED}
		      D: ${UNSET:-fallback}
		      P: $${literal}
	EOF2
	SHADOWED=from-env run -0 config_json
	[ "$(jq -r '.services.web.image' <<<"$output")" = nginx:1.25 ]
	[ "$(jq -r '.services.web.ports[0].published' <<<"$output")" = 8080 ]
	[ "$(jq -r '.services.web.environment.S' <<<"$output")" = from-env ]
	[ "$(jq -r '.services.web.environment.D' <<<"$output")" = fallback ]
	[ "$(jq -r '.services.web.environment.P' <<<"$output")" = \
		'$${literal}' ]
}

@test "compose config --env-file replaces .env" {
	echo 'TAG=from-dotenv' >.env
	echo 'TAG=from-flag' >other.env
	printf 'services:\n  web:\n    image: app:${TAG}\n' >compose.yaml
	run -0 "$BERTH" compose --env-file other.env config --format json
	[ "$(jq -r '.services.web.image' <<<"$output")" = app:from-flag ]
}

@test "compose config merges several files" {
	cat >base.yaml <<-'EOF2'
		services:
		  web:
		    image: app:1
		    command: [serve]
		    ports: ["80:80"]
		    environment: {A: "1", B: "2"}
		    volumes: ["/srv/a:/data"]
	EOF2
	cat >override.yaml <<-'EOF2'
		services:
		  web:
		    image: app:2
		    command: serve --debug
		    ports: ["80:80", "443:443"]
		    environment: {B: "3"}
		    volumes: ["/srv/b:/data:ro"]
	EOF2
	run -0 config_json -f base.yaml -f override.yaml
	[ "$(jq -r '.services.web.image' <<<"$output")" = app:2 ]
	[ "$(jq -c '.services.web.command' <<<"$output")" = \
		'["serve","--debug"]' ]
	[ "$(jq '.services.web.ports | length' <<<"$output")" = 2 ]
	[ "$(jq -c '.services.web.environment' <<<"$output")" = \
		'{"A":"1","B":"3"}' ]
	[ "$(jq '.services.web.volumes | length' <<<"$output")" = 1 ]
	[ "$(jq -r '.services.web.volumes[0].source' <<<"$output")" = /srv/b ]
}

@test "compose project name precedence" {
	printf 'name: FromFile\nservices:\n  a:\n    image: x\n' >compose.yaml
	run -0 config_json
	[ "$(jq -r .name <<<"$output")" = fromfile ]

	COMPOSE_PROJECT_NAME=from-env run -0 config_json
	[ "$(jq -r .name <<<"$output")" = from-env ]

	COMPOSE_PROJECT_NAME=from-env run -0 config_json -p flag_1
	[ "$(jq -r .name <<<"$output")" = flag_1 ]

	# A name given on purpose is not reduced, as in docker compose.
	run -125 "$BERTH" compose -p Flag_1 config
	[[ "$output" == *"invalid project name 'Flag_1'"* ]]
	COMPOSE_PROJECT_NAME=FromEnv run -125 "$BERTH" compose config
	[[ "$output" == *"invalid project name 'FromEnv'"* ]]
	run -125 "$BERTH" compose -p _x config
	[[ "$output" == *"invalid project name '_x'"* ]]
}

@test "compose config --services lists start order" {
	cat >docker-compose.yml <<-'EOF2'
		services:
		  web: {image: x, depends_on: [api]}
		  api: {image: x, depends_on: [db]}
		  db: {image: x}
	EOF2
	run -0 "$BERTH" compose config --services
	[ "$output" = "$(printf 'db\napi\nweb')" ]
}

@test "compose config --volumes and -q" {
	printf 'services:\n  a:\n    image: x\nvolumes:\n  v1:\n  v2:\n' \
		>compose.yaml
	run -0 "$BERTH" compose config --volumes
	[ "$output" = "$(printf 'v1\nv2')" ]
	run -0 "$BERTH" compose config -q
	[ -z "$output" ]
}

@test "compose config reports YAML errors with line and column" {
	printf 'services:\n  web:\n    image: x\n   bad: [\n' >compose.yaml
	run -125 "$BERTH" compose config
	[[ "$output" == *"compose.yaml:4:"* ]]
}

@test "compose config warns about unknown keys" {
	printf 'services:\n  web:\n    image: x\n    imagee: y\n' >compose.yaml
	run -0 --separate-stderr "$BERTH" compose config -q
	[[ "$stderr" == *"compose.yaml: services.web.imagee: unknown key, ignored"* ]]
}

@test "compose config errors exit 125" {
	printf 'services:\n  web:\n    image: ${NEED:?set NEED first}\n' \
		>req.yaml
	run -125 "$BERTH" compose -f req.yaml config
	[[ "$output" == *"required variable 'NEED' is missing a value: set NEED first"* ]]

	printf 'services:\n  a: {image: x, depends_on: [b]}\n  b: {image: x, depends_on: [a]}\n' \
		>cycle.yaml
	run -125 "$BERTH" compose -f cycle.yaml config
	[[ "$output" == *"dependency cycle between services: a -> b -> a"* ]]

	printf 'services:\n  a: {image: x, depends_on: [ghost]}\n' >ghost.yaml
	run -125 "$BERTH" compose -f ghost.yaml config
	[[ "$output" == *"undefined service 'ghost'"* ]]

	printf 'services:\n  a: {restart: always}\n' >noimage.yaml
	run -125 "$BERTH" compose -f noimage.yaml config
	[[ "$output" == *"neither image nor build"* ]]

	printf 'services:\n  a: {image: x, ports: "80"}\n' >type.yaml
	run -125 "$BERTH" compose -f type.yaml config
	[[ "$output" == *"type.yaml: services.a.ports: expected a sequence"* ]]
}

@test "compose config bounds alias expansion" {
	{
		echo 'a: &a [x, x, x, x, x, x, x, x, x, x]'
		prev=a
		for n in b c d e f g h; do
			echo "$n: &$n [*$prev, *$prev, *$prev, *$prev, *$prev, *$prev, *$prev, *$prev, *$prev, *$prev]"
			prev=$n
		done
	} >compose.yaml
	run -125 "$BERTH" compose config
	[[ "$output" == *"nodes after expanding aliases"* ]]
}

@test "compose without a file explains what to do" {
	run -125 "$BERTH" compose config
	[[ "$output" == *"no compose file in '$PROJ'"* ]]
}

@test "compose commands not implemented yet exit 125" {
	printf 'services:\n  a: {image: x}\n' >compose.yaml
	run -125 "$BERTH" compose pause
	[[ "$output" == *"compose pause: not implemented yet"* ]]
	run -125 "$BERTH" compose frobnicate
	[[ "$output" == *"unknown command 'frobnicate'"* ]]
}

@test "compose config output reads back unchanged" {
	cat >compose.yaml <<-'EOF2'
		x-env: &env
		  TZ: UTC
		services:
		  web:
		    image: "nginx:1.25"
		    environment: *env
		    ports: ["127.0.0.1:8000-8001:80-81/udp", "9000"]
		    volumes: ["./site:/site:ro"]
		    stop_grace_period: 1m30s
		    labels: [version=2, "quoted=true"]
		    command: ["sh", "-c", "echo 'yes: no' $$HOME"]
	EOF2
	"$BERTH" compose config >first.yaml
	run -0 "$BERTH" compose -f first.yaml config
	[ "$output" = "$(cat first.yaml)" ]
	[[ "$output" == *'quoted: "true"'* ]]
	[[ "$output" == *'$$HOME'* ]]
}

@test "compose config reads a file from the standard input with -f -" {
	run bash -c "printf 'services:\n  a:\n    image: from-stdin\n' |
		'$BERTH' compose -f - config --format json"
	[ "$status" -eq 0 ]
	[ "$(jq -r .services.a.image <<<"$output")" = from-stdin ]

	run bash -c "printf 'services:\n  a: [\n' | '$BERTH' compose -f - config"
	[ "$status" -eq 125 ]
	[[ "$output" == *"berth: -:3:1:"* ]]
}

@test "compose profiles enable services as in docker compose" {
	cat >compose.yaml <<'EOF2'
services:
  app:
    image: x
  debug:
    image: y
    profiles: [debug]
  tools:
    image: z
    profiles: [tools, debug]
EOF2
	run -0 "$BERTH" compose config --services
	[ "$output" = app ]
	run -0 "$BERTH" compose --profile tools config --services
	[ "$output" = "$(printf 'app\ntools')" ]
	COMPOSE_PROFILES=debug run -0 "$BERTH" compose config --services
	[ "$output" = "$(printf 'app\ndebug\ntools')" ]

	cat >compose.yaml <<'EOF2'
services:
  app:
    image: x
    depends_on: [debug]
  debug:
    image: y
    profiles: [debug]
EOF2
	run -125 "$BERTH" compose config
	[[ "$output" == *"services.app.depends_on: service 'debug' is not enabled"* ]]
}
