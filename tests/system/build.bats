#!/usr/bin/env bats
# berth build: instructions, the build cache, reproducible images,
# multi-stage builds and errors.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	berth_container_setup
	CTX=$BATS_TEST_TMPDIR/ctx
	mkdir -p "$CTX"
}

teardown() {
	berth_container_teardown
}

# Write the Containerfile of the test's context from standard input.
containerfile() {
	cat >"$CTX/Containerfile"
}

# Print field $2 (a jq path) of image $1's inspect output.
image_field() {
	"$BERTH" inspect --type image "$1" | jq -c ".[0]$2"
}

# Build the context quietly and print the image id.
build_quiet() {
	"$BERTH" build -q "$@" "$CTX"
}

@test "build runs RUN COPY and CMD" {
	echo hello >"$CTX/hello.txt"
	containerfile <<-'EOF'
		FROM busybox
		COPY hello.txt /data/
		RUN cat /data/hello.txt > /data/copy && echo built
		CMD ["cat", "/data/copy"]
	EOF

	run -0 "$BERTH" build -t test:one "$CTX"
	[[ "$output" == *"STEP 1/4: FROM busybox"* ]]
	[[ "$output" == *"STEP 3/4: RUN cat /data/hello.txt"* ]]
	[[ "$output" == *built* ]]
	[[ "$output" == *"COMMIT test:one"* ]]
	[[ "${lines[-1]}" =~ ^[0-9a-f]{64}$ ]]

	run -0 "$BERTH" run --rm test:one
	[ "$output" = hello ]
	berth_assert_store_clean
}

@test "build -q prints only the image id" {
	containerfile <<-'EOF'
		FROM busybox
		RUN echo noisy
	EOF

	run --separate-stderr -0 "$BERTH" build -q -t test:quiet "$CTX"
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	[ "$(image_field test:quiet .Id)" = "\"sha256:$output\"" ]
}

@test "build sets the config of metadata instructions" {
	containerfile <<-'EOF'
		FROM busybox
		ENV A=1 B="two words"
		ENV C=${A}-x
		USER 1000:1000
		EXPOSE 80 53/udp 8000-8001
		LABEL org.example.k=v other="x y"
		VOLUME /data
		VOLUME ["/logs"]
		STOPSIGNAL SIGINT
		SHELL ["/bin/sh", "-ec"]
		ENTRYPOINT ["/bin/echo"]
		CMD ["arg"]
		HEALTHCHECK --interval=30s --retries=3 CMD true
		ONBUILD RUN echo triggered
		MAINTAINER someone
	EOF

	build_quiet -t test:meta
	config=$(image_field test:meta .Config)
	[ "$(jq -c .Env <<<"$config")" = '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","A=1","B=two words","C=1-x"]' ]
	[ "$(jq -r .User <<<"$config")" = 1000:1000 ]
	[ "$(jq -c '.ExposedPorts | keys' <<<"$config")" = '["53/udp","80/tcp","8000/tcp","8001/tcp"]' ]
	[ "$(jq -c .Labels <<<"$config")" = '{"org.example.k":"v","other":"x y"}' ]
	[ "$(jq -c '.Volumes | keys' <<<"$config")" = '["/data","/logs"]' ]
	[ "$(jq -r .StopSignal <<<"$config")" = SIGINT ]
	[ "$(jq -c .Shell <<<"$config")" = '["/bin/sh","-ec"]' ]
	[ "$(jq -c .Entrypoint <<<"$config")" = '["/bin/echo"]' ]
	[ "$(jq -c .Cmd <<<"$config")" = '["arg"]' ]
	[ "$(jq -c .Healthcheck <<<"$config")" = '{"Interval":30000000000,"Retries":3,"Test":["CMD-SHELL","true"]}' ]
	[ "$(jq -c .OnBuild <<<"$config")" = '["RUN echo triggered"]' ]

	run -0 "$BERTH" run --rm test:meta
	[ "$output" = arg ]
}

@test "build ENTRYPOINT drops an inherited CMD" {
	containerfile <<-'EOF'
		FROM busybox
		CMD ["base"]
	EOF
	build_quiet -t test:base >/dev/null
	containerfile <<-'EOF'
		FROM test:base
		ENTRYPOINT ["/bin/echo", "only"]
	EOF

	build_quiet -t test:child >/dev/null
	[ "$(image_field test:child .Config.Cmd)" = null ]
	run -0 "$BERTH" run --rm test:child
	[ "$output" = only ]
}

@test "build RUN sees ENV ARG USER and WORKDIR" {
	containerfile <<-'EOF'
		FROM busybox
		ARG VERSION=1.0
		ENV HOME_DIR=/srv
		WORKDIR $HOME_DIR/app
		WORKDIR sub
		RUN mkdir -p /out && echo "$VERSION $HOME_DIR $(pwd) $(id -u)" > /out/root
		USER 65534
		RUN id -u > /tmp/nobody
		USER root
		RUN cp /tmp/nobody /out/user
	EOF

	build_quiet -t test:env >/dev/null
	run -0 "$BERTH" run --rm test:env cat /out/root /out/user
	[ "${lines[0]}" = "1.0 /srv /srv/app/sub 0" ]
	[ "${lines[1]}" = 65534 ]
	[ "$(image_field test:env .Config.WorkingDir)" = '"/srv/app/sub"' ]
}

@test "build --build-arg overrides ARG and reaches FROM" {
	containerfile <<-'EOF'
		ARG BASE=nothing
		FROM $BASE
		ARG GREETING=default
		ARG UNSET
		RUN echo "greeting=$GREETING unset=${UNSET:-none}" > /msg
	EOF

	run -0 "$BERTH" build -q --build-arg BASE=busybox \
		--build-arg GREETING=given -t test:args "$CTX"
	run -0 "$BERTH" run --rm test:args cat /msg
	[ "$output" = "greeting=given unset=none" ]

	run -0 "$BERTH" build --build-arg BASE=busybox --build-arg EXTRA=1 \
		"$CTX"
	[[ "$output" == *"'EXTRA' was not consumed"* ]]
}

@test "build FROM takes a digest and global ARGs" {
	digest=$(image_field busybox:latest .Digest | jq -r .)
	containerfile <<-EOF
		ARG WHO=global
		FROM busybox@$digest
		ARG WHO
		RUN echo "who=\$WHO" > /who
	EOF

	build_quiet -t test:digest >/dev/null
	run -0 "$BERTH" run --rm test:digest cat /who
	[ "$output" = who=global ]
}

@test "build passes proxy build args to RUN only" {
	containerfile <<-'EOF'
		FROM busybox
		RUN echo "proxy=$http_proxy" > /proxy
	EOF

	run -0 "$BERTH" build --build-arg http_proxy=http://127.0.0.1:3128 \
		-t test:proxy "$CTX"
	[[ "$output" != *"not consumed"* ]]
	run -0 "$BERTH" run --rm test:proxy cat /proxy
	[ "$output" = proxy=http://127.0.0.1:3128 ]
	[[ "$(image_field test:proxy .Config.Env)" != *proxy* ]]
}

@test "build COPY follows destination rules" {
	mkdir -p "$CTX/dir/sub"
	echo a >"$CTX/a.txt"
	echo b >"$CTX/b.txt"
	echo c >"$CTX/c.log"
	echo inner >"$CTX/dir/sub/inner"
	containerfile <<-'EOF'
		FROM busybox
		WORKDIR /w
		COPY a.txt renamed
		COPY a.txt b.txt multi/
		COPY *.txt globbed/
		COPY dir /content
		COPY dir/sub/inner relative/
		COPY c.log /etc
	EOF

	build_quiet -t test:copy >/dev/null
	run -0 "$BERTH" run --rm test:copy sh -c \
		'cat /w/renamed; ls /w/multi; ls /w/globbed; ls /content;
		 cat /content/sub/inner /w/relative/inner /etc/c.log'
	[ "${lines[0]}" = a ]
	[ "${lines[1]}" = a.txt ]
	[ "${lines[2]}" = b.txt ]
	[ "${lines[3]}" = a.txt ]
	[ "${lines[4]}" = b.txt ]
	[ "${lines[5]}" = sub ]
	[ "${lines[6]}" = inner ]
	[ "${lines[7]}" = inner ]
	[ "${lines[8]}" = c ]
}

@test "build COPY with several sources needs a directory" {
	echo a >"$CTX/a"
	echo b >"$CTX/b"
	containerfile <<-'EOF'
		FROM busybox
		COPY a b /notadir
	EOF

	run -125 "$BERTH" build "$CTX"
	[[ "$output" == *"Containerfile:2: COPY: "*"must be a directory ending with '/'"* ]]
}

@test "build COPY --chown and --chmod" {
	echo data >"$CTX/f"
	mkdir "$CTX/d"
	echo x >"$CTX/d/x"
	containerfile <<-'EOF'
		FROM busybox
		RUN echo 'app:x:1234:4321::/home/app:/bin/sh' >> /etc/passwd && echo 'grp:x:555:' >> /etc/group
		COPY --chown=77:88 f /numeric
		COPY --chown=app f /named
		COPY --chown=app:grp d /dir
		COPY --chmod=0640 f /mode
		COPY f /plain
	EOF

	build_quiet -t test:own >/dev/null
	run -0 "$BERTH" run --rm test:own sh -c \
		'stat -c "%u:%g %a" /numeric /named /dir/x /mode /plain'
	[ "${lines[0]}" = "77:88 644" ]
	[ "${lines[1]}" = "1234:1234 644" ]
	[ "${lines[2]}" = "1234:555 644" ]
	[ "${lines[3]}" = "0:0 640" ]
	[ "${lines[4]}" = "0:0 644" ]
}

@test "build ADD unpacks local archives" {
	mkdir -p "$BATS_TEST_TMPDIR/tree/top"
	echo packed >"$BATS_TEST_TMPDIR/tree/top/file"
	tar -C "$BATS_TEST_TMPDIR/tree" -czf "$CTX/a.tar.gz" top
	tar -C "$BATS_TEST_TMPDIR/tree" -cjf "$CTX/b.tar.bz2" top
	tar -C "$BATS_TEST_TMPDIR/tree" -cJf "$CTX/c.tar.xz" top
	tar -C "$BATS_TEST_TMPDIR/tree" -cf "$CTX/d.tar" top
	echo plain >"$CTX/notes.txt"
	containerfile <<-'EOF'
		FROM busybox
		ADD a.tar.gz /gz/
		ADD b.tar.bz2 /bz2
		ADD c.tar.xz /xz
		ADD d.tar /plain
		ADD notes.txt /notes/
	EOF

	build_quiet -t test:add >/dev/null
	run -0 "$BERTH" run --rm test:add cat /gz/top/file /bz2/top/file \
		/xz/top/file /plain/top/file /notes/notes.txt
	[ "$output" = "$(printf 'packed\npacked\npacked\npacked\nplain')" ]
}

@test "build ADD rejects an archive that climbs out" {
	mkdir -p "$BATS_TEST_TMPDIR/evil"
	echo x >"$BATS_TEST_TMPDIR/evil/x"
	tar -C "$BATS_TEST_TMPDIR/evil" -cf "$CTX/evil.tar" \
		--transform 's,^x,../../escaped,' x
	containerfile <<-'EOF'
		FROM busybox
		ADD evil.tar /target/
	EOF

	run -125 "$BERTH" build "$CTX"
	[[ "$output" == *"Containerfile:2: ADD: "* ]]
	[ ! -e "$BATS_TEST_TMPDIR/escaped" ]
	berth_assert_store_clean
}

@test "build skips files in .containerignore" {
	mkdir "$CTX/keep" "$CTX/secret"
	echo k >"$CTX/keep/k"
	echo s >"$CTX/secret/s"
	echo l >"$CTX/keep/debug.log"
	printf 'secret\n*/*.log\n' >"$CTX/.containerignore"
	containerfile <<-'EOF'
		FROM busybox
		COPY . /ctx
	EOF

	build_quiet -t test:ignore >/dev/null
	run -0 "$BERTH" run --rm test:ignore find /ctx -type f
	[[ "$output" == *"/ctx/keep/k"* ]]
	[[ "$output" != *secret* ]]
	[[ "$output" != *debug.log* ]]
}

@test "build RUN has no network unless --network host" {
	containerfile <<-'EOF'
		FROM busybox
		RUN ls /sys/class/net > /nets
	EOF

	build_quiet -t test:none >/dev/null
	run -0 "$BERTH" run --rm test:none cat /nets
	[ "$output" = lo ]

	# Other tests add and remove host interfaces meanwhile, so look for
	# one that stays: the device of the host's default route.
	host_dev=$(awk '$2 == "00000000" { print $1; exit }' /proc/net/route)
	[ -n "$host_dev" ]

	build_quiet --network host -t test:host >/dev/null
	run -0 "$BERTH" run --rm test:host grep -x "$host_dev" /nets

	containerfile <<-'EOF'
		FROM busybox
		RUN --network=host ls /sys/class/net > /nets
	EOF
	build_quiet -t test:step-host >/dev/null
	run -0 "$BERTH" run --rm test:step-host grep -x "$host_dev" /nets

	containerfile <<-'EOF'
		FROM busybox
		RUN --network=bridge true
	EOF
	run -125 "$BERTH" build "$CTX"
	[[ "$output" == *"Containerfile:2: RUN: invalid --network 'bridge'"* ]]
}

@test "build ONBUILD triggers run in the child image" {
	containerfile <<-'EOF'
		FROM busybox
		ONBUILD RUN echo fired > /trigger
	EOF
	build_quiet -t test:parent >/dev/null
	containerfile <<-'EOF'
		FROM test:parent
		RUN cat /trigger
	EOF

	run -0 "$BERTH" build -t test:child "$CTX"
	[[ "$output" == *fired* ]]
	[ "$(image_field test:child .Config.OnBuild)" = null ]
}

@test "build reuses the cache of an unchanged rebuild" {
	echo one >"$CTX/one"
	containerfile <<-'EOF'
		FROM busybox
		COPY one /one
		RUN echo ran-$((1 + 1))
		WORKDIR /app
	EOF

	run -0 "$BERTH" build -t test:cache "$CTX"
	first=${lines[-1]}
	[[ "$output" == *ran-2* ]]
	[[ "$output" != *"Using cache"* ]]

	run -0 "$BERTH" build -t test:cache "$CTX"
	[ "$(grep -c -- '--> Using cache' <<<"$output")" -eq 3 ]
	[[ "$output" != *ran-2* ]]
	[ "${lines[-1]}" = "$first" ]
	[ "$(image_field test:cache '.RootFS.Layers | length')" -eq 4 ]
	[ "$(image_field "$first" '.RootFS.Layers')" = \
		"$(image_field test:cache '.RootFS.Layers')" ]
}

@test "build re-runs from the changed COPY on" {
	echo one >"$CTX/one"
	echo two >"$CTX/two"
	containerfile <<-'EOF'
		FROM busybox
		RUN echo first-$((1 + 1))
		COPY one /one
		COPY two /two
		RUN echo last-$((1 + 1))
	EOF
	build_quiet -t test:inval >/dev/null

	echo changed >"$CTX/two"
	run -0 "$BERTH" build -t test:inval "$CTX"
	[ "$(grep -c -- '--> Using cache' <<<"$output")" -eq 2 ]
	[[ "$output" != *first-2* ]]
	[[ "$output" == *last-2* ]]
	run -0 "$BERTH" run --rm test:inval cat /two
	[ "$output" = changed ]

	# Times are not content: touching a file keeps the cache.
	touch -d '2001-01-01' "$CTX/one" "$CTX/two"
	run -0 "$BERTH" build "$CTX"
	[ "$(grep -c -- '--> Using cache' <<<"$output")" -eq 4 ]
}

@test "build --no-cache runs every step" {
	containerfile <<-'EOF'
		FROM busybox
		RUN echo ran-$((1 + 1))
	EOF
	build_quiet >/dev/null

	run -0 "$BERTH" build --no-cache "$CTX"
	[[ "$output" != *"Using cache"* ]]
	[[ "$output" == *ran-2* ]]
}

@test "build --build-arg change invalidates RUN" {
	containerfile <<-'EOF'
		FROM busybox
		ARG V=1
		RUN echo "value $V"
	EOF
	build_quiet >/dev/null

	run -0 "$BERTH" build --build-arg V=2 "$CTX"
	[[ "$output" == *"value 2"* ]]
	[[ "$output" != *"Using cache"* ]]
}

@test "build --timestamp gives the same digest in two stores" {
	echo content >"$CTX/file"
	containerfile <<-'EOF'
		FROM busybox
		COPY file /file
		RUN echo made > /made && touch /made
		ENV X=1
	EOF

	# The second store starts with the same base image, so that only
	# the build itself could differ.
	cp -a "$BERTH_ROOT" "$BATS_TEST_TMPDIR/root2"

	run -0 "$BERTH" build -q --timestamp 1700000000 -t test:repro "$CTX"
	id1=$output
	digest1=$(image_field test:repro .Digest)

	export BERTH_ROOT=$BATS_TEST_TMPDIR/root2
	sleep 1
	touch "$CTX/file"
	run -0 "$BERTH" build -q --timestamp 1700000000 -t test:repro "$CTX"
	[ "$output" = "$id1" ]
	[ "$(image_field test:repro .Digest)" = "$digest1" ]
	[ "$(image_field test:repro .Created)" = '"2023-11-14T22:13:20Z"' ]

	SOURCE_DATE_EPOCH=1700000000 run -0 "$BERTH" build -q --no-cache "$CTX"
	[ "$output" = "$id1" ]
}

@test "build --target builds only the stages it needs" {
	containerfile <<-'EOF'
		FROM busybox AS builder
		RUN echo compiled > /artifact

		FROM busybox AS unused
		RUN echo unused-stage-ran && false

		FROM busybox AS final
		COPY --from=builder /artifact /artifact
		RUN cat /artifact

		FROM final AS extra
		RUN echo extra
	EOF

	run -0 "$BERTH" build --target final -t test:final "$CTX"
	[[ "$output" != *unused-stage-ran* ]]
	[[ "$output" != *extra* ]]
	[[ "$output" == *"[1/2] STEP 1/5: FROM busybox AS builder"* ]]
	run -0 "$BERTH" run --rm test:final cat /artifact
	[ "$output" = compiled ]

	run -0 "$BERTH" build -q -t test:extra "$CTX" 2>&1
	run -0 "$BERTH" run --rm test:extra cat /artifact
	[ "$output" = compiled ]
}

@test "build unchanged multi-stage rebuild adds no image" {
	containerfile <<-'EOF'
		FROM busybox AS base
		RUN echo base > /base

		FROM base
		RUN cat /base
	EOF

	run -0 "$BERTH" build -q -t test:multi "$CTX"
	first=$output
	before=$("$BERTH" images -q | wc -l)

	run -0 "$BERTH" build -q -t test:multi "$CTX"
	[ "$output" = "$first" ]
	[ "$("$BERTH" images -q | wc -l)" -eq "$before" ]
}

@test "build COPY --from an image and a stage index" {
	containerfile <<-'EOF'
		FROM busybox
		RUN echo zero > /zero

		FROM scratch
		COPY --from=0 /zero /zero
		COPY --from=busybox /bin/busybox /bin/busybox
		CMD ["/bin/busybox", "cat", "/zero"]
	EOF

	build_quiet -t test:scratch >/dev/null
	run -0 "$BERTH" run --rm test:scratch
	[ "$output" = zero ]
}

@test "build fails on a missing COPY source" {
	containerfile <<-'EOF'
		FROM busybox
		COPY missing.txt /x
	EOF

	run -125 "$BERTH" build -t test:bad "$CTX"
	[[ "$output" == *"Containerfile:2: COPY: source 'missing.txt' not found in the build context"* ]]
	run "$BERTH" inspect --type image test:bad
	[ "$status" -ne 0 ]
	berth_assert_store_clean
}

@test "build reports a failing RUN with its status" {
	containerfile <<-'EOF'
		FROM busybox
		RUN echo before
		RUN exit 7
	EOF

	run -7 "$BERTH" build -t test:fail "$CTX"
	[[ "$output" == *"Containerfile:3: RUN: RUN failed with exit status 7"* ]]
	run "$BERTH" inspect --type image test:fail
	[ "$status" -ne 0 ]
	berth_assert_store_clean
	[ -z "$(ls "$BERTH_RUNROOT/runtime" 2>/dev/null)" ]
	[ -z "$(ls "$BERTH_ROOT/cache/build/work" 2>/dev/null)" ]
}

@test "build rejects an unknown target stage" {
	containerfile <<-'EOF'
		FROM busybox AS one
	EOF

	run -125 "$BERTH" build --target two "$CTX"
	[[ "$output" == *"target stage 'two' not found"* ]]
}

@test "build FROM names no later stage" {
	containerfile <<-'EOF'
		FROM second AS first
		RUN true

		FROM first AS second
		RUN true
	EOF

	run -125 "$BERTH" build "$CTX"
	[[ "$output" == *"Containerfile:1: FROM: image 'second' not found"* ]]
	berth_assert_store_clean
}

@test "build rejects COPY --from of a later stage" {
	containerfile <<-'EOF'
		FROM busybox AS first
		COPY --from=second /x /x

		FROM busybox AS second
	EOF

	run -125 "$BERTH" build "$CTX"
	[[ "$output" == *"Containerfile:2:"* ]]
}

@test "build rejects COPY --from of an unknown stage" {
	containerfile <<-'EOF'
		FROM busybox
		COPY --from=nosuch /x /x
	EOF

	run -125 "$BERTH" build "$CTX"
	[[ "$output" == *"Containerfile:2: COPY: --from 'nosuch' names no earlier stage and no image"* ]]
	berth_assert_store_clean
}

@test "build rejects an invalid ARG name" {
	containerfile <<-'EOF'
		FROM busybox
		ARG 1BAD=x
	EOF

	run -125 "$BERTH" build "$CTX"
	[[ "$output" == *"Containerfile:2: ARG: invalid ARG name '1BAD'"* ]]
}

@test "build rejects an image that is not in the store" {
	containerfile <<-'EOF'
		FROM nosuch:image
	EOF

	run -125 "$BERTH" build "$CTX"
	[[ "$output" == *"Containerfile:1: FROM: image 'nosuch:image' not found"* ]]
}

@test "build without a Containerfile" {
	run -125 "$BERTH" build "$CTX"
	[[ "$output" == *"no Containerfile or Dockerfile found"* ]]
}

@test "build -f reads a Dockerfile elsewhere and several tags" {
	printf 'FROM busybox\nLABEL from=file\n' >"$BATS_TEST_TMPDIR/Other"
	run -0 "$BERTH" build -q -f "$BATS_TEST_TMPDIR/Other" -t test:a \
		-t test:b --label extra=yes "$CTX"
	id=$output
	[ "$(image_field test:a .Id)" = "\"sha256:$id\"" ]
	[ "$(image_field test:b .Id)" = "\"sha256:$id\"" ]
	[ "$(image_field test:a .Config.Labels)" = '{"extra":"yes","from":"file"}' ]
}

@test "build COPY never leaves the context or the root" {
	ln -s /etc/hostname "$CTX/leak"
	containerfile <<-'EOF'
		FROM busybox
		COPY leak /leak
	EOF
	run -125 "$BERTH" build "$CTX"
	[[ "$output" == *"source 'leak' not found in the build context"* ]]

	marker=$BATS_TEST_TMPDIR/host-dir
	mkdir "$marker"
	containerfile <<-EOF
		FROM busybox
		RUN mkdir -p $marker && ln -s $marker /link
		COPY Containerfile /link/cf
	EOF
	build_quiet -t test:link >/dev/null
	[ ! -e "$marker/cf" ]
	run -0 "$BERTH" run --rm test:link cat "$marker/cf"
	[[ "$output" == *"FROM busybox"* ]]

	# A dangling link is not followed out of the root either.
	containerfile <<-EOF
		FROM busybox
		RUN ln -s $marker /dangling
		COPY Containerfile /dangling/cf
	EOF
	run -125 "$BERTH" build "$CTX"
	[[ "$output" == *"COPY: destination '/dangling'"* ]]
	[ ! -e "$marker/cf" ]
}

@test "build stopped by SIGTERM leaves nothing behind" {
	containerfile <<-'EOF'
		FROM busybox
		RUN echo started && sleep 60
	EOF

	"$BERTH" build -t test:stopped "$CTX" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do
		grep -q started "$BATS_TEST_TMPDIR/out" && break
		sleep 0.1
	done
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	[ "$status" -ne 0 ]
	grep -q "interrupted" "$BATS_TEST_TMPDIR/out"
	run "$BERTH" inspect --type image test:stopped
	[ "$status" -ne 0 ]
	berth_assert_store_clean
	[ -z "$(ls "$BERTH_RUNROOT/runtime" 2>/dev/null)" ]
}

@test "build RUN and COPY take heredocs" {
	containerfile <<-'OUTER'
		FROM busybox
		RUN <<EOF
		echo one > /script-out
		echo two >> /script-out
		EOF
		COPY <<EOF /etc/greeting
		hello from a heredoc
		EOF
	OUTER

	build_quiet -t test:heredoc >/dev/null
	run -0 "$BERTH" run --rm test:heredoc cat /script-out /etc/greeting
	[ "${lines[0]}" = one ]
	[ "${lines[1]}" = two ]
	[ "${lines[2]}" = "hello from a heredoc" ]
}
