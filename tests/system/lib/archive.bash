# Helpers for the save and load tests: store listings and archive edits.

# Print a listing of the store: index.json, then every path under
# BERTH_ROOT with its size, so a changed file shows too.
store_snapshot() {
	jq -S . "$BERTH_ROOT/index.json"
	find "$BERTH_ROOT" -printf '%p %s\n' | sort
}

# Rewrite archive $1 into $2 with the Python code $3, which edits
# "entries", a list of [TarInfo, bytes] pairs in archive order. Helpers:
# member(name) returns the pair of that name, blob(digest) the path of a
# blob, put(name, data) replaces or adds a file, sha(data) a digest.
tar_edit() {
	python3 - "$1" "$2" "$3" <<'PY'
import hashlib, io, json, sys, tarfile

src, dst, code = sys.argv[1:4]
entries = []
with tarfile.open(src) as t:
    for info in t.getmembers():
        data = t.extractfile(info).read() if info.isfile() else b""
        entries.append([info, data])

def member(name):
    for e in entries:
        if e[0].name == name:
            return e
    raise KeyError(name)

def blob(digest):
    return "blobs/sha256/" + digest.split(":")[1]

def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()

def put(name, data):
    for e in entries:
        if e[0].name == name:
            e[1] = data
            e[0].size = len(data)
            return
    info = tarfile.TarInfo(name)
    info.size = len(data)
    entries.append([info, data])

exec(code)

with tarfile.open(dst, "w", format=tarfile.PAX_FORMAT) as t:
    for info, data in entries:
        if info.isfile():
            t.addfile(info, io.BytesIO(data))
        else:
            t.addfile(info)
PY
}

# Load the hostile archive $1 and check the command fails with exit 125,
# prints a message that contains $2 and leaves the store as it was.
load_rejected() {
	local before after

	before=$(store_snapshot)
	run -125 "$BERTH" load -i "$1"
	echo "$output"
	[[ "$output" == *"$2"* ]]
	after=$(store_snapshot)
	[ "$before" = "$after" ]
	"$BERTH" images | grep -q '^busybox '
}
