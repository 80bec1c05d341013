# Shared setup for the system tests; load it with "load helpers".
#
# tests/run-all exports BERTH and BERTH_RUNTIME (absolute paths of the
# binaries under test, also first on PATH), TMPDIR (a directory that it
# removes afterwards) and BERTH_TEST_BUSYBOX_TARBALL. When a .bats file
# runs on its own, the defaults below use the normal build in build/.
#
# Add new helpers below the existing ones.

BERTH_SOURCE_DIR=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
: "${BERTH:=$BERTH_SOURCE_DIR/build/src/cli/berth}"
: "${BERTH_RUNTIME:=$BERTH_SOURCE_DIR/build/src/cli/berth-runtime}"
export BERTH BERTH_RUNTIME

# Give the current test its own image store and runtime state directory,
# inside the test's temporary directory that bats removes afterwards.
berth_test_store() {
	export BERTH_ROOT=$BATS_TEST_TMPDIR/root
	export BERTH_RUNROOT=$BATS_TEST_TMPDIR/run
	mkdir -p "$BERTH_ROOT" "$BERTH_RUNROOT"
}

# Print the path of the busybox root file system tarball, building it
# when run-all did not provide one.
berth_busybox_tarball() {
	if [ -n "${BERTH_TEST_BUSYBOX_TARBALL:-}" ]; then
		echo "$BERTH_TEST_BUSYBOX_TARBALL"
	else
		"$BERTH_SOURCE_DIR/scripts/busybox-image" --tarball-only
	fi
}

# Import the busybox test image as busybox:latest into the current store.
berth_import_busybox() {
	local tarball

	tarball=$(berth_busybox_tarball) || return 1
	"$BERTH" import "$tarball" busybox:latest >/dev/null
}

# Make an OCI bundle in directory $1: a rootfs of /bin/busybox with its
# applet links and the config.json of "berth-runtime spec", edited for
# tests: no terminal, the cgroup "berth-test-$2" (so tests/run-all finds
# leftovers) and the command given as the remaining arguments.
berth_runtime_bundle() {
	local dir=$1 name=$2 args
	shift 2

	mkdir -p "$dir/rootfs/bin" "$dir/rootfs/tmp"
	cp /bin/busybox "$dir/rootfs/bin/busybox"
	chroot "$dir/rootfs" /bin/busybox --install -s /bin
	(cd "$dir" && "$BERTH_RUNTIME" spec) || return 1

	args=$(printf '%s\n' "$@" | jq -R . | jq -s .)
	berth_runtime_config "$dir" \
		--arg cg "berth-test-$name" --argjson args "$args" \
		'.process.terminal = false | .process.args = $args
		| .linux.cgroupsPath = $cg | .root.readonly = false'
}

# Edit the config.json of bundle $1 with the jq arguments that follow.
berth_runtime_config() {
	local dir=$1
	shift

	jq "$@" "$dir/config.json" >"$dir/config.json.new" &&
		mv "$dir/config.json.new" "$dir/config.json"
}

# --- containers (berth run, ps, logs, exec, ...) ---

# Set up a store with busybox:latest for a container test. Its
# containers get their cgroups below a parent of their own, named
# berth-test-* so that tests/run-all finds any left behind.
berth_container_setup() {
	berth_test_store
	export BERTH_CGROUP_PARENT=/berth-test-engine-$$-${BATS_SUITE_TEST_NUMBER:-0}
	berth_import_busybox
}

# Print the cgroup directories below the test's cgroup parent, or only
# those of container $1.
berth_container_cgroups() {
	find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d \
		-path "*$BERTH_CGROUP_PARENT/${1:-*}" 2>/dev/null
}

# Print the cgroup file $2 (such as memory/memory.limit_in_bytes, a v1
# controller and its file) of container $1.
berth_container_cgroup_file() {
	echo "/sys/fs/cgroup/$(dirname "$2")$BERTH_CGROUP_PARENT/$1/$(basename "$2")"
}

# Print the mounts below the current store.
berth_store_mounts() {
	awk -v dir="$BERTH_ROOT/" 'index($5, dir) == 1 { print $5 }' \
		/proc/self/mountinfo
}

# Force-remove every container of the current store, then fail when a
# mount, cgroup or runtime state of any of them remains.
berth_container_teardown() {
	local ids id dir left=""

	ids=$("$BERTH" ps -aq --no-trunc 2>/dev/null)
	for id in $ids; do
		"$BERTH" rm -f "$id" >/dev/null 2>&1 ||
			echo "# rm -f $id failed" >&3
	done

	left+=$(berth_container_cgroups)
	left+=$(berth_store_mounts)
	if [ -n "$left" ]; then
		echo "# left behind: $left" >&3
		return 1
	fi

	# The runtime leaves the empty parent cgroups.
	for dir in /sys/fs/cgroup/*"$BERTH_CGROUP_PARENT" \
		/sys/fs/cgroup"$BERTH_CGROUP_PARENT"; do
		[ -d "$dir" ] && rmdir "$dir"
	done
	return 0
}

# Check that the store has no container, mount or runtime state left.
berth_assert_store_clean() {
	local ids mounts

	ids=$("$BERTH" ps -aq)
	[ -z "$ids" ] || { echo "containers left: $ids"; return 1; }
	mounts=$(berth_store_mounts)
	[ -z "$mounts" ] || { echo "mounts left: $mounts"; return 1; }
	if [ -d "$BERTH_ROOT/containers" ] &&
		[ -n "$(ls -A "$BERTH_ROOT/containers")" ]; then
		echo "container directories left:" \
			"$(ls -A "$BERTH_ROOT/containers")"
		return 1
	fi
	if [ -d "$BERTH_RUNROOT/runtime" ] &&
		[ -n "$(ls -A "$BERTH_RUNROOT/runtime")" ]; then
		echo "runtime state left: $(ls -A "$BERTH_RUNROOT/runtime")"
		return 1
	fi
	if [ -n "$(berth_container_cgroups)" ]; then
		echo "cgroups left: $(berth_container_cgroups)"
		return 1
	fi
}

# Print field $2 (a jq path such as .State.ExitCode) of container $1.
berth_inspect_field() {
	"$BERTH" inspect --type container "$1" | jq -r ".[0]$2"
}

# Wait until container $1 has status $2 (created, running, exited).
berth_wait_status() {
	local i

	for i in $(seq 1 100); do
		[ "$(berth_inspect_field "$1" .State.Status)" = "$2" ] &&
			return 0
		sleep 0.1
	done
	echo "container $1 did not reach status $2" >&2
	return 1
}
