#!/usr/bin/env python3
"""A tiny SOCKS5 proxy for tests (RFC 1928, no auth, CONNECT only).
usage: socks5.py PORTFILE LOGFILE [--rate BYTES_PER_SEC] [--map HOST=IP:PORT]
Writes its port to PORTFILE; logs each CONNECT as "ATYP HOST PORT" to LOGFILE.
--map lets a fake host name (e.g. a test .onion) reach a loopback server."""
import socket, struct, sys, threading, time

args = sys.argv[1:]
portfile, logfile = args[0], args[1]
rate, maps = 0, {}
i = 2
while i < len(args):
    if args[i] == "--rate": rate = int(args[i + 1]); i += 2
    elif args[i] == "--map":
        h, t = args[i + 1].split("=", 1); ip, p = t.rsplit(":", 1); maps[h] = (ip, int(p)); i += 2
    else: sys.exit("bad arg " + args[i])
log = open(logfile, "a", buffering=1)

def recvn(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c: raise EOFError
        b += c
    return b

def pipe(a, b, limit):
    try:
        while True:
            d = a.recv(65536 if not limit else 16384)
            if not d: break
            b.sendall(d)
            if limit: time.sleep(len(d) / limit)
    except OSError: pass
    finally:
        for s in (a, b):
            try: s.shutdown(socket.SHUT_RDWR)
            except OSError: pass

def handle(c):
    try:
        v, n = recvn(c, 2); recvn(c, n); c.sendall(b"\x05\x00")
        v, cmd, _, atyp = recvn(c, 4)
        if atyp == 3: host = recvn(c, recvn(c, 1)[0]).decode()
        elif atyp == 1: host = socket.inet_ntoa(recvn(c, 4))
        else: host = socket.inet_ntop(socket.AF_INET6, recvn(c, 16))
        port = struct.unpack(">H", recvn(c, 2))[0]
        log.write("%d %s %d\n" % (atyp, host, port))
        target = maps.get(host, (host, port))
        try: u = socket.create_connection(target)
        except OSError:
            c.sendall(b"\x05\x04\x00\x01" + b"\0" * 6); c.close(); return
        c.sendall(b"\x05\x00\x00\x01" + b"\0" * 6)
        threading.Thread(target=pipe, args=(c, u, 0), daemon=True).start()
        pipe(u, c, rate)
    except (EOFError, OSError):
        c.close()

srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0)); srv.listen(64)
open(portfile, "w").write(str(srv.getsockname()[1]))
while True:
    c, _ = srv.accept()
    threading.Thread(target=handle, args=(c,), daemon=True).start()
