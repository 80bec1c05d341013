# The podman side of bench/network/run: the same images and servers in
# podman containers. run sources this file after setting workdir, berth
# and BERTH_CGROUP_PARENT.
#
# podman keeps its images, containers, locks, events and network
# configuration under $podman_dir. What it still creates on the host,
# and what removes it:
#  - each container's network namespace in /run/netns, its veth pair
#    and iptables rules, and the network's bridge: podman rm and podman
#    network rm, in podman_teardown;
#  - the chains that CNI's portmap and firewall plugins create for their
#    first container and never remove: podman_remove_cni_chains, when
#    the chains did not exist before the bench;
#  - CNI's address leases in /var/lib/cni/networks/NETWORK and, when the
#    bench created it, /var/lib/cni: podman_teardown;
#  - the cgroups under $podman_cgroup: podman_teardown.
# podman load would also write the host's blob info cache, which
# podman_load hides from it.

podman_dir=$workdir/podman
podman_net=bench-podman-$$
podman_cgroup=$BERTH_CGROUP_PARENT-podman
podman_runtime=""
podman_skip_reason=""
podman_nginx_ip=""
podman_argv=()
podman_new_chains=()
podman_new_cni_dir=""
podman_ip_forward=""

# Flags for every podman container. For containers of root, podman 4.3
# writes RLIMIT_NOFILE 1048576 into the spec unless --ulimit sets it,
# and RLIMIT_NPROC 1048576 when --ulimit sets only nofile. Both can be
# above the hard limits that podman's runtime inherits (RLIMIT_NPROC is
# 32768 there even when the shell's is higher), and raising them takes
# CAP_SYS_RESOURCE. Where the bounding set lacks it, the container does
# not start ("setrlimit `RLIMIT_NOFILE`: Operation not permitted").
# 1024 is the RLIMIT_NOFILE of berth's default spec. berth leaves
# RLIMIT_NPROC alone. 1024 processes are enough for these servers, and
# the limit does not apply to root.
podman_run_args=(--pull never --cgroup-parent "$podman_cgroup"
	--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

# CNI's chains that outlive every container, as TABLE:CHAIN. The jumps
# from the built-in chains go first, then CNI-FORWARD's jump to
# CNI-ADMIN, so that each chain is unreferenced when it is deleted.
podman_cni_chains=(nat:CNI-HOSTPORT-DNAT nat:CNI-HOSTPORT-SETMARK
	nat:CNI-HOSTPORT-MASQ filter:CNI-FORWARD filter:CNI-ADMIN)

# Write podman's configuration under $podman_dir and set podman_argv to
# the podman command that uses it.
podman_configure() {
	mkdir -p "$podman_dir/networks" "$podman_dir/tmp"

	# The default lock type, shm, allocates the locks in
	# /dev/shm/libpod_lock, which every podman of root on the host
	# shares. File locks live in the tmp directory. The network
	# backend is fixed to CNI because podman_teardown removes CNI's
	# iptables chains. With netavark installed, podman 4.3 would
	# choose netavark for a new store.
	cat >"$podman_dir/containers.conf" <<-CONF
		[network]
		network_backend = "cni"

		[engine]
		lock_type = "file"
		image_copy_tmp_dir = "$podman_dir/tmp"
	CONF

	# overlay, as berth uses: the nginx rows open the file through the
	# container's root file system on each request.
	cat >"$podman_dir/storage.conf" <<-CONF
		[storage]
		driver = "overlay"
		graphroot = "$podman_dir/root"
		runroot = "$podman_dir/run"
	CONF

	# CONTAINERS_CONF and CONTAINERS_STORAGE_CONF replace the host's
	# configuration files. podman rejects a runroot longer than 50
	# characters, which $workdir/podman/run stays below.
	podman_argv=(env CONTAINERS_CONF="$podman_dir/containers.conf"
		CONTAINERS_STORAGE_CONF="$podman_dir/storage.conf"
		podman --root "$podman_dir/root" --runroot "$podman_dir/run"
		--tmpdir "$podman_dir/tmp"
		--network-config-dir "$podman_dir/networks"
		--cgroup-manager cgroupfs --events-backend file)
}

# Print the last line of the error output of the last podman command.
podman_last_error() {
	tail -n 1 "$podman_dir/error"
}

# Run podman with arguments $@. On failure, set podman_skip_reason to
# the subcommand and the last line of podman's error output.
podman_try() {
	if "${podman_argv[@]}" "$@" >/dev/null 2>"$podman_dir/error"; then
		return 0
	fi
	podman_skip_reason="podman $1 failed: $(podman_last_error)"
	return 1
}

# Load the image archive $1 into podman's store. containers/image keeps
# the blob info cache of root in /var/lib/containers/cache regardless
# of --root, and podman load writes to it. The load therefore runs in
# a mount namespace of its own in which a tmpfs covers that directory,
# or its nearest existing parent.
podman_load() {
	local cache=/var/lib/containers/cache

	while [ ! -d "$cache" ]; do
		cache=$(dirname "$cache")
	done

	# shellcheck disable=SC2016 # sh expands $0 and $@.
	if unshare --mount --propagation private sh -c \
		'mount -t tmpfs tmpfs "$0" && exec "$@"' "$cache" \
		"${podman_argv[@]}" load -i "$1" >/dev/null \
		2>"$podman_dir/error"; then
		return 0
	fi
	podman_skip_reason="podman load failed: $(podman_last_error)"
	return 1
}

# Choose the first of crun and runc that starts a container here, and
# add it to podman_argv. crun 1.8 rejects the cgroup v1 hybrid layout
# when the cgroup2 mount at /sys/fs/cgroup/unified has controllers.
podman_choose_runtime() {
	local runtime

	for runtime in crun runc; do
		command -v "$runtime" >/dev/null || continue
		if "${podman_argv[@]}" --runtime "$runtime" run --rm \
			--network none "${podman_run_args[@]}" \
			localhost/busybox:latest true >/dev/null \
			2>"$podman_dir/error"; then
			podman_runtime=$runtime
			podman_argv+=(--runtime "$runtime")
			return 0
		fi
		echo "network: podman cannot run a container with $runtime:" \
			"$(podman_last_error)" >&2
	done
	podman_skip_reason="podman runs no container with crun or runc"
	return 1
}

# Remember which of CNI's shared chains and directories do not exist
# yet, so that podman_teardown removes only what the bench created.
podman_note_host_state() {
	local entry

	for entry in "${podman_cni_chains[@]}"; do
		iptables -t "${entry%%:*}" -S "${entry#*:}" >/dev/null 2>&1 ||
			podman_new_chains+=("$entry")
	done
	[ -d /var/lib/cni ] || podman_new_cni_dir=1
	# CNI's bridge plugin turns on forwarding for the whole host.
	podman_ip_forward=$(sysctl -n net.ipv4.ip_forward)
}

# Print the first /24 of 10.90.0.0/16 that no route on the host uses.
# berth takes its networks from 10.89.0.0/16, and so does podman 4.3's
# network create, but neither checks the other's networks.
podman_free_subnet() {
	local routes i

	routes=$(ip -4 route show table all)
	for i in $(seq 0 255); do
		case $routes in
		*"10.90.$i."*) continue ;;
		esac
		echo "10.90.$i.0/24"
		return 0
	done
	return 1
}

# Start podman's busybox httpd, publishing port 80 on 127.0.0.1:$1, and
# its nginx, publishing ports 80 and 81 on 127.0.0.1:$2 and :$3, on a
# network of their own. Each runs the shell script of the berth
# container of the same name: $4 for httpd, $5 for nginx.
podman_start_servers() {
	local subnet template

	if ! subnet=$(podman_free_subnet); then
		podman_skip_reason="no free /24 in 10.90.0.0/16 for podman"
		return 1
	fi
	podman_try network create --subnet "$subnet" "$podman_net" ||
		return 1
	podman_try run -d --name bench-httpd --network "$podman_net" \
		-p "127.0.0.1:$1:80" "${podman_run_args[@]}" \
		localhost/busybox:latest sh -c "$4" || return 1
	podman_try run -d --name bench-nginx --network "$podman_net" \
		-p "127.0.0.1:$2:80" -p "127.0.0.1:$3:81" \
		"${podman_run_args[@]}" localhost/bench-nginx:latest \
		sh -c "$5" || return 1

	# CNI without the dnsname plugin resolves no container names, so
	# the wget client fetches from nginx's address.
	template="{{(index .NetworkSettings.Networks \"$podman_net\")"
	template+=".IPAddress}}"
	podman_nginx_ip=$("${podman_argv[@]}" inspect -f "$template" \
		bench-nginx 2>"$podman_dir/error")
	if [ -z "$podman_nginx_ip" ]; then
		podman_skip_reason="podman inspect found no address of"
		podman_skip_reason+=" bench-nginx: $(podman_last_error)"
		return 1
	fi
}

# Set podman up with berth's images busybox:latest and bench-nginx:latest
# and start its servers, with the arguments of podman_start_servers. On
# failure, set podman_skip_reason and return 1.
podman_setup() {
	if ! command -v podman >/dev/null; then
		podman_skip_reason="podman is missing; run scripts/install-deps"
		return 1
	fi
	podman_configure
	podman_note_host_state

	if ! "$berth" save -o "$podman_dir/images.tar" busybox:latest \
		bench-nginx:latest 2>"$podman_dir/error"; then
		podman_skip_reason="berth save failed: $(podman_last_error)"
		return 1
	fi
	podman_load "$podman_dir/images.tar" || return 1
	rm -f "$podman_dir/images.tar"

	podman_choose_runtime || return 1
	podman_start_servers "$@"
}

# Print MB/s for podman's busybox wget client fetching the big file from
# podman's nginx, or nothing when it fails.
podman_fetch_rate() {
	local url="http://$podman_nginx_ip/big"

	"${podman_argv[@]}" run --rm --network "$podman_net" \
		"${podman_run_args[@]}" localhost/busybox:latest \
		sh -c "$(fetch_script "$url")" | rate_from_time || true
}

# Delete the chains of podman_new_chains and the rules that jump to them,
# unless the chains contain rules of containers that are not the bench's.
podman_remove_cni_chains() {
	local entry table chain rule

	[ ${#podman_new_chains[@]} -gt 0 ] || return 0
	if iptables -t nat -S CNI-HOSTPORT-DNAT 2>/dev/null | grep -q '^-A' ||
		iptables -t filter -S CNI-FORWARD 2>/dev/null | grep '^-A' |
		grep -qv -- '-j CNI-ADMIN$'; then
		echo "network: CNI's iptables chains contain rules of other" \
			"containers; leaving them" >&2
		podman_new_chains=()
		return 0
	fi

	for entry in "${podman_new_chains[@]}"; do
		table=${entry%%:*} chain=${entry#*:}
		# iptables -S quotes comments, so eval splits each rule into
		# its words.
		{ iptables -t "$table" -S 2>/dev/null || true; } |
			{ grep -- "-j $chain\$" || true; } |
			while read -r rule; do
				eval "iptables -t $table ${rule/#-A/-D}" || true
			done
		iptables -t "$table" -F "$chain" 2>/dev/null || true
	done
	for entry in "${podman_new_chains[@]}"; do
		iptables -t "${entry%%:*}" -X "${entry#*:}" 2>/dev/null || true
	done
	podman_new_chains=()
}

# Remove podman's containers, network, images and everything they left
# on the host. Safe to call again.
podman_teardown() {
	local dir mount

	if [ ${#podman_argv[@]} -gt 0 ]; then
		"${podman_argv[@]}" rm -af -t 0 >/dev/null 2>&1 || true
		"${podman_argv[@]}" network rm -f "$podman_net" \
			>/dev/null 2>&1 || true
		"${podman_argv[@]}" rmi -af >/dev/null 2>&1 || true
		podman_argv=()
	fi
	podman_remove_cni_chains

	if [ -n "$podman_ip_forward" ]; then
		sysctl -qw net.ipv4.ip_forward="$podman_ip_forward"
		podman_ip_forward=""
	fi

	rm -rf "/var/lib/cni/networks/$podman_net"
	if [ -n "$podman_new_cni_dir" ]; then
		rmdir /var/lib/cni/networks /var/lib/cni/results /var/lib/cni \
			2>/dev/null || true
	fi

	# conmon's cgroup and the containers' sit below the parent.
	for dir in /sys/fs/cgroup/*"$podman_cgroup" \
		/sys/fs/cgroup"$podman_cgroup"; do
		[ -d "$dir" ] || continue
		rmdir "$dir"/*/ "$dir" 2>/dev/null || true
	done

	# The overlay mounts of containers that podman rm could not remove.
	awk -v dir="$podman_dir/" 'index($2, dir) == 1 { print $2 }' \
		/proc/mounts | sort -r | while read -r mount; do
		umount "$mount" || true
	done
}
