/* limit: see limit.h.
 *
 * Bandwidth: rather than libevent rate-limit groups (a bufferevent belongs to
 * at most one group, and a group splits its budget per member, so a circuit
 * with eight connections would get eight shares), each download's bufferevent
 * gets its own token bucket whose rate the limiter recomputes: the global cap
 * is divided max-min fairly among circuits, and a circuit's part equally among
 * its downloads. This is thttpd's throttle idea (a throttle's rate divided by
 * the connections sending under it, recomputed as they come and go), keyed on
 * circuits, plus a once-a-second estimate of what each circuit can take so
 * that bandwidth a slow tor circuit cannot use goes to the others.
 *
 * Eviction when full follows nginx's reuse of keep-alive connections
 * (ngx_drain_connections): idle keep-alives go first, then the connection that
 * has been sending its head the longest, never one with a response in flight. */
#define LIMIT_PRIVATE
#include "serve/limit.h"
#include "serve/limit_bucket.h"
#include "serve/route.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include "base/log.h"

#define TICK_MS 250          /* limiter housekeeping */
#define MEASURE_TICKS 4      /* demand estimate once a second */
#define PACE_TICK_MS 100     /* libevent bucket granularity for downloads */
#define HEAD_EVICT_AGE 1.0   /* a head younger than this is not "slow" yet */
/* Retry-After when we cannot know better: a per-circuit connection cap frees
 * up within seconds; a download slot when some download ends. */
#define RETRY_CONNECTIONS 5
#define RETRY_DOWNLOADS 30
#define RETRY_BUSY 10

enum phase { PH_HEAD, PH_BUSY, PH_IDLE };
enum slot { SLOT_NONE, SLOT_DOWNLOAD, SLOT_SEARCH, SLOT_WAIT };

struct entry {
	char key[56];
	uint32_t hash;
	struct entry *next;            /* hash chain */
	int has_circuit;
	uint32_t circuit;
	int conns, pending, downloads;
	limit_bucket_t req, search;
	int strikes;
	double strike_start, idle_since;
	int in_idle, in_active;
	TAILQ_ENTRY(entry) idle_link;      /* no connections: expiry order */
	TAILQ_ENTRY(entry) active_link;    /* has downloads being paced */
	TAILQ_HEAD(, limit_conn) dls;
	uint64_t sent, sent_mark;
	double demand, share;          /* demand 0 = no estimate: its cap */
	int stable;                    /* its downloads ran for a whole measurement */
	int slow_seconds;              /* measurements in a row under half its share */
};

/* One per connection, idle ones included: the small fields sit together so
 * the struct packs: 136 bytes, a 144-byte glibc chunk (it was 144 in 160). */
struct limit_conn {
	limit_t *l;
	struct entry *e;
	void *owner;
	const limit_conn_ops_t *ops;
	double phase_since;
	TAILQ_ENTRY(limit_conn) phase_link;   /* l->heads or l->idles */
	uint8_t phase;      /* enum phase */
	uint8_t over_cap;
	uint8_t slot;       /* enum slot */
	double wait_deadline;
	TAILQ_ENTRY(limit_conn) wait_link;
	TAILQ_ENTRY(limit_conn) dl_link;
	struct bufferevent *bev;
	struct ev_token_bucket_cfg *cfg;
	struct evbuffer_cb_entry *cbe;
	double rate;
};

TAILQ_HEAD(conn_list, limit_conn);
TAILQ_HEAD(entry_list, entry);

struct limit_hits {
	uint64_t circuit_connections, circuit_pending_heads, circuit_requests,
	    circuit_searches, circuit_downloads, max_searches, max_downloads,
	    downloads_waited, download_wait_timeouts, server_full, evicted,
	    circuits_closed, table_full;
};

struct limit {
	struct event_base *base;
	limit_conf_t conf;
	double (*clock)(void *);
	void *clock_arg;
	void (*close_fn)(void *, uint32_t);
	void *close_arg;
	struct entry **table;
	size_t nbuckets;
	int nentries;
	struct entry overflow;         /* shared by everyone when the table is full */
	struct entry_list idle, active;
	struct conn_list heads, idles, waiting;
	int nconns, nwaiting, downloads, searches;
	double forget_after;           /* an idle entry older than this holds no state */
	double last_measure;
	unsigned ticks;
	uint64_t download_bytes;
	struct event *timer, *grant;
	struct limit_hits hits;
};

/* ---- clock and configuration ---- */

static double
mono_clock(void *arg)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
now(const limit_t *l)
{
	return l->clock(l->clock_arg);
}

void
limit_set_clock(limit_t *l, double (*fn)(void *), void *arg)
{
	l->clock = fn;
	l->clock_arg = arg;
}

void
limit_conf_from(limit_conf_t *lc, const conf_t *c)
{
	memset(lc, 0, sizeof(*lc));
	lc->enabled = c->limits;
	lc->max_connections = c->max_connections;
	lc->circuit_connections = c->circuit_connections;
	lc->circuit_pending_heads = c->circuit_pending_heads;
	lc->circuit_downloads = c->circuit_downloads;
	lc->request_rate = (double)c->circuit_requests_per_second;
	lc->request_burst = (double)c->circuit_request_burst;
	lc->search_rate = (double)c->circuit_searches_per_minute / 60.0;
	lc->search_burst = (double)c->circuit_search_burst;
	lc->circuit_bandwidth = c->circuit_bandwidth * 1024;
	lc->total_bandwidth = c->total_bandwidth * 1024;
	lc->max_downloads = c->max_downloads;
	lc->download_wait = c->download_wait;
	lc->max_searches = c->max_searches;
	lc->table_size = c->circuit_table_size;
	lc->close_after = c->close_circuit_after;
	lc->close_window = c->close_circuit_window;
}

/* ---- the table of keys ---- */

static uint32_t
hash_key(const char *s)
{
	uint32_t h = 2166136261u;   /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void
entry_init(limit_t *l, struct entry *e, const char *key, double t)
{
	snprintf(e->key, sizeof(e->key), "%s", key);
	limit_bucket_init(&e->req, l->conf.request_rate, l->conf.request_burst, t);
	limit_bucket_init(&e->search, l->conf.search_rate, l->conf.search_burst, t);
	TAILQ_INIT(&e->dls);
}

static void
entry_unlink_free(limit_t *l, struct entry *e)
{
	struct entry **pp = &l->table[e->hash & (l->nbuckets - 1)];
	while (*pp && *pp != e)
		pp = &(*pp)->next;
	if (*pp)
		*pp = e->next;
	if (e->in_idle)
		TAILQ_REMOVE(&l->idle, e, idle_link);
	l->nentries--;
	free(e);
}

static struct entry *
entry_get(limit_t *l, const char *key)
{
	uint32_t h = hash_key(key);
	struct entry *e;

	for (e = l->table[h & (l->nbuckets - 1)]; e; e = e->next)
		if (e->hash == h && strcmp(e->key, key) == 0)
			return e;
	if (l->nentries >= l->conf.table_size) {
		/* Full: forget the longest-idle key (it loses its bucket state,
		 * which needs table_size other readers at once to exploit). */
		e = TAILQ_FIRST(&l->idle);
		if (e == NULL) {
			l->hits.table_full++;
			return &l->overflow;
		}
		entry_unlink_free(l, e);
	}
	e = xcalloc(1, sizeof(*e));
	entry_init(l, e, key, now(l));
	e->hash = h;
	e->next = l->table[h & (l->nbuckets - 1)];
	l->table[h & (l->nbuckets - 1)] = e;
	l->nentries++;
	return e;
}

/* An entry without connections waits in the idle list until it holds no state
 * worth keeping (its buckets have refilled). */
static void
entry_maybe_idle(limit_t *l, struct entry *e)
{
	if (e == &l->overflow || e->conns > 0 || e->in_idle)
		return;
	e->idle_since = now(l);
	e->in_idle = 1;
	TAILQ_INSERT_TAIL(&l->idle, e, idle_link);
}

static void
entry_busy(limit_t *l, struct entry *e)
{
	if (e->in_idle) {
		TAILQ_REMOVE(&l->idle, e, idle_link);
		e->in_idle = 0;
	}
}

int
limit_entries(const limit_t *l)
{
	return l->nentries;
}

/* ---- refusals ---- */

static void
refuse(limit_conn_t *lc, limit_answer_t *ans, int status, double retry, int close)
{
	limit_t *l = lc->l;
	struct entry *e = lc->e;

	ans->status = status;
	ans->retry_after = retry < 1 ? 1 : (int)ceil(retry);
	ans->close = close;
	if (status != 429 || l->conf.close_after <= 0 || !e->has_circuit || !l->close_fn)
		return;
	double t = now(l);
	if (e->strikes == 0 || t - e->strike_start > (double)l->conf.close_window) {
		e->strikes = 0;
		e->strike_start = t;
	}
	if (++e->strikes >= l->conf.close_after) {
		e->strikes = 0;
		l->hits.circuits_closed++;
		log_info("asked tor to close a circuit that kept exceeding its limits");
		log_debug("closing circuit %u", (unsigned)e->circuit);
		l->close_fn(l->close_arg, e->circuit);
	}
}

/* ---- pacing downloads ---- */

static void
pace(limit_conn_t *lc, double rate)
{
	struct ev_token_bucket_cfg *old = lc->cfg;

	if (isinf(rate) || rate <= 0) {
		if (old) {
			bufferevent_set_rate_limit(lc->bev, NULL);
			ev_token_bucket_cfg_free(old);
			lc->cfg = NULL;
		}
		lc->rate = INFINITY;
		return;
	}
	/* Reconfiguring resets the bucket; small changes are not worth it. */
	if (old && fabs(rate - lc->rate) < 0.03 * lc->rate)
		return;
	struct timeval tick = { 0, PACE_TICK_MS * 1000 };
	double per_tick = rate * PACE_TICK_MS / 1000.0;
	size_t r = per_tick < 1 ? 1 : (size_t)per_tick;
	/* Two ticks of burst make up for a tick the loop was late for; the
	 * average stays at the rate because refill is per tick. */
	lc->cfg = ev_token_bucket_cfg_new(EV_RATE_LIMIT_MAX, EV_RATE_LIMIT_MAX, r, 2 * r, &tick);
	if (lc->cfg == NULL || bufferevent_set_rate_limit(lc->bev, lc->cfg) < 0) {
		log_warn("cannot pace a download");
		if (lc->cfg)
			ev_token_bucket_cfg_free(lc->cfg);
		lc->cfg = old;
		return;
	}
	lc->rate = rate;
	if (old)
		ev_token_bucket_cfg_free(old);
}

static void
reallocate(limit_t *l)
{
	int n = 0, i = 0;
	struct entry *e;

	TAILQ_FOREACH(e, &l->active, active_link)
		n++;
	if (n == 0)
		return;
	double stack[128];
	double *demand = n <= 64 ? stack : xcalloc((size_t)n * 2, sizeof(double));
	double *share = demand + n;
	TAILQ_FOREACH(e, &l->active, active_link) {
		double cap = l->conf.circuit_bandwidth > 0 ? (double)l->conf.circuit_bandwidth : INFINITY;
		demand[i++] = e->demand > 0 && e->demand < cap ? e->demand : cap;
	}
	limit_fair_shares((double)l->conf.total_bandwidth, n, demand, share);
	i = 0;
	TAILQ_FOREACH(e, &l->active, active_link) {
		limit_conn_t *lc;
		e->share = share[i++];
		TAILQ_FOREACH(lc, &e->dls, dl_link)
			pace(lc, e->share / e->downloads);
	}
	if (demand != stack)
		free(demand);
}

/* Once a second: how much did each downloading circuit take? One that took
 * clearly less than its share is limited by its reader (a slow tor circuit);
 * give it a little above what it took and the rest to the others. */
static void
measure(limit_t *l, double t)
{
	double dt = t - l->last_measure;
	struct entry *e;

	l->last_measure = t;
	if (dt <= 0)
		return;
	TAILQ_FOREACH(e, &l->active, active_link) {
		double rate = (double)(e->sent - e->sent_mark) / dt;
		e->sent_mark = e->sent;
		/* Only clearly reader-limited circuits (under half their share)
		 * are capped, with room to grow twofold each second. */
		if (e->stable && isfinite(e->share) && rate < 0.5 * e->share)
			e->slow_seconds++;
		else
			e->slow_seconds = 0;
		/* Two slow seconds in a row: one stall of the reader's (or of
		 * our loop) must not cost a circuit its share. */
		e->demand = e->slow_seconds >= 2 ? rate * 2 + 65536 : 0;
		e->stable = 1;
	}
	reallocate(l);
}

static void
on_sent(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	limit_conn_t *lc = arg;
	lc->e->sent += info->n_deleted;
	lc->l->download_bytes += info->n_deleted;
}

void
limit_conn_download_begin(limit_conn_t *lc, struct bufferevent *bev)
{
	struct entry *e = lc->e;
	limit_t *l = lc->l;

	/* Without a bandwidth cap there is nothing to pace or share. */
	if (lc->slot != SLOT_DOWNLOAD || lc->bev ||
	    (l->conf.total_bandwidth <= 0 && l->conf.circuit_bandwidth <= 0))
		return;
	lc->bev = bev;
	lc->rate = INFINITY;
	TAILQ_INSERT_TAIL(&e->dls, lc, dl_link);
	if (!e->in_active) {
		e->in_active = 1;
		e->sent_mark = e->sent;
		TAILQ_INSERT_TAIL(&lc->l->active, e, active_link);
	}
	e->stable = 0;
	e->demand = 0;
	e->slow_seconds = 0;
	lc->cbe = evbuffer_add_cb(bufferevent_get_output(bev), on_sent, lc);
	reallocate(lc->l);
}

static void
download_end(limit_conn_t *lc)
{
	struct entry *e = lc->e;

	if (lc->bev == NULL)
		return;
	if (lc->cbe)
		evbuffer_remove_cb_entry(bufferevent_get_output(lc->bev), lc->cbe);
	pace(lc, INFINITY);
	TAILQ_REMOVE(&e->dls, lc, dl_link);
	if (TAILQ_EMPTY(&e->dls)) {
		TAILQ_REMOVE(&lc->l->active, e, active_link);
		e->in_active = 0;
	}
	lc->bev = NULL;
	lc->cbe = NULL;
	reallocate(lc->l);
}

/* ---- waiting for a download slot ---- */

/* Fair among circuits: the slot goes to the waiter whose circuit has the
 * fewest downloads running, the earliest first among equals. */
static void
on_grant(evutil_socket_t fd, short what, void *arg)
{
	limit_t *l = arg;

	while (l->downloads < l->conf.max_downloads && !TAILQ_EMPTY(&l->waiting)) {
		limit_conn_t *lc, *best = NULL;
		TAILQ_FOREACH(lc, &l->waiting, wait_link)
			if (best == NULL || lc->e->downloads < best->e->downloads)
				best = lc;
		TAILQ_REMOVE(&l->waiting, best, wait_link);
		l->nwaiting--;
		best->slot = SLOT_DOWNLOAD;
		best->e->downloads++;
		l->downloads++;
		l->hits.downloads_waited++;
		/* May free best; nothing of it is touched afterwards. */
		best->ops->admitted(best->owner, 0, 0);
	}
}

static void
expire_waiters(limit_t *l, double t)
{
	limit_conn_t *lc;

	/* Everyone waits the same time, so deadlines are in queue order. */
	while ((lc = TAILQ_FIRST(&l->waiting)) != NULL && lc->wait_deadline <= t) {
		TAILQ_REMOVE(&l->waiting, lc, wait_link);
		l->nwaiting--;
		lc->slot = SLOT_NONE;
		l->hits.download_wait_timeouts++;
		lc->ops->admitted(lc->owner, 503, RETRY_DOWNLOADS);
	}
}

/* ---- periodic work ---- */

void
limit_tick(limit_t *l)
{
	double t = now(l);
	struct entry *e;

	expire_waiters(l, t);
	while ((e = TAILQ_FIRST(&l->idle)) != NULL && t - e->idle_since >= l->forget_after)
		entry_unlink_free(l, e);
	if (++l->ticks % MEASURE_TICKS == 0)
		measure(l, t);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	limit_tick(arg);
}

limit_t *
limit_new(struct event_base *base, const limit_conf_t *conf)
{
	limit_t *l = xcalloc(1, sizeof(*l));
	struct timeval tv = { 0, TICK_MS * 1000 };
	double f = 1;

	l->base = base;
	l->conf = *conf;
	if (l->conf.table_size < 16)
		l->conf.table_size = 16;
	l->clock = mono_clock;
	for (l->nbuckets = 64; l->nbuckets < (size_t)l->conf.table_size; l->nbuckets <<= 1)
		;
	l->table = xcalloc(l->nbuckets, sizeof(*l->table));
	TAILQ_INIT(&l->idle);
	TAILQ_INIT(&l->active);
	TAILQ_INIT(&l->heads);
	TAILQ_INIT(&l->idles);
	TAILQ_INIT(&l->waiting);
	entry_init(l, &l->overflow, "overflow", now(l));
	/* After this long without connections a key's buckets are full again and
	 * its strikes have lapsed: forgetting it loses nothing. */
	if (conf->request_rate > 0 && conf->request_burst / conf->request_rate > f)
		f = conf->request_burst / conf->request_rate;
	if (conf->search_rate > 0 && conf->search_burst / conf->search_rate > f)
		f = conf->search_burst / conf->search_rate;
	if (conf->close_after > 0 && (double)conf->close_window > f)
		f = (double)conf->close_window;
	l->forget_after = f;
	l->last_measure = now(l);
	if (base) {
		l->timer = event_new(base, -1, EV_PERSIST, on_timer, l);
		l->grant = event_new(base, -1, 0, on_grant, l);
		if (l->timer)
			evtimer_add(l->timer, &tv);
	}
	return l;
}

void
limit_free_(limit_t *l)
{
	if (l == NULL)
		return;
	if (l->timer)
		event_free(l->timer);
	if (l->grant)
		event_free(l->grant);
	for (size_t i = 0; i < l->nbuckets; i++)
		for (struct entry *e = l->table[i], *n; e; e = n) {
			n = e->next;
			free(e);
		}
	free(l->table);
	free(l);
}

void
limit_set_close_circuit(limit_t *l, void (*fn)(void *, uint32_t), void *arg)
{
	l->close_fn = fn;
	l->close_arg = arg;
}

enum limit_class
limit_class_of(const route_t *rt)
{
	if (rt == NULL)
		return LIMIT_PAGE;
	switch (rt->kind) {
	case ROUTE_FILE: return LIMIT_DOWNLOAD;
	case ROUTE_ARCHIVE: return LIMIT_DOWNLOAD;   /* a whole archive is one download */
	case ROUTE_DERIVED: {
		/* A message's attachment (up to EXTRACT_ATTACH_BYTES) is a download;
		 * a page image or an image's copy is part of a page. */
		char *part = route_query_param(rt->query, "part");
		enum limit_class c = part ? LIMIT_DOWNLOAD : LIMIT_PAGE;
		free(part);
		return c;
	}
	case ROUTE_SEARCH: return LIMIT_SEARCH;
	default: return LIMIT_PAGE;
	}
}

/* ---- connections ---- */

static void
set_phase(limit_conn_t *lc, enum phase ph)
{
	limit_t *l = lc->l;

	if (lc->phase == ph)
		return;
	if (lc->phase == PH_HEAD) {
		TAILQ_REMOVE(&l->heads, lc, phase_link);
		if (lc->e)
			lc->e->pending--;
	} else if (lc->phase == PH_IDLE) {
		TAILQ_REMOVE(&l->idles, lc, phase_link);
	}
	lc->phase = ph;
	lc->phase_since = now(l);
	if (ph == PH_HEAD) {
		TAILQ_INSERT_TAIL(&l->heads, lc, phase_link);
		if (lc->e)
			lc->e->pending++;
	} else if (ph == PH_IDLE) {
		TAILQ_INSERT_TAIL(&l->idles, lc, phase_link);
	}
}

limit_conn_t *
limit_conn_new(limit_t *l, void *owner, const limit_conn_ops_t *ops)
{
	limit_conn_t *lc = xcalloc(1, sizeof(*lc));

	lc->l = l;
	lc->owner = owner;
	lc->ops = ops;
	lc->phase = PH_HEAD;
	lc->phase_since = now(l);
	TAILQ_INSERT_TAIL(&l->heads, lc, phase_link);
	l->nconns++;
	return lc;
}

int
limit_conn_identify(limit_conn_t *lc, int has_circuit, uint32_t circuit, const char *peer)
{
	limit_t *l = lc->l;
	char key[56];
	struct entry *e;

	if (lc->e)
		return 0;
	if (has_circuit)
		snprintf(key, sizeof(key), "c:%08x", (unsigned)circuit);
	else if (peer && *peer && strcmp(peer, "unix") != 0)
		snprintf(key, sizeof(key), "p:%s", peer);
	else
		snprintf(key, sizeof(key), "unix");
	e = entry_get(l, key);
	if (e != &l->overflow) {
		e->has_circuit = has_circuit;
		e->circuit = circuit;
	}
	if (l->conf.enabled && lc->phase == PH_HEAD && e != &l->overflow &&
	    e->pending >= l->conf.circuit_pending_heads) {
		/* Slowloris from one circuit: it already has its share of heads
		 * in progress; this one is closed before it costs anything. */
		l->hits.circuit_pending_heads++;
		entry_maybe_idle(l, e);
		return -1;
	}
	entry_busy(l, e);
	lc->e = e;
	e->conns++;
	if (lc->phase == PH_HEAD)
		e->pending++;
	lc->over_cap = l->conf.enabled && e != &l->overflow &&
	    e->conns > l->conf.circuit_connections;
	return 0;
}

int
limit_conn_head_started(limit_conn_t *lc)
{
	limit_t *l = lc->l;
	struct entry *e = lc->e;

	/* A keep-alive connection starting its next head is one more pending
	 * head of its circuit, as a new connection would be: without this a
	 * circuit holds a slow head on every connection it has open. */
	if (lc->phase != PH_HEAD && l->conf.enabled && e && e != &l->overflow &&
	    e->pending >= l->conf.circuit_pending_heads) {
		l->hits.circuit_pending_heads++;
		return -1;
	}
	set_phase(lc, PH_HEAD);
	return 0;
}

void
limit_conn_idle(limit_conn_t *lc)
{
	set_phase(lc, PH_IDLE);
}

void
limit_conn_admit(limit_conn_t *lc, enum limit_class cls, limit_answer_t *ans)
{
	limit_t *l = lc->l;
	struct entry *e = lc->e;
	double wait = 0, t = now(l);

	memset(ans, 0, sizeof(*ans));
	set_phase(lc, PH_BUSY);
	if (!l->conf.enabled || e == NULL)
		return;
	/* Over the cap when it connected; if others have closed since, it is
	 * within the cap now. */
	if (lc->over_cap && e->conns <= l->conf.circuit_connections)
		lc->over_cap = 0;
	if (lc->over_cap) {
		l->hits.circuit_connections++;
		refuse(lc, ans, 429, RETRY_CONNECTIONS, 1);
		return;
	}
	if (limit_bucket_take(&e->req, t, 1, &wait) < 0) {
		l->hits.circuit_requests++;
		refuse(lc, ans, 429, wait, 0);
		return;
	}
	if (cls == LIMIT_SEARCH) {
		if (limit_bucket_take(&e->search, t, 1, &wait) < 0) {
			l->hits.circuit_searches++;
			refuse(lc, ans, 429, wait, 0);
			return;
		}
		if (l->searches >= l->conf.max_searches) {
			l->hits.max_searches++;
			refuse(lc, ans, 503, RETRY_BUSY, 0);
			return;
		}
		l->searches++;
		lc->slot = SLOT_SEARCH;
	} else if (cls == LIMIT_DOWNLOAD) {
		if (e->downloads >= l->conf.circuit_downloads) {
			l->hits.circuit_downloads++;
			refuse(lc, ans, 429, RETRY_DOWNLOADS, 0);
			return;
		}
		if (l->downloads < l->conf.max_downloads && l->nwaiting == 0) {
			e->downloads++;
			l->downloads++;
			lc->slot = SLOT_DOWNLOAD;
			return;
		}
		if (l->conf.download_wait <= 0 || l->nwaiting >= l->conf.max_downloads) {
			l->hits.max_downloads++;
			refuse(lc, ans, 503, RETRY_DOWNLOADS, 0);
			return;
		}
		/* Full: wait a bounded time in a queue that on_grant serves fairly. */
		lc->slot = SLOT_WAIT;
		lc->wait_deadline = t + (double)l->conf.download_wait;
		TAILQ_INSERT_TAIL(&l->waiting, lc, wait_link);
		l->nwaiting++;
		ans->wait = 1;
		if (l->downloads < l->conf.max_downloads && l->grant)
			event_active(l->grant, EV_TIMEOUT, 0);
	}
}

void
limit_conn_request_done(limit_conn_t *lc)
{
	limit_t *l = lc->l;

	switch (lc->slot) {
	case SLOT_DOWNLOAD:
		download_end(lc);
		lc->e->downloads--;
		l->downloads--;
		if (!TAILQ_EMPTY(&l->waiting) && l->grant)
			event_active(l->grant, EV_TIMEOUT, 0);
		break;
	case SLOT_SEARCH:
		l->searches--;
		break;
	case SLOT_WAIT:
		TAILQ_REMOVE(&l->waiting, lc, wait_link);
		l->nwaiting--;
		break;
	case SLOT_NONE:
		break;
	}
	lc->slot = SLOT_NONE;
}

void
limit_conn_free_(limit_conn_t *lc)
{
	limit_t *l;

	if (lc == NULL)
		return;
	l = lc->l;
	limit_conn_request_done(lc);
	set_phase(lc, PH_BUSY);   /* leaves the head/idle lists */
	if (lc->e) {
		lc->e->conns--;
		entry_maybe_idle(l, lc->e);
	}
	l->nconns--;
	free(lc);
}

int
limit_evict_one(limit_t *l)
{
	limit_conn_t *lc = TAILQ_FIRST(&l->idles);

	if (lc == NULL) {
		lc = TAILQ_FIRST(&l->heads);
		if (lc == NULL || now(l) - lc->phase_since < HEAD_EVICT_AGE)
			return -1;
	}
	l->hits.evicted++;
	lc->ops->evict(lc->owner);
	return 0;
}

void
limit_count_refused(limit_t *l, int answered)
{
	l->hits.server_full++;
}

void
limit_write_status(const limit_t *l, strbuf_t *out, int json)
{
	const struct limit_hits *h = &l->hits;
	int heads = 0, idles = 0;
	limit_conn_t *lc;

	TAILQ_FOREACH(lc, &l->heads, phase_link)
		heads++;
	TAILQ_FOREACH(lc, &l->idles, phase_link)
		idles++;
	if (!json) {
		strbuf_addf(out, "limits             %s, %d keys tracked, %d downloads (%d waiting), "
		    "%d searches\n", l->conf.enabled ? "on" : "off", l->nentries, l->downloads,
		    l->nwaiting, l->searches);
		strbuf_addf(out, "limit hits         429: %llu conn, %llu req, %llu search, %llu dl; "
		    "503: %llu dl, %llu search, %llu full; %llu evicted\n",
		    (unsigned long long)h->circuit_connections,
		    (unsigned long long)h->circuit_requests, (unsigned long long)h->circuit_searches,
		    (unsigned long long)h->circuit_downloads, (unsigned long long)(h->max_downloads +
		    h->download_wait_timeouts), (unsigned long long)h->max_searches,
		    (unsigned long long)h->server_full, (unsigned long long)h->evicted);
		return;
	}
	strbuf_addf(out, "{\"enabled\":%s,\"keys\":%d,\"connections\":%d,\"sending_head\":%d,"
	    "\"idle\":%d,\"downloads\":%d,\"downloads_waiting\":%d,\"searches\":%d,"
	    "\"download_bytes\":%llu,\"total_bandwidth\":%lld,",
	    l->conf.enabled ? "true" : "false", l->nentries, l->nconns, heads, idles,
	    l->downloads, l->nwaiting, l->searches, (unsigned long long)l->download_bytes,
	    (long long)l->conf.total_bandwidth);
	strbuf_addf(out, "\"hits\":{\"circuit_connections\":%llu,\"circuit_pending_heads\":%llu,"
	    "\"circuit_requests\":%llu,\"circuit_searches\":%llu,\"circuit_downloads\":%llu,"
	    "\"max_searches\":%llu,\"max_downloads\":%llu,\"downloads_waited\":%llu,"
	    "\"download_wait_timeouts\":%llu,\"server_full\":%llu,\"evicted\":%llu,"
	    "\"circuits_closed\":%llu,\"table_full\":%llu}}",
	    (unsigned long long)h->circuit_connections, (unsigned long long)h->circuit_pending_heads,
	    (unsigned long long)h->circuit_requests, (unsigned long long)h->circuit_searches,
	    (unsigned long long)h->circuit_downloads, (unsigned long long)h->max_searches,
	    (unsigned long long)h->max_downloads, (unsigned long long)h->downloads_waited,
	    (unsigned long long)h->download_wait_timeouts, (unsigned long long)h->server_full,
	    (unsigned long long)h->evicted, (unsigned long long)h->circuits_closed,
	    (unsigned long long)h->table_full);
}
