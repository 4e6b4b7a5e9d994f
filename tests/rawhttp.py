#!/usr/bin/env python3
"""Send raw bytes to a server and print what comes back, for the requests curl
cannot make (malformed ones, PROXY lines, pipelining, half-close).

usage: rawhttp.py (tcp:HOST:PORT | unix:PATH) [--shut] [--timeout S] < request
Escapes in the request are not interpreted: feed real CR LF (printf does).
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
    s.sendall(sys.stdin.buffer.read())
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
