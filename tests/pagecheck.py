#!/usr/bin/env python3
"""pagecheck: checks on the reader pages of a running server, stdlib only.

  pagecheck.py crawl BASE [--max-pages N] [--max-seconds S]
      Walk every page reachable from BASE/ (a/link/form targets) and check each
      HTML page (see check_page) and each link: no absolute or external URL, every
      internal target answers 200 (/f/, /d/ and /m/ with HEAD), #fragments exist.
      --known-missing PREFIX lists 404s under PREFIX without failing (a route
      that is linked but not served yet).
  pagecheck.py page URL [--text T]... [--status N]
      Check one page as above, and that each T is in its text or an input's
      value (after parsing, so "<b>" in a name must have been sent as "&lt;b&gt;").

Prints "ok - ..." / "not ok - ..." lines and a closing "N passed, N failed"
(not the suite's closing line: the shell test counts these with its own check).
Exit status 0 when nothing failed.
"""
import argparse
import html.parser
import http.client
import sys
import time
import urllib.parse

CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; media-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
MAX_HTML = 30 * 1024
# The reading view (/r/) shows up to 64 KiB of a document's text a page: its
# HTML is bounded by that text escaped (at worst "<" x 4) plus the page.
MAX_HTML_READ = 320 * 1024
# Every element the templates use; anything else came from data.
TAGS = set("""html head meta title link body header div a bdi form label input button main
nav ol ul li span h1 h2 h3 p table thead tbody tr th td footer br dl dt dd code section pre
select option details summary mark figure figcaption img audio video""".split())
# A file page may show its own file (image, audio, video), nothing else.
MEDIA = {"img", "audio", "video"}
BIDI = {chr(c) for c in list(range(0x202A, 0x202F)) + list(range(0x2066, 0x206A))}

failures = []
KNOWN_MISSING = []   # --known-missing PREFIX: links under it may be 404 (reported, not failed)


def fail(msg):
    failures.append(msg)
    print("not ok - " + msg)


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.links, self.ids, self.text = [], [], set(), []
        self.bad_attrs = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        for k, v in attrs:
            if k.startswith("on") or k == "style" or k == "srcdoc":
                self.bad_attrs.append((tag, k, v))
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "input" and a.get("value"):
            self.text.append("\0" + a["value"] + "\0")   # echoed form values count as shown
        for k in ("href", "src", "action", "formaction", "poster", "data", "background"):
            if k in a and a[k] is not None:
                self.links.append((tag, k, a[k], a.get("rel") or "", a.get("method") or "get"))

    def handle_data(self, data):
        self.text.append(data)


class Client:
    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port
        self.conn = None

    def req(self, method, target):
        # As a browser does: IRI characters (non-ASCII) go out percent-encoded UTF-8.
        target = "".join(ch if 0x20 < ord(ch) < 0x7f else urllib.parse.quote(ch, safe="")
                         for ch in target)
        for attempt in (0, 1):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=20)
                self.conn.request(method, target, headers={"Accept-Encoding": "identity"})
                r = self.conn.getresponse()
                body = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.conn.close(); self.conn = None
                return r.status, r, body
            except (http.client.HTTPException, OSError):
                if self.conn:
                    self.conn.close()
                self.conn = None
                if attempt:
                    raise


def check_page(url, r, body):
    """Headers, weight, one subresource, encoding and markup of one HTML page."""
    n0 = len(failures)
    h = {k.lower(): v for k, v in r.getheaders()}
    allh = [k.lower() for k, _ in r.getheaders()]
    if h.get("content-security-policy") != CSP:
        fail(f"{url}: CSP is {h.get('content-security-policy')!r}")
    if allh.count("content-security-policy") != 1:
        fail(f"{url}: {allh.count('content-security-policy')} CSP headers")
    if h.get("referrer-policy") != "no-referrer":
        fail(f"{url}: Referrer-Policy {h.get('referrer-policy')!r}")
    if h.get("x-content-type-options") != "nosniff":
        fail(f"{url}: X-Content-Type-Options {h.get('x-content-type-options')!r}")
    for k in ("set-cookie", "server"):
        if k in h:
            fail(f"{url}: has {k}: {h[k]!r}")
    if not h.get("content-type", "").startswith("text/html; charset=utf-8"):
        fail(f"{url}: Content-Type {h.get('content-type')!r}")
    limit = MAX_HTML_READ if urllib.parse.urlsplit(url).path.startswith("/r/") else MAX_HTML
    if len(body) > limit:
        fail(f"{url}: {len(body)} bytes of HTML > {limit}")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        fail(f"{url}: not UTF-8: {e}")
        text = body.decode("utf-8", "replace")
    if BIDI & set(text):
        fail(f"{url}: bidi control characters {sorted(hex(ord(c)) for c in BIDI & set(text))}")
    low = text.lower()
    for bad in ("<script", "<style", "<iframe", "<object", "<embed", "javascript:"):
        if bad in low:
            fail(f"{url}: contains {bad!r}")
    p = Page()
    p.feed(text)
    p.close()
    odd = sorted(set(p.tags) - TAGS)
    if odd:
        fail(f"{url}: unexpected elements {odd}")
    if p.bad_attrs:
        fail(f"{url}: event/style attributes {p.bad_attrs[:3]}")
    # Exactly one subresource: the stylesheet. The favicon is data:, (no request).
    sub = [(t, k, v, rel) for t, k, v, rel, _ in p.links if t != "a" and t != "form"]
    sheets = [v for t, k, v, rel in sub if t == "link" and "stylesheet" in rel.split()]
    path = urllib.parse.urlsplit(url).path
    # Its own file: the bytes (/f/), the clean copy of an image (/i/), or
    # on a PDF's page view (/p/) that page's image (/i/...?n=N).
    q = urllib.parse.urlsplit(url).query
    own = {"/f/" + path[3:], "/i/" + path[3:]} if path.startswith("/c/") else \
        {"/i/" + path[3:] + ("?" + q if q else "")} if path.startswith("/p/") else set()
    media = [s for s in sub if s[0] in MEDIA]
    if len(media) > 1 or any(s[2] not in own for s in media):
        fail(f"{url}: media other than its own file {media[:3]}")
    others = [s for s in sub if s[0] not in MEDIA and
              not (s[0] == "link" and ("stylesheet" in s[3].split() or
                                        (s[3] == "icon" and s[2] == "data:,")))]
    if len(sheets) != 1 or not sheets[0].startswith("/static/"):
        fail(f"{url}: stylesheets {sheets}")
    if others:
        fail(f"{url}: other subresources {others[:3]}")
    nstatic = text.count('="/static/')
    if nstatic != 1:
        fail(f"{url}: {nstatic} references to /static/")
    return p, "".join(p.text), len(failures) == n0


def external(href, tag, rel):
    """Why href is not a plain internal link, or None."""
    if href.startswith("//") or href.startswith("\\"):
        return "network-path reference"
    s = urllib.parse.urlsplit(href)
    if s.scheme:
        if s.scheme == "data" and tag == "link" and rel == "icon" and href == "data:,":
            return None
        return f"absolute URL with scheme {s.scheme}:"
    return None


def crawl(base, max_pages, max_seconds):
    c = Client(base)
    root = base.rstrip("/") + "/"
    origin = urllib.parse.urlsplit(root)
    start = time.monotonic()
    queue, seen, pages = ["/"], {"/"}, {}
    checked_links = {}
    npages = nlinks = 0
    frag_checks = []
    known = set()
    while queue:
        if npages >= max_pages or time.monotonic() - start > max_seconds:
            fail(f"crawl bound reached ({npages} pages, {time.monotonic() - start:.0f}s), {len(queue)} left")
            break
        target = queue.pop(0)
        st, r, body = c.req("GET", target)
        npages += 1
        if st != 200:
            fail(f"{target}: status {st}")
            continue
        if not r.getheader("Content-Type", "").startswith("text/html"):
            continue
        p, _, _ = check_page(target, r, body)
        pages[target] = p.ids
        for tag, attr, href, rel, method in p.links:
            nlinks += 1
            why = external(href, tag, rel)
            if why:
                fail(f"{target}: {tag} {attr}={href!r}: {why}")
                continue
            if href.startswith("data:"):
                continue
            absu = urllib.parse.urljoin(root.rstrip("/") + target, href)
            u = urllib.parse.urlsplit(absu)
            if (u.scheme, u.netloc) != (origin.scheme, origin.netloc):
                fail(f"{target}: {href!r} leaves the site")
                continue
            t = u.path + ("?" + u.query if u.query else "")
            if u.fragment:
                frag_checks.append((target, href, u.path + ("?" + u.query if u.query else ""), u.fragment))
            if t.startswith(("/f/", "/i/", "/m/", "/static/", "/d/")):   # bytes: HEAD only
                if t not in checked_links:
                    checked_links[t] = c.req("HEAD", t)[0]
                if checked_links[t] != 200 and any(t.startswith(k) for k in KNOWN_MISSING):
                    known.add(t)
                elif checked_links[t] != 200:
                    fail(f"{target}: {href!r} → HEAD {t} {checked_links[t]}")
                continue
            # Every page links itself in each language (?lang=): crawl the
            # home page in each, not the whole site ten times.
            if "lang=" in u.query and u.path != "/":
                continue
            if t not in seen:
                seen.add(t)
                queue.append(t)
    for page, href, t, frag in frag_checks:
        if t in pages and frag not in pages[t]:
            fail(f"{page}: {href!r}: no id={frag!r} on {t}")
    for t in sorted(known):
        print(f"# KNOWN MISSING (not counted): {t} answers {checked_links[t]}")
    took = time.monotonic() - start
    print(f"# crawled {npages} pages, {nlinks} links, {len(checked_links)} files/manifests "
          f"(HEAD) in {took:.1f}s")
    return npages


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    a1 = sub.add_parser("crawl")
    a1.add_argument("base")
    a1.add_argument("--max-pages", type=int, default=2000)
    a1.add_argument("--max-seconds", type=float, default=60)
    a1.add_argument("--min-pages", type=int, default=1)
    a1.add_argument("--known-missing", action="append", default=[])
    a2 = sub.add_parser("page")
    a2.add_argument("url")
    a2.add_argument("--text", action="append", default=[])
    a2.add_argument("--status", type=int, default=200)
    a = ap.parse_args()
    if a.cmd == "crawl":
        KNOWN_MISSING.extend(a.known_missing)
        n = crawl(a.base, a.max_pages, a.max_seconds)
        if n < a.min_pages:
            fail(f"crawl reached only {n} pages, expected at least {a.min_pages}")
    else:
        u = urllib.parse.urlsplit(a.url)
        c = Client(a.url)
        t = u.path + ("?" + u.query if u.query else "")
        st, r, body = c.req("GET", t)
        if st != a.status:
            fail(f"{t}: status {st}, expected {a.status}")
        _, text, _ = check_page(t, r, body)
        for want in a.text:
            if want not in text:
                fail(f"{t}: text {want!r} not shown")
    print(f"# {len(failures)} problems")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
