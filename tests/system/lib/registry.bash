# Local registries for the push and pull tests: Debian's docker-registry
# (the distribution project's server, 2.8) on 127.0.0.1 at a free port,
# with its storage, certificates and logs under one directory below
# $TMPDIR. Load it with "load lib/registry".
#
# registry_start MODE starts one registry and sets:
#   REGISTRY_HOST       127.0.0.1:PORT, the host part of image names
#   REGISTRY_PORT       its port
#   REGISTRY_DIR        directory with config.yml, storage/, *.log, *.pid
#   REGISTRY_CERT_DIR   for tls, htpasswd and token: a directory with the
#                       test CA as ca.crt, for --cert-dir; empty for plain
#   REGISTRY_CERTS_D    the same CA as HOST:PORT/ca.crt below it, the
#                       certs.d layout of docker and berth; empty for plain
#   REGISTRY_USER, REGISTRY_PASSWORD
#                       for htpasswd and token: the account that may push;
#                       empty otherwise
# MODE is one of:
#   plain     HTTP, no authentication
#   tls       HTTPS with a server certificate of a test CA
#   htpasswd  HTTPS and Basic authentication from an htpasswd file (2.8
#             accepts htpasswd over plain HTTP too, but clients send the
#             password in clear text there)
#   token     HTTPS and bearer tokens from tests/system/lib/token-server.py,
#             which checks Basic credentials at its own HTTP port
# The test CA goes only into REGISTRY_CERT_DIR, never into the system
# store. registry_stop stops the last registry started; registry_stop_all
# stops every registry of the test, for teardown.

REGISTRY_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REGISTRY_TEST_USER=berth-tester
REGISTRY_TEST_PASSWORD=pushpull-secret-1
REGISTRY_SERVICE=berth-test-registry
REGISTRY_ISSUER=berth-test-token-server

# Print a TCP port on 127.0.0.1 that nothing listens on. Another process
# may take it before the caller binds it, and then the start fails with
# the registry's log.
registry_free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# Make the test CA and a server certificate for 127.0.0.1 and localhost
# in directory $1: ca.crt, ca.key, server.crt, server.key. EC P-256 keys,
# because they take milliseconds to generate.
registry_make_certs() {
	local dir=$1

	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		-nodes -days 2 -subj "/CN=berth test CA" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign \
		-keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null || return 1
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-subj "/CN=127.0.0.1" -keyout "$dir/server.key" \
		-out "$dir/server.csr" 2>/dev/null || return 1
	printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" \
		"extendedKeyUsage=serverAuth" >"$dir/server.ext"
	openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" \
		-CAkey "$dir/ca.key" -CAcreateserial -days 2 \
		-extfile "$dir/server.ext" -out "$dir/server.crt" 2>/dev/null
}

# Make the token signing key and its self-signed certificate in $1:
# token.key and token.crt. RSA, because the token server signs RS256.
registry_make_token_key() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		-subj "/CN=berth test token signer" \
		-keyout "$1/token.key" -out "$1/token.crt" 2>/dev/null
}

# Wait up to 10 s until an HTTP server answers at URL $1 (any status);
# curl's remaining arguments follow.
registry_wait_http() {
	local url=$1 i
	shift

	for i in $(seq 1 100); do
		if curl -s -o /dev/null --max-time 1 "$@" "$url"; then
			return 0
		fi
		sleep 0.1
	done
	echo "registry: no answer from $url after 10 s" >&2
	return 1
}

# Start "$@" in the background with its output in $REGISTRY_DIR/$1.log and
# its PID in $REGISTRY_DIR/$1.pid ($1 is a name, the command follows).
# Closing fd 3 keeps bats from waiting for the server to exit.
registry_spawn() {
	local name=$1
	shift

	"$@" >"$REGISTRY_DIR/$name.log" 2>&1 3>&- </dev/null &
	echo $! >"$REGISTRY_DIR/$name.pid"
}

# Start the token server and print its realm URL.
registry_start_token_server() {
	local port_file=$REGISTRY_DIR/token.port i

	registry_make_token_key "$REGISTRY_DIR" || return 1
	registry_spawn token python3 "$REGISTRY_LIB_DIR/token-server.py" \
		"$port_file" "$REGISTRY_DIR/token.key" "$REGISTRY_DIR/token.crt" \
		"$REGISTRY_ISSUER" "$REGISTRY_SERVICE" \
		"$REGISTRY_TEST_USER:$REGISTRY_TEST_PASSWORD"

	for i in $(seq 1 100); do
		[ -s "$port_file" ] && break
		sleep 0.1
	done
	if [ ! -s "$port_file" ]; then
		echo "registry: token server did not start:" >&2
		cat "$REGISTRY_DIR/token.log" >&2
		return 1
	fi
	registry_wait_http "http://127.0.0.1:$(cat "$port_file")/token" ||
		return 1
	echo "http://127.0.0.1:$(cat "$port_file")/token"
}

# Print the auth section of config.yml for MODE $1.
registry_auth_config() {
	local realm

	case $1 in
	htpasswd)
		htpasswd -B -b -c "$REGISTRY_DIR/htpasswd" \
			"$REGISTRY_TEST_USER" "$REGISTRY_TEST_PASSWORD" \
			2>/dev/null || return 1
		cat <<EOF
auth:
  htpasswd:
    realm: berth-test
    path: $REGISTRY_DIR/htpasswd
EOF
		;;
	token)
		realm=$(registry_start_token_server) || return 1
		cat <<EOF
auth:
  token:
    realm: $realm
    service: $REGISTRY_SERVICE
    issuer: $REGISTRY_ISSUER
    rootcertbundle: $REGISTRY_DIR/token.crt
EOF
		;;
	esac
}

# Write config.yml for MODE $1.
registry_write_config() {
	local mode=$1 auth tls=""

	auth=$(registry_auth_config "$mode") || return 1
	if [ "$mode" != plain ]; then
		tls="  tls:
    certificate: $REGISTRY_DIR/server.crt
    key: $REGISTRY_DIR/server.key"
	fi

	cat >"$REGISTRY_DIR/config.yml" <<EOF
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$REGISTRY_PORT
  secret: berth-test-upload-state-secret
$tls
$auth
EOF
}

registry_start() {
	local mode=$1 scheme=https curl_args

	case $mode in
	plain | tls | htpasswd | token) ;;
	*)
		echo "registry_start: unknown mode '$mode'" >&2
		return 1
		;;
	esac

	REGISTRY_DIR=$(mktemp -d "${TMPDIR:-/tmp}/registry.XXXXXX")
	echo "$REGISTRY_DIR" >>"${BATS_TEST_TMPDIR:-$TMPDIR}/registries"
	REGISTRY_PORT=$(registry_free_port)
	REGISTRY_HOST=127.0.0.1:$REGISTRY_PORT
	REGISTRY_CERT_DIR=""
	REGISTRY_CERTS_D=""
	REGISTRY_USER=""
	REGISTRY_PASSWORD=""
	REGISTRY_MODE=$mode

	if [ "$mode" = plain ]; then
		scheme=http
	else
		registry_make_certs "$REGISTRY_DIR" || return 1
		REGISTRY_CERT_DIR=$REGISTRY_DIR/client-certs
		mkdir "$REGISTRY_CERT_DIR"
		cp "$REGISTRY_DIR/ca.crt" "$REGISTRY_CERT_DIR/ca.crt"
		REGISTRY_CERTS_D=$REGISTRY_DIR/certs.d
		mkdir -p "$REGISTRY_CERTS_D/$REGISTRY_HOST"
		cp "$REGISTRY_DIR/ca.crt" "$REGISTRY_CERTS_D/$REGISTRY_HOST/ca.crt"
	fi
	if [ "$mode" = htpasswd ] || [ "$mode" = token ]; then
		REGISTRY_USER=$REGISTRY_TEST_USER
		REGISTRY_PASSWORD=$REGISTRY_TEST_PASSWORD
	fi

	registry_write_config "$mode" || return 1
	# The registry reads REGISTRY_SECTION_KEY variables as configuration,
	# which REGISTRY_AUTH_FILE and the variables above would be.
	registry_spawn registry env -i PATH="$PATH" \
		docker-registry serve "$REGISTRY_DIR/config.yml"
	curl_args=()
	[ "$mode" = plain ] || curl_args=(--cacert "$REGISTRY_DIR/ca.crt")
	if ! registry_wait_http "$scheme://$REGISTRY_HOST/v2/" \
		"${curl_args[@]}"; then
		tail -n 20 "$REGISTRY_DIR/registry.log" >&2
		return 1
	fi
	export REGISTRY_HOST REGISTRY_PORT REGISTRY_DIR REGISTRY_CERT_DIR \
		REGISTRY_CERTS_D REGISTRY_USER REGISTRY_PASSWORD REGISTRY_MODE
}

# Start tests/system/lib/push-fake-registry.py, a plain-HTTP upload
# endpoint that returns relative Locations with a query to keep and never
# mounts, and set the variables that registry_start sets. It stores what
# it receives under $REGISTRY_DIR/received.
registry_start_fake() {
	local port_file i

	REGISTRY_DIR=$(mktemp -d "${TMPDIR:-/tmp}/registry.XXXXXX")
	echo "$REGISTRY_DIR" >>"${BATS_TEST_TMPDIR:-$TMPDIR}/registries"
	port_file=$REGISTRY_DIR/fake.port
	registry_spawn registry python3 "$REGISTRY_LIB_DIR/push-fake-registry.py" \
		"$port_file" "$REGISTRY_DIR/received"
	for i in $(seq 1 100); do
		[ -s "$port_file" ] && break
		sleep 0.1
	done
	if [ ! -s "$port_file" ]; then
		echo "registry: fake registry did not start:" >&2
		cat "$REGISTRY_DIR/registry.log" >&2
		return 1
	fi

	REGISTRY_PORT=$(cat "$port_file")
	REGISTRY_HOST=127.0.0.1:$REGISTRY_PORT
	REGISTRY_CERT_DIR=""
	REGISTRY_CERTS_D=""
	REGISTRY_USER=""
	REGISTRY_PASSWORD=""
	REGISTRY_MODE=fake
	registry_wait_http "http://$REGISTRY_HOST/v2/" || return 1
	export REGISTRY_HOST REGISTRY_PORT REGISTRY_DIR REGISTRY_CERT_DIR \
		REGISTRY_CERTS_D REGISTRY_USER REGISTRY_PASSWORD REGISTRY_MODE
}

# Stop the processes of the registry in directory $1 (default: the last
# one started) and remove its directory.
registry_stop() {
	local dir=${1:-$REGISTRY_DIR} pidfile pid i

	[ -n "$dir" ] && [ -d "$dir" ] || return 0
	for pidfile in "$dir"/*.pid; do
		[ -f "$pidfile" ] || continue
		pid=$(cat "$pidfile")
		kill "$pid" 2>/dev/null || continue
		for i in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$dir"
}

# Stop every registry that this test started.
registry_stop_all() {
	local list=${BATS_TEST_TMPDIR:-$TMPDIR}/registries dir

	[ -f "$list" ] || return 0
	while read -r dir; do
		registry_stop "$dir"
	done <"$list"
	rm -f "$list"
}

# Set the array REGISTRY_SKOPEO_ARGS to the skopeo flags that reach the
# current registry, for side $1: "src" or "dest".
registry_skopeo_args() {
	local side=$1

	if [ -z "$REGISTRY_CERT_DIR" ]; then
		REGISTRY_SKOPEO_ARGS=(--"$side"-tls-verify=false)
	else
		REGISTRY_SKOPEO_ARGS=(--"$side"-cert-dir "$REGISTRY_CERT_DIR")
	fi
	if [ -n "$REGISTRY_USER" ]; then
		REGISTRY_SKOPEO_ARGS+=(--"$side"-creds
			"$REGISTRY_USER:$REGISTRY_PASSWORD")
	fi
}

# Copy image $1 ("name:tag") of $BERTH_ROOT to repository:tag $2 of the
# current registry with skopeo.
registry_seed() {
	local image=$1 dest=$2

	registry_skopeo_args dest
	skopeo copy --quiet "${REGISTRY_SKOPEO_ARGS[@]}" \
		"oci:$BERTH_ROOT:$image" "docker://$REGISTRY_HOST/$dest"
}

# Print the raw manifest of repository:tag $1 of the current registry.
registry_raw_manifest() {
	registry_skopeo_args src
	skopeo inspect --raw "${REGISTRY_SKOPEO_ARGS[@]//--src-/--}" \
		"docker://$REGISTRY_HOST/$1"
}
