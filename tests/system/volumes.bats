#!/usr/bin/env bats
# Volumes: berth volume, -v, --mount, --tmpfs, copy-up, rm -v, prune.

load helpers

setup() {
	berth_container_setup
}

teardown() {
	berth_container_teardown
}

# Print the names of the volumes in the store, one a line.
volume_names() {
	"$BERTH" volume ls -q
}

# Commit a busybox container that ran the shell script $2 as image $1.
image_from_script() {
	local image=$1 script=$2
	shift 2

	"$BERTH" run --name img-src busybox sh -c "$script" &&
		"$BERTH" commit "$@" img-src "$image" >/dev/null &&
		"$BERTH" rm img-src >/dev/null
}

@test "volume create, inspect, ls and rm" {
	run "$BERTH" volume create --label team=db data1
	[ "$status" -eq 0 ]
	[ "$output" = data1 ]
	[ -d "$BERTH_ROOT/volumes/data1/_data" ]
	[ "$(jq -r .driver "$BERTH_ROOT/volumes/data1/volume.json")" = local ]
	[ "$(jq -r .anonymous "$BERTH_ROOT/volumes/data1/volume.json")" = false ]

	run "$BERTH" volume inspect data1
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '.[0].Name')" = data1 ]
	[ "$(echo "$output" | jq -r '.[0].Driver')" = local ]
	[ "$(echo "$output" | jq -r '.[0].Scope')" = local ]
	[ "$(echo "$output" | jq -r '.[0].Labels.team')" = db ]
	[ "$(echo "$output" | jq -r '.[0].Mountpoint')" = \
		"$BERTH_ROOT/volumes/data1/_data" ]
	[[ "$(echo "$output" | jq -r '.[0].CreatedAt')" == 20*Z ]]
	[ "$(echo "$output" | jq -c '.[0].Options')" = '{}' ]

	run "$BERTH" volume inspect -f '{{.Mountpoint}}' data1
	[ "$output" = "$BERTH_ROOT/volumes/data1/_data" ]

	run "$BERTH" volume ls
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == DRIVER*"VOLUME NAME" ]]
	[[ "${lines[1]}" == local*data1 ]]

	run "$BERTH" volume rm data1
	[ "$status" -eq 0 ]
	[ "$output" = data1 ]
	[ -z "$(volume_names)" ]
	[ ! -e "$BERTH_ROOT/volumes/data1" ]
}

@test "volume create without a name generates one" {
	run "$BERTH" volume create
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	# As in Docker, only volumes made for a container are anonymous.
	[ "$(jq -r .anonymous "$BERTH_ROOT/volumes/$output/volume.json")" = false ]
}

@test "volume create keeps an existing volume" {
	"$BERTH" volume create keep >/dev/null
	echo hi >"$BERTH_ROOT/volumes/keep/_data/f"
	run "$BERTH" volume create keep
	[ "$status" -eq 0 ]
	[ "$output" = keep ]
	[ "$(cat "$BERTH_ROOT/volumes/keep/_data/f")" = hi ]
}

@test "volume create rejects invalid names and options" {
	for name in a _ab .ab -ab 'a/b' 'a b' 'ab:c' ..; do
		run "$BERTH" volume create -- "$name"
		[ "$status" -eq 125 ]
		[[ "$output" == *"invalid volume name"* ]]
	done
	run "$BERTH" volume create -o type=tmpfs v1
	[ "$status" -eq 125 ]
	[[ "$output" == *"unsupported driver option"* ]]
	run "$BERTH" volume create -d other v1
	[ "$status" -eq 125 ]
	[ -z "$(volume_names)" ]
	[ -z "$(ls -A "$BERTH_ROOT/volumes" 2>/dev/null)" ]
}

@test "volume ls filters and formats" {
	"$BERTH" volume create --label a=1 alpha >/dev/null
	"$BERTH" volume create beta >/dev/null
	"$BERTH" create --name user -v beta:/b busybox true >/dev/null

	[ "$("$BERTH" volume ls -q -f name=alp)" = alpha ]
	[ "$("$BERTH" volume ls -q -f label=a=1)" = alpha ]
	[ "$("$BERTH" volume ls -q -f label=a)" = alpha ]
	[ "$("$BERTH" volume ls -q -f dangling=true)" = alpha ]
	[ "$("$BERTH" volume ls -q -f dangling=false)" = beta ]
	[ "$("$BERTH" volume ls --format '{{.Name}}' | sort | head -1)" = alpha ]

	run "$BERTH" volume ls --format json -f name=alpha
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .Name)" = alpha ]
	[ "$(echo "$output" | jq -r .Labels)" = a=1 ]
	[ "$(echo "$output" | jq -r .Driver)" = local ]

	run "$BERTH" volume ls -f bogus=1
	[ "$status" -eq 125 ]
}

@test "volume inspect and rm of a missing volume" {
	run "$BERTH" volume inspect nothere
	[ "$status" -eq 125 ]
	[[ "$output" == *"no such volume: 'nothere'"* ]]
	run "$BERTH" volume rm nothere
	[ "$status" -eq 125 ]
	run "$BERTH" volume rm -f nothere
	[ "$status" -eq 0 ]
}

@test "volume rm refuses a volume a stopped container uses, even with -f" {
	"$BERTH" run --name holder -v held:/data busybox true
	run "$BERTH" volume rm held
	[ "$status" -eq 125 ]
	id=$(berth_inspect_field holder .Id)
	[[ "$output" == *"in use by container 'holder' (${id:0:12})"* ]]
	run "$BERTH" volume rm -f held
	[ "$status" -eq 125 ]
	[ "$(volume_names)" = held ]

	"$BERTH" rm holder >/dev/null
	run "$BERTH" volume rm held
	[ "$status" -eq 0 ]
}

@test "-v NAME:DIR creates the volume and keeps data across containers" {
	run "$BERTH" run --rm -v keepdata:/data busybox \
		sh -c 'echo one >/data/f'
	[ "$status" -eq 0 ]
	[ "$(volume_names)" = keepdata ]

	"$BERTH" run --name second -v keepdata:/data busybox \
		sh -c 'echo two >>/data/f'
	"$BERTH" rm -v second >/dev/null
	[ "$(volume_names)" = keepdata ]

	# A newer image with other content at /data copies nothing over it.
	image_from_script newer:v2 'mkdir -p /data && echo image >/data/f'
	run "$BERTH" run --rm -v keepdata:/data newer:v2 cat /data/f
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = one ]
	[ "${lines[1]}" = two ]
}

@test "-v copies the image's content into an empty volume" {
	image_from_script content:v1 '
		mkdir -p /data/sub && echo hello >/data/sub/file &&
		chown -R 1000:1001 /data && chmod 0640 /data/sub/file &&
		chmod 0750 /data && ln -s sub/file /data/link &&
		ln /data/sub/file /data/hard && mkfifo /data/fifo'

	run "$BERTH" run --rm -v copied:/data content:v1 sh -c '
		cat /data/link; stat -c "%u:%g %a" /data /data/sub/file
		readlink /data/link; stat -c %F /data/fifo'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = hello ]
	[ "${lines[1]}" = "1000:1001 750" ]
	[ "${lines[2]}" = "1000:1001 640" ]
	[ "${lines[3]}" = sub/file ]
	[ "${lines[4]}" = fifo ]

	data=$BERTH_ROOT/volumes/copied/_data
	[ "$(stat -c '%u:%g %a' "$data/sub/file")" = "1000:1001 640" ]
	[ -L "$data/link" ]
	[ "$(stat -c %i "$data/hard")" = "$(stat -c %i "$data/sub/file")" ]
}

@test "-v with nocopy leaves the volume empty" {
	image_from_script content:v1 'mkdir -p /data && echo x >/data/f'
	run "$BERTH" run --rm -v empty:/data:nocopy content:v1 ls -A /data
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$(ls -A "$BERTH_ROOT/volumes/empty/_data")" ]
}

@test "copy-up does not follow an image symlink out of the root" {
	image_from_script escape:v1 'ln -s /../../../../etc /data'
	run "$BERTH" run --rm -v esc:/data escape:v1 true
	[ "$status" -eq 0 ]
	[ ! -e "$BERTH_ROOT/volumes/esc/_data/passwd" ] ||
		[ "$(cat "$BERTH_ROOT/volumes/esc/_data/passwd")" != \
			"$(cat /etc/passwd)" ]
}

@test "-v DIR makes an anonymous volume that rm -v removes" {
	"$BERTH" create --name anon -v /scratch busybox true >/dev/null
	name=$(volume_names)
	[[ "$name" =~ ^[0-9a-f]{64}$ ]]
	[ "$(berth_inspect_field anon '.Mounts[0].Type')" = volume ]
	[ "$(berth_inspect_field anon '.Mounts[0].Name')" = "$name" ]
	[ "$(berth_inspect_field anon '.Mounts[0].Destination')" = /scratch ]
	[ "$(berth_inspect_field anon '.Mounts[0].Driver')" = local ]

	"$BERTH" rm anon >/dev/null
	[ "$(volume_names)" = "$name" ]

	"$BERTH" create --name anon2 -v /scratch -v named:/n busybox \
		true >/dev/null
	before=$(volume_names | wc -l)
	"$BERTH" rm -v anon2 >/dev/null
	[ "$(volume_names | wc -l)" -eq $((before - 1)) ]
	volume_names | grep -qx named
	volume_names | grep -qx "$name"
}

@test "run --rm removes anonymous volumes and keeps named ones" {
	run "$BERTH" run --rm -v /scratch -v kept:/k busybox true
	[ "$status" -eq 0 ]
	[ "$(volume_names)" = kept ]

	run "$BERTH" run -d --rm -v /scratch busybox true
	[ "$status" -eq 0 ]
	"$BERTH" wait "$output" >/dev/null 2>&1 || true
	for i in $(seq 1 50); do
		[ "$(volume_names)" = kept ] && break
		sleep 0.1
	done
	[ "$(volume_names)" = kept ]
}

@test "the image's Volumes get anonymous volumes with its content" {
	image_from_script withvol:v1 'mkdir -p /vol && echo img >/vol/f' \
		-c 'VOLUME /vol'
	"$BERTH" create --name iv withvol:v1 cat /vol/f >/dev/null
	name=$(volume_names)
	[[ "$name" =~ ^[0-9a-f]{64}$ ]]
	[ "$(cat "$BERTH_ROOT/volumes/$name/_data/f")" = img ]
	run "$BERTH" start -a iv 2>/dev/null || true

	# A flag at the same path replaces the image's volume.
	"$BERTH" create --name iv2 -v over:/vol withvol:v1 true >/dev/null
	[ "$(berth_inspect_field iv2 '.Mounts | length')" = 1 ]
	[ "$(berth_inspect_field iv2 '.Mounts[0].Name')" = over ]

	"$BERTH" rm -v iv iv2 >/dev/null
	[ "$(volume_names)" = over ]
}

@test "--mount with Docker's keys and aliases" {
	host=$BATS_TEST_TMPDIR/hostdir
	mkdir -p "$host"
	echo host >"$host/f"

	run "$BERTH" run --rm \
		--mount type=bind,src="$host",dst=/h,readonly \
		--mount type=volume,source=mv,target=/v,volume-label=k=v \
		--mount type=tmpfs,destination=/t,tmpfs-size=1m,tmpfs-mode=1777 \
		busybox sh -c 'cat /h/f; touch /h/x 2>/dev/null || echo ro
			touch /v/ok && echo rw; stat -c %a /t
			grep " /t " /proc/mounts'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = host ]
	[ "${lines[1]}" = ro ]
	[ "${lines[2]}" = rw ]
	[ "${lines[3]}" = 1777 ]
	[[ "${lines[4]}" == *size=1024k* ]]
	[ "$("$BERTH" volume inspect -f '{{.Labels.k}}' mv)" = v ]

	run "$BERTH" create --name ro --mount type=volume,src=rv,target=/v,ro=true \
		--mount type=bind,source="$host",target=/p,bind-propagation=rslave \
		busybox true
	[ "$status" -eq 0 ]
	[ "$(berth_inspect_field ro '.Mounts[0].RW')" = false ]
	[ "$(berth_inspect_field ro '.Mounts[1].Propagation')" = rslave ]
	id=$(berth_inspect_field ro .Id)
	jq -e '.mounts[] | select(.destination == "/p") |
		.options | index("rslave")' \
		"$BERTH_ROOT/containers/$id/config.json" >/dev/null
}

@test "--tmpfs mounts a tmpfs" {
	run "$BERTH" run --rm --tmpfs /cache:size=2m busybox \
		grep " /cache " /proc/mounts
	[ "$status" -eq 0 ]
	[[ "$output" == *tmpfs*size=2048k* ]]
}

@test "--mount type=tmpfs,readonly makes a read-only tmpfs" {
	run "$BERTH" run --rm \
		--mount type=tmpfs,target=/t,readonly,tmpfs-size=1m \
		--mount type=tmpfs,target=/u,ro=true busybox sh -c \
		'grep -E " /(t|u) " /proc/mounts
		touch /t/f 2>/dev/null || echo denied'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "tmpfs /t tmpfs ro,"*size=1024k* ]]
	[[ "${lines[1]}" == "tmpfs /u tmpfs ro,"* ]]
	[ "${lines[2]}" = denied ]
}

@test "nested mounts are made outermost first" {
	run "$BERTH" run --rm -v inner:/x/y -v outer:/x busybox \
		touch /x/y/file
	[ "$status" -eq 0 ]
	[ -f "$BERTH_ROOT/volumes/inner/_data/file" ]
	[ ! -e "$BERTH_ROOT/volumes/outer/_data/y/file" ]

	# A volume at /etc keeps berth's /etc/hostname on top of it.
	run "$BERTH" run --name etc -v etcv:/etc busybox cat /etc/hostname
	[ "$status" -eq 0 ]
	[ "$output" = "$(berth_inspect_field etc .Id | cut -c1-12)" ]
}

@test "rslave bind mounts see later mounts of the host" {
	host=$BATS_TEST_TMPDIR/shared
	mkdir -p "$host"
	mount -t tmpfs berth-test-shared "$host"
	mount --make-shared "$host"
	mkdir "$host/sub"

	"$BERTH" run -d --name prop -v "$host:/x:rslave" busybox sleep 100 \
		>/dev/null
	mount -t tmpfs berth-test-later "$host/sub"
	run "$BERTH" exec prop grep -c " /x/sub " /proc/self/mountinfo
	umount "$host/sub"
	"$BERTH" rm -f prop >/dev/null
	umount "$host"
	[ "$output" = 1 ]
}

@test "-v creates a missing bind source, --mount does not" {
	src=$BATS_TEST_TMPDIR/made/here
	run "$BERTH" run --rm -v "$src:/m" busybox touch /m/f
	[ "$status" -eq 0 ]
	[ -f "$src/f" ]

	missing=$BATS_TEST_TMPDIR/missing
	run "$BERTH" run --rm --mount type=bind,source="$missing",target=/m \
		busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"'$missing' does not exist"* ]]
	[ ! -e "$missing" ]
	berth_assert_store_clean
}

@test "invalid mounts fail with 125 and leave nothing" {
	local specs=(
		"-v relative:dir"
		"-v vol:/"
		"-v /a:/proc/x"
		"-v a:/x:bogus"
		"-v a:/x:ro,rw"
		"-v /x:ro"
		"-v a:b:c:d"
		"-v bad/name:/x"
		"-v a:/x:rslave"
		"--mount type=volume,target=rel"
		"--mount type=bind,target=/x"
		"--mount type=tmpfs,source=a,target=/x"
		"--mount type=nfs,target=/x"
		"--mount type=volume,source=v,target=/x,bind-propagation=shared"
		"--mount type=volume,source=v"
		"--mount type=volume,target=/x,unknown=1"
		"--mount type=tmpfs,target=/x,tmpfs-size=lots"
		"--mount type=tmpfs,target=/x,tmpfs-mode=999"
		"--tmpfs rel"
		"--tmpfs /"
	)
	for spec in "${specs[@]}"; do
		# shellcheck disable=SC2086
		run "$BERTH" create $spec busybox true
		echo "$spec: $output"
		[ "$status" -eq 125 ]
		[[ "$output" == *invalid* || "$output" == *unknown* ]]
	done
	[ -z "$(volume_names)" ]
	berth_assert_store_clean
}

@test "duplicate mount points are rejected" {
	run "$BERTH" create -v a1:/data -v /x/../data busybox true
	[ "$status" -eq 125 ]
	run "$BERTH" create -v a1:/data --tmpfs /data/ busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"duplicate mount point '/data'"* ]]
	run "$BERTH" create -v a1:/data --mount type=volume,target=//data \
		busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"duplicate mount point"* ]]
	[ -z "$(volume_names)" ]
	berth_assert_store_clean
}

@test "a failed create keeps named volumes and removes anonymous ones" {
	run "$BERTH" create --user nosuchuser -v named1:/n -v /anon busybox true
	[ "$status" -eq 125 ]
	[ "$(volume_names)" = named1 ]
	berth_assert_store_clean
}

@test "volume prune removes unused anonymous volumes, -a named too" {
	"$BERTH" volume create named2 >/dev/null
	"$BERTH" create --name gone -v /anon busybox true >/dev/null
	anon=$(volume_names | grep -vx named2)
	"$BERTH" rm gone >/dev/null
	"$BERTH" create --name user -v used:/u -v /usedanon busybox \
		true >/dev/null
	echo 12345 >"$BERTH_ROOT/volumes/$anon/_data/f"
	[ "$("$BERTH" volume inspect -f '{{json .Labels}}' "$anon")" = \
		'{"com.docker.volume.anonymous":""}' ]

	run "$BERTH" volume prune -f
	[ "$status" -eq 0 ]
	[[ "$output" == *"Deleted Volumes:"*"$anon"* ]]
	[[ "$output" == *"Total reclaimed space: 6"* ]]
	[ "$(volume_names | wc -l)" -eq 3 ]
	volume_names | grep -qx named2

	run "$BERTH" volume prune -a -f
	[ "$status" -eq 0 ]
	[ "$(volume_names | wc -l)" -eq 2 ]
	volume_names | grep -qx used
	! volume_names | grep -qx named2

	run "$BERTH" volume prune -a <<<"n"
	[ "$status" -eq 0 ]
	[ "$(volume_names | wc -l)" -eq 2 ]
}

@test "inspect shows named volume and bind mounts" {
	host=$BATS_TEST_TMPDIR/b
	mkdir -p "$host"
	"$BERTH" create --name m -v nv:/data:ro -v "$host:/b" busybox \
		true >/dev/null
	[ "$(berth_inspect_field m '.Mounts[0].Name')" = nv ]
	[ "$(berth_inspect_field m '.Mounts[0].Source')" = \
		"$BERTH_ROOT/volumes/nv/_data" ]
	[ "$(berth_inspect_field m '.Mounts[0].RW')" = false ]
	[ "$(berth_inspect_field m '.Mounts[1].Type')" = bind ]
	[ "$(berth_inspect_field m '.Mounts[1].Source')" = "$host" ]
	[ "$(berth_inspect_field m '.HostConfig.Binds[0]')" = nv:/data:ro ]
}
