#!/usr/bin/env bats
# The local registries of tests/system/lib/registry.bash, checked with
# skopeo and curl alone, so that a push or pull failure elsewhere points
# at berth and not at the test set-up.

load helpers
load lib/registry

bats_require_minimum_version 1.5.0

setup() {
	berth_test_store
	berth_import_busybox
}

teardown() {
	registry_stop_all
}

# Print the HTTP status of GET /v2/ of the current registry; curl's
# arguments follow.
v2_status() {
	local scheme=https

	[ "$REGISTRY_MODE" = plain ] && scheme=http
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" \
		"$scheme://$REGISTRY_HOST/v2/"
}

# Check that busybox:latest went to the registry unchanged: the manifest
# there has the digest of the one in the store.
assert_seeded_digest() {
	local want got

	want=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "busybox:latest") | .digest' \
		"$BERTH_ROOT/index.json")
	got=sha256:$(registry_raw_manifest "$1" | sha256sum | cut -d' ' -f1)
	[ "$got" = "$want" ]
}

@test "registry plain HTTP accepts skopeo copy" {
	registry_start plain
	[ -z "$REGISTRY_CERT_DIR" ]
	[ -z "$REGISTRY_USER" ]
	[ "$(v2_status)" = 200 ]

	run -0 registry_seed busybox:latest busybox:latest
	assert_seeded_digest busybox:latest

	run -0 curl -s "http://$REGISTRY_HOST/v2/_catalog"
	[ "$(jq -c .repositories <<<"$output")" = '["busybox"]' ]
}

@test "registry TLS trusts only the test CA" {
	registry_start tls
	[ -f "$REGISTRY_CERT_DIR/ca.crt" ]
	[ -f "$REGISTRY_CERTS_D/$REGISTRY_HOST/ca.crt" ]

	# The CA is in no system store, so curl and skopeo reject the
	# server certificate without it.
	[ "$(v2_status)" = 000 ]
	run ! skopeo copy --quiet "oci:$BERTH_ROOT:busybox:latest" \
		"docker://$REGISTRY_HOST/busybox:latest"
	[[ $output == *"certificate signed by unknown authority"* ]]

	[ "$(v2_status --cacert "$REGISTRY_CERT_DIR/ca.crt")" = 200 ]
	# The certificate names localhost too.
	run -0 curl -s -o /dev/null -w '%{http_code}' \
		--cacert "$REGISTRY_CERT_DIR/ca.crt" \
		--resolve "localhost:$REGISTRY_PORT:127.0.0.1" \
		"https://localhost:$REGISTRY_PORT/v2/"
	[ "$output" = 200 ]
	run -0 registry_seed busybox:latest busybox:latest
	assert_seeded_digest busybox:latest
}

@test "registry htpasswd requires the password" {
	registry_start htpasswd
	[ -n "$REGISTRY_USER" ]

	local ca=(--cacert "$REGISTRY_CERT_DIR/ca.crt")
	[ "$(v2_status "${ca[@]}")" = 401 ]
	[ "$(v2_status "${ca[@]}" -u "$REGISTRY_USER:wrong")" = 401 ]
	[ "$(v2_status "${ca[@]}" -u "$REGISTRY_USER:$REGISTRY_PASSWORD")" = 200 ]
	grep -q '^berth-tester:\$2y\$' "$REGISTRY_DIR/htpasswd"

	run ! skopeo copy --quiet --dest-cert-dir "$REGISTRY_CERT_DIR" \
		--dest-creds "$REGISTRY_USER:wrong" \
		"oci:$BERTH_ROOT:busybox:latest" \
		"docker://$REGISTRY_HOST/busybox:latest"
	[[ $output == *unauthorized* ]]

	run -0 registry_seed busybox:latest busybox:latest
	assert_seeded_digest busybox:latest
}

@test "registry token server grants scopes" {
	registry_start token
	local realm ca=(--cacert "$REGISTRY_CERT_DIR/ca.crt")

	run -0 curl -s -D - -o /dev/null "${ca[@]}" "https://$REGISTRY_HOST/v2/"
	[[ ${lines[0]} == "HTTP/"*" 401"* ]]
	[[ ${output,,} == *'www-authenticate: bearer realm="http://127.0.0.1:'* ]]
	realm=$(sed -n 's/.*Bearer realm="\([^"]*\)".*/\1/ip' <<<"$output")
	[[ $realm == http://127.0.0.1:*/token ]]

	# Wrong credentials get no token; anonymous clients get a token
	# without access.
	run -0 curl -s -o /dev/null -w '%{http_code}' \
		-u "$REGISTRY_USER:wrong" "$realm?service=berth-test-registry"
	[ "$output" = 401 ]
	run -0 curl -s "$realm?service=berth-test-registry&scope=repository:busybox:pull"
	token=$(jq -r .token <<<"$output")
	run -0 curl -s -o /dev/null -w '%{http_code}' "${ca[@]}" \
		-H "Authorization: Bearer $token" \
		"https://$REGISTRY_HOST/v2/busybox/tags/list"
	[ "$output" = 401 ]

	run ! skopeo copy --quiet --dest-cert-dir "$REGISTRY_CERT_DIR" \
		--dest-creds "$REGISTRY_USER:wrong" \
		"oci:$BERTH_ROOT:busybox:latest" \
		"docker://$REGISTRY_HOST/busybox:latest"
	run -0 registry_seed busybox:latest busybox:latest
	assert_seeded_digest busybox:latest

	# A token for the scope lets curl read the tags.
	run -0 curl -s -u "$REGISTRY_USER:$REGISTRY_PASSWORD" \
		"$realm?service=berth-test-registry&scope=repository:busybox:pull"
	token=$(jq -r .token <<<"$output")
	run -0 curl -s "${ca[@]}" -H "Authorization: Bearer $token" \
		"https://$REGISTRY_HOST/v2/busybox/tags/list"
	[ "$(jq -c .tags <<<"$output")" = '["latest"]' ]
}

@test "registry stop ends processes, removes files" {
	registry_start token
	local dir=$REGISTRY_DIR pids pid

	pids=$(cat "$dir"/*.pid)
	[ "$(wc -w <<<"$pids")" -eq 2 ]
	for pid in $pids; do
		kill -0 "$pid"
	done

	registry_stop
	for pid in $pids; do
		run ! kill -0 "$pid"
	done
	[ ! -e "$dir" ]
	[ "$(v2_status --cacert /dev/null)" = 000 ]
}

@test "registry two at once on their own ports" {
	registry_start plain
	local first=$REGISTRY_HOST first_dir=$REGISTRY_DIR
	registry_start plain
	[ "$REGISTRY_HOST" != "$first" ]

	run -0 registry_seed busybox:latest one/busybox:latest
	run -0 curl -s "http://$first/v2/_catalog"
	[ "$(jq -c .repositories <<<"$output")" = '[]' ]

	registry_stop_all
	[ ! -e "$first_dir" ]
	[ ! -e "$REGISTRY_DIR" ]
}
