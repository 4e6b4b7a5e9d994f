#!/usr/bin/env python3
"""Send raw bytes to a server and print what comes back, for the requests curl
cannot make (malformed ones, PROXY lines, pipelining, half-close).

usage: rawhttp.py (tcp:HOST:PORT | unix:PATH) [--shut] [--timeout S] [--pause S] < request
Escapes in the request are not interpreted: feed real CR LF (printf does).
With --pause, each form feed (\f) in the request is not sent but waited out for
S seconds: the connection sits idle there (keep-alive between requests).
Exit status 0; prints the response bytes, or CLOSED-WITHOUT-RESPONSE."""
import socket
import sys
import time


def main():
    target = sys.argv[1]
    shut = "--shut" in sys.argv
    timeout = 5.0
    if "--timeout" in sys.argv:
        timeout = float(sys.argv[sys.argv.index("--timeout") + 1])
    if target.startswith("unix:"):
        s = socket.socket(socket.AF_UNIX)
        s.connect(target[5:])
    else:
        host, port = target[4:].rsplit(":", 1)
        s = socket.create_connection((host, int(port)))
    pause = None
    if "--pause" in sys.argv:
        pause = float(sys.argv[sys.argv.index("--pause") + 1])
    parts = sys.stdin.buffer.read()
    parts = parts.split(b"\f") if pause is not None else [parts]
    for i, part in enumerate(parts):
        if i > 0:
            time.sleep(pause)
        s.sendall(part)
    if shut:
        s.shutdown(socket.SHUT_WR)
    s.settimeout(timeout)
    data = b""
    end = time.time() + timeout
    try:
        while time.time() < end:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    sys.stdout.buffer.write(data if data else b"CLOSED-WITHOUT-RESPONSE\n")


main()
