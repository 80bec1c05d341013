#!/usr/bin/env bats
# berth save and load: docker-archive and oci-archive, hostile archives,
# and the same archives read and written by podman, skopeo, umoci and
# oci-image-tool.

load helpers
load lib/archive

bats_require_minimum_version 1.5.0

setup() {
	berth_container_setup
	IMAGE_ID=$("$BERTH" images -q --no-trunc busybox:latest)
	IMAGE_ID=${IMAGE_ID#sha256:}
}

teardown() {
	if [ -n "${PODMAN_RUNROOT:-}" ]; then
		podman_cmd rm -af >/dev/null 2>&1 || true
		podman_cmd rmi -af >/dev/null 2>&1 || true
		rm -rf "$PODMAN_RUNROOT"
	fi
	berth_container_teardown
}

# Run podman with its whole state under the test's temp directories.
# The runtime is runc and run sets rlimits because podman's defaults
# (crun, which rejects the cgroup v1 hybrid layout, and nproc and nofile
# limits above the host's) fail on some hosts.
podman_cmd() {
	podman --root "$BATS_TEST_TMPDIR/podman-root" \
		--runroot "$PODMAN_RUNROOT" \
		--storage-driver vfs --cgroup-manager cgroupfs \
		--events-backend file --runtime runc "$@"
}

# Give podman a runroot of its own. podman rejects a runroot path longer
# than 50 characters, so it lives directly in TMPDIR, not in the test's
# directory.
podman_setup() {
	PODMAN_RUNROOT=$(mktemp -d "${TMPDIR:-/tmp}/podman.XXXXXX")
}

@test "save docker-archive writes manifest.json and layer tars" {
	run -0 "$BERTH" save -o "$BATS_TEST_TMPDIR/bb.tar" busybox
	[ -z "$output" ]

	cd "$BATS_TEST_TMPDIR"
	mkdir x && tar -C x -xf bb.tar
	run -0 jq -c '.[0].RepoTags' x/manifest.json
	[ "$output" = '["busybox:latest"]' ]
	run -0 jq -r '.[0].Config' x/manifest.json
	[ "$output" = "$IMAGE_ID.json" ]
	[ "$(sha256sum <x/"$IMAGE_ID".json | cut -d' ' -f1)" = "$IMAGE_ID" ]

	# Layers are uncompressed tars whose digests are the diff_ids.
	layer=$(jq -r '.[0].Layers[0]' x/manifest.json)
	diff_id=$(jq -r '.rootfs.diff_ids[0]' x/"$IMAGE_ID".json)
	[ "$layer" = "${diff_id#sha256:}/layer.tar" ]
	[ "sha256:$(sha256sum <x/"$layer" | cut -d' ' -f1)" = "$diff_id" ]
	tar -tf x/"$layer" | grep -Eqx '(\./)?bin/busybox'

	run -0 jq -r '.busybox.latest' x/repositories
	[ "$output" = "${diff_id#sha256:}" ]

	# No temp file is left next to the output.
	[ "$(ls "$BATS_TEST_TMPDIR" | grep -c 'bb.tar')" -eq 1 ]
}

@test "save oci-archive writes a valid OCI image layout" {
	run -0 "$BERTH" save --format oci-archive -o "$BATS_TEST_TMPDIR/bb.tar" \
		busybox:latest
	cd "$BATS_TEST_TMPDIR"
	mkdir x && tar -C x -xf bb.tar

	run -0 jq -r '.imageLayoutVersion' x/oci-layout
	[ "$output" = "1.0.0" ]
	run -0 jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' \
		x/index.json
	[ "$output" = "busybox:latest" ]

	# Every blob matches its name.
	for f in x/blobs/sha256/*; do
		[ "$(sha256sum <"$f" | cut -d' ' -f1)" = "$(basename "$f")" ]
	done

	run -0 oci-image-tool validate --type image --ref name=busybox:latest x
	run -0 oci-image-tool validate --type image "$BERTH_ROOT"
}

@test "save oci-dir writes a new layout directory" {
	cd "$BATS_TEST_TMPDIR"
	run -0 "$BERTH" save --format oci-dir -o layout busybox
	[ -z "$output" ]
	[ -z "$(ls | grep tmp-)" ]

	run -0 oci-image-tool validate --type image --ref name=busybox:latest \
		layout
	run -0 skopeo inspect --config oci:layout:busybox:latest
	[ "$(echo "$output" | jq -r '.rootfs.diff_ids[0]')" = \
		"$(jq -r '.rootfs.diff_ids[0]' "$BERTH_ROOT/blobs/sha256/$IMAGE_ID")" ]
	run -0 umoci unpack --image layout:busybox:latest bundle
	[ -x bundle/rootfs/bin/busybox ]

	run -125 "$BERTH" save --format oci-dir -o layout busybox
	[[ "$output" == *"output 'layout' already exists"* ]]
	run -125 "$BERTH" save --format oci-dir busybox
	[[ "$output" == *"--format oci-dir needs -o DIR"* ]]
	run -125 "$BERTH" save --format oci-dir -o new nosuch
	[ ! -e new ]
	[ -z "$(ls | grep tmp-)" ]
}

@test "save several images into one archive" {
	gzip -c "$(berth_busybox_tarball)" >"$BATS_TEST_TMPDIR/bb.tar.gz"
	"$BERTH" import "$BATS_TEST_TMPDIR/bb.tar.gz" other:1 >/dev/null
	"$BERTH" tag busybox:latest busybox:again

	for format in docker-archive oci-archive; do
		run -0 "$BERTH" save --format "$format" \
			-o "$BATS_TEST_TMPDIR/$format.tar" \
			busybox busybox:again other:1 "$IMAGE_ID"
	done

	cd "$BATS_TEST_TMPDIR"
	# One manifest.json item per image; the layer is stored once.
	run -0 tar -xOf docker-archive.tar manifest.json
	[ "$(echo "$output" | jq length)" -eq 2 ]
	[ "$(echo "$output" | jq -c '.[0].RepoTags')" = \
		'["busybox:latest","busybox:again"]' ]
	[ "$(tar -tf docker-archive.tar | grep -c 'layer.tar$')" -eq 1 ]

	run -0 tar -xOf oci-archive.tar index.json
	[ "$(echo "$output" | jq -r '.manifests[].annotations["org.opencontainers.image.ref.name"]' |
		sort | tr '\n' ' ')" = "busybox:again busybox:latest other:1 " ]

	# Both archives load into an empty store with all their names.
	for format in docker-archive oci-archive; do
		export BERTH_ROOT=$BATS_TEST_TMPDIR/root-$format
		run -0 "$BERTH" load -i "$format.tar"
		[ "$(printf '%s\n' "${lines[@]}" | sort | tr '\n' ' ')" = \
			"Loaded image: busybox:again Loaded image: busybox:latest Loaded image: other:1 " ]
		run -0 "$BERTH" images -q --no-trunc busybox:again
		[ "$output" = "sha256:$IMAGE_ID" ]
	done
}

@test "save refuses a terminal and unknown images" {
	# script gives the command a terminal as stdout.
	run -125 script -qec "$BERTH save busybox" /dev/null
	[[ "$output" == *"refusing to write an archive to a terminal"* ]]

	run -125 "$BERTH" save -o "$BATS_TEST_TMPDIR/x.tar" nosuch:image
	[[ "$output" == *"image 'nosuch:image' not found"* ]]
	[ -z "$(ls "$BATS_TEST_TMPDIR" | grep x.tar)" ]

	# A device is written to, never replaced.
	run -0 "$BERTH" save -o /dev/null busybox
	[ -c /dev/null ]
	run -125 "$BERTH" save -o "$BATS_TEST_TMPDIR" busybox
	[[ "$output" == *"output '$BATS_TEST_TMPDIR': Is a directory"* ]]

	run -125 "$BERTH" save --format tar busybox
	[[ "$output" == *"unsupported archive format 'tar'"* ]]
	run -125 "$BERTH" save
	[[ "$output" == *"expected at least one IMAGE"* ]]
}

@test "save to stdout and load from stdin" {
	"$BERTH" save busybox >"$BATS_TEST_TMPDIR/bb.tar"
	"$BERTH" save -o - --format oci-archive busybox \
		>"$BATS_TEST_TMPDIR/bb-oci.tar"

	export BERTH_ROOT=$BATS_TEST_TMPDIR/root2
	run -0 "$BERTH" load <"$BATS_TEST_TMPDIR/bb.tar"
	[ "$output" = "Loaded image: busybox:latest" ]
	run -0 "$BERTH" load -q -i "$BATS_TEST_TMPDIR/bb-oci.tar"
	[ -z "$output" ]
}

@test "load reads gzip and zstd compressed archives" {
	"$BERTH" save -o "$BATS_TEST_TMPDIR/bb.tar" busybox
	"$BERTH" save --format oci-archive -o "$BATS_TEST_TMPDIR/bb-oci.tar" busybox
	gzip "$BATS_TEST_TMPDIR/bb.tar"
	zstd -q --rm "$BATS_TEST_TMPDIR/bb-oci.tar"

	export BERTH_ROOT=$BATS_TEST_TMPDIR/root2
	run -0 "$BERTH" load -i "$BATS_TEST_TMPDIR/bb.tar.gz"
	[ "$output" = "Loaded image: busybox:latest" ]
	run -0 "$BERTH" load <"$BATS_TEST_TMPDIR/bb-oci.tar.zst"
	[ "$output" = "Loaded image: busybox:latest" ]

	run -0 "$BERTH" run --rm busybox cat /etc/os-release
	[ -n "$output" ]
	[ -z "$(ls "$BERTH_ROOT/tmp")" ]
}

@test "load of an unnamed image prints its id" {
	"$BERTH" save -o "$BATS_TEST_TMPDIR/bb.tar" "$IMAGE_ID"
	run -0 tar -xOf "$BATS_TEST_TMPDIR/bb.tar" manifest.json
	[ "$(echo "$output" | jq -c '.[0].RepoTags')" = "null" ]

	export BERTH_ROOT=$BATS_TEST_TMPDIR/root2
	run -0 "$BERTH" load -i "$BATS_TEST_TMPDIR/bb.tar"
	[ "$output" = "Loaded image ID: sha256:$IMAGE_ID" ]
}

@test "load reads the layout that Docker 25 writes" {
	"$BERTH" save --format oci-archive -o "$BATS_TEST_TMPDIR/bb.tar" busybox
	cd "$BATS_TEST_TMPDIR"

	# Docker 25 adds a manifest.json that names the OCI layout's blobs,
	# and names the image with io.containerd.image.name.
	tar_edit bb.tar d25.tar "
i = json.loads(member('index.json')[1])
d = i['manifests'][0]
d['annotations'] = {'io.containerd.image.name': 'docker.io/library/d25:1',
    'org.opencontainers.image.ref.name': '1'}
put('index.json', json.dumps(i).encode())
m = json.loads(member(blob(d['digest']))[1])
put('manifest.json', json.dumps([{'Config': blob(m['config']['digest']),
    'RepoTags': ['d25:1'],
    'Layers': [blob(l['digest']) for l in m['layers']]}]).encode())"
	tar_edit bb.tar bare.tar "
i = json.loads(member('index.json')[1])
i['manifests'][0]['annotations'] = {'org.opencontainers.image.ref.name': '1'}
put('index.json', json.dumps(i).encode())"
	tar_edit d25.tar d25-index.tar "entries.remove(member('manifest.json'))"

	export BERTH_ROOT=$BATS_TEST_TMPDIR/root2
	run -0 "$BERTH" load -i d25.tar
	[ "$output" = "Loaded image: d25:1" ]
	run -0 "$BERTH" run --rm d25:1 echo docker-25
	[ "$output" = "docker-25" ]

	export BERTH_ROOT=$BATS_TEST_TMPDIR/root3
	run -0 "$BERTH" load -i d25-index.tar
	[ "$output" = "Loaded image: d25:1" ]

	# A ref.name that is only a tag names no repository.
	export BERTH_ROOT=$BATS_TEST_TMPDIR/root4
	run -0 "$BERTH" load -i bare.tar
	[ "$output" = "Loaded image ID: sha256:$IMAGE_ID" ]
}

@test "load refuses a terminal and a missing file" {
	run -125 script -qec "$BERTH load" /dev/null
	[[ "$output" == *"stdin is a terminal"* ]]
	run -125 "$BERTH" load -i "$BATS_TEST_TMPDIR/nosuch.tar"
	[[ "$output" == *"open '$BATS_TEST_TMPDIR/nosuch.tar'"* ]]
	run -125 "$BERTH" load extra
	[[ "$output" == *"unexpected argument 'extra'"* ]]
	run -125 "$BERTH" load -i "$BATS_TEST_TMPDIR"
	[[ "$output" == *"input '$BATS_TEST_TMPDIR' is a directory, not an image archive"* ]]
}

# --- hostile archives ---

@test "load rejects entries that leave the archive" {
	"$BERTH" save -o "$BATS_TEST_TMPDIR/bb.tar" busybox
	cd "$BATS_TEST_TMPDIR"

	tar_edit bb.tar dotdot.tar 'put("../evil", b"x")'
	load_rejected dotdot.tar "entry '../evil'"

	tar_edit bb.tar abs.tar 'put("/etc/evil", b"x")'
	load_rejected abs.tar "entry '/etc/evil': absolute path"

	tar_edit bb.tar link.tar '
i = tarfile.TarInfo("evil.json")
i.type = tarfile.SYMTYPE
i.linkname = "../../etc/passwd"
entries.append([i, b""])'
	load_rejected link.tar "entry 'evil.json': symlink to '../../etc/passwd'"

	tar_edit bb.tar abslink.tar '
i = tarfile.TarInfo("evil")
i.type = tarfile.SYMTYPE
i.linkname = "/etc/passwd"
entries.append([i, b""])'
	load_rejected abslink.tar "entry 'evil': symlink to the absolute path"

	tar_edit bb.tar hard.tar '
i = tarfile.TarInfo("evil")
i.type = tarfile.LNKTYPE
i.linkname = "repositories"
entries.append([i, b""])'
	load_rejected hard.tar "entry 'evil': hard links are not allowed"

	tar_edit bb.tar dev.tar '
i = tarfile.TarInfo("evil")
i.type = tarfile.CHRTYPE
entries.append([i, b""])'
	load_rejected dev.tar "entry 'evil': only regular files"
}

@test "load rejects duplicates, huge JSON, truncation" {
	"$BERTH" save -o "$BATS_TEST_TMPDIR/bb.tar" busybox
	cd "$BATS_TEST_TMPDIR"

	tar_edit bb.tar dup.tar '
info, data = member("manifest.json")
entries.append([tarfile.TarInfo("manifest.json"), data])
entries[-1][0].size = len(data)'
	load_rejected dup.tar "entry 'manifest.json' appears twice"

	tar_edit bb.tar huge.tar 'put("manifest.json", b"[" + b" " * (9 << 20) + b"]")'
	load_rejected huge.tar "entry 'manifest.json' has 9437186 bytes, more than the limit"

	# Each file is within the limit; together they are not.
	tar_edit bb.tar many.tar '
for i in range(9):
    put("f%d.json" % i, b" " * (15 << 19))'
	load_rejected many.tar "entry 'f8.json': the JSON files of the archive have more than"

	tar_edit bb.tar entries.tar '
for i in range(16384):
    info = tarfile.TarInfo("e%d.json" % i)
    info.size = 2
    entries.append([info, b"{}"])'
	load_rejected entries.tar "the archive has more than 16384 files"

	# A tar header whose size is larger than the data that follows.
	head -c 1000000 bb.tar >cut.tar
	load_rejected cut.tar "layer.tar': Truncated tar archive"

	head -c 4096 /dev/urandom >noise
	load_rejected noise "not a tar archive"
}

@test "load rejects docker-archives that lie" {
	"$BERTH" save -o "$BATS_TEST_TMPDIR/bb.tar" busybox
	cd "$BATS_TEST_TMPDIR"
	layer=$(tar -xOf bb.tar manifest.json | jq -r '.[0].Layers[0]')

	# A config whose name is not its digest.
	tar_edit bb.tar config.tar "
c = json.loads(member('$IMAGE_ID.json')[1])
c['os'] = 'evil'
put('$IMAGE_ID.json', json.dumps(c).encode())"
	load_rejected config.tar "entry '$IMAGE_ID.json' has the digest"

	# A layer whose content is not the config's diff_id.
	tar_edit bb.tar layer.tar "
data = member('$layer')[1]
put('$layer', data[:-1024] + b'x' * 1024)"
	load_rejected layer.tar "but the config lists"

	# A layer missing from the archive.
	tar_edit bb.tar missing.tar "entries.remove(member('$layer'))"
	load_rejected missing.tar "manifest.json [0] Layers[0] names '$layer', which is missing"

	# More layers than diff_ids.
	tar_edit bb.tar count.tar "
m = json.loads(member('manifest.json')[1])
m[0]['Layers'].append('$layer')
put('manifest.json', json.dumps(m).encode())"
	load_rejected count.tar "lists 2 layers, but its config"

	tar_edit bb.tar badtag.tar "
m = json.loads(member('manifest.json')[1])
m[0]['RepoTags'] = ['Bad Name']
put('manifest.json', json.dumps(m).encode())"
	load_rejected badtag.tar "manifest.json [0] RepoTags[0]"

	tar_edit bb.tar notjson.tar "put('manifest.json', b'{')"
	load_rejected notjson.tar "manifest.json"
}

@test "load rejects oci-archives that lie" {
	"$BERTH" save --format oci-archive -o "$BATS_TEST_TMPDIR/bb.tar" busybox
	cd "$BATS_TEST_TMPDIR"
	manifest=$(tar -xOf bb.tar index.json | jq -r '.manifests[0].digest')
	layer=$(tar -xOf bb.tar "blobs/sha256/${manifest#sha256:}" |
		jq -r '.layers[0].digest')

	# A blob whose content does not match its name.
	tar_edit bb.tar digest.tar "
b = member(blob('$layer'))
put(blob('$layer'), b[1][:-1] + b'x')"
	load_rejected digest.tar "entry 'blobs/sha256/${layer#sha256:}'"

	# A descriptor whose size is wrong.
	tar_edit bb.tar size.tar "
i = json.loads(member('index.json')[1])
i['manifests'][0]['size'] += 1
put('index.json', json.dumps(i).encode())"
	load_rejected size.tar "gives the size"

	# A layer blob that is missing.
	tar_edit bb.tar missing.tar "entries.remove(member(blob('$layer')))"
	load_rejected missing.tar "which is missing from the archive"

	# A manifest that lists a layer the config does not.
	tar_edit bb.tar manifest.tar "
m = json.loads(member(blob('$manifest'))[1])
m['layers'].append(m['layers'][0])
data = json.dumps(m).encode()
entries.remove(member(blob('$manifest')))
put(blob(sha(data)), data)
i = json.loads(member('index.json')[1])
i['manifests'][0]['digest'] = sha(data)
i['manifests'][0]['size'] = len(data)
put('index.json', json.dumps(i).encode())"
	load_rejected manifest.tar "manifest lists 2 layers but the config lists 1"

	tar_edit bb.tar nested.tar "
i = json.loads(member('index.json')[1])
i['manifests'][0]['mediaType'] = 'application/vnd.oci.image.index.v1+json'
put('index.json', json.dumps(i).encode())"
	load_rejected nested.tar "not image indexes for several platforms"

	tar_edit bb.tar layout.tar "put('oci-layout', b'{\"imageLayoutVersion\":\"2.0.0\"}')"
	load_rejected layout.tar "unsupported imageLayoutVersion '2.0.0'"

	tar_edit bb.tar sha512.tar "put('blobs/sha512/aa', b'x')"
	load_rejected sha512.tar "unsupported digest algorithm"
}

@test "load rejects a layer that escapes during extraction" {
	cd "$BATS_TEST_TMPDIR"
	python3 - <<'PY'
import io, tarfile
with tarfile.open("evil-layer.tar", "w") as t:
    data = b"owned\n"
    info = tarfile.TarInfo("../../escape")
    info.size = len(data)
    t.addfile(info, io.BytesIO(data))
PY
	"$BERTH" import "$(berth_busybox_tarball)" base:1 >/dev/null
	"$BERTH" save -o bb.tar busybox
	layer=$(tar -xOf bb.tar manifest.json | jq -r '.[0].Layers[0]')
	hex=$(sha256sum <evil-layer.tar | cut -d' ' -f1)

	# The diff_id matches, so only the layer extraction catches it.
	tar_edit bb.tar evil.tar "
evil = open('evil-layer.tar', 'rb').read()
c = json.loads(member('$IMAGE_ID.json')[1])
c['rootfs']['diff_ids'] = ['sha256:$hex']
cdata = json.dumps(c).encode()
entries.remove(member('$IMAGE_ID.json'))
entries.remove(member('$layer'))
put(sha(cdata).split(':')[1] + '.json', cdata)
put('$hex.tar', evil)
put('manifest.json', json.dumps([{'Config': sha(cdata).split(':')[1] + '.json',
    'RepoTags': ['evil:1'], 'Layers': ['$hex.tar']}]).encode())"
	load_rejected evil.tar "../../escape"
	[ ! -e "$BATS_TEST_TMPDIR/escape" ]
	run -0 "$BERTH" images -q evil
	[ -z "$output" ]
}

# --- other tools ---

@test "skopeo and umoci read berth archives" {
	"$BERTH" save -o "$BATS_TEST_TMPDIR/bb.tar" busybox
	"$BERTH" save --format oci-archive -o "$BATS_TEST_TMPDIR/bb-oci.tar" busybox
	cd "$BATS_TEST_TMPDIR"

	run -0 skopeo copy "oci-archive:bb-oci.tar" "oci:from-oci:bb"
	run -0 skopeo copy "docker-archive:bb.tar" "oci:from-docker:bb"
	run -0 skopeo inspect --config "oci:from-docker:bb"
	[ "$(echo "$output" | jq -r '.rootfs.diff_ids[0]')" = \
		"$(jq -r '.rootfs.diff_ids[0]' "$BERTH_ROOT/blobs/sha256/$IMAGE_ID")" ]

	run -0 umoci unpack --image from-oci:bb bundle
	[ -x bundle/rootfs/bin/busybox ]
	run -0 umoci unpack --image from-docker:bb bundle2
	[ -x bundle2/rootfs/bin/busybox ]
}

@test "berth loads archives that skopeo wrote" {
	"$BERTH" save --format oci-archive -o "$BATS_TEST_TMPDIR/bb-oci.tar" busybox
	cd "$BATS_TEST_TMPDIR"
	skopeo copy "oci-archive:bb-oci.tar" "oci:layout:bb" >/dev/null
	skopeo copy "oci:layout:bb" "docker-archive:sk-docker.tar:sk/docker:1" \
		>/dev/null
	skopeo copy "oci:layout:bb" "oci-archive:sk-oci.tar:sk/oci:1" >/dev/null

	export BERTH_ROOT=$BATS_TEST_TMPDIR/root2
	run -0 "$BERTH" load -i sk-docker.tar
	# skopeo writes docker.io/sk/docker:1; berth keeps Docker's form.
	[ "$output" = "Loaded image: sk/docker:1" ]
	run -0 "$BERTH" load -i sk-oci.tar
	[ "$output" = "Loaded image: sk/oci:1" ]
	run -0 "$BERTH" run --rm sk/docker:1 echo from-skopeo
	[ "$output" = "from-skopeo" ]
}

@test "podman loads and runs berth archives" {
	podman_setup
	"$BERTH" save -o "$BATS_TEST_TMPDIR/bb.tar" busybox
	"$BERTH" save --format oci-archive -o "$BATS_TEST_TMPDIR/bb-oci.tar" \
		busybox:latest

	run -0 podman_cmd load -i "$BATS_TEST_TMPDIR/bb.tar"
	[[ "$output" == *"Loaded image: localhost/busybox:latest"* ]]
	run podman_cmd run --rm --network none \
		--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
		busybox:latest echo from-docker-archive
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "from-docker-archive" ]

	podman_cmd rmi -af >/dev/null
	run -0 podman_cmd load -i "$BATS_TEST_TMPDIR/bb-oci.tar"
	run -0 podman_cmd run --rm --network none \
		--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
		busybox:latest echo from-oci-archive
	[ "$output" = "from-oci-archive" ]
}

@test "berth loads and runs archives that podman saved" {
	podman_setup
	"$BERTH" save -o "$BATS_TEST_TMPDIR/bb.tar" busybox
	podman_cmd load -i "$BATS_TEST_TMPDIR/bb.tar" >/dev/null
	cd "$BATS_TEST_TMPDIR"
	podman_cmd tag busybox:latest pod/second:2
	podman_cmd save --format docker-archive -o p-docker.tar busybox:latest
	podman_cmd save --format oci-archive -o p-oci.tar busybox:latest
	podman_cmd save -m --format docker-archive -o p-multi.tar \
		busybox:latest pod/second:2

	export BERTH_ROOT=$BATS_TEST_TMPDIR/root2
	run -0 "$BERTH" load -i p-docker.tar
	[ "$output" = "Loaded image: localhost/busybox:latest" ]
	run -0 "$BERTH" run --rm localhost/busybox echo from-podman
	[ "$output" = "from-podman" ]

	export BERTH_ROOT=$BATS_TEST_TMPDIR/root3
	run -0 "$BERTH" load -i p-oci.tar
	[ "$output" = "Loaded image: localhost/busybox:latest" ]
	run -0 "$BERTH" run --rm localhost/busybox echo from-podman-oci
	[ "$output" = "from-podman-oci" ]

	export BERTH_ROOT=$BATS_TEST_TMPDIR/root4
	run -0 "$BERTH" load -i p-multi.tar
	[[ "$output" == *"Loaded image: localhost/busybox:latest"* ]]
	[[ "$output" == *"Loaded image: localhost/pod/second:2"* ]]
	[ "$("$BERTH" images -q localhost/pod/second:2)" = \
		"$("$BERTH" images -q localhost/busybox:latest)" ]
}

@test "an image loaded from both formats keeps one id" {
	run -0 "$BERTH" save -o "$BATS_TEST_TMPDIR/d.tar" busybox
	run -0 "$BERTH" save --format oci-archive -o "$BATS_TEST_TMPDIR/o.tar" \
		busybox
	run -0 "$BERTH" rmi busybox
	run -0 "$BERTH" load -i "$BATS_TEST_TMPDIR/d.tar"
	run -0 "$BERTH" load -i "$BATS_TEST_TMPDIR/o.tar"

	# Two manifests share the config, so the id is not ambiguous.
	run -0 "$BERTH" inspect "$IMAGE_ID"
	[ "$(jq -r '.[0].Id' <<<"$output")" = "sha256:$IMAGE_ID" ]
	run -0 "$BERTH" inspect "${IMAGE_ID:0:12}"
	run -0 "$BERTH" run --rm "${IMAGE_ID:0:12}" true
}
