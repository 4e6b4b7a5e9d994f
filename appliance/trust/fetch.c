/* fetch: see fetch.h. */
#include "trust/fetch.h"

/* Calls go through the table below, not curl.h's type-checking macros. */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "base/text.h"
#include "base/util.h"

#define CONNECT_TIMEOUT_S 120  /* a first onion connection can take a minute */
#define READ_BUF (256 * 1024)

struct fetch {
	CURL *curl;
	char *base;                /* "http://host:port" */
	char errbuf[CURL_ERROR_SIZE];
	int64_t deadline_ms, min_rate, min_rate_time_s;
	int deadline_passed;
	/* the request in progress */
	fetch_body_fn fn;
	void *arg;
	fetch_result_t *res;
	int stopped;
};

/* libcurl is loaded when a mirror run first needs it, not linked: linked, it
 * and what it pulls in (GnuTLS, p11-kit, LDAP, Kerberos, SSH; GnuTLS and p11-kit
 * initialise themselves at load) would sit in every broadside process, the one
 * that serves readers included, as 3.7 MB of resident pages and as code no
 * reader's request should be near. */
static struct {
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
} lc;

#define LIBCURL "libcurl.so.4"

static int
curl_ready(void)
{
	static int done;
	void *h;

	/* Once, before any handle; the mirror is single-threaded. */
	if (done)
		return done == 1 ? 0 : -1;
	done = -1;
	if ((h = dlopen(LIBCURL, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		log_err("cannot load %s (Debian package libcurl4): %s", LIBCURL, dlerror());
		return -1;
	}
#define SYM(field, name) if ((*(void **)&lc.field = dlsym(h, name)) == NULL) { \
		log_err("%s has no %s", LIBCURL, name); return -1; }
	SYM(global_init, "curl_global_init");
	SYM(easy_init, "curl_easy_init");
	SYM(easy_setopt, "curl_easy_setopt");
	SYM(easy_perform, "curl_easy_perform");
	SYM(easy_getinfo, "curl_easy_getinfo");
	SYM(easy_cleanup, "curl_easy_cleanup");
	SYM(easy_strerror, "curl_easy_strerror");
	SYM(slist_append, "curl_slist_append");
	SYM(slist_free_all, "curl_slist_free_all");
#undef SYM
	if (lc.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	done = 1;
	return 0;
}

/* Response header lines: the status line (again after a 1xx) and Content-Range. */
static size_t
on_header(char *line, size_t size, size_t n, void *arg)
{
	fetch_t *f = arg;
	size_t len = size * n;
	int code;

	if (len > 5 && memcmp(line, "HTTP/", 5) == 0) {
		char *sp = memchr(line, ' ', len);
		f->res->range_start = -1;
		if (sp && sscanf(sp, " %3d", &code) == 1)
			f->res->status = code;
	} else if (len > 20 && strncasecmp(line, "Content-Range: bytes ", 21) == 0) {
		char *end;
		long long v = strtoll(line + 21, &end, 10);
		if (end != line + 21 && *end == '-' && v >= 0)
			f->res->range_start = v;
	}
	return len;
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	fetch_t *f = arg;
	size_t len = size * n;

	f->res->received += (int64_t)len;
	if (f->fn && f->fn(f->arg, (const uint8_t *)p, len) != 0) {
		f->stopped = 1;
		return 0;       /* CURLE_WRITE_ERROR */
	}
	return len;
}

fetch_t *
fetch_new(const char *host, int port, const char *socks)
{
	fetch_t *f;
	char *proxy;

	if (curl_ready() < 0)
		return NULL;
	/* HOST:PORT, or unix:/PATH (tor's SocksPort unix:, reached as libcurl's
	 * socks5h://localhost/PATH, curl >= 7.84). */
	if (socks && strncmp(socks, "unix:/", 6) == 0 ? strchr(socks, '@') || strchr(socks, ' ') :
	    socks && (strrchr(socks, ':') == NULL || strchr(socks, '/') || strchr(socks, '@')))
		return NULL;
	f = xcalloc(1, sizeof(*f));
	f->curl = lc.easy_init();
	if (f->curl == NULL) {
		free(f);
		return NULL;
	}
	f->base = xasprintf("http://%s:%d", host, port);
	/* "" (not NULL) also ignores http_proxy and friends from the environment. */
	proxy = socks == NULL ? xstrdup("") : strncmp(socks, "unix:", 5) == 0 ?
	    xasprintf("socks5h://localhost%s", socks + 5) : xasprintf("socks5h://%s", socks);
	if (lc.easy_setopt(f->curl, CURLOPT_PROXY, proxy) != CURLE_OK ||
	    lc.easy_setopt(f->curl, CURLOPT_PROTOCOLS_STR, "http") != CURLE_OK ||
	    lc.easy_setopt(f->curl, CURLOPT_REDIR_PROTOCOLS_STR, "http") != CURLE_OK) {
		free(proxy);
		fetch_free_(f);
		return NULL;
	}
	free(proxy);
	lc.easy_setopt(f->curl, CURLOPT_NOPROXY, "");
	lc.easy_setopt(f->curl, CURLOPT_FOLLOWLOCATION, 0L);
	lc.easy_setopt(f->curl, CURLOPT_NOSIGNAL, 1L);
	lc.easy_setopt(f->curl, CURLOPT_PATH_AS_IS, 1L);
	lc.easy_setopt(f->curl, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	lc.easy_setopt(f->curl, CURLOPT_USERAGENT, "broadside-mirror");
	lc.easy_setopt(f->curl, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_TIMEOUT_S);
	lc.easy_setopt(f->curl, CURLOPT_BUFFERSIZE, (long)READ_BUF);
	lc.easy_setopt(f->curl, CURLOPT_ERRORBUFFER, f->errbuf);
	lc.easy_setopt(f->curl, CURLOPT_HEADERFUNCTION, on_header);
	lc.easy_setopt(f->curl, CURLOPT_HEADERDATA, f);
	lc.easy_setopt(f->curl, CURLOPT_WRITEFUNCTION, on_body);
	lc.easy_setopt(f->curl, CURLOPT_WRITEDATA, f);
	return f;
}

void
fetch_free_(fetch_t *f)
{
	if (f == NULL)
		return;
	if (f->curl)
		lc.easy_cleanup(f->curl);
	free(f->base);
	free(f);
}

void
fetch_set_limits(fetch_t *f, int64_t deadline_ms, int64_t min_rate, int64_t min_rate_time_s)
{
	f->deadline_ms = deadline_ms;
	f->min_rate = min_rate_time_s > 0 ? min_rate : 0;
	f->min_rate_time_s = min_rate_time_s;
}

int
fetch_deadline_passed(const fetch_t *f)
{
	return f->deadline_passed;
}

int
fetch_get(fetch_t *f, const char *path, int64_t from, const char *etag, int64_t max_body, fetch_body_fn fn,
    void *arg, fetch_result_t *res, char *err, size_t errlen)
{
	struct curl_slist *hdr = NULL;
	char *url = xasprintf("%s%s", f->base, path), range[32], *ifr = NULL;
	curl_off_t cl = -1;
	int64_t left = 0;
	CURLcode cc;
	int rc = FETCH_ERR;

	memset(res, 0, sizeof(*res));
	res->range_start = -1;
	res->content_length = -1;
	f->fn = fn;
	f->arg = arg;
	f->res = res;
	f->stopped = 0;
	f->errbuf[0] = '\0';
	if (f->deadline_ms && (left = f->deadline_ms - now_ms()) <= 0) {
		f->deadline_passed = 1;
		snprintf(err, errlen, "the deadline passed");
		rc = FETCH_DEADLINE;
		goto done;
	}
	if (from > 0) {
		snprintf(range, sizeof(range), "%lld-", (long long)from);
		if (etag) {
			ifr = xasprintf("If-Range: \"%s\"", etag);
			hdr = lc.slist_append(hdr, ifr);
		}
	}
	lc.easy_setopt(f->curl, CURLOPT_URL, url);
	lc.easy_setopt(f->curl, CURLOPT_RANGE, from > 0 ? range : NULL);
	lc.easy_setopt(f->curl, CURLOPT_HTTPHEADER, hdr);
	lc.easy_setopt(f->curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_body);
	lc.easy_setopt(f->curl, CURLOPT_TIMEOUT_MS, (long)left);
	lc.easy_setopt(f->curl, CURLOPT_LOW_SPEED_LIMIT, (long)f->min_rate);
	lc.easy_setopt(f->curl, CURLOPT_LOW_SPEED_TIME, (long)(f->min_rate ? f->min_rate_time_s : 0));
	cc = lc.easy_perform(f->curl);
	if (lc.easy_getinfo(f->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) == CURLE_OK && cl >= 0)
		res->content_length = (int64_t)cl;
	switch (cc) {
	case CURLE_OK:
		rc = 0;
		break;
	case CURLE_WRITE_ERROR:
		snprintf(err, errlen, "%s", f->stopped ? "stopped by the receiver" : "cannot write");
		break;
	case CURLE_FILESIZE_EXCEEDED:
		snprintf(err, errlen, "the body is larger than %lld bytes", (long long)max_body);
		rc = FETCH_TOO_BIG;
		break;
	case CURLE_OPERATION_TIMEDOUT:
		if (f->deadline_ms && now_ms() >= f->deadline_ms) {
			f->deadline_passed = 1;
			snprintf(err, errlen, "the deadline passed");
			rc = FETCH_DEADLINE;
		} else if (f->min_rate && strstr(f->errbuf, "too slow")) {
			snprintf(err, errlen, "slower than %lld bytes/s for %lld s", (long long)f->min_rate,
			    (long long)f->min_rate_time_s);
			rc = FETCH_TOO_SLOW;
		} else {
			snprintf(err, errlen, "%s", f->errbuf[0] ? f->errbuf : lc.easy_strerror(cc));
		}
		break;
	default:
		snprintf(err, errlen, "%s", f->errbuf[0] ? f->errbuf : lc.easy_strerror(cc));
		break;
	}
done:
	lc.easy_setopt(f->curl, CURLOPT_HTTPHEADER, NULL);
	lc.slist_free_all(hdr);
	free(ifr);
	free(url);
	f->res = NULL;
	return rc;
}

int
fetch_parse_url(const char *url, char **host, int *port, char **path)
{
	const char *h, *end, *colon;
	int64_t p = 80;

	if (strncmp(url, "http://", 7) != 0)
		return -1;
	h = url + 7;
	end = h + strcspn(h, "/?#");
	colon = memchr(h, ':', (size_t)(end - h));
	if (colon) {
		char *ps = xstrndup(colon + 1, (size_t)(end - colon - 1));
		int bad = parse_int64(ps, 1, 65535, &p) < 0;
		free(ps);
		if (bad)
			return -1;
	} else {
		colon = end;
	}
	if (colon == h)
		return -1;
	for (const char *c = h; c < colon; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		    *c == '.' || *c == '-'))
			return -1;
	*host = xstrndup(h, (size_t)(colon - h));
	*port = (int)p;
	*path = xstrdup(*end == '/' ? end : "/");
	return 0;
}

char *
fetch_path_encode(const char *path)
{
	strbuf_t b;

	strbuf_init(&b);
	text_url(&b, path, strlen(path), TEXT_URL_SLASH);
	return strbuf_detach(&b);
}
