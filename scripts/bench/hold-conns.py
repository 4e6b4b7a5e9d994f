#!/usr/bin/env python3
"""Open N keep-alive connections to HOST:PORT, make one request on each, keep
them all open (idle) until stdin closes or SECONDS pass. Prints 'ready N' once
every connection has had its response. usage: hold-conns.py HOST PORT N PATH SECONDS"""
import resource
import selectors
import socket
import sys
import time

host, port, n, path, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], float(sys.argv[5])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
req = ("GET %s HTTP/1.1\r\nHost: bench\r\n\r\n" % path).encode()
socks, sel = [], selectors.DefaultSelector()
for i in range(n):
    s = socket.create_connection((host, port))
    s.sendall(req)
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
    socks.append(s)
pending = set(socks)
deadline = time.time() + 60
while pending and time.time() < deadline:
    for key, _ in sel.select(timeout=1):
        try:
            data = key.fileobj.recv(65536)
        except BlockingIOError:
            continue
        if b"\r\n\r\n" in data or not data:
            pending.discard(key.fileobj)
print("ready %d" % (n - len(pending)), flush=True)
end = time.time() + secs
while time.time() < end:
    time.sleep(0.2)
