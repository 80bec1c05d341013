#!/usr/bin/env bats
# The SIZE of "berth images" and the Size of "berth inspect": the unpacked
# size of the layers, as Docker reports it, not the compressed blobs.

load helpers

setup() {
	berth_test_store
}

# Print the size Docker gives the tree $1: every file and symbolic link,
# a hard-linked file once, no directories.
tree_size() {
	find "$1" ! -type d -printf '%i %s\n' | sort -u -k1,1 |
		awk '{ total += $2 } END { print total + 0 }'
}

@test "images shows the unpacked size" {
	tarball=$(berth_busybox_tarball)
	mkdir "$BATS_TEST_TMPDIR/tree"
	tar -xf "$tarball" -C "$BATS_TEST_TMPDIR/tree"
	expected=$(tree_size "$BATS_TEST_TMPDIR/tree")
	gzip -c "$tarball" >"$BATS_TEST_TMPDIR/busybox.tar.gz"
	"$BERTH" import "$BATS_TEST_TMPDIR/busybox.tar.gz" busybox:gz >/dev/null

	run "$BERTH" images --format json
	[ "$status" -eq 0 ]
	[ "$(jq -r .VirtualSize <<<"$output")" = "$expected" ]

	run "$BERTH" inspect --type image busybox:gz
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].Size' <<<"$output")" = "$expected" ]
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/busybox.tar.gz")" -lt "$expected" ]
}

@test "images counts a hard-linked file once" {
	dir=$BATS_TEST_TMPDIR/tree
	mkdir -p "$dir"
	head -c 300000 /dev/urandom >"$dir/data"
	ln "$dir/data" "$dir/link"
	ln -s data "$dir/sym"
	tar -cf "$BATS_TEST_TMPDIR/links.tar" -C "$dir" .
	"$BERTH" import "$BATS_TEST_TMPDIR/links.tar" links:latest >/dev/null

	run "$BERTH" inspect --type image links:latest
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].Size' <<<"$output")" = $((300000 + 4)) ]
}

@test "images --format takes a template" {
	berth_import_busybox
	run "$BERTH" images --format '{{.Repository}}:{{.Tag}}'
	[ "$status" -eq 0 ]
	[ "$output" = busybox:latest ]
	run "$BERTH" images --format '{{range .}}{{end}}'
	[ "$status" -eq 125 ]
}
