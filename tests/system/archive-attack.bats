#!/usr/bin/env bats
# berth save and load against hostile archives, hostile output paths and
# concurrent commands: each failure exits 125, names what is wrong and
# leaves the store byte for byte as it was.

load helpers
load lib/archive

bats_require_minimum_version 1.5.0

setup() {
	berth_container_setup
	"$BERTH" save -o "$BATS_TEST_TMPDIR/bb.tar" busybox
	"$BERTH" save --format oci-archive -o "$BATS_TEST_TMPDIR/bbo.tar" busybox
	cd "$BATS_TEST_TMPDIR"
	CONFIG=$(tar -xOf bb.tar manifest.json | jq -r '.[0].Config')
	LAYER=$(tar -xOf bb.tar manifest.json | jq -r '.[0].Layers[0]')
}

teardown() {
	berth_container_teardown
	if mountpoint -q "$BATS_TEST_TMPDIR/small"; then
		umount "$BATS_TEST_TMPDIR/small"
	fi
}

# Run "berth $@" and check it fails with exit 125 and message $1 and
# leaves the store as it was.
store_unchanged_by() {
	local message=$1 before after
	shift

	before=$(store_snapshot)
	run -125 "$BERTH" "$@"
	echo "$output"
	[[ "$output" == *"$message"* ]]
	after=$(store_snapshot)
	[ "$before" = "$after" ]
}

@test "load rejects manifest paths outside the archive" {
	tar_edit bb.tar abs.tar "
m = json.loads(member('manifest.json')[1])
m[0]['Config'] = '/etc/passwd'
put('manifest.json', json.dumps(m).encode())"
	load_rejected abs.tar "Config: entry '/etc/passwd': absolute path"

	tar_edit bb.tar up.tar "
m = json.loads(member('manifest.json')[1])
m[0]['Layers'] = ['../../../etc/passwd']
put('manifest.json', json.dumps(m).encode())"
	load_rejected up.tar "entry '../../../etc/passwd': '..' in the path"

	# A directory of the archive is no file.
	tar_edit bb.tar dir.tar "
m = json.loads(member('manifest.json')[1])
m[0]['Layers'] = ['$(dirname "$LAYER")']
put('manifest.json', json.dumps(m).encode())"
	load_rejected dir.tar "Layers[0] names '$(dirname "$LAYER")', which is missing"

	tar_edit bb.tar loop.tar "
for a, b in (('x', 'y'), ('y', 'x')):
    i = tarfile.TarInfo(a)
    i.type = tarfile.SYMTYPE
    i.linkname = b
    entries.append([i, b''])
m = json.loads(member('manifest.json')[1])
m[0]['Config'] = 'x'
put('manifest.json', json.dumps(m).encode())"
	load_rejected loop.tar "Config names 'x': more than 8 symlinks"

	tar_edit bb.tar mlink.tar "
entries.remove(member('manifest.json'))
i = tarfile.TarInfo('manifest.json')
i.type = tarfile.SYMTYPE
i.linkname = '$LAYER'
entries.append([i, b''])"
	load_rejected mlink.tar "manifest.json: not a file"
}

@test "load of repeated images checks and names each once" {
	tar_edit bb.tar items.tar "
m = json.loads(member('manifest.json')[1])
put('manifest.json', json.dumps(m * 5000).encode())"
	run -0 timeout 30 "$BERTH" load -i items.tar
	[ "$output" = "Loaded image: busybox:latest" ]

	tar_edit bbo.tar index.tar "
i = json.loads(member('index.json')[1])
i['manifests'] = i['manifests'] * 5000
put('index.json', json.dumps(i).encode())"
	run -0 timeout 30 "$BERTH" load -i index.tar
	[ "$output" = "Loaded image: busybox:latest" ]
}

@test "load rejects an image of more than 128 layers" {
	tar_edit bb.tar layers.tar "
c = json.loads(member('$CONFIG')[1])
c['rootfs']['diff_ids'] = c['rootfs']['diff_ids'] * 129
data = json.dumps(c).encode()
entries.remove(member('$CONFIG'))
put(sha(data).split(':')[1] + '.json', data)
m = json.loads(member('manifest.json')[1])
m[0]['Config'] = sha(data).split(':')[1] + '.json'
m[0]['Layers'] = m[0]['Layers'] * 129
put('manifest.json', json.dumps(m).encode())"
	load_rejected layers.tar "lists 129 layers, more than the limit of 128"

	# The same layer twice is fine.
	tar_edit bb.tar twice.tar "
c = json.loads(member('$CONFIG')[1])
c['rootfs']['diff_ids'] = c['rootfs']['diff_ids'] * 2
data = json.dumps(c).encode()
entries.remove(member('$CONFIG'))
put(sha(data).split(':')[1] + '.json', data)
m = json.loads(member('manifest.json')[1])
m[0]['Config'] = sha(data).split(':')[1] + '.json'
m[0]['Layers'] = m[0]['Layers'] * 2
m[0]['RepoTags'] = ['twice:1']
put('manifest.json', json.dumps(m).encode())"
	"$BERTH" load -i twice.tar
	run -0 "$BERTH" run --rm twice:1 echo ok
	[ "$output" = ok ]
}

@test "failed load keeps blobs it did not write" {
	# A blob no image uses, as a crashed command may leave behind.
	printf stray >"$BATS_TEST_TMPDIR/stray"
	hex=$(sha256sum <"$BATS_TEST_TMPDIR/stray" | cut -d' ' -f1)
	cp "$BATS_TEST_TMPDIR/stray" "$BERTH_ROOT/blobs/sha256/$hex"

	tar_edit bb.tar bad.tar "
m = json.loads(member('manifest.json')[1])
m[0]['RepoTags'] = ['Bad Name']
put('manifest.json', json.dumps(m).encode())"
	load_rejected bad.tar "RepoTags[0]"
	[ -e "$BERTH_ROOT/blobs/sha256/$hex" ]
}

@test "concurrent loads and rmi leave every load whole" {
	tar_edit bb.tar other.tar "
m = json.loads(member('manifest.json')[1])
m[0]['RepoTags'] = ['other:1']
put('manifest.json', json.dumps(m).encode())"
	tar_edit bbo.tar oci.tar "
i = json.loads(member('index.json')[1])
i['manifests'][0]['annotations'] = {'io.containerd.image.name': 'oci:1'}
put('index.json', json.dumps(i).encode())"
	"$BERTH" rmi busybox >/dev/null

	for round in 1 2 3; do
		pids=()
		for i in 1 2 3; do
			"$BERTH" load -i bb.tar >"load-$i.out" 2>&1 &
			pids+=($!)
		done
		"$BERTH" load -i oci.tar >load-oci.out 2>&1 &
		pids+=($!)
		"$BERTH" load -i other.tar >load-other.out 2>&1 &
		pids+=($!)
		"$BERTH" rmi -f other:1 >/dev/null 2>&1 || true
		for pid in "${pids[@]}"; do
			wait "$pid" || { cat load-*.out; false; }
		done

		run -0 "$BERTH" run --rm busybox echo "round $round"
		[ "$output" = "round $round" ]
		"$BERTH" rmi -f busybox oci:1 >/dev/null
		"$BERTH" rmi -f other:1 >/dev/null 2>&1 || true
	done
	[ -z "$(ls "$BERTH_ROOT/blobs/sha256")" ]
	[ -z "$(ls "$BERTH_ROOT/layers")" ]
}

@test "save rejects outputs inside the store" {
	blob=$(ls -S "$BERTH_ROOT/blobs/sha256" | head -n1)
	store_unchanged_by "inside the berth root" \
		save -o "$BERTH_ROOT/blobs/sha256/$blob" busybox
	store_unchanged_by "inside the berth root" \
		save -o "$BERTH_ROOT/index.json" busybox
	ln -s "$BERTH_ROOT/index.json" link.tar
	store_unchanged_by "output 'link.tar' is inside the berth root" \
		save -o link.tar busybox
	store_unchanged_by "inside the berth root" \
		save --format oci-dir -o "$BERTH_ROOT/layout" busybox
	[ ! -e "$BERTH_ROOT/layout" ]
	"$BERTH" images | grep -q '^busybox '
}

@test "save writes devices in place and rejects a terminal" {
	mknod null c 1 3
	"$BERTH" save -o null busybox
	[ -c null ]

	mkfifo fifo
	cat fifo >from-fifo.tar &
	"$BERTH" save -o fifo busybox
	wait $!
	[ -p fifo ]
	tar -tf from-fifo.tar manifest.json

	run -125 script -qec "$BERTH save -o /dev/tty busybox" /dev/null
	[[ "$output" == *"output '/dev/tty': refusing to write an archive to a terminal"* ]]
}

@test "load rejects an artifact that is no image" {
	manifest=$(tar -xOf bbo.tar index.json | jq -r '.manifests[0].digest')
	tar_edit bbo.tar artifact.tar "
m = json.loads(member(blob('$manifest'))[1])
m['config']['mediaType'] = 'application/vnd.cncf.helm.config.v1+json'
data = json.dumps(m).encode()
entries.remove(member(blob('$manifest')))
put(blob(sha(data)), data)
i = json.loads(member('index.json')[1])
i['manifests'][0]['digest'] = sha(data)
i['manifests'][0]['size'] = len(data)
put('index.json', json.dumps(i).encode())"
	load_rejected artifact.tar "unsupported media type 'application/vnd.cncf.helm.config.v1+json', expected an image config"
}

@test "load of a gzip bomb fails cleanly on a full disk" {
	mkdir small
	mount -t tmpfs -o size=64m tmpfs small
	export BERTH_ROOT=$BATS_TEST_TMPDIR/small/root
	"$BERTH" load -i bb.tar >/dev/null

	# 256 MiB of zeros in a layer of about 256 KiB.
	tar_edit bb.tar bomb.tar "
import subprocess
with tarfile.open('raw.tar', 'w') as t:
    i = tarfile.TarInfo('zero')
    i.size = 256 << 20
    with open('/dev/zero', 'rb') as zero:
        t.addfile(i, zero)
h = hashlib.sha256()
with open('raw.tar', 'rb') as f:
    for chunk in iter(lambda: f.read(1 << 20), b''):
        h.update(chunk)
gz = subprocess.run(['gzip', '-1', '-c', 'raw.tar'], check=True,
                    capture_output=True).stdout
c = json.loads(member('$CONFIG')[1])
c['rootfs']['diff_ids'] = ['sha256:' + h.hexdigest()]
data = json.dumps(c).encode()
entries.remove(member('$CONFIG'))
put(sha(data).split(':')[1] + '.json', data)
put('$LAYER', gz)
m = json.loads(member('manifest.json')[1])
m[0]['Config'] = sha(data).split(':')[1] + '.json'
m[0]['RepoTags'] = ['bomb:1']
put('manifest.json', json.dumps(m).encode())"
	rm raw.tar
	load_rejected bomb.tar "layer entry 'zero': write failed: No space left on device"
	run -0 "$BERTH" images -q bomb
	[ -z "$output" ]
}
