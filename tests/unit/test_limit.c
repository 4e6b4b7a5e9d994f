/* limit: token buckets with an injected clock (exact refill, burst, caps),
 * max-min fair shares, per-circuit caps, the fair download queue, eviction,
 * entry expiry and the table cap. */
#include <event2/event.h>
#include <math.h>
#include <stdlib.h>

#include "unit.h"
#define LIMIT_PRIVATE
#include "serve/limit.h"
#include "serve/route.h"

static double clock_now = 1000.0;
static double test_clock(void *arg) { return clock_now; }

static int admitted_status = -1, admitted_count, evicted_count;
static void *admitted_owner, *evicted_owner;
static uint32_t closed_circuit;
static int closed_count;

static void
on_admitted(void *owner, int status, int retry_after)
{
	admitted_owner = owner;
	admitted_status = status;
	admitted_count++;
}

static void
on_evict(void *owner)
{
	evicted_owner = owner;
	evicted_count++;
}

static void
on_close(void *arg, uint32_t circuit)
{
	closed_circuit = circuit;
	closed_count++;
}

static const limit_conn_ops_t ops = { on_admitted, on_evict };

static limit_conf_t
base_conf(void)
{
	limit_conf_t c;
	memset(&c, 0, sizeof(c));
	c.enabled = 1;
	c.max_connections = 100;
	c.circuit_connections = 100;
	c.circuit_pending_heads = 100;
	c.circuit_downloads = 100;
	c.request_rate = 0;
	c.request_burst = 1;
	c.search_rate = 0;
	c.search_burst = 1;
	c.max_downloads = 100;
	c.download_wait = 5;
	c.max_searches = 100;
	c.table_size = 1000;
	c.close_window = 60;
	return c;
}

/* A connection from circuit id that has sent a complete head for target. */
static limit_conn_t *
conn(limit_t *l, uint32_t id, void *owner)
{
	limit_conn_t *lc = limit_conn_new(l, owner, &ops);
	ok(limit_conn_identify(lc, 1, id, NULL) == 0, "identify circuit %u", (unsigned)id);
	return lc;
}

/* The class of a target as the connection finds it: routed once. */
static enum limit_class
classify(const char *target)
{
	route_t rt;
	enum limit_class cls;

	memset(&rt, 0, sizeof(rt));
	cls = limit_class_of(route_parse(target, strlen(target), &rt) < 0 ? NULL : &rt);
	route_clear(&rt);
	return cls;
}

static int
admit(limit_conn_t *lc, const char *target, limit_answer_t *a)
{
	limit_conn_admit(lc, classify(target), a);
	return a->wait ? -2 : a->status;
}

static void
test_bucket(void)
{
	limit_bucket_t b;
	double wait = -1;

	limit_bucket_init(&b, 2.0, 4.0, 10.0);
	for (int i = 0; i < 4; i++)
		ok(limit_bucket_take(&b, 10.0, 1, NULL) == 0, "burst token %d", i);
	ok(limit_bucket_take(&b, 10.0, 1, &wait) < 0, "empty after the burst");
	ok(fabs(wait - 0.5) < 1e-9, "wait is exactly 1/rate: %f", wait);
	ok(limit_bucket_take(&b, 10.25, 1, &wait) < 0, "half a token is not a token");
	ok(fabs(wait - 0.25) < 1e-9, "wait counts the half token: %f", wait);
	ok(limit_bucket_take(&b, 10.5, 1, NULL) == 0, "refilled after 1/rate");
	ok(limit_bucket_take(&b, 10.5, 1, NULL) < 0, "and only one token");
	/* A long pause refills to the burst, never beyond. */
	ok(limit_bucket_take(&b, 1000.0, 4, NULL) == 0, "refill to burst");
	ok(limit_bucket_take(&b, 1000.0, 1, NULL) < 0, "capped at burst");
	ok(fabs(b.tokens) < 1e-9, "no tokens left: %f", b.tokens);
	/* Time going backwards (a test clock) adds nothing. */
	ok(limit_bucket_take(&b, 999.0, 1, NULL) < 0, "no refill backwards");
	limit_bucket_init(&b, 0, 1, 0);
	for (int i = 0; i < 1000; i++)
		if (limit_bucket_take(&b, 0, 1, NULL) < 0)
			ok(0, "rate 0 is unlimited");
	limit_bucket_init(&b, 1000.0, 10.0, 0);
	ok(limit_bucket_take(&b, 0, 10, NULL) == 0, "take n at once");
	ok(limit_bucket_take(&b, 0.005, 5, NULL) == 0, "5 ms at 1000/s is 5 tokens");
	ok(limit_bucket_take(&b, 0.005, 1, NULL) < 0, "and no more");
}

static void
test_fair_shares(void)
{
	double d1[] = { INFINITY, INFINITY, 10 }, s[3];
	limit_fair_shares(100, 3, d1, s);
	ok(s[0] == 45 && s[1] == 45 && s[2] == 10, "slow one keeps 10, others split: %g %g %g",
	    s[0], s[1], s[2]);
	double d2[] = { INFINITY, INFINITY, INFINITY, INFINITY };
	double s2[4];
	limit_fair_shares(100, 4, d2, s2);
	ok(s2[0] == 25 && s2[3] == 25, "equal split");
	double d3[] = { 10, 20, 30 };
	limit_fair_shares(100, 3, d3, s);
	ok(s[0] == 10 && s[1] == 20 && s[2] == 30, "everyone satisfied under the cap");
	double d4[] = { 10, 40, 70 };
	limit_fair_shares(100, 3, d4, s);
	ok(s[0] == 10 && s[1] == 40 && s[2] == 50, "cascade: %g %g %g", s[0], s[1], s[2]);
	limit_fair_shares(0, 3, d4, s);
	ok(s[0] == 10 && s[2] == 70, "no total cap: demand");
}

static void
test_circuit_caps(struct event_base *base)
{
	limit_conf_t c = base_conf();
	limit_answer_t a;
	limit_conn_t *lcs[8];
	limit_t *l;
	int owners[8];

	c.circuit_pending_heads = 2;
	c.circuit_connections = 3;
	c.request_rate = 1;
	c.request_burst = 3;
	l = limit_new(base, &c);
	limit_set_clock(l, test_clock, NULL);
	lcs[0] = conn(l, 7, &owners[0]);
	lcs[1] = conn(l, 7, &owners[1]);
	lcs[2] = limit_conn_new(l, &owners[2], &ops);
	ok(limit_conn_identify(lcs[2], 1, 7, NULL) < 0, "third pending head is refused");
	limit_conn_free(lcs[2]);
	ok(admit(lcs[0], "/", &a) == 0, "request 1");
	lcs[2] = conn(l, 7, &owners[2]);   /* one head is complete now */
	limit_conn_request_done(lcs[0]);
	limit_conn_idle(lcs[0]);
	ok(admit(lcs[1], "/", &a) == 0, "request 2");
	lcs[3] = conn(l, 7, &owners[3]);
	ok(admit(lcs[3], "/", &a) == 429 && a.close && a.retry_after > 0,
	    "fourth connection: 429, close, Retry-After");
	ok(admit(lcs[2], "/", &a) == 0, "request 3 (burst)");
	limit_conn_request_done(lcs[2]);
	limit_conn_head_started(lcs[2]);
	ok(admit(lcs[2], "/", &a) == 429 && !a.close, "request 4: over the rate, keep-alive");
	is_int(a.retry_after, 1, "Retry-After is when a token is back");
	clock_now += 1.0;
	limit_conn_request_done(lcs[2]);
	limit_conn_head_started(lcs[2]);
	ok(admit(lcs[2], "/", &a) == 0, "a token per second");
	/* Another circuit is not affected. */
	lcs[4] = conn(l, 8, &owners[4]);
	ok(admit(lcs[4], "/", &a) == 0, "other circuit served");
	for (int i = 0; i < 5; i++)
		limit_conn_free(lcs[i]);
	limit_free(l);
}

static void
test_search_and_close(struct event_base *base)
{
	limit_conf_t c = base_conf();
	limit_answer_t a;
	limit_conn_t *lc;
	limit_t *l;
	int owner;

	c.search_rate = 0.5;
	c.search_burst = 2;
	c.close_after = 3;
	l = limit_new(base, &c);
	limit_set_clock(l, test_clock, NULL);
	limit_set_close_circuit(l, on_close, NULL);
	lc = conn(l, 0x42, &owner);
	ok(admit(lc, "/search?q=a", &a) == 0, "search 1");
	limit_conn_request_done(lc);
	ok(admit(lc, "/search?q=b", &a) == 0, "search 2");
	limit_conn_request_done(lc);
	ok(admit(lc, "/", &a) == 0, "a page is not a search");
	limit_conn_request_done(lc);
	ok(admit(lc, "/%73earch?q=c", &a) == 429, "search 3 (encoded): 429");
	is_int(a.retry_after, 2, "Retry-After 1/rate");
	ok(admit(lc, "/search?q=d", &a) == 429, "search 4: 429");
	is_int(closed_count, 0, "not closed yet");
	ok(admit(lc, "/search?q=e", &a) == 429, "search 5: 429");
	is_int(closed_count, 1, "third 429 in the window closes the circuit");
	is_int(closed_circuit, 0x42, "that circuit");
	limit_conn_free(lc);
	limit_free(l);
}

static void
test_downloads(struct event_base *base)
{
	limit_conf_t c = base_conf();
	limit_answer_t a;
	limit_conn_t *lc[6];
	int owner[6];
	limit_t *l;

	c.circuit_downloads = 2;
	c.max_downloads = 3;
	c.download_wait = 5;
	l = limit_new(base, &c);
	limit_set_clock(l, test_clock, NULL);
	lc[0] = conn(l, 1, &owner[0]);
	lc[1] = conn(l, 1, &owner[1]);
	lc[2] = conn(l, 1, &owner[2]);
	ok(admit(lc[0], "/f/x/a", &a) == 0, "download 1");
	ok(admit(lc[1], "/f/x/a", &a) == 0, "download 2");
	ok(admit(lc[2], "/f/x/a", &a) == 429 && a.retry_after > 0, "third on one circuit: 429");
	limit_conn_request_done(lc[2]);
	ok(admit(lc[2], "/c/x/a", &a) == 0, "a page still goes");
	limit_conn_request_done(lc[2]);
	lc[3] = conn(l, 2, &owner[3]);
	ok(admit(lc[3], "/f/x/a", &a) == 0, "download 3 (other circuit)");
	/* Full. Circuit 2 (one running) queues before circuit 3 (none). */
	lc[4] = conn(l, 2, &owner[4]);
	lc[5] = conn(l, 3, &owner[5]);
	ok(admit(lc[4], "/f/x/a", &a) == -2, "server full: circuit 2 waits");
	ok(admit(lc[5], "/f/x/a", &a) == -2, "circuit 3 waits");
	limit_conn_request_done(lc[0]);
	admitted_count = 0;
	event_base_loop(base, EVLOOP_NONBLOCK);
	is_int(admitted_count, 1, "one slot, one admitted");
	ok(admitted_owner == &owner[5] && admitted_status == 0,
	    "the circuit with the fewest downloads goes first");
	limit_conn_request_done(lc[1]);
	event_base_loop(base, EVLOOP_NONBLOCK);
	ok(admitted_count == 2 && admitted_owner == &owner[4], "then circuit 2");
	limit_conn_request_done(lc[2]);
	limit_conn_head_started(lc[2]);
	ok(admit(lc[2], "/f/x/a", &a) == -2, "circuit 1 waits");
	clock_now += 4;
	limit_tick(l);
	is_int(admitted_count, 2, "still waiting after 4 s");
	clock_now += 2;
	limit_tick(l);
	ok(admitted_owner == &owner[2] && admitted_status == 503, "wait is bounded: 503");
	for (int i = 0; i < 6; i++)
		limit_conn_free(lc[i]);
	limit_free(l);
}

static void
test_evict_expire_table(struct event_base *base)
{
	limit_conf_t c = base_conf();
	limit_answer_t a;
	limit_conn_t *lc[20];
	int owner[20];
	limit_t *l;

	c.request_rate = 10;
	c.request_burst = 50;    /* refills in 5 s */
	c.table_size = 16;
	l = limit_new(base, &c);
	limit_set_clock(l, test_clock, NULL);
	lc[0] = conn(l, 100, &owner[0]);
	lc[1] = conn(l, 101, &owner[1]);
	evicted_count = 0;
	ok(limit_evict_one(l) < 0, "fresh heads are not evicted");
	clock_now += 2;
	ok(limit_evict_one(l) == 0 && evicted_owner == &owner[0], "the oldest slow head goes");
	limit_conn_free(lc[0]);
	ok(admit(lc[1], "/", &a) == 0, "request");
	ok(limit_evict_one(l) < 0, "a connection with a response in flight is never evicted");
	limit_conn_request_done(lc[1]);
	limit_conn_idle(lc[1]);
	lc[0] = conn(l, 102, &owner[0]);
	clock_now += 2;
	ok(limit_evict_one(l) == 0 && evicted_owner == &owner[1], "an idle keep-alive goes first");
	limit_conn_free(lc[1]);
	limit_conn_free(lc[0]);
	is_int(limit_entries(l), 3, "three keys remembered");
	clock_now += 4.9;
	limit_tick(l);
	is_int(limit_entries(l), 2, "the key idle for 6.9 s went, those idle 4.9 s stay");
	clock_now += 0.2;
	limit_tick(l);
	is_int(limit_entries(l), 0, "forgotten once full again");
	for (int i = 0; i < 16; i++)
		lc[i] = conn(l, 200 + (uint32_t)i, &owner[i]);
	is_int(limit_entries(l), 16, "table at its cap");
	lc[16] = conn(l, 300, &owner[16]);
	is_int(limit_entries(l), 16, "overflow shares one entry");
	limit_conn_free(lc[0]);
	lc[17] = conn(l, 301, &owner[17]);
	is_int(limit_entries(l), 16, "an idle key made room");
	for (int i = 1; i < 18; i++)
		limit_conn_free(lc[i]);
	limit_free(l);
}

/* Keep-alive connections that each start a new head count against the
 * circuit's pending heads just as new connections do. */
static void
test_pending_keepalive(struct event_base *base)
{
	limit_conf_t c = base_conf();
	limit_answer_t a;
	limit_conn_t *lc[4];
	int owners[4], refused = 0;
	limit_t *l;
	strbuf_t st;

	c.circuit_pending_heads = 2;
	l = limit_new(base, &c);
	limit_set_clock(l, test_clock, NULL);
	/* One at a time, so each connection gets in: complete heads, idle. */
	for (int i = 0; i < 4; i++) {
		lc[i] = conn(l, 9, &owners[i]);
		ok(admit(lc[i], "/", &a) == 0, "keep-alive %d served", i);
		limit_conn_request_done(lc[i]);
		limit_conn_idle(lc[i]);
	}
	for (int i = 0; i < 4; i++)
		if (limit_conn_head_started(lc[i]) < 0)
			refused++;
	is_int(refused, 2, "two slow heads on idle keep-alives fill the cap; the other two are refused");
	strbuf_init(&st);
	limit_write_status(l, &st, 1);
	ok(strstr(st.s, "\"circuit_pending_heads\":2,") != NULL, "hits counted: %s", st.s);
	ok(strstr(st.s, "\"sending_head\":2,") != NULL, "two heads pending");
	strbuf_release(&st);
	/* A refused head is closed by the caller; then another may start. */
	limit_conn_free(lc[2]);
	limit_conn_free(lc[3]);
	ok(admit(lc[0], "/", &a) == 0, "a pending head completes");
	limit_conn_request_done(lc[0]);
	limit_conn_idle(lc[1]);
	ok(limit_conn_head_started(lc[0]) == 0, "room again for a head");
	/* The same connection starting again is not counted twice. */
	ok(limit_conn_head_started(lc[0]) == 0, "an already pending head is not refused");
	limit_conn_free(lc[0]);
	limit_conn_free(lc[1]);
	limit_free(l);
}

static void
test_disabled(struct event_base *base)
{
	limit_conf_t c = base_conf();
	limit_answer_t a;
	limit_conn_t *lc[3];
	int owner;
	limit_t *l;

	c.enabled = 0;
	c.circuit_pending_heads = 1;
	c.request_rate = 1;
	l = limit_new(base, &c);
	limit_set_clock(l, test_clock, NULL);
	lc[0] = conn(l, 1, &owner);
	lc[1] = conn(l, 1, &owner);
	lc[2] = conn(l, 1, &owner);
	for (int i = 0; i < 10; i++)
		ok(admit(lc[0], "/f/a/b", &a) == 0, "off: everything goes");
	for (int i = 0; i < 3; i++)
		limit_conn_free(lc[i]);
	limit_free(l);
}

int
main(void)
{
	struct event_base *base = event_base_new();

	test_bucket();
	test_fair_shares();
	test_circuit_caps(base);
	test_search_and_close(base);
	test_downloads(base);
	test_evict_expire_table(base);
	test_pending_keepalive(base);
	test_disabled(base);
	is_int(classify("/f/a/b"), LIMIT_DOWNLOAD, "classify /f/");
	is_int(classify("/%66/a/b"), LIMIT_DOWNLOAD, "classify encoded /f/");
	is_int(classify("/search?q=x"), LIMIT_SEARCH, "classify search");
	is_int(classify("/c/a/b"), LIMIT_PAGE, "classify page");
	is_int(classify("/i/a/m.eml?part=2"), LIMIT_DOWNLOAD, "classify an attachment's bytes");
	is_int(classify("/i/a/p.pdf?n=2"), LIMIT_PAGE, "classify a page image");
	is_int(classify("/i/a/photo.jpg"), LIMIT_PAGE, "classify an image copy");
	is_int(classify("/f/../x"), LIMIT_PAGE, "a target routing refuses is a page");
	event_base_free(base);
	return unit_done();
}
