#!/usr/bin/env bats
# From containers to images: commit, diff, export, history, image prune.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	berth_container_setup
}

teardown() {
	berth_container_teardown
}

# Print field $2 (a jq path) of image $1 as "berth inspect" shows it.
image_field() {
	"$BERTH" inspect --type image "$1" | jq -r ".[0]$2"
}

# Print the path of the top layer blob of the image named $1.
top_layer_blob() {
	local manifest layer

	manifest=$(jq -r --arg name "$1" '.manifests[] |
		select(.annotations["org.opencontainers.image.ref.name"] ==
		$name) | .digest' "$BERTH_ROOT/index.json")
	layer=$(jq -r '.layers[-1].digest' \
		"$BERTH_ROOT/blobs/sha256/${manifest#sha256:}")
	echo "$BERTH_ROOT/blobs/sha256/${layer#sha256:}"
}

# Make container "changed": a new file, a changed file, a removed file,
# a removed directory replaced by a file and a setuid file.
make_changed_container() {
	"$BERTH" run --name changed busybox sh -c '
		echo new >/new-file
		echo changed >>/etc/passwd
		rm /etc/group
		mkdir -p /opt/app && echo app >/opt/app/run
		chmod 4755 /opt/app/run
		rm -rf /home && echo file >/home
		rm /etc/os-release && mkdir /etc/os-release
		echo inside >/etc/os-release/inside
		ln /new-file /new-link
		ln -s /opt/app/run /usr/bin/app' >/dev/null
}

@test "commit makes an image that runs with the container's changes" {
	make_changed_container

	run "$BERTH" commit -m "my changes" -a "Tester <t@example.com>" \
		changed committed:v1
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
	id=${output#sha256:}

	run "$BERTH" run --rm committed:v1 sh -c '
		cat /new-file; tail -n 1 /etc/passwd; ls /etc/group 2>&1
		cat /opt/app/run; stat -c %a /opt/app/run; cat /home
		readlink /usr/bin/app; cat /etc/os-release/inside
		[ "$(stat -c %i /new-file)" = "$(stat -c %i /new-link)" ] &&
			echo linked'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = new ]
	[ "${lines[1]}" = changed ]
	[[ "${lines[2]}" == *"No such file"* ]]
	[ "${lines[3]}" = app ]
	[ "${lines[4]}" = 4755 ]
	[ "${lines[5]}" = file ]
	[ "${lines[6]}" = /opt/app/run ]
	[ "${lines[7]}" = inside ]
	[ "${lines[8]}" = linked ]

	[ "$(image_field committed:v1 .Id)" = "sha256:$id" ]
	[ "$(image_field committed:v1 '.RootFS.Layers | length')" = 2 ]
	[ "$(image_field committed:v1 '.History[-1].comment')" = \
		"my changes" ]
	[ "$(jq -r .author "$BERTH_ROOT/blobs/sha256/$id")" = \
		"Tester <t@example.com>" ]
}

@test "commit writes an OCI layer that GNU tar reads" {
	make_changed_container
	"$BERTH" commit changed oci:layer >/dev/null

	layer=$(top_layer_blob oci:layer)
	tar -tzvf "$layer" >"$BATS_TEST_TMPDIR/list"
	grep -q ' etc/\.wh\.group$' "$BATS_TEST_TMPDIR/list"
	grep -q ' etc/os-release/\.wh\.\.wh\.\.opq$' "$BATS_TEST_TMPDIR/list"
	grep -q ' new-link link to new-file$' "$BATS_TEST_TMPDIR/list"
	grep -q '^-rwsr-xr-x 0/0 .* opt/app/run$' "$BATS_TEST_TMPDIR/list"
	grep -q ' usr/bin/app -> /opt/app/run$' "$BATS_TEST_TMPDIR/list"
	# Mount targets made by the runtime stay out of the image.
	! grep -q ' etc/hosts$' "$BATS_TEST_TMPDIR/list"
	! grep -q ' etc/resolv.conf$' "$BATS_TEST_TMPDIR/list"
	# The diff_id is the digest of the uncompressed tar.
	diff_id=$(gzip -dc "$layer" | sha256sum | cut -d' ' -f1)
	[ "$(image_field oci:layer '.RootFS.Layers[-1]')" = "sha256:$diff_id" ]
}

@test "commit of a running container" {
	"$BERTH" run -d --name running busybox sleep 100 >/dev/null
	"$BERTH" exec running sh -c 'echo live >/live'

	"$BERTH" commit running snapshot >/dev/null
	[ "$(berth_inspect_field running .State.Status)" = running ]
	run "$BERTH" run --rm snapshot cat /live
	[ "$status" -eq 0 ]
	[ "$output" = live ]
}

@test "commit --change edits the config and keeps the rest" {
	"$BERTH" run --name c1 busybox sh -c 'echo hi >/greeting'

	"$BERTH" commit -c 'CMD ["cat", "/greeting"]' -c 'ENV GREETING=hello' \
		-c 'WORKDIR /srv' -c 'LABEL stage=test' -c 'EXPOSE 8080' \
		c1 greeter >/dev/null

	run "$BERTH" run --rm greeter
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	run "$BERTH" run --rm greeter sh -c 'echo $GREETING; pwd'
	[ "${lines[0]}" = hello ]
	[ "${lines[1]}" = /srv ]
	[ "$(image_field greeter '.Config.Labels.stage')" = test ]
	[ "$(image_field greeter '.Config.ExposedPorts | keys[0]')" = \
		8080/tcp ]
	# PATH came from busybox's config and stays.
	image_field greeter '.Config.Env[]' | grep -q '^PATH='
}

@test "commit rejects a bad change and leaves no image behind" {
	"$BERTH" run --name c2 busybox true
	before=$(ls "$BERTH_ROOT/blobs/sha256" | wc -l)

	run "$BERTH" commit -c 'RUN rm -rf /' c2 bad
	[ "$status" -eq 125 ]
	[[ "$output" == *"unsupported instruction 'RUN'"* ]]
	run "$BERTH" commit -c 'EXPOSE 99999' c2 bad
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid port '99999'"* ]]

	run "$BERTH" images -q bad
	[ -z "$output" ]
	[ "$(ls "$BERTH_ROOT/blobs/sha256" | wc -l)" = "$before" ]
}

@test "commit of an unknown container fails" {
	run "$BERTH" commit nosuchcontainer img
	[ "$status" -eq 125 ]
	[[ "$output" == *nosuchcontainer* ]]
}

@test "diff lists added, changed and deleted paths" {
	make_changed_container

	run "$BERTH" diff changed
	[ "$status" -eq 0 ]
	[[ "$output" == *"A /new-file"* ]]
	[[ "$output" == *"C /etc"* ]]
	[[ "$output" == *"C /etc/passwd"* ]]
	[[ "$output" == *"D /etc/group"* ]]
	[[ "$output" == *"A /opt"* ]]
	[[ "$output" == *"A /opt/app/run"* ]]
	[[ "$output" == *"A /usr/bin/app"* ]]
	# /home was a directory in the image and is a file now.
	[[ "$output" == *"C /home"* ]]
	[[ "$output" == *"C /etc/os-release"* ]]
	[[ "$output" == *"A /etc/os-release/inside"* ]]
	# Sorted by path, like docker.
	[ "$output" = "$(printf '%s\n' "$output" | LC_ALL=C sort -k2)" ]
}

@test "diff of an unchanged container prints nothing" {
	"$BERTH" create --name idle busybox true >/dev/null
	run "$BERTH" diff idle
	[ "$status" -eq 0 ]
	[ -z "$output" ]

	# The mount targets of /etc/hosts and /etc/resolv.conf are no change.
	"$BERTH" start idle >/dev/null
	"$BERTH" wait idle >/dev/null
	[ -e "$BERTH_ROOT/containers/$(berth_inspect_field idle .Id)/upper/etc/hosts" ]
	run "$BERTH" diff idle
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "runtime mount points are no change of a minimal image" {
	# An image of /bin/busybox alone: the runtime creates /etc, /proc,
	# /sys, /dev and the /etc files it mounts in the upper dir.
	mkdir -p "$BATS_TEST_TMPDIR/mini"
	tar -C "$BATS_TEST_TMPDIR/mini" -xf "$(berth_busybox_tarball)" \
		./bin/busybox
	tar -C "$BATS_TEST_TMPDIR/mini" -cf "$BATS_TEST_TMPDIR/mini.tar" bin
	"$BERTH" import "$BATS_TEST_TMPDIR/mini.tar" mini >/dev/null
	"$BERTH" run --name m mini /bin/busybox sh -c 'echo x >/x'
	[ -d "$BERTH_ROOT/containers/$(berth_inspect_field m .Id)/upper/proc" ]

	run "$BERTH" diff m
	[ "$status" -eq 0 ]
	[ "$output" = "A /x" ]

	"$BERTH" commit m mini:changed >/dev/null
	run "$BERTH" run --rm mini:changed /bin/busybox cat /x
	[ "$output" = x ]
	[ "$(image_field mini:changed '.RootFS.Layers | length')" = 2 ]
	run tar -tzf "$(top_layer_blob mini:changed)"
	[ "$output" = x ]
}

@test "export writes the merged file system as a tar" {
	make_changed_container

	"$BERTH" export -o "$BATS_TEST_TMPDIR/fs.tar" changed
	tar -tf "$BATS_TEST_TMPDIR/fs.tar" >"$BATS_TEST_TMPDIR/list"
	grep -qx 'new-file' "$BATS_TEST_TMPDIR/list"
	grep -qx 'bin/busybox' "$BATS_TEST_TMPDIR/list"
	grep -qx 'opt/app/run' "$BATS_TEST_TMPDIR/list"
	! grep -qx 'etc/group' "$BATS_TEST_TMPDIR/list"
	! grep -q '\.wh\.' "$BATS_TEST_TMPDIR/list"
	[ "$(tar -xOf "$BATS_TEST_TMPDIR/fs.tar" new-file)" = new ]
	tar -tvf "$BATS_TEST_TMPDIR/fs.tar" opt/app/run | grep -q '^-rwsr-xr-x'
	# The stopped container's overlay was mounted only for the export.
	[ -z "$(berth_store_mounts)" ]

	# To a pipe, and re-imported as an image.
	"$BERTH" export changed | "$BERTH" import - reimported >/dev/null
	run "$BERTH" run --rm reimported cat /new-file
	[ "$output" = new ]
}

@test "export of a running container keeps its mount" {
	"$BERTH" run -d --name live busybox sh -c 'echo up >/up; sleep 100' \
		>/dev/null
	for _ in $(seq 50); do
		"$BERTH" export live | tar -t | grep -qx up && break
		sleep 0.1
	done
	"$BERTH" export live | tar -t | grep -qx up
	[ "$(berth_inspect_field live .State.Status)" = running ]
	"$BERTH" exec live true
}

@test "export refuses to write to a terminal or a bad file" {
	"$BERTH" create --name e1 busybox true >/dev/null
	run "$BERTH" export -o /nonexistent-dir/fs.tar e1
	[ "$status" -eq 125 ]
	[[ "$output" == *"/nonexistent-dir/fs.tar"* ]]
	[ ! -e /nonexistent-dir ]

	run -125 script -qec "$BERTH export e1" /dev/null
	[[ "$output" == *"refusing to write a tar archive to a terminal"* ]]
	run -125 script -qec "$BERTH export -o /dev/tty e1" /dev/null
	[[ "$output" == *"output '/dev/tty': refusing to write an archive to a terminal"* ]]
}

@test "export writes a device in place, never into the store" {
	"$BERTH" create --name e2 busybox true >/dev/null
	cd "$BATS_TEST_TMPDIR"

	# Replacing the device node with a regular file would break it.
	mknod null c 1 3
	"$BERTH" export -o null e2
	[ -c null ]

	run -125 "$BERTH" export -o "$BERTH_ROOT/fs.tar" e2
	[[ "$output" == *"is inside the berth root"* ]]
	[ ! -e "$BERTH_ROOT/fs.tar" ]
	run ls "$BERTH_ROOT"
	[[ "$output" != *fs.tar* ]]
}

@test "history shows each step, newest first" {
	"$BERTH" run --name h1 busybox sh -c 'echo x >/x'
	"$BERTH" commit -m "step two" -c 'CMD ["sh"]' h1 hist:1 >/dev/null

	run "$BERTH" history hist:1
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == IMAGE*CREATED*"CREATED BY"*SIZE*COMMENT ]]
	[ "${#lines[@]}" -eq 3 ]
	short=$(image_field hist:1 .Id | cut -c8-19)
	[[ "${lines[1]}" == "$short "*"step two" ]]
	[[ "${lines[1]}" == *"sh -c echo x >/x"* ]]
	[[ "${lines[2]}" == "<missing> "*"berth import"* ]]

	run "$BERTH" history -q hist:1
	[ "${lines[0]}" = "$short" ]
	[ "${lines[1]}" = "<missing>" ]

	run "$BERTH" history --no-trunc hist:1
	[[ "${lines[1]}" == "$(image_field hist:1 .Id) "* ]]

	run "$BERTH" history --format json hist:1
	[ "$(echo "${lines[0]}" | jq -r .Comment)" = "step two" ]
	[ "$(echo "${lines[1]}" | jq -r .ID)" = "<missing>" ]
	[ "$(echo "${lines[0]}" | jq -r .SizeBytes)" -gt 0 ]

	run "$BERTH" image history -q hist:1
	[ "${lines[0]}" = "$short" ]
}

@test "image prune removes unnamed images only, -a all unused ones" {
	"$BERTH" run --name p1 busybox sh -c 'echo 1 >/one'
	"$BERTH" commit p1 prune:a >/dev/null
	dangling=$("$BERTH" commit p1)
	dangling=${dangling#sha256:}
	# Moving the name leaves the first image unnamed too.
	"$BERTH" commit p1 prune:a >/dev/null

	run "$BERTH" image prune -f
	[ "$status" -eq 0 ]
	[[ "$output" == *"deleted: sha256:$dangling"* ]]
	[[ "$output" == *"Total reclaimed space:"* ]]
	[ "$(grep -c '^deleted:' <<<"$output")" -eq 2 ]
	run "$BERTH" images -q
	[ "${#lines[@]}" -eq 2 ]

	# busybox is in use by p1; prune:a is not.
	run "$BERTH" image prune -a -f
	[ "$status" -eq 0 ]
	[[ "$output" == *"untagged: prune:a"* ]]
	run "$BERTH" images --format json
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *busybox* ]]

	# Without -f it asks, and "n" keeps everything.
	"$BERTH" rm p1 >/dev/null
	run "$BERTH" image prune -a <<<"n"
	[ "$status" -eq 0 ]
	run "$BERTH" images -q
	[ "${#lines[@]}" -eq 1 ]
}

@test "image with an unknown sub-command fails" {
	run "$BERTH" image frobnicate
	[ "$status" -eq 125 ]
	[[ "$output" == *"unknown command 'frobnicate'"* ]]
}

@test "image save, load and import work as in docker" {
	"$BERTH" image save -o "$BATS_TEST_TMPDIR/bb.tar" busybox
	"$BERTH" rmi busybox >/dev/null
	run -0 "$BERTH" image load -i "$BATS_TEST_TMPDIR/bb.tar"
	[ "$output" = "Loaded image: busybox:latest" ]
	"$BERTH" image import "$(berth_busybox_tarball)" imported:1 >/dev/null
	run -0 "$BERTH" image ls -q imported
	[ -n "$output" ]
	run -0 "$BERTH" image --help
	for sub in build load pull push save; do
		[[ "$output" == *"  $sub "* ]]
	done
}
