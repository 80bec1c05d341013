#!/usr/bin/env bats
# Image commands: import, images, tag, rmi, and the store read by skopeo
# and umoci as an OCI image layout.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	berth_test_store
	TARBALL=$(berth_busybox_tarball)
}

# Undo what the full-disk and failed-commit tests set up, even when they
# fail halfway.
teardown() {
	chattr -i "$BERTH_ROOT" 2>/dev/null || true
	if mountpoint -q "$BATS_TEST_TMPDIR/small"; then
		umount "$BATS_TEST_TMPDIR/small"
	fi
}

# Print the number of files in the store directory $1.
count_files() {
	find "$BERTH_ROOT/$1" -mindepth 1 -maxdepth 1 | wc -l
}

# Print the index.json names, one per line.
index_names() {
	jq -r '.manifests[].annotations["org.opencontainers.image.ref.name"]
		// empty' "$BERTH_ROOT/index.json"
}

@test "import plain tarball from a file" {
	run -0 "$BERTH" import "$TARBALL" busybox:plain
	[[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
	id=${output#sha256:}

	run -0 "$BERTH" images
	[[ "${lines[0]}" =~ ^REPOSITORY\ +TAG\ +IMAGE\ ID\ +CREATED\ +SIZE$ ]]
	[[ "${lines[1]}" =~ ^busybox\ +plain\ +${id:0:12}\ +.*ago\ +[0-9.]+[kM]B$ ]]
	[ -e "$BERTH_ROOT/oci-layout" ]
	[ "$(index_names)" = "busybox:plain" ]
}

@test "import gzip tarball from stdin" {
	gzip -c "$TARBALL" >"$BATS_TEST_TMPDIR/bb.tar.gz"
	run -0 "$BERTH" import - busybox:gz <"$BATS_TEST_TMPDIR/bb.tar.gz"
	id=${output#sha256:}

	# The gzip input is kept byte for byte as the layer blob.
	layer=$(jq -r '.layers[0].digest' \
		"$BERTH_ROOT/blobs/sha256/$(jq -r '.manifests[0].digest' \
			"$BERTH_ROOT/index.json" | cut -d: -f2)")
	[ "$layer" = "sha256:$(sha256sum <"$BATS_TEST_TMPDIR/bb.tar.gz" |
		cut -d' ' -f1)" ]

	# The diff_id is the digest of the uncompressed tar.
	diff_id=$(jq -r '.rootfs.diff_ids[0]' "$BERTH_ROOT/blobs/sha256/$id")
	[ "$diff_id" = "sha256:$(sha256sum <"$TARBALL" | cut -d' ' -f1)" ]
	[ -x "$BERTH_ROOT/layers/${diff_id#sha256:}/bin/busybox" ]
}

@test "import zstd tarball from a file and from stdin" {
	zstd -q -c "$TARBALL" >"$BATS_TEST_TMPDIR/bb.tar.zst"
	run -0 "$BERTH" import "$BATS_TEST_TMPDIR/bb.tar.zst" busybox:zst
	run -0 "$BERTH" import - busybox:zst2 <"$BATS_TEST_TMPDIR/bb.tar.zst"
	run -0 "$BERTH" import "$TARBALL" busybox:plain

	# Plain and zstd input give the same layer, stored once.
	[ "$(count_files layers)" -eq 1 ]
	run -0 "$BERTH" images --format json
	[ "${#lines[@]}" -eq 3 ]
	[ "$(printf '%s\n' "${lines[@]}" | jq -r .Tag | sort | tr '\n' ' ')" \
		= "plain zst zst2 " ]
}

@test "import without a name lists the image as none" {
	run -0 "$BERTH" import "$TARBALL"
	id=${output#sha256:}

	run -0 "$BERTH" images
	[[ "${lines[1]}" =~ ^\<none\>\ +\<none\>\ +${id:0:12}\  ]]
	run -0 "$BERTH" rmi "${id:0:12}"
	[ "$output" = "Deleted: sha256:$id" ]
}

@test "parallel imports both land in the index" {
	"$BERTH" import "$TARBALL" one >"$BATS_TEST_TMPDIR/one.out" &
	first=$!
	"$BERTH" import - two <"$TARBALL" >"$BATS_TEST_TMPDIR/two.out" &
	second=$!
	wait "$first"
	wait "$second"

	[ "$(index_names | sort | tr '\n' ' ')" = "one:latest two:latest " ]
	[ "$(count_files layers)" -eq 1 ]
	[ "$(count_files tmp)" -eq 0 ]
}

@test "images quiet, no-trunc and json" {
	"$BERTH" import "$TARBALL" busybox >/dev/null
	run -0 "$BERTH" import "$TARBALL" other:1
	id=${output#sha256:}

	run -0 "$BERTH" images -q
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "${id:0:12}" ]

	run -0 "$BERTH" images --quiet --no-trunc
	[ "${lines[0]}" = "sha256:$id" ]

	run -0 "$BERTH" images --format json
	[ "$(echo "${lines[0]}" | jq -r .Repository)" = other ]
	[ "$(echo "${lines[0]}" | jq -r .Tag)" = 1 ]
	[ "$(echo "${lines[0]}" | jq -r .ID)" = "${id:0:12}" ]

	run -0 "$BERTH" images other
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[1]}" =~ ^other\ +1\  ]]
	run -0 "$BERTH" images -q busybox:latest
	[ "${#lines[@]}" -eq 1 ]
	[ "${lines[0]}" != "${id:0:12}" ]
	run -0 "$BERTH" images -q nothing
	[ -z "$output" ]

	run -125 "$BERTH" images --format yaml
	[[ "$output" == *"invalid format 'yaml'"* ]]
}

@test "tag adds a name and moves an existing one" {
	run -0 "$BERTH" import "$TARBALL" app:v1
	first=${output#sha256:}
	run -0 "$BERTH" tag app:v1 localhost:5000/team/app:stable
	run -0 "$BERTH" images --format json
	[ "$(printf '%s\n' "${lines[@]}" | jq -r .ID | sort -u)" = \
		"${first:0:12}" ]

	run -0 "$BERTH" import "$TARBALL" app:v2
	second=${output#sha256:}
	run -0 "$BERTH" tag "${second:0:8}" app:v1
	run -0 "$BERTH" images --format json
	[ "$(printf '%s\n' "${lines[@]}" |
		jq -r 'select(.Tag == "v1") | .ID')" = "${second:0:12}" ]

	run -125 "$BERTH" tag app:v1 Bad/Name
	[[ "$output" == *"invalid reference format 'Bad/Name': repository name must be lowercase"* ]]
	run -125 "$BERTH" tag nothing:here app:v3
	[[ "$output" == *"image 'nothing:here' not found"* ]]
}

@test "rmi by name untags, last name deletes blobs and layers" {
	run -0 "$BERTH" import "$TARBALL" app:v1
	id=${output#sha256:}
	"$BERTH" tag app:v1 app:v2

	run -0 "$BERTH" rmi app:v1
	[ "$output" = "Untagged: app:v1" ]
	[ "$(index_names)" = "app:v2" ]

	run -0 "$BERTH" rmi app:v2
	[ "${lines[0]}" = "Untagged: app:v2" ]
	[ "${lines[1]}" = "Deleted: sha256:$id" ]
	[ "$(count_files blobs/sha256)" -eq 0 ]
	[ "$(count_files layers)" -eq 0 ]
	[ "$(jq '.manifests | length' "$BERTH_ROOT/index.json")" -eq 0 ]
}

@test "rmi by id needs -f when the image has several names" {
	run -0 "$BERTH" import "$TARBALL" app:v1
	id=${output#sha256:}
	"$BERTH" tag app:v1 app:v2

	run -125 "$BERTH" rmi "${id:0:12}"
	[[ "$output" == *"has several names (app:v1, app:v2)"* ]]

	run -0 "$BERTH" rmi -f "${id:0:12}"
	[ "${lines[0]}" = "Untagged: app:v1" ]
	[ "${lines[1]}" = "Untagged: app:v2" ]
	[ "${lines[2]}" = "Deleted: sha256:$id" ]
	[ "$(count_files blobs/sha256)" -eq 0 ]
}

@test "rmi keeps an image that a container uses" {
	run -0 "$BERTH" import "$TARBALL" app
	id=${output#sha256:}
	mkdir -p "$BERTH_ROOT/containers/c0ffee"
	printf '{"image_id": "%s"}\n' "$id" \
		>"$BERTH_ROOT/containers/c0ffee/container.json"

	run -125 "$BERTH" rmi app
	[[ "$output" == *"image 'app' is used by container 'c0ffee'"* ]]
	[ "$(index_names)" = "app:latest" ]

	rm -r "$BERTH_ROOT/containers/c0ffee"
	run -0 "$BERTH" rmi app
}

@test "rmi of unknown or invalid images fails with 125" {
	run -0 "$BERTH" import "$TARBALL" app
	run -125 "$BERTH" rmi nothing
	[[ "$output" == *"image 'nothing' not found"* ]]
	run -125 "$BERTH" rmi UPPER
	[[ "$output" == *"invalid reference format 'UPPER': repository name must be lowercase"* ]]

	# One bad name does not stop the others.
	run -125 "$BERTH" rmi nothing app
	[[ "$output" == *"Deleted: sha256:"* ]]
}

@test "skopeo reads the store as an OCI layout" {
	run -0 "$BERTH" import "$TARBALL" debian:bookworm
	id=${output#sha256:}

	run -0 skopeo inspect "oci:$BERTH_ROOT:debian:bookworm"
	[ "$(echo "$output" | jq -r .Architecture)" = amd64 ]
	[ "$(echo "$output" | jq -r .Os)" = linux ]
	[ "$(echo "$output" | jq '.Layers | length')" -eq 1 ]

	run -0 skopeo inspect --config "oci:$BERTH_ROOT:debian:bookworm"
	[ "$(echo "$output" | jq -r '.history[0].created_by')" = \
		"berth import $TARBALL" ]
}

@test "umoci lists and unpacks an image from the store" {
	"$BERTH" import "$TARBALL" busybox:latest >/dev/null
	"$BERTH" tag busybox:latest busybox:copy

	run -0 umoci ls --layout "$BERTH_ROOT"
	[ "$(echo "$output" | sort | tr '\n' ' ')" = \
		"busybox:copy busybox:latest " ]

	run -0 umoci unpack --image "$BERTH_ROOT:busybox:latest" \
		"$BATS_TEST_TMPDIR/bundle"
	[ -x "$BATS_TEST_TMPDIR/bundle/rootfs/bin/busybox" ]
	[ -f "$BATS_TEST_TMPDIR/bundle/config.json" ]
}

@test "import of a tar with a .. entry fails and leaves nothing" {
	"$BERTH" import "$TARBALL" good >/dev/null
	blobs=$(count_files blobs/sha256)
	python3 - "$BATS_TEST_TMPDIR/bad.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    for name in ("ok", "../escaped", "../../escaped"):
        info = tarfile.TarInfo(name)
        info.size = 1
        t.addfile(info, io.BytesIO(b"x"))
PY
	run -125 "$BERTH" import "$BATS_TEST_TMPDIR/bad.tar" bad
	[[ "$output" == *"layer entry '../escaped' points outside the layer"* ]]

	[ "$(index_names)" = "good:latest" ]
	[ "$(count_files blobs/sha256)" -eq "$blobs" ]
	[ "$(count_files layers)" -eq 1 ]
	[ "$(count_files tmp)" -eq 0 ]
	[ ! -e "$BERTH_ROOT/layers/escaped" ]
	[ ! -e "$BERTH_ROOT/escaped" ]
}

@test "import of a tar writing through a symlink fails" {
	python3 - "$BATS_TEST_TMPDIR/bad.tar" "$BATS_TEST_TMPDIR/outside" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    link = tarfile.TarInfo("etc")
    link.type = tarfile.SYMTYPE
    link.linkname = sys.argv[2]
    t.addfile(link)
    info = tarfile.TarInfo("etc/passwd")
    info.size = 1
    t.addfile(info, io.BytesIO(b"x"))
PY
	mkdir "$BATS_TEST_TMPDIR/outside"
	run -125 "$BERTH" import "$BATS_TEST_TMPDIR/bad.tar" bad
	[[ "$output" == *"layer entry 'etc/passwd'"* ]]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/outside")" ]
	[ "$(jq '.manifests | length' "$BERTH_ROOT/index.json")" -eq 0 ]
	[ "$(count_files blobs/sha256)" -eq 0 ]
}

@test "import rejects invalid names, missing files and garbage" {
	run -125 "$BERTH" import "$TARBALL" Foo
	[[ "$output" == *"invalid reference format 'Foo': repository name must be lowercase"* ]]
	run -125 "$BERTH" import "$TARBALL" 'app:bad tag'
	[[ "$output" == *"tag may contain only"* ]]
	run -125 "$BERTH" import "$BATS_TEST_TMPDIR/missing.tar" app
	[[ "$output" == *"open '$BATS_TEST_TMPDIR/missing.tar'"* ]]

	head -c 5000 /dev/urandom | gzip -c >"$BATS_TEST_TMPDIR/junk.gz"
	run -125 "$BERTH" import "$BATS_TEST_TMPDIR/junk.gz" app
	[ "$(count_files blobs/sha256)" -eq 0 ]
	[ "$(count_files tmp)" -eq 0 ]
}

@test "rmi -f removes a damaged image" {
	"$BERTH" import "$TARBALL" good >/dev/null
	blobs=$(count_files blobs/sha256)
	"$BERTH" import - bad <"$TARBALL" >/dev/null
	manifest=$(jq -r '.manifests[] | select(.annotations[
		"org.opencontainers.image.ref.name"] == "bad:latest") | .digest' \
		"$BERTH_ROOT/index.json")
	echo junk >>"$BERTH_ROOT/blobs/sha256/${manifest#sha256:}"

	run -0 "$BERTH" images
	[[ "$output" == *"image 'bad:latest' is damaged (remove it with 'berth rmi -f bad:latest')"* ]]
	run -125 "$BERTH" rmi bad
	[[ "$output" == *"image 'bad' is damaged (remove it with 'berth rmi -f bad')"* ]]
	[[ "$output" == *"is corrupt"* ]]

	run -0 "$BERTH" rmi -f bad
	[ "$output" = "Untagged: bad:latest" ]
	[ "$(index_names)" = "good:latest" ]
	[ "$(count_files blobs/sha256)" -eq "$blobs" ]
	[ "$(count_files layers)" -eq 1 ]
}

@test "damaged index.json names file and fix" {
	"$BERTH" import "$TARBALL" good >/dev/null
	head -c 40 "$BERTH_ROOT/index.json" >"$BATS_TEST_TMPDIR/cut"
	cp "$BATS_TEST_TMPDIR/cut" "$BERTH_ROOT/index.json"

	for cmd in images "rmi good" "tag good other" "import $TARBALL new"; do
		run -125 "$BERTH" $cmd
		[[ "$output" == *"invalid JSON in '$BERTH_ROOT/index.json'"* ]]
		[[ "$output" == *"repair the file, or move it away"* ]]
	done

	echo '{"schemaVersion": 2, "manifests": [{"annotations":
		{"org.opencontainers.image.ref.name": "app:latest"}}]}' \
		>"$BERTH_ROOT/index.json"
	run -0 "$BERTH" import "$TARBALL" app
	[ "$(index_names)" = "app:latest" ]
}

@test "names that look like ids rejected" {
	run -0 "$BERTH" import "$TARBALL" app
	id=${output#sha256:}
	run -125 "$BERTH" tag app "$id"
	[[ "$output" == *"64 hex digits are an image id"* ]]
	run -125 "$BERTH" tag app "sha256:v1"
	[[ "$output" == *"'sha256:' starts an image id"* ]]

	run -0 "$BERTH" tag app other
	run -0 "$BERTH" rmi -f "$id"
	[[ "$output" == *"Deleted: sha256:$id"* ]]
}

@test "failed naming leaves no blobs" {
	"$BERTH" import "$TARBALL" good >/dev/null
	blobs=$(count_files blobs/sha256)
	python3 - "$BATS_TEST_TMPDIR/other.tar" <<'PY2'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    info = tarfile.TarInfo("other")
    info.size = 5
    t.addfile(info, io.BytesIO(b"other"))
PY2
	# index.json cannot be replaced, but blobs and layers can be written.
	chattr +i "$BERTH_ROOT"
	run -125 "$BERTH" import "$BATS_TEST_TMPDIR/other.tar" other
	chattr -i "$BERTH_ROOT"
	[[ "$output" == *"import '$BATS_TEST_TMPDIR/other.tar'"* ]]

	[ "$(index_names)" = "good:latest" ]
	[ "$(count_files blobs/sha256)" -eq "$blobs" ]
	[ "$(count_files layers)" -eq 1 ]
	[ "$(count_files tmp)" -eq 0 ]
}

@test "import into full store cleans up" {
	mkdir "$BATS_TEST_TMPDIR/small"
	mount -t tmpfs -o size=4m tmpfs "$BATS_TEST_TMPDIR/small"
	export BERTH_ROOT=$BATS_TEST_TMPDIR/small/root
	head -c 3000000 /dev/urandom >"$BATS_TEST_TMPDIR/big"
	tar -cf "$BATS_TEST_TMPDIR/big.tar" -C "$BATS_TEST_TMPDIR" big

	run -125 "$BERTH" import "$BATS_TEST_TMPDIR/big.tar" big
	[[ "$output" == *"No space left on device"* ]]
	[ "$(count_files blobs/sha256)" -eq 0 ]
	[ "$(count_files layers)" -eq 0 ]
	[ "$(count_files tmp)" -eq 0 ]

	run -0 "$BERTH" images
	[ "${#lines[@]}" -eq 1 ]
}

@test "deep layer tree removed with few descriptors" {
	# 2000 nested directories, within PATH_MAX, deeper than 256 fds.
	python3 - "$BATS_TEST_TMPDIR/deep.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    info = tarfile.TarInfo("d/" * 2000 + "f")
    info.size = 1
    t.addfile(info, io.BytesIO(b"x"))
PY
	run -0 "$BERTH" import "$BATS_TEST_TMPDIR/deep.tar" deep
	[ "$(count_files layers)" -eq 1 ]

	run -0 bash -c 'ulimit -n 256 && exec "$BERTH" rmi deep'
	[[ "$output" == *"Deleted: sha256:"* ]]
	[[ "$output" != *"warning"* ]]
	[ "$(count_files layers)" -eq 0 ]
	[ "$(count_files blobs/sha256)" -eq 0 ]
}

@test "rmi killed during cleanup leaves no partial layer" {
	command -v strace >/dev/null || skip "strace is not installed"
	python3 - "$BATS_TEST_TMPDIR/tree.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    for i in range(200):
        info = tarfile.TarInfo(f"d{i % 10}/f{i}")
        info.size = 1
        t.addfile(info, io.BytesIO(b"x"))
PY
	"$BERTH" import "$BATS_TEST_TMPDIR/tree.tar" tree >/dev/null

	# SIGKILL at the 50th unlinkat, in the middle of the layer removal.
	run strace -o /dev/null -e trace=unlinkat \
		-e inject=unlinkat:signal=KILL:when=50 "$BERTH" rmi tree
	[ "$status" -ne 0 ]
	[ -z "$(ls "$BERTH_ROOT/layers")" ]

	# The next open removes the rest, and the layer comes back whole.
	"$BERTH" import "$BATS_TEST_TMPDIR/tree.tar" tree >/dev/null
	[ "$(find "$BERTH_ROOT/layers" -type f | wc -l)" -eq 200 ]
	[ "$(count_files layers)" -eq 1 ]
}
