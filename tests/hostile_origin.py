#!/usr/bin/env python3
"""A loopback origin for mirror tests that can lie and stall.
usage: hostile_origin.py PORTFILE ROOT
Serves GET /X from the file ROOT/X (404 if missing), logging each path to
ROOT/requests.log. Before each request it
reads ROOT/mode (one line, "static" if absent) and, for a request whose last path
segment is NAME (or starts with it, for NAME ending in '*'), answers instead:
  huge NAME          Content-Length 1 GiB of zeros, streamed (nothing stored)
  chunked NAME       an endless chunked body
  random NAME        random bytes (as many as the file has), new ones every time
  trickle NAME SECS  1 byte every SECS seconds (Content-Length: the file's, or 1 MiB)
Every answer ends within 120 s, or when the client goes away."""
import os, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote_to_bytes

portfile, root = sys.argv[1], sys.argv[2].encode()
LIMIT_S = 120


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def head(self, code, length=None, chunked=False):
        self.send_response(code)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def do_GET(self):
        try:
            mode = open(os.path.join(root, b"mode")).read().split()
        except OSError:
            mode = ["static"]
        path = unquote_to_bytes(self.path.split("?")[0])
        with open(os.path.join(root, b"requests.log"), "ab") as log:
            log.write(path + b"\n")
        end = time.monotonic() + LIMIT_S
        try:
            last, want = path.rsplit(b"/", 1)[-1], mode[1].encode() if len(mode) >= 2 else None
            if want and (last == want or (want.endswith(b"*") and last.startswith(want[:-1]))):
                if mode[0] == "huge":
                    self.head(200, 1 << 30)
                    zeros, sent = bytes(1 << 16), 0
                    while sent < 1 << 30 and time.monotonic() < end:
                        self.wfile.write(zeros)
                        sent += len(zeros)
                    return
                if mode[0] == "chunked":
                    self.head(200, chunked=True)
                    chunk = b"%x\r\n%s\r\n" % (1 << 16, b"x" * (1 << 16))
                    while time.monotonic() < end:
                        self.wfile.write(chunk)
                    return
                if mode[0] == "random":
                    real = os.path.join(root, path.lstrip(b"/"))
                    body = os.urandom(os.path.getsize(real) if os.path.isfile(real) else 3000)
                    self.head(200, len(body))
                    self.wfile.write(body)
                    return
                if mode[0] == "trickle":
                    real = os.path.join(root, path.lstrip(b"/"))
                    self.head(200, os.path.getsize(real) if os.path.isfile(real) else 1 << 20)
                    while time.monotonic() < end:
                        self.wfile.write(b"x")
                        self.wfile.flush()
                        time.sleep(float(mode[2]))
                    self.close_connection = True
                    return
            p = os.path.join(root, path.lstrip(b"/"))
            if b"/../" in p or not os.path.isfile(p):
                self.head(404, 0)
                return
            body = open(p, "rb").read()
            self.head(200, len(body))
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
srv.daemon_threads = True
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
