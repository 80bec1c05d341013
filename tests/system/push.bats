#!/usr/bin/env bats
# berth push against local registries (tests/system/lib/registry.bash):
# plain HTTP, TLS with a test CA, htpasswd and token authentication,
# the manifest digest as skopeo sees it, and registries that fail.

load helpers
load lib/registry

bats_require_minimum_version 1.5.0

setup() {
	berth_test_store
	berth_import_busybox
	export REGISTRY_AUTH_FILE=$BATS_TEST_TMPDIR/auth.json
	unset BERTH_CERTS_DIR
}

teardown() {
	registry_stop_all
	if [ -n "${BERTH_CGROUP_PARENT:-}" ]; then
		berth_container_teardown
	fi
	if [ -n "${HANG_PID:-}" ]; then
		kill "$HANG_PID" 2>/dev/null || true
		wait "$HANG_PID" 2>/dev/null || true
	fi
}

# Print the manifest digest of store image $1.
store_digest() {
	"$BERTH" inspect --type image "$1" | jq -r '.[0].Digest'
}

# Print the sha256 digest of the manifest bytes of $1 in the registry.
registry_digest() {
	echo "sha256:$(registry_raw_manifest "$1" | sha256sum | cut -d' ' -f1)"
}

# Make a store image $1 of one layer of $2 MiB of random data.
import_random_image() {
	local dir=$BATS_TEST_TMPDIR/random-$1

	mkdir -p "$dir/data"
	head -c "$(($2 * 1024 * 1024))" /dev/urandom >"$dir/data/blob"
	tar -C "$dir/data" -cf "$dir/layer.tar" .
	"$BERTH" import "$dir/layer.tar" "$1" >/dev/null
	rm -rf "$dir"
}

# Write an auth file $1 with credentials $2 for the current registry.
write_auth_file() {
	jq -n --arg host "$REGISTRY_HOST" --arg auth "$(printf %s "$2" | base64 -w0)" \
		'{auths: {($host): {auth: $auth}}}' >"$1"
}

@test "push plain HTTP keeps the manifest digest" {
	registry_start plain

	local digest size layer

	digest=$(store_digest busybox:latest)
	size=$(stat -c %s "$BERTH_ROOT/blobs/sha256/${digest#sha256:}")
	run -0 --separate-stderr "$BERTH" push busybox:latest \
		"$REGISTRY_HOST/busybox:latest"
	[ "$output" = "latest: digest: $digest size: $size" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	[[ ${stderr_lines[0]} =~ ^Pushing\ (layer|config)\ [0-9a-f]{12}:\ .*\ done$ ]]
	[[ ${stderr_lines[1]} =~ ^Pushing\ (layer|config)\ [0-9a-f]{12}:\ .*\ done$ ]]
	layer=$(jq -r '.layers[0].digest' "$BERTH_ROOT/blobs/sha256/${digest#sha256:}")
	[[ $stderr == *"Pushing layer ${layer:7:12}: 1.1MB / 1.1MB"* ]]

	[ "$(registry_digest busybox:latest)" = "$(store_digest busybox:latest)" ]
	run -0 registry_raw_manifest busybox:latest
	[ "$(jq -r .mediaType <<<"$output")" = application/vnd.oci.image.manifest.v1+json ]
}

@test "push to the image's own name" {
	registry_start plain
	"$BERTH" tag busybox:latest "$REGISTRY_HOST/tools/busybox:1.35"

	run -0 --separate-stderr "$BERTH" push -q \
		"$REGISTRY_HOST/tools/busybox:1.35"
	[ -z "$output" ]
	[ -z "$stderr" ]
	[ "$(registry_digest tools/busybox:1.35)" = "$(store_digest busybox:latest)" ]
}

@test "push skips blobs the registry has" {
	registry_start plain
	"$BERTH" push -q busybox:latest "$REGISTRY_HOST/busybox:latest"

	run -0 --separate-stderr "$BERTH" push busybox:latest \
		"$REGISTRY_HOST/busybox:latest"
	[[ ${stderr_lines[0]} == "Pushing layer "*": already exists" ]]
	[[ ${stderr_lines[1]} == "Pushing config "*": already exists" ]]
	run -0 grep -c 'PUT /v2/busybox/blobs/uploads' "$REGISTRY_DIR/registry.log"
	[ "$output" -eq 2 ]
}

@test "push mounts blobs from another repository" {
	registry_start plain
	"$BERTH" tag busybox:latest "$REGISTRY_HOST/library/busybox:latest"
	"$BERTH" push -q "$REGISTRY_HOST/library/busybox:latest"

	run -0 --separate-stderr "$BERTH" --log-level debug push busybox:latest \
		"$REGISTRY_HOST/copies/busybox:2"
	[ "$(grep -c "mounted from 'library/busybox'" <<<"$stderr")" -eq 2 ]
	run -0 grep -c 'POST /v2/copies/busybox/blobs/uploads/?from=library/busybox&mount=sha256%3A[0-9a-f]* HTTP/1.1" 201' \
		"$REGISTRY_DIR/registry.log"
	[ "$output" -eq 2 ]
	[ "$(registry_digest copies/busybox:2)" = "$(store_digest busybox:latest)" ]
}

@test "push falls back to upload when mount fails" {
	registry_start plain
	"$BERTH" tag busybox:latest "$REGISTRY_HOST/gone/busybox:latest"

	# The store names gone/busybox, but the registry never saw it.
	run -0 --separate-stderr "$BERTH" --log-level debug push \
		busybox:latest "$REGISTRY_HOST/busybox:latest"
	[ "$(grep -c '^Pushing .* done$' <<<"$stderr")" -eq 2 ]
	[[ $stderr != *"mounted from"* ]]
	run -0 grep -c 'from=gone/busybox.* 202 ' "$REGISTRY_DIR/registry.log"
	[ "$output" -ge 1 ]
	[ "$(registry_digest busybox:latest)" = "$(store_digest busybox:latest)" ]
}

@test "push large layer in chunks" {
	registry_start plain
	import_random_image big:1 40

	run -0 "$BERTH" push --digestfile "$BATS_TEST_TMPDIR/digest" \
		big:1 "$REGISTRY_HOST/big:1"
	[ "$(cat "$BATS_TEST_TMPDIR/digest")" = "$(store_digest big:1)" ]

	# 40 MiB in 16 MiB chunks: three PATCH requests, then the PUT.
	run -0 grep -c '"PATCH /v2/big/blobs/uploads/[^ ]* HTTP/1.1" 202' \
		"$REGISTRY_DIR/registry.log"
	[ "$output" -eq 3 ]
	[ "$(registry_digest big:1)" = "$(store_digest big:1)" ]

	# skopeo copies it back and verifies every blob.
	run -0 skopeo copy --quiet --src-tls-verify=false \
		"docker://$REGISTRY_HOST/big:1" "oci:$BATS_TEST_TMPDIR/copy:big"
	run -0 jq -r '.manifests[0].digest' "$BATS_TEST_TMPDIR/copy/index.json"
	[ "$output" = "$(store_digest big:1)" ]
}

@test "push several layers in parallel" {
	registry_start plain
	local dir=$BATS_TEST_TMPDIR/layers i

	# A four-layer image: skopeo copies busybox and three random layers
	# into an OCI layout with umoci, then into the store.
	skopeo copy --quiet "oci:$BERTH_ROOT:busybox:latest" "oci:$dir:multi"
	for i in 1 2 3; do
		mkdir -p "$dir/data-$i"
		head -c 1M /dev/urandom >"$dir/data-$i/file-$i"
		umoci raw add-layer --image "$dir:multi" \
			<(tar -C "$dir/data-$i" -cf - .)
	done
	skopeo copy --quiet "oci:$dir:multi" "oci:$BERTH_ROOT:multi:latest"
	[ "$(jq '.layers | length' "$BERTH_ROOT/blobs/sha256/$(store_digest multi | cut -d: -f2)")" -eq 4 ]

	run -0 --separate-stderr "$BERTH" push multi "$REGISTRY_HOST/multi:latest"
	[ "$(grep -c '^Pushing layer .* done$' <<<"$stderr")" -eq 4 ]
	[ "$(grep -c '^Pushing config .* done$' <<<"$stderr")" -eq 1 ]
	[ "$(registry_digest multi:latest)" = "$(store_digest multi)" ]
}

@test "push to relative upload Locations" {
	registry_start_fake
	local received=$REGISTRY_DIR/received digest blob

	import_random_image big:1 20
	"$BERTH" tag big:1 "$REGISTRY_HOST/elsewhere/big:1"

	# The store names elsewhere/big on this host, so push asks to mount
	# there, gets a plain upload session and uses it. The 20 MiB layer
	# goes up in two PATCH requests.
	run -0 "$BERTH" push big:1 "$REGISTRY_HOST/big:1"
	run -0 grep -c '"POST /v2/big/blobs/uploads/?from=elsewhere/big&mount=sha256%3A[0-9a-f]* HTTP/1.1" 202' \
		"$REGISTRY_DIR/registry.log"
	[ "$output" -eq 2 ]
	run -1 grep '"POST /v2/big/blobs/uploads/ HTTP' "$REGISTRY_DIR/registry.log"
	run -0 grep -c '"PATCH /v2/big/blobs/uploads/[0-9a-f]*?state=[0-9]* HTTP/1.1" 202' \
		"$REGISTRY_DIR/registry.log"
	[ "$output" -eq 2 ]
	run -1 grep rejected "$REGISTRY_DIR/registry.log"

	digest=$(store_digest big:1)
	[ "$(sha256sum <"$received/manifests/big/1" | cut -d' ' -f1)" = "${digest#sha256:}" ]
	[ "$(cat "$received/manifests/big/1.type")" = application/vnd.oci.image.manifest.v1+json ]
	for blob in $(jq -r '.config.digest, .layers[].digest' "$received/manifests/big/1"); do
		cmp "$received/blobs/${blob#sha256:}" \
			"$BERTH_ROOT/blobs/sha256/${blob#sha256:}"
	done
}

@test "push TLS with --cert-dir and BERTH_CERTS_DIR" {
	registry_start tls

	# The test CA is not in the system store.
	run -125 "$BERTH" push busybox "$REGISTRY_HOST/busybox:latest"
	[[ $output == *"$REGISTRY_HOST"* ]]

	run -0 "$BERTH" push --cert-dir "$REGISTRY_CERTS_D" busybox \
		"$REGISTRY_HOST/busybox:a"
	[ "$(registry_digest busybox:a)" = "$(store_digest busybox)" ]

	BERTH_CERTS_DIR=$REGISTRY_CERTS_D run -0 "$BERTH" push busybox \
		"$REGISTRY_HOST/busybox:b"
	[ "$(registry_digest busybox:b)" = "$(store_digest busybox)" ]
}

@test "push TLS unverified with --tls-verify=false" {
	registry_start tls

	run -0 "$BERTH" push --tls-verify=false busybox "$REGISTRY_HOST/busybox:c"
	[ "$(registry_digest busybox:c)" = "$(store_digest busybox)" ]

	run -125 "$BERTH" push --tls-verify=maybe busybox "$REGISTRY_HOST/busybox:c"
	[[ $output == *"invalid value 'maybe' for --tls-verify"* ]]
}

@test "push htpasswd with auth file and --creds" {
	registry_start htpasswd
	export BERTH_CERTS_DIR=$REGISTRY_CERTS_D

	run -125 "$BERTH" push busybox "$REGISTRY_HOST/busybox:latest"
	[[ $output == *unauthorized* ]]

	write_auth_file "$REGISTRY_AUTH_FILE" "$REGISTRY_USER:wrong"
	run -125 "$BERTH" push busybox "$REGISTRY_HOST/busybox:latest"
	[[ $output == *"unauthorized: check the user name and password"* ]]
	[[ $output != *wrong* ]]

	write_auth_file "$BATS_TEST_TMPDIR/other.json" \
		"$REGISTRY_USER:$REGISTRY_PASSWORD"
	run -0 "$BERTH" push --authfile "$BATS_TEST_TMPDIR/other.json" \
		busybox "$REGISTRY_HOST/busybox:latest"
	[ "$(registry_digest busybox:latest)" = "$(store_digest busybox)" ]

	run -0 "$BERTH" push --creds "$REGISTRY_USER:$REGISTRY_PASSWORD" \
		busybox "$REGISTRY_HOST/busybox:2"
	[ "$(registry_digest busybox:2)" = "$(store_digest busybox)" ]
}

@test "push htpasswd after berth login" {
	registry_start htpasswd
	export BERTH_CERTS_DIR=$REGISTRY_CERTS_D

	run -125 "$BERTH" login -u "$REGISTRY_USER" --password-stdin \
		"$REGISTRY_HOST" <<<"wrong"
	run -125 "$BERTH" push busybox "$REGISTRY_HOST/busybox:latest"
	[[ $output == *unauthorized* ]]

	run -0 "$BERTH" login -u "$REGISTRY_USER" --password-stdin \
		"$REGISTRY_HOST" <<<"$REGISTRY_PASSWORD"
	run -0 "$BERTH" push busybox "$REGISTRY_HOST/busybox:latest"
	[ "$(registry_digest busybox:latest)" = "$(store_digest busybox)" ]
}

@test "push token server with credentials" {
	registry_start token
	export BERTH_CERTS_DIR=$REGISTRY_CERTS_D

	run -125 "$BERTH" push busybox "$REGISTRY_HOST/busybox:latest"
	[[ $output == *unauthorized* ]]
	run -125 "$BERTH" push --creds "$REGISTRY_USER:wrong" busybox \
		"$REGISTRY_HOST/busybox:latest"
	[[ $output == *unauthorized* ]]

	write_auth_file "$REGISTRY_AUTH_FILE" "$REGISTRY_USER:$REGISTRY_PASSWORD"
	run -0 "$BERTH" push busybox "$REGISTRY_HOST/busybox:latest"
	[ "$(registry_digest busybox:latest)" = "$(store_digest busybox)" ]

	# A mount asks for a token with two scopes.
	"$BERTH" tag busybox "$REGISTRY_HOST/busybox:latest"
	run -0 --separate-stderr "$BERTH" --log-level debug push busybox \
		"$REGISTRY_HOST/second:latest"
	[ "$(grep -c "mounted from 'busybox'" <<<"$stderr")" -eq 2 ]
}

@test "push then skopeo copy keeps the digest" {
	registry_start plain
	"$BERTH" push -q busybox "$REGISTRY_HOST/busybox:latest"

	run -0 skopeo inspect --tls-verify=false "docker://$REGISTRY_HOST/busybox:latest"
	[ "$(jq -r .Digest <<<"$output")" = "$(store_digest busybox)" ]

	run -0 skopeo copy --quiet --src-tls-verify=false \
		"docker://$REGISTRY_HOST/busybox:latest" \
		"oci:$BATS_TEST_TMPDIR/copy:busybox"
	run -0 jq -r '.manifests[0].digest' "$BATS_TEST_TMPDIR/copy/index.json"
	[ "$output" = "$(store_digest busybox)" ]
}

@test "push by digest destination" {
	registry_start plain
	local digest

	digest=$(store_digest busybox)
	run -0 "$BERTH" push busybox "$REGISTRY_HOST/bydigest@$digest"
	[[ ${lines[-1]} == *"@$digest: digest: $digest size: "* ]]
	[ "$(registry_digest "bydigest@$digest")" = "$digest" ]

	run -125 "$BERTH" push busybox \
		"$REGISTRY_HOST/bydigest@sha256:$(printf '0%.0s' {1..64})"
	[[ $output == *"but the image's manifest is '$digest'"* ]]
}

@test "skopeo push then berth pull keeps the digest" {
	registry_start plain
	registry_seed busybox:latest seeded/busybox:latest
	local want

	want=$(store_digest busybox)
	"$BERTH" rmi busybox >/dev/null
	run -0 "$BERTH" pull -q "$REGISTRY_HOST/seeded/busybox:latest"
	[ "$(store_digest "$REGISTRY_HOST/seeded/busybox:latest")" = "$want" ]

	berth_container_setup
	run -0 "$BERTH" run --rm "$REGISTRY_HOST/seeded/busybox:latest" \
		echo pulled-and-ran
	[ "$output" = pulled-and-ran ]
}

@test "push keeps a Docker manifest as it is" {
	registry_start plain
	local digest

	# skopeo writes a Docker schema 2 manifest, which berth pulls as is.
	registry_skopeo_args dest
	skopeo copy --quiet --format v2s2 "${REGISTRY_SKOPEO_ARGS[@]}" \
		"oci:$BERTH_ROOT:busybox:latest" "docker://$REGISTRY_HOST/v2s2:1"
	"$BERTH" pull -q "$REGISTRY_HOST/v2s2:1" >/dev/null
	digest=$(store_digest "$REGISTRY_HOST/v2s2:1")
	[ "$(registry_digest v2s2:1)" = "$digest" ]

	run -0 "$BERTH" push -q "$REGISTRY_HOST/v2s2:1" "$REGISTRY_HOST/copy:1"
	[ "$(registry_digest copy:1)" = "$digest" ]
	run -0 curl -s -o /dev/null -w '%{content_type}' \
		-H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
		"http://$REGISTRY_HOST/v2/copy/manifests/1"
	[ "$output" = application/vnd.docker.distribution.manifest.v2+json ]
}

@test "push rejects bad input before any request" {
	registry_start plain

	run -125 "$BERTH" push missing:latest "$REGISTRY_HOST/missing:latest"
	[[ $output == *"missing"* ]]
	run -125 "$BERTH" push "$(store_digest busybox)"
	[[ $output == *"name the destination"* ]]
	run -125 "$BERTH" push busybox "$REGISTRY_HOST/UPPER:latest"
	run -125 "$BERTH" push
	[[ $output == *"expected IMAGE [DESTINATION]"* ]]
	run -125 "$BERTH" push busybox "$REGISTRY_HOST/a" "$REGISTRY_HOST/b"
	[[ $output == *"expected IMAGE [DESTINATION]"* ]]
	run -125 "$BERTH" push --digestfile
	[[ $output == *"--digestfile"* ]]

	run -1 grep -c 'POST\|PUT\|HEAD' "$REGISTRY_DIR/registry.log"
	[ "$output" -eq 0 ]
}

@test "push --digestfile not written on failure" {
	local port

	port=$(registry_free_port)
	run -125 "$BERTH" push --digestfile "$BATS_TEST_TMPDIR/digest" \
		busybox "127.0.0.1:$port/busybox:latest"
	[ ! -e "$BATS_TEST_TMPDIR/digest" ]
}

@test "push to a closed port fails fast" {
	local port start

	port=$(registry_free_port)
	start=$SECONDS
	run -125 timeout 60 "$BERTH" push busybox "127.0.0.1:$port/busybox:latest"
	[ $((SECONDS - start)) -lt 10 ]
	[[ $output == *"127.0.0.1:$port"* ]]
}

@test "push to a silent server times out" {
	local port_file=$BATS_TEST_TMPDIR/hang.port start

	# Accepts connections and never sends a byte.
	python3 -c 'import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
conns = []
while True:
    conns.append(s.accept()[0])' "$port_file" 3>&- &
	HANG_PID=$!
	for _ in $(seq 1 50); do
		[ -s "$port_file" ] && break
		sleep 0.1
	done

	# The TLS handshake counts against the connect timeout, the HTTP
	# exchange against the stall timeout.
	start=$SECONDS
	BERTH_REGISTRY_CONNECT_TIMEOUT=3 BERTH_REGISTRY_STALL_TIMEOUT=3 \
		run -125 timeout 60 "$BERTH" push \
		busybox "127.0.0.1:$(cat "$port_file")/busybox:latest"
	[ $((SECONDS - start)) -lt 15 ]
	[[ $output == *"127.0.0.1:$(cat "$port_file")"* ]]
}
