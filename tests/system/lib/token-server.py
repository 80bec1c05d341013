#!/usr/bin/env python3
"""Bearer token server for the registry tests.

Implements the token endpoint of the distribution project's token
authentication: GET /token?service=S&scope=repository:NAME:ACTIONS
checks the Basic credentials, then returns a JWT that grants the
requested actions. The registry trusts the token through its
auth.token.rootcertbundle, which contains the certificate passed here.

The JWT is signed with RS256 by running "openssl dgst -sign", because the
Python standard library has no RSA signing. The header carries the
certificate in "x5c", so the registry checks it against its root bundle.

Usage: token-server.py PORT_FILE KEY CERT ISSUER SERVICE USER:PASSWORD...

The server listens on 127.0.0.1 at a free port and writes that port to
PORT_FILE once it accepts connections. Each request is logged on stderr.
"""

import base64
import http.server
import json
import os
import subprocess
import sys
import time
import urllib.parse

TOKEN_LIFETIME = 300


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def cert_der_b64(cert_path):
    pem = open(cert_path).read()
    body = pem.split("-----BEGIN CERTIFICATE-----")[1]
    body = body.split("-----END CERTIFICATE-----")[0]
    return "".join(body.split())


def sign_rs256(key_path, data):
    result = subprocess.run(
        ["openssl", "dgst", "-sha256", "-sign", key_path],
        input=data,
        capture_output=True,
        check=True,
    )
    return result.stdout


def parse_scopes(values):
    """Turn scope parameters into the JWT "access" list.

    A scope is "repository:NAME:ACTION[,ACTION...]"; NAME may contain
    ':' (a registry host with a port), so the actions follow the last ':'.
    """
    access = []
    for value in values:
        for scope in value.split(" "):
            parts = scope.split(":")
            if len(parts) < 3 or parts[0] != "repository":
                continue
            name = ":".join(parts[1:-1])
            actions = [a for a in parts[-1].split(",") if a in ("pull", "push")]
            access.append({"type": "repository", "name": name,
                           "actions": actions})
    return access


class TokenHandler(http.server.BaseHTTPRequestHandler):
    server_version = "berth-test-token-server"

    def log_message(self, fmt, *args):
        sys.stderr.write("token-server: " + (fmt % args) + "\n")

    def reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def client_user(self):
        """Return the user of valid Basic credentials, "" for none, or None
        for credentials that do not match."""
        header = self.headers.get("Authorization", "")
        if not header:
            return ""
        if not header.startswith("Basic "):
            return None
        try:
            decoded = base64.b64decode(header[6:]).decode()
        except ValueError:
            return None
        user, _, password = decoded.partition(":")
        if self.server.users.get(user) != password:
            return None
        return user

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/token":
            self.reply(404, {"errors": [{"message": "not found"}]})
            return

        user = self.client_user()
        if user is None:
            self.reply(401, {"errors": [{"message": "invalid credentials"}]})
            return

        query = urllib.parse.parse_qs(url.query)
        service = query.get("service", [""])[0]
        if service != self.server.service:
            self.reply(400, {"errors": [{"message": "unknown service"}]})
            return

        # Anonymous clients get a token without access, so the registry
        # returns 401 and the client has to log in.
        access = parse_scopes(query.get("scope", [])) if user else []
        token = self.server.issue(user, access)
        self.reply(200, {"token": token, "access_token": token,
                         "expires_in": TOKEN_LIFETIME,
                         "issued_at": time.strftime(
                             "%Y-%m-%dT%H:%M:%SZ", time.gmtime())})


class TokenServer(http.server.ThreadingHTTPServer):
    def __init__(self, key, cert, issuer, service, users):
        super().__init__(("127.0.0.1", 0), TokenHandler)
        self.key = key
        self.x5c = [cert_der_b64(cert)]
        self.issuer = issuer
        self.service = service
        self.users = users

    def issue(self, subject, access):
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": self.x5c}
        claims = {"iss": self.issuer, "sub": subject, "aud": self.service,
                  "exp": now + TOKEN_LIFETIME, "nbf": now - 10, "iat": now,
                  "jti": b64url(os.urandom(12)), "access": access}
        signing_input = (b64url(json.dumps(header).encode()) + "." +
                         b64url(json.dumps(claims).encode()))
        signature = sign_rs256(self.key, signing_input.encode())
        return signing_input + "." + b64url(signature)


def main():
    if len(sys.argv) < 7:
        sys.exit("usage: token-server.py PORT_FILE KEY CERT ISSUER SERVICE "
                 "USER:PASSWORD...")
    port_file, key, cert, issuer, service = sys.argv[1:6]
    users = dict(pair.split(":", 1) for pair in sys.argv[6:])

    server = TokenServer(key, cert, issuer, service, users)
    with open(port_file + ".tmp", "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
