# SPDX-License-Identifier: GPL-2.0-or-later
# mkimage.bash - the image fixtures of tests/images.bats (images.md "Oracles"),
# built offline by umoci 0.4.7 and skopeo 1.9.3 as root, once per bats file
# (setup_file) below $BATS_FILE_TMPDIR/img, each step skipped when done.
#
#   mkimage_umoci DIR     DIR/oci: the layout, refs:
#                           v1    one layer: files, dirs, symlinks, hardlinks,
#                                 a fifo, devices, setuid, setcap, user.* xattrs
#                           v2    + umoci repack: whiteouts, rm -rf, a remade dir
#                                 (.wh.D + D), a file deep in old dirs (implied parents)
#                           v3    + umoci insert --opaque /opt
#                           img   + a python-made layer (mklayer.py): duplicates
#                                 (the later wins), dir over dir, a file deep in
#                                 dirs no layer has (IMPLIED_NEW below)
#                         DIR/bundle-REF: umoci unpack of each (the oracle)
#   mkimage_copies DIR    from DIR/oci:img, every source form of images.md:
#                           img.oci.tar (oci-archive), img.d.tar (docker-archive,
#                           old form), img.d.tar.gz (gzipped), img.d25.tar (docker
#                           25+: an OCI layout and manifest.json), zstd/ (layout,
#                           zstd layers), multi/ (a two-platform index: amd64 and
#                           arm64, nested in index.json under ref "multi")
#   mkimage_tiny DIR N    DIR/tinyN: N layers of one file each (mklayer.py)
#
# The paths treesum must not compare in the flattened view: the merged root
# (the upper's attributes) and the directories no layer has an entry for
# (/newtop and /newtop/sub of the top layer).

# shellcheck disable=SC2034 # used by the files that source this one
MKLAYER=$CTU_ROOT/tests/helpers/mklayer.py
# shellcheck disable=SC2034
TREESUM=$CTU_ROOT/tests/helpers/treesum
# shellcheck disable=SC2034
TREESUM_SKIP=(--skip-attrs-of / --skip-attrs-of /newtop --skip-attrs-of /newtop/sub)

_mkimage_layer1() {
	local r=$1
	mkdir -p "$r"/{etc,bin,data,dev,run,srv/www,home/u,old/sub,opt/lower,remade/inner,usr/share/deep,tmp}
	echo ctu-host >"$r/etc/hostname"
	printf 'root:x:0:0:root:/root:/bin/sh\nu:x:1000:1000::/home/u:/bin/sh\n' >"$r/etc/passwd"
	printf '#!/bin/sh\necho tool\n' >"$r/bin/tool"
	chmod 0755 "$r/bin/tool"
	head -c 100000 /dev/urandom >"$r/data/random"
	echo linked >"$r/data/h1"
	ln "$r/data/h1" "$r/data/h2"
	ln "$r/data/h1" "$r/etc/h3"
	ln -s hostname "$r/etc/rel-link"
	ln -s /etc/hostname "$r/abs-link"
	ln -s ../no/such "$r/data/dangling"
	mkfifo "$r/run/fifo"
	mknod "$r/dev/null0" c 1 3
	mknod "$r/dev/loop9" b 7 9
	printf 'setuid\n' >"$r/bin/suid"
	chmod 4755 "$r/bin/suid"
	mkdir "$r/srv/shared"
	chmod 2775 "$r/srv/shared"
	chmod 1777 "$r/tmp"
	chmod 0750 "$r/srv/www"
	printf 'cap\n' >"$r/bin/capped"
	chmod 0755 "$r/bin/capped"
	setcap cap_net_raw+ep "$r/bin/capped"
	setfattr -n user.color -v blue "$r/etc/hostname"

	setfattr -n user.dir -v yes "$r/srv/www"
	echo mine >"$r/home/u/file"
	chown -R 1000:1000 "$r/home/u"
	chown 1000:2000 "$r/srv/www"
	echo gone >"$r/gone"
	echo a >"$r/old/a"
	echo b >"$r/old/sub/b"
	echo lower-opt >"$r/opt/lower/file"
	echo keep >"$r/opt/keep"
	echo inner >"$r/remade/inner/x"
	echo old >"$r/remade/file"
	mkdir "$r/remade2"
	echo old >"$r/remade2/old"
	echo deep >"$r/usr/share/deep/old"
	touch -h -d @1000000000 "$r/etc/rel-link"
	touch -d @1234567890 "$r/data/random" "$r/srv/www"
}

_mkimage_layer2() {
	local r=$1
	rm "$r/gone"
	rm -rf "$r/old"
	rm -rf "$r/remade"
	mkdir "$r/remade"
	echo new >"$r/remade/y"
	echo changed >"$r/etc/hostname"
	setfattr -n user.color -v red "$r/etc/hostname"
	# usr and usr/share unchanged: implied parents of usr/share/deep's entry
	echo new-deep >"$r/usr/share/deep/new"
	chmod 0700 "$r/home/u"
}

mkimage_umoci() {
	local d=$1 s
	[ -e "$d/.umoci-done" ] && return 0
	mkdir -p "$d"
	umoci init --layout "$d/oci"
	umoci new --image "$d/oci:base"
	umoci unpack --image "$d/oci:base" "$d/work" >/dev/null
	_mkimage_layer1 "$d/work/rootfs"
	umoci repack --image "$d/oci:v1" "$d/work"
	# a bundle repacks onto the image it was unpacked from
	rm -rf "$d/work"
	umoci unpack --image "$d/oci:v1" "$d/work" >/dev/null
	_mkimage_layer2 "$d/work/rootfs"
	umoci repack --image "$d/oci:v2" "$d/work"
	rm -rf "$d/work"
	s=$d/opaque-src
	mkdir -p "$s/fresh"
	echo only-this >"$s/fresh/file"
	# umoci 0.4.7's insert leaves out the tar's end blocks (umoci#436, fixed
	# in 0.4.8 by #534): a layer that real images have, and must read
	umoci insert --image "$d/oci:v2" --tag v3 --opaque "$s" /opt >/dev/null
	rm -rf "$s"
	# duplicates: the later entry wins; dir over dir replaces attributes
	"$MKLAYER" "$d/oci" --base v3 --ref img --layer '[
		{"name": "dup", "data": "first"},
		{"name": "dup", "data": "second", "mode": 384},
		{"name": "dupdir", "type": "d", "mode": 448},
		{"name": "dupdir/f", "data": "in"},
		{"name": "dupdir", "type": "d", "mode": 493, "mtime": 7},
		{"name": "was-file", "data": "file"},
		{"name": "was-file", "type": "d"},
		{"name": "newtop/sub/file", "data": "implied parents"},
		{"name": ".wh.remade2"},
		{"name": "remade2", "type": "d", "mode": 488},
		{"name": "remade2/new", "data": "remade"},
		{"name": "etc/hostname", "data": "from the top layer\n", "mtime": 99}
	]' >/dev/null
	for s in v1 v2 v3 img; do
		umoci unpack --image "$d/oci:$s" "$d/bundle-$s" >/dev/null
	done
	touch "$d/.umoci-done"
}

# _mkimage_docker25 LAYOUT REF TAR: docker 25+'s `docker save`: the OCI
# layout itself, plus manifest.json naming blobs/sha256/HEX (the layers
# uncompressed, as docker stores them); python3 tarfile, ./-less names.
_mkimage_docker25() {
	python3 - "$@" <<-'EOF'
		import json, os, sys, tarfile
		layout, ref, out = sys.argv[1:4]
		idx = json.load(open(os.path.join(layout, "index.json")))
		desc = idx["manifests"][0]
		desc.setdefault("annotations", {})["io.containerd.image.name"] = "docker.io/ctu/img:v1"
		desc["annotations"]["org.opencontainers.image.ref.name"] = "v1"
		man = json.load(open(os.path.join(layout, "blobs/sha256", desc["digest"][7:])))
		dm = [{"Config": "blobs/sha256/" + man["config"]["digest"][7:],
		       "RepoTags": ["ctu/img:v1"],
		       "Layers": ["blobs/sha256/" + l["digest"][7:] for l in man["layers"]]}]
		with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tf:
		    def add(name, data):
		        import io
		        ti = tarfile.TarInfo(name); ti.size = len(data); ti.mode = 0o644
		        tf.addfile(ti, io.BytesIO(data))
		    for d in ("blobs", "blobs/sha256"):
		        ti = tarfile.TarInfo(d); ti.type = tarfile.DIRTYPE; ti.mode = 0o755
		        tf.addfile(ti)
		    for h in sorted(os.listdir(os.path.join(layout, "blobs/sha256"))):
		        add("blobs/sha256/" + h, open(os.path.join(layout, "blobs/sha256", h), "rb").read())
		    add("index.json", json.dumps(idx).encode())
		    add("manifest.json", json.dumps(dm).encode())
		    add("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
	EOF
}

_skopeo() {
	skopeo --insecure-policy copy -q "$@" >/dev/null
}

mkimage_copies() {
	local d=$1
	[ -e "$d/.copies-done" ] && return 0
	_skopeo oci:"$d/oci:img" oci-archive:"$d/img.oci.tar:img"
	_skopeo oci:"$d/oci:img" docker-archive:"$d/img.d.tar:ctu/img:v1"
	gzip -c "$d/img.d.tar" >"$d/img.d.tar.gz"
	_skopeo --dest-oci-accept-uncompressed-layers --dest-decompress oci:"$d/oci:img" oci:"$d/d25:v1" ||
		_skopeo oci:"$d/oci:img" oci:"$d/d25:v1"
	_mkimage_docker25 "$d/d25" v1 "$d/img.d25.tar"
	rm -rf "$d/d25"
	_skopeo --dest-compress-format zstd oci:"$d/oci:img" oci:"$d/zstd:img"
	_mkimage_multi "$d"
	touch "$d/.copies-done"
}

# Two manifests of one image in an index (amd64 and arm64: umoci config
# changes the config only), the index a blob named by index.json's "multi".
_mkimage_multi() {
	local d=$1
	_skopeo oci:"$d/oci:img" oci:"$d/multi:amd"
	umoci config --image "$d/multi:amd" --architecture arm64 --tag arm
	python3 - "$d/multi" <<-'EOF'
		import hashlib, json, os, sys
		layout = sys.argv[1]
		idx = json.load(open(os.path.join(layout, "index.json")))
		descs = []
		for want in ("amd", "arm"):
		    m = [x for x in idx["manifests"]
		         if x.get("annotations", {}).get("org.opencontainers.image.ref.name") == want][0]
		    man = json.load(open(os.path.join(layout, "blobs/sha256", m["digest"][7:])))
		    cfg = json.load(open(os.path.join(layout, "blobs/sha256", man["config"]["digest"][7:])))
		    descs.append({"mediaType": m["mediaType"], "digest": m["digest"], "size": m["size"],
		                  "platform": {"os": cfg["os"], "architecture": cfg["architecture"]}})
		    open(os.path.join(layout, want + ".digest"), "w").write(m["digest"] + "\n")
		blob = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
		                   "manifests": descs}, sort_keys=True).encode()
		h = hashlib.sha256(blob).hexdigest()
		open(os.path.join(layout, "blobs/sha256", h), "wb").write(blob)
		top = {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": "sha256:" + h,
		       "size": len(blob), "annotations": {"org.opencontainers.image.ref.name": "multi"}}
		json.dump({"schemaVersion": 2, "manifests": [top]}, open(os.path.join(layout, "index.json"), "w"))
	EOF
}

mkimage_tiny() {
	local d=$1 n=$2
	[ -e "$d/tiny$n/index.json" ] && return 0
	"$MKLAYER" "$d/tiny$n" --tiny-layers "$n" --ref "n$n" >/dev/null
}

# mkimage_all DIR: everything above, once.
mkimage_all() {
	mkimage_umoci "$1" && mkimage_copies "$1"
}
