#!/usr/bin/env python3
"""cdp: ask a headless Chromium (started with --remote-debugging-port=PORT,
JavaScript off through its profile) where an element is after loading a URL,
over the DevTools protocol, stdlib only (a minimal WebSocket client). Used to
prove that a #fragment jump shows its target: headless Chromium 156 writes a
blank --screenshot for a page scrolled to a fragment, so the screenshot is
taken here with Page.captureScreenshot after the jump instead.

  cdp.py PORT URL SELECTOR OUT.png
prints one JSON line: {"found", "top", "bottom", "viewport", "scrollY", "text"};
box coordinates are relative to the viewport (DOM.getBoxModel), so the
element is visible when 0 <= top and bottom <= viewport. No page script runs.
"""
import base64, json, os, socket, struct, sys, time, urllib.request

port, url, selector, out = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
deadline = time.time() + 30
while True:
    try:
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2))
        page = next(t for t in targets if t.get("type") == "page")
        break
    except Exception:
        if time.time() > deadline:
            raise
        time.sleep(0.2)
path = page["webSocketDebuggerUrl"].split(str(port), 1)[1]
s = socket.create_connection(("127.0.0.1", port), timeout=20)
key = base64.b64encode(os.urandom(16)).decode()
s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
buf = b""
while b"\r\n\r\n" not in buf:
    buf += s.recv(4096)
buf = buf.split(b"\r\n\r\n", 1)[1]

def recv_exact(n):
    global buf
    while len(buf) < n:
        chunk = s.recv(65536)
        if not chunk:
            raise EOFError
        buf += chunk
    d, buf = buf[:n], buf[n:]
    return d

def recv_msg():
    data = b""
    while True:
        b0, b1 = recv_exact(2)
        n = b1 & 0x7f
        if n == 126:
            n = struct.unpack(">H", recv_exact(2))[0]
        elif n == 127:
            n = struct.unpack(">Q", recv_exact(8))[0]
        data += recv_exact(n)
        if b0 & 0x80:
            return json.loads(data)

ids = [0]
def call(method, **params):
    ids[0] += 1
    msg = json.dumps({"id": ids[0], "method": method, "params": params}).encode()
    mask = os.urandom(4)
    head = bytes([0x81]) + (bytes([0x80 | len(msg)]) if len(msg) < 126 else bytes([0x80 | 126]) + struct.pack(">H", len(msg)))
    s.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(msg)))
    while True:
        m = recv_msg()
        if m.get("id") == ids[0]:
            if "error" in m:
                raise RuntimeError(f"{method}: {m['error']}")
            return m["result"]
        if m.get("method") == "Page.loadEventFired":
            loaded[0] = True

loaded = [False]
call("Page.enable")
call("Page.navigate", url=url)
while not loaded[0] and time.time() < deadline:
    m = recv_msg()
    if m.get("method") == "Page.loadEventFired":
        loaded[0] = True
time.sleep(0.5)   # the fragment jump follows the load
doc = call("DOM.getDocument")
node = call("DOM.querySelector", nodeId=doc["root"]["nodeId"], selector=selector)["nodeId"]
res = {"found": bool(node)}
metrics = call("Page.getLayoutMetrics")
vp = metrics.get("cssVisualViewport") or metrics["visualViewport"]
res["viewport"], res["scrollY"] = vp["clientHeight"], vp["pageY"]
if node:
    q = call("DOM.getBoxModel", nodeId=node)["model"]["border"]
    res["top"], res["bottom"] = min(q[1::2]), max(q[1::2])
    res["text"] = call("DOM.getOuterHTML", nodeId=node)["outerHTML"]
open(out, "wb").write(base64.b64decode(call("Page.captureScreenshot", format="png")["data"]))
print(json.dumps(res))
