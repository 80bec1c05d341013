#!/usr/bin/env bats
# berth pull, push, login and logout against lib/attack-registry.py, a
# registry (and token realm) that misbehaves on purpose, and against
# docker-registry from lib/registry.bash for the interrupted transfers.
# Every command has a timeout: a hostile server must not hang berth.

load helpers
load lib/registry

bats_require_minimum_version 1.5.0

setup() {
	berth_test_store
	berth_import_busybox
	SOURCE_ID=$("$BERTH" inspect --type image busybox | jq -r '.[0].Id')
	DEST=$BATS_TEST_TMPDIR/dest
	mkdir -p "$DEST"
	export REGISTRY_AUTH_FILE=$BATS_TEST_TMPDIR/auth.json
	export BERTH_REGISTRY_STALL_TIMEOUT=5
	unset BERTH_CERTS_DIR
}

teardown() {
	if [ -n "${CONTAINER_TEST:-}" ]; then
		berth_container_teardown
	fi
	registry_stop_all
	attack_stop
}

# berth on the destination store, stopped after 60 seconds.
dest() {
	timeout 60 "$BERTH" --root "$DEST" "$@"
}

# berth push from the source store, stopped after 60 seconds.
dest_push() {
	timeout 60 "$BERTH" push "$@"
}

# Assert that the destination store names no image and that no blob is
# half-written.
assert_dest_clean() {
	run -0 timeout 60 "$BERTH" --root "$DEST" images --format json
	[ -z "$output" ]
	if [ -d "$DEST/tmp" ]; then
		run -0 find "$DEST/tmp" -type f
		[ -z "$output" ]
	fi
}

# Start attack-registry.py in MODE $1; sets ATTACK_HOST and REALM_PORT.
attack_start() {
	local port_file=$BATS_TEST_TMPDIR/attack.port i

	rm -f "$port_file"
	python3 "$BATS_TEST_DIRNAME/lib/attack-registry.py" "$port_file" \
		"$BERTH_ROOT" busybox:latest "$1" \
		>"$BATS_TEST_TMPDIR/attack.log" 2>&1 3>&- &
	ATTACK_PID=$!
	for i in $(seq 1 100); do
		[ -s "$port_file" ] && break
		sleep 0.1
	done
	if [ ! -s "$port_file" ]; then
		cat "$BATS_TEST_TMPDIR/attack.log"
		return 1
	fi
	read -r port REALM_PORT <"$port_file"
	ATTACK_HOST=127.0.0.1:$port
}

attack_stop() {
	if [ -n "${ATTACK_PID:-}" ]; then
		kill "$ATTACK_PID" 2>/dev/null || true
		wait "$ATTACK_PID" 2>/dev/null || true
	fi
	ATTACK_PID=
}

# Restart the attack registry in MODE $1.
attack_restart() {
	attack_stop
	attack_start "$1"
}

@test "attack endless bodies are capped" {
	local mode

	for mode in endless-error endless-redirect endless-manifest; do
		attack_restart "$mode"
		SECONDS=0
		run -125 dest pull "$ATTACK_HOST/test"
		echo "$mode: $output"
		[ "$SECONDS" -lt 30 ]
		[[ "$output" == *"manifest"*"latest"* ]]
		assert_dest_clean
	done

	attack_restart endless-blob
	SECONDS=0
	run -125 dest pull "$ATTACK_HOST/test"
	[[ "$output" == *"the registry sent more than the"*"bytes that the manifest gives"* ]]
	[ "$SECONDS" -lt 30 ]
	assert_dest_clean
}

@test "attack manifest larger than the cap" {
	attack_start big-manifest
	run -125 dest pull "$ATTACK_HOST/test"
	[[ "$output" == *"larger than 4194304 bytes"* ]]
	assert_dest_clean
}

@test "attack index with 10000 entries" {
	attack_start index-many
	run -125 dest pull "$ATTACK_HOST/test"
	[[ "$output" == *"manifests: more than 1000 entries"* ]]
	assert_dest_clean
}

@test "attack index pointing at itself" {
	attack_start index-self
	run -125 dest pull "$ATTACK_HOST/test"
	[[ "$output" == *"manifest 'sha256:abab"*"digest mismatch"* ]]
	assert_dest_clean
}

@test "attack redirect loop and other schemes" {
	attack_start redirect-loop
	run -125 dest pull "$ATTACK_HOST/test"
	[[ "$output" == *"more than 10 redirects"* ]]
	assert_dest_clean

	attack_restart redirect-file
	run -125 dest pull "$ATTACK_HOST/test"
	[[ "$output" == *"invalid location 'file:///etc/passwd'"* ]]
	[[ "$output" != *"root:"* ]]
	assert_dest_clean

	attack_restart redirect-ftp
	run -125 dest pull "$ATTACK_HOST/test"
	[[ "$output" == *"invalid location 'ftp://127.0.0.1/x'"* ]]
	assert_dest_clean
}

@test "attack 500 then success" {
	local mode

	for mode in flaky flaky-blob; do
		attack_restart "$mode"
		run -0 dest pull -q "$ATTACK_HOST/test"
		[[ "$output" == *"returned HTTP 500, retrying (attempt 2 of 3)"* ]]
		[[ "$output" == *"${SOURCE_ID#sha256:}" ]]
		run -0 dest rmi "$ATTACK_HOST/test"
	done

	attack_restart broken
	SECONDS=0
	run -125 dest pull "$ATTACK_HOST/test"
	[[ "$output" == *"attempt 3 of 3"* ]]
	[[ "$output" == *"manifest 'latest': down for maintenance"* ]]
	[ "$SECONDS" -lt 10 ]
	run -0 grep -c "GET /v2/test/manifests/latest" \
		"$BATS_TEST_TMPDIR/attack.log"
	[ "$output" = 3 ]
	assert_dest_clean
}

@test "attack HEAD 200 but GET 404" {
	attack_start head-only
	run -125 dest pull "$ATTACK_HOST/test"
	[[ "$output" == *"manifest unknown"* ]]
	assert_dest_clean
}

@test "attack token in token or access_token" {
	local mode

	for mode in bearer-token bearer-access bearer-expires bearer-odd \
		bearer-two bearer-redirect; do
		attack_restart "$mode"
		run -0 dest pull -q --creds u:p "$ATTACK_HOST/test"
		echo "$mode: $output"
		[ "$output" = "${SOURCE_ID#sha256:}" ]
		run -0 dest rmi "$ATTACK_HOST/test"
		# The credentials go to the realm, as the challenge says,
		# never to the registry.
		run -0 grep -c "^realm GET /token?.* Basic " \
			"$BATS_TEST_TMPDIR/attack.log"
		run -1 grep "^registry .* Basic " "$BATS_TEST_TMPDIR/attack.log"
	done
}

@test "attack token responses that are not tokens" {
	attack_start bearer-nonjson
	run -125 dest pull --creds u:p "$ATTACK_HOST/test"
	[[ "$output" == *"token from 'http://127.0.0.1:$REALM_PORT/token'"* ]]
	[[ "$output" == *"invalid"* ]]
	assert_dest_clean

	attack_restart bearer-huge
	run -125 dest pull --creds u:p "$ATTACK_HOST/test"
	[[ "$output" == *"larger than 1048576 bytes"* ]]

	attack_restart bearer-endless
	SECONDS=0
	run -125 dest pull --creds u:p "$ATTACK_HOST/test"
	[[ "$output" == *"larger than 1048576 bytes"* ]]
	[ "$SECONDS" -lt 30 ]

	attack_restart bearer-loop
	run -125 dest pull --creds u:p "$ATTACK_HOST/test"
	[[ "$output" == *"more than 10 redirects from 'http://127.0.0.1:$REALM_PORT/token?"* ]]

	attack_restart bearer-norealm
	run -125 dest pull --creds u:p "$ATTACK_HOST/test"
	[[ "$output" == *"Bearer challenge has no http or https realm"* ]]
	assert_dest_clean
}

@test "attack wrong token password" {
	attack_start bearer-token
	run -125 dest pull --creds u:wrong-secret "$ATTACK_HOST/test"
	[[ "$output" == *"unauthorized: check the user name and password"* ]]
	[[ "$output" != *"wrong-secret"* ]]
	assert_dest_clean
}

@test "attack upload Location with a fragment" {
	attack_start upload-fragment
	run -0 dest_push --creds u:p busybox "$ATTACK_HOST/test:latest"
	run -1 grep "PUT /upload/.*#" "$BATS_TEST_TMPDIR/attack.log"
	run -0 grep -c "PUT /upload/[0-9a-f]*?state=1&digest=sha256%3A" \
		"$BATS_TEST_TMPDIR/attack.log"
	[ "$output" -ge 2 ]
}

@test "attack upload Location on another host" {
	attack_start upload-elsewhere
	run -0 dest_push --creds u:p busybox "$ATTACK_HOST/test:latest"
	# The other origin gets the blobs without the credentials.
	run -0 grep -c "^registry PUT /upload/.* None" \
		"$BATS_TEST_TMPDIR/attack.log"
	[ "$output" -ge 2 ]
	run -1 grep "^registry PUT /upload/.* Basic" \
		"$BATS_TEST_TMPDIR/attack.log"
}

@test "attack login wrong password stores nothing" {
	attack_start basic
	echo '{"auths": {"other:1": {"auth": "eDp5"}}}' >"$REGISTRY_AUTH_FILE"
	cp "$REGISTRY_AUTH_FILE" "$BATS_TEST_TMPDIR/before.json"

	run -125 dest login -u u --password-stdin "$ATTACK_HOST" \
		<<<"wrong-secret"
	[[ "$output" == *"unauthorized: check the user name and password"* ]]
	[[ "$output" != *"wrong-secret"* ]]
	cmp "$REGISTRY_AUTH_FILE" "$BATS_TEST_TMPDIR/before.json"
}

@test "attack login password-stdin trailing newline" {
	attack_start basic
	run -0 dest login -u u --password-stdin "$ATTACK_HOST" <<<"p"
	[ "$output" = "Login Succeeded!" ]
	run -0 jq -r --arg h "$ATTACK_HOST" '.auths[$h].auth' \
		"$REGISTRY_AUTH_FILE"
	[ "$(base64 -d <<<"$output")" = "u:p" ]

	printf 'p\r\n' >"$BATS_TEST_TMPDIR/pw"
	run -0 dest login -u u --password-stdin "$ATTACK_HOST" \
		<"$BATS_TEST_TMPDIR/pw"
	run -0 dest pull -q "$ATTACK_HOST/test"
	[ "$output" = "${SOURCE_ID#sha256:}" ]
}

@test "attack login keeps other entries and mode" {
	attack_start basic
	echo '{"auths": {"other:1": {"auth": "eDp5"}}, "x": 1}' \
		>"$REGISTRY_AUTH_FILE"
	chmod 0644 "$REGISTRY_AUTH_FILE"

	run -0 dest login -u u --password-stdin "$ATTACK_HOST" <<<"p"
	[ "$(stat -c %a "$REGISTRY_AUTH_FILE")" = 600 ]
	run -0 jq -r '.auths["other:1"].auth, .x' "$REGISTRY_AUTH_FILE"
	[ "$output" = $'eDp5\n1' ]
}

@test "attack login through a symlinked auth file" {
	attack_start basic
	mkdir "$BATS_TEST_TMPDIR/real"
	echo '{"auths": {}}' >"$BATS_TEST_TMPDIR/real/auth.json"
	ln -s real/auth.json "$REGISTRY_AUTH_FILE"

	run -0 dest login -u u --password-stdin "$ATTACK_HOST" <<<"p"
	[ -L "$REGISTRY_AUTH_FILE" ]
	run -0 jq -r --arg h "$ATTACK_HOST" '.auths[$h].auth' \
		"$BATS_TEST_TMPDIR/real/auth.json"
	[ "$(base64 -d <<<"$output")" = "u:p" ]

	run -0 dest logout "$ATTACK_HOST"
	[ -L "$REGISTRY_AUTH_FILE" ]
}

@test "attack malformed auth file left as it is" {
	attack_start basic
	printf '{"auths": {"%s": {"auth": "dTpw"}},\n' "$ATTACK_HOST" \
		>"$REGISTRY_AUTH_FILE"
	cp "$REGISTRY_AUTH_FILE" "$BATS_TEST_TMPDIR/before.json"

	run -125 dest login -u u --password-stdin "$ATTACK_HOST" <<<"p"
	[[ "$output" == *"invalid JSON in auth file '$REGISTRY_AUTH_FILE' at line 2"* ]]
	run -125 dest pull "$ATTACK_HOST/test"
	[[ "$output" == *"auth file '$REGISTRY_AUTH_FILE'"* ]]
	[[ "$output" != *"dTpw"* ]]
	run -125 dest logout "$ATTACK_HOST"
	[[ "$output" == *"auth file '$REGISTRY_AUTH_FILE'"* ]]
	run -125 dest logout -a
	[[ "$output" == *"auth file '$REGISTRY_AUTH_FILE'"* ]]
	cmp "$REGISTRY_AUTH_FILE" "$BATS_TEST_TMPDIR/before.json"

	echo '{"auths": {"'"$ATTACK_HOST"'": {"auth": "!!!!"}}}' \
		>"$REGISTRY_AUTH_FILE"
	run -125 dest pull "$ATTACK_HOST/test"
	[[ "$output" == *"auths.$ATTACK_HOST.auth: expected base64"* ]]
}

@test "attack logout when not logged in" {
	run -0 dest logout 127.0.0.1:5999
	[ "$output" = "Not logged in to 127.0.0.1:5999" ]
	[ ! -e "$REGISTRY_AUTH_FILE" ]

	echo '{"auths": {"other:1": {"auth": "eDp5"}}}' >"$REGISTRY_AUTH_FILE"
	run -0 dest logout 127.0.0.1:5999
	[ "$output" = "Not logged in to 127.0.0.1:5999" ]
	run -0 jq -r '.auths["other:1"].auth' "$REGISTRY_AUTH_FILE"
	[ "$output" = eDp5 ]
}

@test "attack login password not in ps" {
	attack_start stall
	"$BERTH" login -u u -p hidden-secret "$ATTACK_HOST" \
		>"$BATS_TEST_TMPDIR/login.out" 2>&1 3>&- &
	pid=$!
	sleep 1
	run -0 tr '\0' ' ' <"/proc/$pid/cmdline"
	echo "$output"
	[[ "$output" == *"login -u u -p"* ]]
	[[ "$output" != *"hidden-secret"* ]]
	kill "$pid"
	wait "$pid" || true
	run -0 cat "$BATS_TEST_TMPDIR/login.out"
	[[ "$output" == *"WARNING! Using --password"* ]]
	[[ "$output" != *"hidden-secret"* ]]

	"$BERTH" --root "$DEST" pull --creds u:hidden-secret "$ATTACK_HOST/test" \
		>"$BATS_TEST_TMPDIR/pull.out" 2>&1 3>&- &
	pid=$!
	sleep 1
	run -0 tr '\0' ' ' <"/proc/$pid/cmdline"
	[[ "$output" == *"pull --creds u:"* ]]
	[[ "$output" != *"hidden-secret"* ]]
	kill "$pid"
	wait "$pid" || true
}

# Assert that the store at $1 lists its images and that each resolves.
assert_store_consistent() {
	local ref

	run -0 timeout 60 "$BERTH" --root "$1" images --format json
	for ref in $(jq -r '.Repository + ":" + .Tag' <<<"$output"); do
		run -0 timeout 60 "$BERTH" --root "$1" inspect --type image \
			"$ref"
	done
}

@test "attack pull killed at random moments" {
	berth_container_setup
	CONTAINER_TEST=1
	SOURCE_ID=$("$BERTH" inspect --type image busybox | jq -r '.[0].Id')
	registry_start plain
	registry_seed busybox:latest busybox:latest
	local i

	for i in $(seq 1 8); do
		"$BERTH" --root "$DEST" pull -q "$REGISTRY_HOST/busybox" \
			>/dev/null 2>&1 3>&- &
		pid=$!
		sleep "0.0$((RANDOM % 10))"
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" || true
		assert_store_consistent "$DEST"
		dest rmi "$REGISTRY_HOST/busybox" >/dev/null 2>&1 || true
	done

	run -0 dest pull -q "$REGISTRY_HOST/busybox"
	[ "$output" = "${SOURCE_ID#sha256:}" ]
	run -0 dest images --format '{{.Repository}} {{.Tag}}'
	[ "$output" = "$REGISTRY_HOST/busybox latest" ]
	export BERTH_ROOT=$DEST
	run -0 timeout 60 "$BERTH" run --rm "$REGISTRY_HOST/busybox" \
		echo pulled-ok
	[ "$output" = pulled-ok ]
	if [ -d "$DEST/tmp" ]; then
		run -0 find "$DEST/tmp" -type f
		[ -z "$output" ]
	fi
}

@test "attack push killed at random moments" {
	registry_start plain
	local i

	for i in $(seq 1 8); do
		"$BERTH" push busybox "$REGISTRY_HOST/kill:latest" \
			>/dev/null 2>&1 3>&- &
		pid=$!
		sleep "0.0$((RANDOM % 10))"
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" || true
		assert_store_consistent "$BERTH_ROOT"
	done

	run -0 timeout 60 "$BERTH" push busybox "$REGISTRY_HOST/kill:latest"
	run -0 dest pull -q "$REGISTRY_HOST/kill:latest"
	[ "$output" = "${SOURCE_ID#sha256:}" ]
	run -0 dest images --format '{{.Repository}} {{.Tag}}'
	[ "$output" = "$REGISTRY_HOST/kill latest" ]
}

@test "attack terminal escapes never printed" {
	local mode esc=$'\e'

	for mode in escape-location escape-digest escape-manifest \
		escape-index; do
		attack_restart "$mode"
		run -125 dest pull "$ATTACK_HOST/test"
		echo "$mode: $output"
		[[ "$output" != *"$esc"* ]]
		assert_dest_clean
	done
	attack_restart escape-location
	run -125 dest pull "$ATTACK_HOST/test"
	[[ "$output" == *"invalid location 'gopher://\x1b]0;owned\x07"* ]]
}

@test "attack endless headers and huge sizes" {
	attack_start endless-headers
	SECONDS=0
	run -125 dest pull "$ATTACK_HOST/test"
	[[ "$output" == *"Too large response headers"* ]]
	[ "$SECONDS" -lt 30 ]

	attack_restart huge-size
	run -125 dest pull "$ATTACK_HOST/test"
	[[ "$output" == *"expected 4611686018427387904"* ]]
	assert_dest_clean
}

@test "attack URL given as image name" {
	run -125 dest pull http://127.0.0.1:1/busybox
	[[ "$output" == *"invalid reference format 'http://127.0.0.1:1/busybox': an image name has no scheme"* ]]
	run -125 "$BERTH" push busybox https://127.0.0.1:1/busybox
	[[ "$output" == *"an image name has no scheme"* ]]
}

@test "attack upload Location of another scheme" {
	local esc=$'\e'

	attack_start upload-scheme
	run -125 dest_push --creds u:p busybox "$ATTACK_HOST/test:latest"
	[[ "$output" == *"upload Location with a scheme other than http or https"* ]]

	# The escape reaches neither the terminal nor the request line.
	attack_restart upload-escape
	run -0 dest_push --creds u:p busybox "$ATTACK_HOST/test:latest"
	[[ "$output" != *"$esc"* ]]
	run -0 grep -c 'PUT /upload/\\x1b\[2J' "$BATS_TEST_TMPDIR/attack.log"
}
