#!/usr/bin/env python3
# A registry that misbehaves on purpose, for the pull tests: it serves
# one image of an OCI layout (a berth store) and breaks the transfer in
# the way MODE names.
#
#   pull-fake-registry.py PORT_FILE STORE NAME:TAG MODE
#
# It listens on 127.0.0.1 at a free port, written to PORT_FILE, and
# serves the image at /v2/test/manifests/TAG (and by digest) and its
# blobs at /v2/test/blobs/DIGEST. MODE:
#   good       serves the image as it is
#   truncate   sends half of each layer blob, then closes the connection
#   stall      sends the headers of a layer blob, then nothing
#   corrupt    flips one byte of each layer blob
#   bad-size   the manifest gives each layer one byte more than it has
#   bad-type   the manifest gives each layer the media type text/plain
#   bad-diff-id the config gives the first layer a wrong diff_id
#   http-realm replies to every request with a Bearer challenge whose realm
#              is a plain http URL on a host other than 127.0.0.1
#   redirect   asks for Basic credentials (user "u", password "p") and
#              redirects blob requests to http://localhost:PORT/store/,
#              another origin, which refuses any request that carries
#              an Authorization header
import base64
import hashlib
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port_file, store, ref, mode = sys.argv[1:5]
name = "test"
tag = ref.rsplit(":", 1)[1]


def read_blob(digest):
    path = os.path.join(store, "blobs", "sha256", digest.split(":", 1)[1])
    with open(path, "rb") as f:
        return f.read()


def find_manifest():
    with open(os.path.join(store, "index.json")) as f:
        index = json.load(f)
    for m in index["manifests"]:
        annotations = m.get("annotations", {})
        if annotations.get("org.opencontainers.image.ref.name") == ref:
            return m["digest"]
    sys.exit("image %s not in %s" % (ref, store))


manifest = json.loads(read_blob(find_manifest()))
layers = {l["digest"] for l in manifest["layers"]}
for l in manifest["layers"]:
    if mode == "bad-size":
        l["size"] += 1
    elif mode == "bad-type":
        l["mediaType"] = "text/plain"
configs = {}
if mode == "bad-diff-id":
    config = json.loads(read_blob(manifest["config"]["digest"]))
    config["rootfs"]["diff_ids"][0] = "sha256:" + "0" * 64
    config_bytes = json.dumps(config).encode()
    config_digest = "sha256:" + hashlib.sha256(config_bytes).hexdigest()
    manifest["config"]["digest"] = config_digest
    manifest["config"]["size"] = len(config_bytes)
    configs[config_digest] = config_bytes
manifest_bytes = json.dumps(manifest).encode()
manifest_digest = "sha256:" + hashlib.sha256(manifest_bytes).hexdigest()
credentials = "Basic " + base64.b64encode(b"u:p").decode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.requestline,
                                      self.headers.get("Authorization")))

    def reply(self, code, body=b"", content_type="application/json",
              extra=()):
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def error(self, code, err, message):
        body = json.dumps({"errors": [{"code": err, "message": message}]})
        extra = ()
        if code == 401:
            extra = [("WWW-Authenticate", 'Basic realm="fake"')]
        self.reply(code, body.encode(), extra=extra)

    def authorized(self):
        if mode == "http-realm":
            challenge = 'Bearer realm="http://realm.invalid/token"'
            self.reply(401, b"{}", extra=[("WWW-Authenticate", challenge)])
            return False
        if mode != "redirect":
            return True
        if self.headers.get("Authorization") == credentials:
            return True
        self.error(401, "UNAUTHORIZED", "authentication required")
        return False

    def send_blob(self, digest):
        if digest in configs:
            return self.reply(200, configs[digest],
                              "application/octet-stream")
        data = read_blob(digest)
        if digest not in layers or mode in ("good", "bad-size", "bad-type",
                                            "bad-diff-id", "redirect"):
            return self.reply(200, data, "application/octet-stream")
        if mode == "corrupt":
            data = bytes([data[0] ^ 1]) + data[1:]
            return self.reply(200, data, "application/octet-stream")
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if mode == "truncate":
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return None
        time.sleep(60)
        return None

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path.startswith("/store/"):
            if self.headers.get("Authorization") is not None:
                return self.error(403, "DENIED", "credentials leaked")
            return self.send_blob(path[len("/store/"):])
        if not self.authorized():
            return None
        if path == "/v2/":
            return self.reply(200, b"{}")
        prefix = "/v2/%s/" % name
        if path in (prefix + "manifests/" + tag,
                    prefix + "manifests/" + manifest_digest):
            return self.reply(200, manifest_bytes, manifest["mediaType"],
                              [("Docker-Content-Digest", manifest_digest)])
        if path.startswith(prefix + "blobs/sha256:"):
            digest = path[len(prefix + "blobs/"):]
            if mode == "redirect":
                port = self.server.server_address[1]
                target = "http://localhost:%d/store/%s" % (port, digest)
                return self.reply(307, b"", extra=[("Location", target)])
            return self.send_blob(digest)
        return self.error(404, "MANIFEST_UNKNOWN", "manifest unknown")

    do_HEAD = do_GET


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
