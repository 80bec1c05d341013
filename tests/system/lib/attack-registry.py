#!/usr/bin/env python3
"""A hostile registry for the registry attack tests.

Usage: attack-registry.py PORT_FILE STORE NAME:TAG MODE

It serves the image NAME:TAG of the OCI layout STORE (a berth store) as
127.0.0.1:PORT/test:TAG, breaking the exchange in the way MODE names. A
second server on REALM_PORT is the Bearer token realm for the "bearer-"
modes; it grants a token only to Basic credentials u:p. Both ports go to
PORT_FILE as "PORT REALM_PORT". Every request goes to stderr with its
Authorization header, prefixed by "registry" or "realm".

Registry modes (the realm modes all start with "bearer-"):
  good             serves the image as it is
  endless-error    responds to a manifest GET with a 404 whose chunked body
                   never ends
  endless-redirect responds to a manifest GET with a 302 whose chunked body
                   never ends
  endless-manifest responds to a manifest GET with a 200 whose chunked body
                   never ends
  big-manifest     serves a valid manifest of 5 MiB
  index-many       serves an index with 10000 entries
  index-self       serves an index whose only entry, an image manifest,
                   names a digest that the server serves as the index
                   itself
  redirect-loop    redirects every manifest GET to itself
  redirect-file    redirects a manifest GET to file:///etc/passwd
  redirect-ftp     redirects a manifest GET to ftp://127.0.0.1/x
  endless-headers  responds to a manifest GET with header lines that never end
  escape-location  redirects a manifest GET to a Location holding terminal
                   escape sequences and an unknown scheme
  escape-digest    gives a Docker-Content-Digest holding terminal escapes
  escape-manifest  gives the layer a media type with terminal escapes
  escape-index     serves an index whose platform holds terminal escapes
  huge-size        gives the layer a size of 2^62 bytes in the manifest
  flaky            responds to the first manifest GET with a 500
  broken           responds to every manifest GET with a 503
  endless-blob     responds to a blob GET with a 200 whose chunked body never
                   ends
  flaky-blob       responds to the first GET of each blob with a 500
  head-only        responds to a manifest HEAD with 200, GET with 404
  upload-fragment  gives upload Locations with a "#fragment"
  upload-elsewhere gives upload Locations on http://localhost:PORT,
                   another origin, which rejects any Authorization header
  upload-scheme    gives upload Locations of the scheme ftp
  upload-escape    gives upload Locations holding terminal escapes
  basic            requires Basic credentials u:p on every request, as
                   the upload- modes do
  stall            sends nothing for 60 seconds

Bearer modes: the registry requires a token from the realm; the realm
checks the credentials, then responds in the way the mode names:
  bearer-token      {"token": T}
  bearer-access     {"access_token": T} only
  bearer-expires    {"token": T, "expires_in": 1}
  bearer-nonjson    an HTML page
  bearer-huge       a JSON document of 2 MiB
  bearer-endless    a chunked body that never ends
  bearer-odd        {"token": T}, but the challenge is spelled oddly:
                    bearer  REALM="URL",service=test , x="a\\"b" ,
                    scope="a,b"
  bearer-norealm    {"token": T}, but the challenge has no realm
  bearer-redirect   a 307 to http://localhost:REALM_PORT/token2, another
                    origin, which gives {"token": T} without credentials
                    and rejects a request that carries them
  bearer-loop       a 302 to itself
  bearer-two        {"token": T}, with a Basic challenge in a first
                    WWW-Authenticate header and Bearer in a second
"""

import base64
import hashlib
import json
import os
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port_file, store, ref, mode = sys.argv[1:5]
tag = ref.rsplit(":", 1)[1]
TOKEN = "tok-" + uuid.uuid4().hex
CREDENTIALS = "Basic " + base64.b64encode(b"u:p").decode()
INDEX_TYPE = "application/vnd.oci.image.index.v1+json"
lock = threading.Lock()
state = {"manifest_gets": 0, "uploads": {}}


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


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


manifest_bytes = read_blob(find_manifest())
manifest = json.loads(manifest_bytes)
if mode == "big-manifest":
    manifest.setdefault("annotations", {})["pad"] = "x" * (5 << 20)
    manifest_bytes = json.dumps(manifest).encode()
elif mode == "escape-manifest":
    manifest["layers"][0]["mediaType"] = "\x1b]0;owned\x07\x1b[2J"
    manifest_bytes = json.dumps(manifest).encode()
elif mode == "escape-index":
    manifest = {"schemaVersion": 2, "mediaType": INDEX_TYPE,
                "manifests": [{"mediaType": manifest["mediaType"],
                               "size": len(manifest_bytes),
                               "digest": sha256(manifest_bytes),
                               "platform": {"os": "linux",
                                            "architecture": "\x1b[2J"}}]}
    manifest_bytes = json.dumps(manifest).encode()
elif mode == "huge-size":
    manifest["layers"][0]["size"] = 1 << 62
    manifest_bytes = json.dumps(manifest).encode()
elif mode == "index-many":
    entry = {"mediaType": manifest["mediaType"], "size": len(manifest_bytes),
             "digest": sha256(manifest_bytes),
             "platform": {"os": "linux", "architecture": "amd64"}}
    manifest = {"schemaVersion": 2, "mediaType": INDEX_TYPE,
                "manifests": [entry] * 10000}
    manifest_bytes = json.dumps(manifest).encode()
elif mode == "index-self":
    manifest = {"schemaVersion": 2, "mediaType": INDEX_TYPE,
                "manifests": [{"mediaType": manifest["mediaType"],
                               "size": 300,
                               "digest": "sha256:" + "ab" * 32,
                               "platform": {"os": "linux",
                                            "architecture": "amd64"}}]}
    manifest_bytes = json.dumps(manifest).encode()
manifest_digest = sha256(manifest_bytes)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    role = "registry"

    def log_message(self, fmt, *args):
        headers = getattr(self, "headers", None)
        auth = headers.get("Authorization") if headers else None
        sys.stderr.write("%s %s %s\n" % (self.role, self.requestline, auth))
        sys.stderr.flush()

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

    def endless(self, code, extra=()):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        chunk = b"x" * 65536
        try:
            while True:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except OSError:
            self.close_connection = True

    def error(self, code, err, message, extra=()):
        body = json.dumps({"errors": [{"code": err, "message": message}]})
        self.reply(code, body.encode(), extra=extra)

    def challenge(self):
        realm = "http://127.0.0.1:%d/token" % realm_port
        if mode == "bearer-odd":
            return ('bearer  REALM="%s",service=test , '
                    'x="a\\"b" ,scope="repository:test:pull,push"' % realm)
        if mode == "bearer-norealm":
            return 'Bearer service="test"'
        return 'Bearer realm="%s",service="test"' % realm

    def authorized(self):
        auth = self.headers.get("Authorization")
        if mode == "basic" or mode.startswith("upload-"):
            if auth == CREDENTIALS:
                return True
            self.error(401, "UNAUTHORIZED", "authentication required",
                       [("WWW-Authenticate", 'Basic realm="attack"')])
            return False
        if not mode.startswith("bearer-"):
            return True
        if auth == "Bearer " + TOKEN:
            return True
        extra = [("WWW-Authenticate", self.challenge())]
        if mode == "bearer-two":
            extra.insert(0, ("WWW-Authenticate", 'Basic realm="attack"'))
        self.error(401, "UNAUTHORIZED", "authentication required", extra)
        return False

    def manifest_get(self, ident):
        if mode == "endless-error":
            return self.endless(404)
        if mode == "endless-redirect":
            return self.endless(302, [("Location", self.path)])
        if mode == "endless-manifest":
            return self.endless(200)
        if mode == "endless-headers":
            try:
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                while True:
                    self.wfile.write(b"X-Padding: %s\r\n" % (b"x" * 1000))
            except OSError:
                self.close_connection = True
            return None
        if mode == "escape-location":
            self.wfile.write(b"HTTP/1.1 302 Found\r\nContent-Length: 0\r\n"
                             b"Location: gopher://\x1b]0;owned\x07\x1b[2J"
                             b"\r\n\r\n")
            return None
        if mode == "redirect-loop":
            return self.reply(302, extra=[("Location", self.path)])
        if mode == "redirect-file":
            return self.reply(302, extra=[("Location", "file:///etc/passwd")])
        if mode == "redirect-ftp":
            return self.reply(302,
                              extra=[("Location", "ftp://127.0.0.1/x")])
        if mode == "head-only" and self.command == "GET":
            return self.error(404, "MANIFEST_UNKNOWN", "manifest unknown")
        if mode == "broken":
            return self.error(503, "UNAVAILABLE", "down for maintenance")
        if mode == "flaky" and self.command == "GET":
            with lock:
                state["manifest_gets"] += 1
                first = state["manifest_gets"] == 1
            if first:
                return self.error(500, "UNKNOWN", "try again")
        if ident not in (tag, manifest_digest) and mode != "index-self":
            return self.error(404, "MANIFEST_UNKNOWN", "manifest unknown")
        digest = manifest_digest
        if mode == "escape-digest":
            digest = "sha256:\x1b]0;owned\x07\x1b[2J"
        return self.reply(200, manifest_bytes, manifest["mediaType"],
                          [("Docker-Content-Digest", digest)])

    def do_GET(self):
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if mode == "stall":
            time.sleep(60)
            return None
        if not self.authorized():
            return None
        if path == "/v2/":
            return self.reply(200, b"{}")
        if path.startswith("/v2/test/manifests/"):
            return self.manifest_get(path[len("/v2/test/manifests/"):])
        if path.startswith("/v2/test/blobs/sha256:"):
            digest = path[len("/v2/test/blobs/"):]
            if mode == "endless-blob":
                return self.endless(200)
            if mode == "flaky-blob":
                with lock:
                    first = digest not in state
                    state[digest] = True
                if first:
                    return self.error(500, "UNKNOWN", "try again")
            return self.reply(200, read_blob(digest),
                              "application/octet-stream")
        return self.error(404, "NAME_UNKNOWN", "unknown")

    def do_HEAD(self):
        path = self.path.split("?", 1)[0]
        if self.authorized() and path.startswith("/v2/test/blobs/"):
            return self.error(404, "BLOB_UNKNOWN", "unknown")
        if self.authorized():
            return self.do_GET()
        return None

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def upload_location(self, session):
        if mode == "upload-elsewhere":
            return "http://localhost:%d/upload/%s" % (
                self.server.server_address[1], session)
        if mode == "upload-scheme":
            return "ftp://127.0.0.1/upload/%s" % session
        if mode == "upload-escape":
            return "/upload/\x1b[2J%s" % session
        return "/upload/%s?state=1#frag" % session

    def do_POST(self):
        self.read_body()
        if not self.authorized():
            return None
        session = uuid.uuid4().hex
        with lock:
            state["uploads"][session] = bytearray()
        return self.reply(202, extra=[("Location",
                                       self.upload_location(session))])

    def do_PUT(self):
        body = self.read_body()
        path, _, query = self.path.partition("?")
        if path.startswith("/upload/"):
            if self.headers.get("Authorization") is not None and \
                    mode == "upload-elsewhere":
                return self.error(403, "DENIED", "credentials leaked")
            params = dict(p.split("=", 1) for p in query.split("&") if p)
            if "digest" not in params:
                return self.error(400, "DIGEST_INVALID", "no digest")
            digest = params["digest"].replace("%3A", ":")
            if sha256(body) != digest:
                return self.error(400, "DIGEST_INVALID", "digest mismatch")
            return self.reply(201, extra=[("Docker-Content-Digest", digest)])
        if not self.authorized():
            return None
        return self.reply(201, extra=[("Docker-Content-Digest", sha256(body))])


class Realm(Handler):
    role = "realm"

    def do_GET(self):
        if self.path.startswith("/token2"):
            if self.headers.get("Authorization") is not None:
                return self.error(403, "DENIED", "credentials leaked")
            return self.reply(200, json.dumps({"token": TOKEN}).encode())
        if mode == "bearer-loop":
            return self.reply(302, extra=[("Location", self.path)])
        if self.headers.get("Authorization") != CREDENTIALS:
            return self.error(401, "UNAUTHORIZED", "bad credentials")
        if mode == "bearer-redirect":
            target = "http://localhost:%d/token2" % realm_port
            return self.reply(307, extra=[("Location", target)])
        if mode == "bearer-access":
            return self.reply(200, json.dumps({"access_token": TOKEN}).encode())
        if mode == "bearer-expires":
            body = {"token": TOKEN, "expires_in": 1}
            return self.reply(200, json.dumps(body).encode())
        if mode == "bearer-nonjson":
            return self.reply(200, b"<html>login</html>", "text/html")
        if mode == "bearer-huge":
            body = {"token": TOKEN, "pad": "x" * (2 << 20)}
            return self.reply(200, json.dumps(body).encode())
        if mode == "bearer-endless":
            return self.endless(200)
        return self.reply(200, json.dumps({"token": TOKEN}).encode())


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
realm_server = ThreadingHTTPServer(("127.0.0.1", 0), Realm)
realm_server.daemon_threads = True
realm_port = realm_server.server_address[1]
threading.Thread(target=realm_server.serve_forever, daemon=True).start()
with open(port_file + ".tmp", "w") as f:
    f.write("%d %d\n" % (server.server_address[1], realm_port))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
