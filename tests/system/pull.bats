#!/usr/bin/env bats
# berth pull, login and logout against local registries
# (tests/system/lib/registry.bash: plain HTTP, TLS with a test CA,
# htpasswd and token authentication) and against pull-fake-registry.py,
# which breaks transfers on purpose. The registries are filled with
# skopeo from a source store holding busybox; pulls go to another store.

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
	unset BERTH_CERTS_DIR BERTH_REGISTRY_STALL_TIMEOUT
}

teardown() {
	if [ -n "${CONTAINER_TEST:-}" ]; then
		berth_container_teardown
	fi
	registry_stop_all
	if [ -n "${FAKE_PID:-}" ]; then
		kill "$FAKE_PID" 2>/dev/null || true
		wait "$FAKE_PID" 2>/dev/null || true
	fi
}

# berth on the destination store.
dest() {
	"$BERTH" --root "$DEST" "$@"
}

# The "name:tag" of each image in the destination store, one a line.
dest_names() {
	dest images --format json | jq -r '.Repository + ":" + .Tag'
}

# Assert that the destination store names no image and that no blob is
# half-written.
assert_dest_clean() {
	run -0 dest_names
	[ -z "$output" ]
	if [ -d "$DEST/tmp" ]; then
		run -0 find "$DEST/tmp" -type f
		[ -z "$output" ]
	fi
	# Layers extracted during the download appear only once verified.
	if [ -d "$DEST/layers" ]; then
		run -0 find "$DEST/layers" -mindepth 1 -maxdepth 1
		[ -z "$output" ]
	fi
}

# Start pull-fake-registry.py in MODE $1; sets FAKE_HOST.
fake_start() {
	local port_file=$BATS_TEST_TMPDIR/fake.port i

	rm -f "$port_file"
	python3 "$BATS_TEST_DIRNAME/pull-fake-registry.py" "$port_file" \
		"$BERTH_ROOT" busybox:latest "$1" \
		>"$BATS_TEST_TMPDIR/fake.log" 2>&1 3>&- &
	FAKE_PID=$!
	for i in $(seq 1 100); do
		[ -s "$port_file" ] && break
		sleep 0.1
	done
	[ -s "$port_file" ]
	FAKE_HOST=127.0.0.1:$(cat "$port_file")
}

@test "pull from plain HTTP registry" {
	registry_start plain
	registry_seed busybox:latest busybox:latest

	run -0 --separate-stderr dest pull "$REGISTRY_HOST/busybox"
	[ "$output" = "${SOURCE_ID#sha256:}" ]
	[[ "$stderr" == "Trying to pull $REGISTRY_HOST/busybox:latest..."* ]]
	[[ "$stderr" == *"Copying layer "*" done"* ]]
	[[ "$stderr" == *"Copying config "*" done"* ]]
	[[ "$stderr" == *"Digest: sha256:"* ]]

	run -0 dest_names
	[ "$output" = "$REGISTRY_HOST/busybox:latest" ]
	run -0 dest inspect --type image "$REGISTRY_HOST/busybox"
	[ "$(jq -r '.[0].Id' <<<"$output")" = "$SOURCE_ID" ]
	digest=$(registry_raw_manifest busybox:latest | sha256sum)
	[ "$(jq -r '.[0].Digest' <<<"$output")" = "sha256:${digest%% *}" ]

	# skopeo reads the pulled image back from the store.
	run -0 skopeo inspect --raw "oci:$DEST:$REGISTRY_HOST/busybox:latest"
}

@test "pulled image runs" {
	berth_container_setup
	CONTAINER_TEST=1
	registry_start plain
	registry_seed busybox:latest app:v1

	export BERTH_ROOT=$DEST
	run -0 "$BERTH" pull -q "$REGISTRY_HOST/app:v1"
	run -0 "$BERTH" run --rm "$REGISTRY_HOST/app:v1" cat /etc/os-release
	[ -n "$output" ]
}

@test "pull again reuses blobs" {
	registry_start plain
	registry_seed busybox:latest busybox:latest
	run -0 dest pull -q "$REGISTRY_HOST/busybox:latest"

	run -0 --separate-stderr dest pull "$REGISTRY_HOST/busybox:latest"
	[[ "$stderr" == *"already exists"* ]]
	[[ "$stderr" != *"done"* ]]

	run -0 --separate-stderr dest pull -q "$REGISTRY_HOST/busybox:latest"
	[ "$output" = "${SOURCE_ID#sha256:}" ]
	[ -z "$stderr" ]

	# A second name for the same image costs nothing more.
	registry_seed busybox:latest other:1
	run -0 dest pull -q "$REGISTRY_HOST/other:1"
	[ "$output" = "${SOURCE_ID#sha256:}" ]
	run -0 dest_names
	[[ "$output" == *"$REGISTRY_HOST/other:1"* ]]
	[[ "$output" == *"$REGISTRY_HOST/busybox:latest"* ]]
}

@test "pull progress on a terminal" {
	registry_start plain
	registry_seed busybox:latest busybox:latest

	run -0 script -qec "$BERTH --root $DEST pull $REGISTRY_HOST/busybox" \
		/dev/null
	# Cursor up over the two blob lines, then each line redrawn.
	[[ "$output" == *$'\e[2A\r\e[KCopying layer '* ]]
	[[ "$output" == *"Copying config "*" done"* ]]
	[[ "$output" == *" done"* ]]
	[[ "$output" == *"${SOURCE_ID#sha256:}"* ]]
}

@test "pull by digest" {
	registry_start plain
	registry_seed busybox:latest busybox:latest
	digest=$(registry_raw_manifest busybox:latest | sha256sum)
	digest=sha256:${digest%% *}

	run -0 dest pull -q "$REGISTRY_HOST/busybox@$digest"
	[ "$output" = "${SOURCE_ID#sha256:}" ]
	run -0 dest inspect --type image "$output"
	[ "$(jq -r '.[0].Digest' <<<"$output")" = "$digest" ]

	run -0 dest pull -q "$REGISTRY_HOST/busybox:pinned@$digest"
	run -0 dest_names
	[[ "$output" == *"$REGISTRY_HOST/busybox:pinned"* ]]
}

@test "pull of unknown image fails" {
	registry_start plain
	registry_seed busybox:latest busybox:latest

	run -125 dest pull "$REGISTRY_HOST/nothing:latest"
	[[ "$output" == *"manifest unknown"* ]]
	run -125 dest pull "$REGISTRY_HOST/busybox:v9"
	[[ "$output" == *"pull '$REGISTRY_HOST/busybox:v9'"* ]]
	[[ "$output" == *"manifest unknown"* ]]
	run -125 dest pull "$REGISTRY_HOST/busybox@sha256:$(printf '0%.0s' {1..64})"
	[[ "$output" == *"manifest unknown"* ]]
	run -125 dest pull "$REGISTRY_HOST/Busybox"
	[[ "$output" == *"invalid reference format"* ]]
	assert_dest_clean
}

@test "pull Docker schema 2 image" {
	registry_start plain
	registry_skopeo_args dest
	skopeo copy --quiet --format v2s2 "${REGISTRY_SKOPEO_ARGS[@]}" \
		"oci:$BERTH_ROOT:busybox:latest" \
		"docker://$REGISTRY_HOST/docker:v2"
	run -0 registry_raw_manifest docker:v2
	[ "$(jq -r .mediaType <<<"$output")" = \
		application/vnd.docker.distribution.manifest.v2+json ]

	run -0 dest pull -q "$REGISTRY_HOST/docker:v2"
	run -0 jq -r '.manifests[0].mediaType' "$DEST/index.json"
	[ "$output" = application/vnd.docker.distribution.manifest.v2+json ]
	run -0 dest inspect --type image "$REGISTRY_HOST/docker:v2"
	[ "$(jq -r '.[0].RootFS.Layers | length' <<<"$output")" = 1 ]
}

@test "pull from index picks platform" {
	[ "$(uname -m)" = x86_64 ] || skip "the index test expects an amd64 host"
	registry_start plain
	"$BERTH" import "$(berth_busybox_tarball)" second:latest >/dev/null
	second_id=$("$BERTH" inspect --type image second | jq -r '.[0].Id')
	[ "$second_id" != "$SOURCE_ID" ]
	# Hash the raw manifests through files, because a here-string would
	# add a newline to the bytes that the registry serves.
	registry_seed busybox:latest multi:amd
	registry_seed second:latest multi:arm
	registry_raw_manifest multi:amd >"$BATS_TEST_TMPDIR/amd"
	registry_raw_manifest multi:arm >"$BATS_TEST_TMPDIR/arm"
	index=$(jq -cn \
		--arg ad "sha256:$(sha256sum <"$BATS_TEST_TMPDIR/amd" | cut -c1-64)" \
		--arg rd "sha256:$(sha256sum <"$BATS_TEST_TMPDIR/arm" | cut -c1-64)" \
		--argjson asize "$(wc -c <"$BATS_TEST_TMPDIR/amd")" \
		--argjson rsize "$(wc -c <"$BATS_TEST_TMPDIR/arm")" \
		'{schemaVersion: 2,
		  mediaType: "application/vnd.oci.image.index.v1+json",
		  manifests: [
		    {mediaType: "application/vnd.oci.image.manifest.v1+json",
		     digest: $rd, size: $rsize,
		     platform: {os: "linux", architecture: "arm64",
				variant: "v8"}},
		    {mediaType: "application/vnd.oci.image.manifest.v1+json",
		     digest: $ad, size: $asize,
		     platform: {os: "linux", architecture: "amd64"}}]}')
	curl -sf -X PUT --data-binary "$index" \
		-H "Content-Type: application/vnd.oci.image.index.v1+json" \
		"http://$REGISTRY_HOST/v2/multi/manifests/multi" >/dev/null

	run -0 dest pull -q "$REGISTRY_HOST/multi:multi"
	[ "$output" = "${SOURCE_ID#sha256:}" ]
	run -0 dest pull -q --platform linux/arm64 "$REGISTRY_HOST/multi:multi"
	[ "$output" = "${second_id#sha256:}" ]
	run -0 dest pull -q --platform linux/aarch64/v8 \
		"$REGISTRY_HOST/multi:multi"
	[ "$output" = "${second_id#sha256:}" ]

	run -125 dest pull --platform linux/s390x "$REGISTRY_HOST/multi:multi"
	[[ "$output" == *"no image for platform 'linux/s390x'"* ]]
	[[ "$output" == *"offers: linux/arm64/v8, linux/amd64;"* ]]
	run -125 dest pull --platform linux "$REGISTRY_HOST/multi:multi"
	[[ "$output" == *"OS/ARCH"* ]]

	# A single image whose config names another platform.
	run -125 dest pull --platform linux/arm64 "$REGISTRY_HOST/multi:amd"
	[[ "$output" == *"is for platform 'linux/amd64', not 'linux/arm64'"* ]]
}

@test "pull over TLS" {
	registry_start tls
	registry_seed busybox:latest busybox:latest

	run -125 dest pull "$REGISTRY_HOST/busybox"
	[[ "$output" == *"certificate"* ]]
	[[ "$output" == *"/$REGISTRY_HOST/ca.crt"* ]]
	assert_dest_clean

	run -0 dest pull -q --tls-verify=false "$REGISTRY_HOST/busybox"
	run -0 dest pull -q --cert-dir "$REGISTRY_CERTS_D" "$REGISTRY_HOST/busybox"
	BERTH_CERTS_DIR=$REGISTRY_CERTS_D run -0 dest pull -q \
		"$REGISTRY_HOST/busybox"
	[ "$output" = "${SOURCE_ID#sha256:}" ]
	run -125 dest pull --tls-verify=maybe "$REGISTRY_HOST/busybox"
	[[ "$output" == *"use true or false"* ]]
}

@test "login and logout with htpasswd" {
	registry_start htpasswd
	registry_seed busybox:latest busybox:latest
	export BERTH_CERTS_DIR=$REGISTRY_CERTS_D

	run -125 dest pull "$REGISTRY_HOST/busybox"
	[[ "$output" == *"unauthorized"*"berth login $REGISTRY_HOST"* ]]

	run -125 dest login -u "$REGISTRY_USER" --password-stdin \
		"$REGISTRY_HOST" <<<"wrong-password"
	[[ "$output" == *"unauthorized: check the user name and password"* ]]
	[[ "$output" != *"wrong-password"* ]]
	[ ! -e "$REGISTRY_AUTH_FILE" ]

	run -0 dest login -u "$REGISTRY_USER" --password-stdin \
		"$REGISTRY_HOST" <<<"$REGISTRY_PASSWORD"
	[[ "$output" == *"Login Succeeded"* ]]
	[ "$(stat -c %a "$REGISTRY_AUTH_FILE")" = 600 ]
	run -1 grep -F "$REGISTRY_PASSWORD" "$REGISTRY_AUTH_FILE"
	run -0 jq -r --arg h "$REGISTRY_HOST" '.auths[$h].auth' \
		"$REGISTRY_AUTH_FILE"
	[ "$(base64 -d <<<"$output")" = "$REGISTRY_USER:$REGISTRY_PASSWORD" ]

	run -0 dest pull -q "$REGISTRY_HOST/busybox"
	[ "$output" = "${SOURCE_ID#sha256:}" ]

	run -0 dest logout "$REGISTRY_HOST"
	[[ "$output" == *"Removed login credentials for $REGISTRY_HOST"* ]]
	run -0 dest logout "$REGISTRY_HOST"
	[ "$output" = "Not logged in to $REGISTRY_HOST" ]
	run -125 dest pull "$REGISTRY_HOST/busybox:other"
	[[ "$output" == *"unauthorized"* ]]

	run -125 dest pull --creds "$REGISTRY_USER:nope" "$REGISTRY_HOST/busybox"
	[[ "$output" == *"check the user name and password"* ]]
}

@test "login and logout with tokens" {
	registry_start token
	registry_seed busybox:latest busybox:latest
	export BERTH_CERTS_DIR=$REGISTRY_CERTS_D
	authfile=$BATS_TEST_TMPDIR/other-auth.json

	run -125 dest pull "$REGISTRY_HOST/busybox"
	[[ "$output" == *"unauthorized"* ]]
	run -125 dest login --authfile "$authfile" -u "$REGISTRY_USER" \
		-p wrong "$REGISTRY_HOST"
	[[ "$output" == *"check the user name and password"* ]]
	[[ "$output" == *"--password-stdin"* ]]

	run -0 dest login --authfile "$authfile" -u "$REGISTRY_USER" \
		--password-stdin "$REGISTRY_HOST" <<<"$REGISTRY_PASSWORD"
	run -0 dest pull -q --authfile "$authfile" "$REGISTRY_HOST/busybox"
	[ "$output" = "${SOURCE_ID#sha256:}" ]
	[ ! -e "$REGISTRY_AUTH_FILE" ]

	run -0 dest logout --authfile "$authfile" -a
	run -0 jq -c .auths "$authfile"
	[ "$output" = "{}" ]
}

@test "login and logout usage errors" {
	run -125 "$BERTH" login --password-stdin 127.0.0.1:1 </dev/null
	[[ "$output" == *"--password-stdin needs --username"* ]]
	run -125 "$BERTH" login -u a 127.0.0.1:1 </dev/null
	[[ "$output" == *"no password"* ]]
	run -125 "$BERTH" login -u a -p b --password-stdin 127.0.0.1:1
	[[ "$output" == *"mutually exclusive"* ]]
	run -125 "$BERTH" login
	[[ "$output" == *"expected one REGISTRY"* ]]
	run -125 "$BERTH" logout -a 127.0.0.1:1
	[[ "$output" == *"--all takes no REGISTRY"* ]]
	echo '{"auths": {' >"$REGISTRY_AUTH_FILE"
	run -125 "$BERTH" logout 127.0.0.1:1
	[[ "$output" == *"invalid JSON in auth file"*"line"* ]]
}

@test "pull from unreachable registry" {
	port=$(registry_free_port)
	SECONDS=0
	run -125 dest pull "127.0.0.1:$port/busybox"
	[[ "$output" == *"cannot reach registry '127.0.0.1:$port'"* ]]
	[ "$SECONDS" -lt 10 ]
	assert_dest_clean
}

@test "pull after truncated blob" {
	fake_start truncate
	run -125 dest pull "$FAKE_HOST/test"
	[[ "$output" == *"layer 'sha256:"* ]]
	assert_dest_clean

	kill "$FAKE_PID"
	wait "$FAKE_PID" || true
	fake_start good
	run -0 dest pull -q "$FAKE_HOST/test"
	[ "$output" = "${SOURCE_ID#sha256:}" ]
}

@test "pull killed midway restarts cleanly" {
	fake_start stall
	dest pull "$FAKE_HOST/test" 3>&- &
	pid=$!
	for i in $(seq 1 100); do
		[ -n "$(find "$DEST/tmp" -type f 2>/dev/null)" ] && break
		sleep 0.1
	done
	run -0 find "$DEST/tmp" -type f
	[ -n "$output" ]
	kill -KILL "$pid"
	wait "$pid" || true

	kill "$FAKE_PID"
	wait "$FAKE_PID" || true
	fake_start good
	run -0 dest pull -q "$FAKE_HOST/test"
	[ "$output" = "${SOURCE_ID#sha256:}" ]
	run -0 find "$DEST/tmp" -type f
	[ -z "$output" ]
	run -0 find "$DEST/layers" -mindepth 1 -maxdepth 1 -name '.tmp-*'
	[ -z "$output" ]
}

@test "pull rejects corrupt blobs" {
	fake_start corrupt
	run -125 dest pull "$FAKE_HOST/test"
	[[ "$output" == *"blob content has digest"* ]]
	assert_dest_clean
	kill "$FAKE_PID"
	wait "$FAKE_PID" || true

	fake_start bad-size
	run -125 dest pull "$FAKE_HOST/test"
	[[ "$output" == *"bytes, expected"* ]]
	assert_dest_clean
	kill "$FAKE_PID"
	wait "$FAKE_PID" || true

	fake_start bad-type
	run -125 dest pull "$FAKE_HOST/test"
	[[ "$output" == *"layers[0].mediaType: unsupported layer type 'text/plain'"* ]]
	assert_dest_clean
}

@test "pull rejects a layer that does not match its diff_id" {
	fake_start bad-diff-id
	run -125 dest pull "$FAKE_HOST/test"
	[[ "$output" == *"layer 'sha256:"* ]]
	[[ "$output" == *"the image config expects 'sha256:0000"* ]]
	assert_dest_clean
}

@test "pull extracts every layer once" {
	registry_start plain
	registry_seed busybox:latest busybox:latest
	run -0 dest pull -q "$REGISTRY_HOST/busybox"

	# The lowest layer's chain id is its diff_id.
	diff_ids=$(dest image inspect "$REGISTRY_HOST/busybox" |
		jq -r '.[0].RootFS.Layers[]')
	[ "$(wc -l <<<"$diff_ids")" -eq 1 ]
	[ -d "$DEST/layers/${diff_ids#sha256:}" ]
	run -0 find "$DEST/layers" -mindepth 1 -maxdepth 1 -name '.tmp-*'
	[ -z "$output" ]
}

@test "pull gives up on stalled registry" {
	fake_start stall
	SECONDS=0
	BERTH_REGISTRY_STALL_TIMEOUT=2 run -125 dest pull "$FAKE_HOST/test"
	[[ "$output" == *"sent nothing for 2 seconds"* ]]
	[ "$SECONDS" -lt 20 ]
	assert_dest_clean

	BERTH_REGISTRY_STALL_TIMEOUT=x run -125 dest pull "$FAKE_HOST/test"
	[[ "$output" == *"invalid BERTH_REGISTRY_STALL_TIMEOUT 'x'"* ]]
}

@test "pull keeps passwords off plain http realms" {
	fake_start http-realm
	run -125 dest pull --creds u:secret-pw "$FAKE_HOST/test"
	[[ "$output" == *"token realm 'http://realm.invalid/token' uses plain http"* ]]
	[[ "$output" != *"secret-pw"* ]]
	assert_dest_clean
}

@test "redirect drops the credentials" {
	fake_start redirect
	run -125 dest pull "$FAKE_HOST/test"
	[[ "$output" == *"unauthorized"* ]]

	# The blob store refuses requests that carry the credentials.
	run -0 dest pull -q --creds u:p "$FAKE_HOST/test"
	[ "$output" = "${SOURCE_ID#sha256:}" ]
	run -0 grep -c "GET /store/" "$BATS_TEST_TMPDIR/fake.log"
	[ "$output" -ge 2 ]
}
