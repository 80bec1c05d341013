#!/usr/bin/env python3
"""A strict upload endpoint for the push tests.

docker-registry 2.8 returns absolute Location URLs and mounts blobs.
This server returns what other registries may return instead, and it
rejects what the distribution specification does not allow:

- upload Locations are relative without a leading '/' ("SESSION?state=N"),
  so the client resolves them against the request path;
- each Location carries a "state" query parameter that the next request
  must send back, so the client must keep the query when it appends
  "digest=";
- a PATCH must carry "Content-Range: START-END" that starts where the
  upload stands;
- a mount request (POST ?mount=&from=) starts a plain upload session
  (202) instead of mounting;
- the final PUT must name the sha256 of the bytes received.

Usage: push-fake-registry.py PORT_FILE DIR

It listens on 127.0.0.1 at a free port, written to PORT_FILE, stores each
finished blob as DIR/blobs/HEX and each manifest as DIR/manifests/REPO/REF
with its Content-Type in a ".type" file next to it, and logs every request
and rejection on stderr.
"""

import hashlib
import os
import sys
import threading
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port_file, root = sys.argv[1:3]
os.makedirs(os.path.join(root, "blobs"), exist_ok=True)

lock = threading.Lock()
sessions = {}  # id -> {"data": bytearray, "state": int}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("fake-registry: " + (fmt % args) + "\n")

    def reply(self, code, headers=None, body=b""):
        self.send_response(code)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def reject(self, code, reason):
        sys.stderr.write("fake-registry: rejected %s %s: %s\n"
                         % (self.command, self.path, reason))
        self.reply(code, {"Content-Type": "application/json"},
                   ('{"errors":[{"code":"BLOB_UPLOAD_INVALID",'
                    '"message":"%s"}]}' % reason).encode())

    def body(self):
        length = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(length) if length else b""

    def parse(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        return url.path.split("/"), query

    def session_location(self, session_id):
        state = sessions[session_id]["state"]
        return "%s?state=%d" % (session_id, state)

    def check_session(self, parts, query):
        """Return the session of an upload URL, or None after rejecting."""
        session_id = parts[-1]
        session = sessions.get(session_id)
        if session is None:
            self.reject(404, "unknown upload session")
            return None
        if query.get("state") != [str(session["state"])]:
            self.reject(400, "state query parameter missing or stale")
            return None
        return session

    def do_GET(self):
        parts, _ = self.parse()
        if parts[1:3] == ["v2", ""]:
            self.reply(200, {"Content-Type": "application/json"}, b"{}")
            return
        self.reply(404)

    def do_HEAD(self):
        parts, _ = self.parse()
        if len(parts) >= 5 and parts[-2] == "blobs":
            hexdigest = parts[-1].split(":", 1)[-1]
            path = os.path.join(root, "blobs", hexdigest)
            if os.path.exists(path):
                self.send_response(200)
                self.send_header("Content-Length",
                                 str(os.path.getsize(path)))
                self.end_headers()
                return
        self.reply(404)

    def do_POST(self):
        parts, _ = self.parse()
        self.body()
        if parts[-3:] != ["blobs", "uploads", ""]:
            self.reject(404, "not an upload URL")
            return
        session_id = uuid.uuid4().hex
        with lock:
            sessions[session_id] = {"data": bytearray(), "state": 0}
            location = self.session_location(session_id)
        self.reply(202, {"Location": location, "Range": "0-0"})

    def do_PATCH(self):
        parts, query = self.parse()
        data = self.body()
        content_range = self.headers.get("Content-Range", "")
        with lock:
            session = self.check_session(parts, query)
            if session is None:
                return
            start, _, end = content_range.partition("-")
            if (not start.isdigit() or not end.isdigit()
                    or int(start) != len(session["data"])
                    or int(end) != int(start) + len(data) - 1):
                self.reject(416, "bad Content-Range '%s'" % content_range)
                return
            session["data"] += data
            session["state"] += 1
            location = self.session_location(parts[-1])
            size = len(session["data"])
        self.reply(202, {"Location": location, "Range": "0-%d" % (size - 1)})

    def put_blob(self, parts, query):
        data = self.body()
        with lock:
            session = self.check_session(parts, query)
            if session is None:
                return
            session["data"] += data
            digest = query.get("digest", [""])[0]
            actual = "sha256:" + hashlib.sha256(session["data"]).hexdigest()
            if digest != actual:
                self.reject(400, "digest %s does not match %s"
                            % (digest, actual))
                return
            with open(os.path.join(root, "blobs", actual[7:]), "wb") as f:
                f.write(session["data"])
            del sessions[parts[-1]]
        self.reply(201, {"Docker-Content-Digest": actual})

    def put_manifest(self, parts):
        data = self.body()
        repository = "/".join(parts[2:-2])
        directory = os.path.join(root, "manifests", repository)
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, parts[-1]), "wb") as f:
            f.write(data)
        with open(os.path.join(directory, parts[-1] + ".type"), "w") as f:
            f.write(self.headers.get("Content-Type", ""))
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        self.reply(201, {"Docker-Content-Digest": digest})

    def do_PUT(self):
        parts, query = self.parse()
        if len(parts) >= 6 and parts[-3:-1] == ["blobs", "uploads"]:
            self.put_blob(parts, query)
        elif len(parts) >= 5 and parts[-2] == "manifests":
            self.put_manifest(parts)
        else:
            self.reject(404, "not an upload or manifest URL")


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(port_file + ".tmp", "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
