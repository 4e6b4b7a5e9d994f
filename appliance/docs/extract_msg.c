/* extract_msg: Outlook messages (.msg), read inside the document jail.
 * A .msg is an OLE compound file (a file system in a file: storages and
 * streams); libolecf reads it from memory through a libbfio handle of our
 * own (memio below), so nothing is opened. Not libbfio's own memory range:
 * fuzz_msg found it reading past the end of its buffer when asked to read
 * beyond the range (a heap overflow, Debian 12's libbfio 20170123). Each property is a stream "__substg1.0_TTTTYYYY"
 * (tag, type: 001F UTF-16LE, 001E 8-bit, 0102 binary); each attachment a
 * storage "__attach_version1.0_#N" with its name, media type and data, or an
 * embedded message (a storage of the same shape, read the same way). Every
 * stream read is capped, and so are the items looked at in a storage. */
#include "docs/extract_int.h"

#include <libbfio.h>
#include <libolecf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MSG_STREAM_MAX (16 * 1024 * 1024)    /* bytes of one property read */
#define MSG_ITEMS_MAX 4096                   /* items of one storage looked at */

enum { P_SUBJECT = 0x0037, P_SENT_NAME = 0x0042, P_SENDER_NAME = 0x0c1a, P_SENDER_ADDR = 0x0c1f,
	P_DISPLAY_CC = 0x0e03, P_DISPLAY_TO = 0x0e04, P_BODY = 0x1000, P_HTML = 0x1013,
	P_DISPLAY_NAME = 0x3001, P_ATT_DATA = 0x3701, P_ATT_SHORT = 0x3704, P_ATT_LONG = 0x3707,
	P_ATT_MIME = 0x370e, P_SUBMIT_TIME = 0x0039, P_DELIVERY_TIME = 0x0e06 };

/* The properties of one storage that we read, as UTF-8 (HTML as raw bytes). */
struct props {
	strbuf_t subject, from, from_addr, sent, to, cc, body, html;
	strbuf_t att_name, att_long, att_short, att_mime, att_data;
	strbuf_t fixed;                /* __properties_version1.0: fixed-size values */
	libolecf_item_t *embedded;     /* __substg1.0_3701000D: an attached message */
};

static void
props_init(struct props *pr)
{
	memset(pr, 0, sizeof(*pr));
}

static void
props_clear(struct props *pr)
{
	strbuf_t *all[] = { &pr->subject, &pr->from, &pr->from_addr, &pr->sent, &pr->to, &pr->cc, &pr->body,
		&pr->html, &pr->att_name, &pr->att_long, &pr->att_short, &pr->att_mime, &pr->att_data,
		&pr->fixed };
	for (size_t i = 0; i < ARRAY_LEN(all); i++)
		strbuf_release(all[i]);
	if (pr->embedded)
		libolecf_item_free(&pr->embedded, NULL);
}

static int
item_name(libolecf_item_t *it, char *buf, size_t len)
{
	size_t need = 0;

	if (libolecf_item_get_utf8_name_size(it, &need, NULL) != 1 || need == 0 || need > len)
		return -1;
	return libolecf_item_get_utf8_name(it, (uint8_t *)buf, len, NULL) == 1 ? 0 : -1;
}

/* No stream of a well-formed file is larger than the file: a stream whose
 * sector chain loops is read no further than that (fuzz_msg: 16 MiB of a
 * looping chain took libolecf seconds). The size of the file being read. */
static _Thread_local size_t file_size;

/* The stream's bytes, at most MSG_STREAM_MAX (and the file's size), into raw. */
static void
stream_read(libolecf_item_t *it, strbuf_t *raw)
{
	uint32_t size = 0;
	uint8_t *buf;
	ssize_t r;

	if (libolecf_item_get_size(it, &size, NULL) != 1 || size == 0)
		return;
	if (size > MSG_STREAM_MAX)
		size = MSG_STREAM_MAX;
	if (size > file_size)
		size = (uint32_t)file_size;
	buf = xmalloc(size);
	r = libolecf_stream_read_buffer(it, buf, size, NULL);
	if (r > 0)
		strbuf_add(raw, buf, (size_t)r);
	free(buf);
}

/* A string property's stream as UTF-8 into out. */
static void
string_read(libolecf_item_t *it, unsigned type, strbuf_t *out)
{
	strbuf_t raw;

	strbuf_init(&raw);
	if (type == 0x001f)
		strbuf_add(&raw, "\xff\xfe", 2);   /* UTF-16LE: what extract_text reads by its mark */
	stream_read(it, &raw);
	if (raw.len > 0)
		extract_text(out, raw.s, raw.len, 0);
	while (out->len > 0 && (out->s[out->len - 1] == ' ' || out->s[out->len - 1] == '\n'))
		out->s[--out->len] = '\0';   /* the terminating NUL, blanked */
	strbuf_release(&raw);
}

/* Read the properties we use from storage st; hand attachment storages to fn. */
static void
storage_read(libolecf_item_t *st, struct props *pr, void (*fn)(libolecf_item_t *, void *), void *arg)
{
	int n = 0;

	if (libolecf_item_get_number_of_sub_items(st, &n, NULL) != 1)
		return;
	for (int i = 0; i < n && i < MSG_ITEMS_MAX; i++) {
		libolecf_item_t *it = NULL;
		char name[64];
		unsigned tag = 0, type = 0;
		strbuf_t *to = NULL;

		if (libolecf_item_get_sub_item(st, i, &it, NULL) != 1)
			continue;
		if (item_name(it, name, sizeof(name)) < 0)
			goto next;
		if (strcmp(name, "__properties_version1.0") == 0 && pr->fixed.len == 0) {
			stream_read(it, &pr->fixed);
			goto next;
		}
		if (fn && strncmp(name, "__attach_version1.0_#", 21) == 0) {
			fn(it, arg);
			goto next;
		}
		if (strncmp(name, "__substg1.0_", 12) != 0 || strlen(name) != 20 ||
		    sscanf(name + 12, "%4x%4x", &tag, &type) != 2)
			goto next;
		if (tag == P_ATT_DATA && type == 0x000d && pr->embedded == NULL) {
			pr->embedded = it;
			continue;
		}
		switch (tag) {
		case P_SUBJECT: to = &pr->subject; break;
		case P_SENT_NAME: to = &pr->sent; break;
		case P_SENDER_NAME: to = &pr->from; break;
		case P_SENDER_ADDR: to = &pr->from_addr; break;
		case P_DISPLAY_TO: to = &pr->to; break;
		case P_DISPLAY_CC: to = &pr->cc; break;
		case P_BODY: to = &pr->body; break;
		case P_DISPLAY_NAME: to = &pr->att_name; break;
		case P_ATT_SHORT: to = &pr->att_short; break;
		case P_ATT_LONG: to = &pr->att_long; break;
		case P_ATT_MIME: to = &pr->att_mime; break;
		case P_HTML:
			if (pr->html.len == 0)
				stream_read(it, &pr->html);
			goto next;
		case P_ATT_DATA:
			if (type == 0x0102 && pr->att_data.len == 0)
				stream_read(it, &pr->att_data);
			goto next;
		default: goto next;
		}
		if (to->len == 0 && (type == 0x001f || type == 0x001e))
			string_read(it, type, to);
next:
		libolecf_item_free(&it, NULL);
	}
}

/* ---- the bytes, for libbfio: every read bounded by the buffer ---- */

struct memio {
	const uint8_t *p;
	size_t n;
	off64_t pos;
	int open;
};

static int
mio_free(intptr_t **h, libbfio_error_t **e)
{
	(void)e;
	*h = NULL;      /* not ours to free: it lives on extract_msg_att_'s stack */
	return 1;
}

static int
mio_clone(intptr_t **dst, intptr_t *src, libbfio_error_t **e)
{
	(void)e;
	*dst = src;
	return 1;
}

static int
mio_open(intptr_t *h, int flags, libbfio_error_t **e)
{
	struct memio *m = (struct memio *)h;

	(void)e;
	if (flags & LIBBFIO_ACCESS_FLAG_WRITE)
		return -1;
	m->pos = 0;
	m->open = 1;
	return 1;
}

static int
mio_close(intptr_t *h, libbfio_error_t **e)
{
	(void)e;
	((struct memio *)h)->open = 0;
	return 0;
}

static ssize_t
mio_read(intptr_t *h, uint8_t *buf, size_t size, libbfio_error_t **e)
{
	struct memio *m = (struct memio *)h;
	size_t k;

	(void)e;
	if (m->pos < 0 || (uint64_t)m->pos >= m->n)
		return 0;
	k = m->n - (size_t)m->pos;
	if (k > size)
		k = size;
	memcpy(buf, m->p + m->pos, k);
	m->pos += (off64_t)k;
	return (ssize_t)k;
}

static ssize_t
mio_write(intptr_t *h, const uint8_t *buf, size_t size, libbfio_error_t **e)
{
	(void)h, (void)buf, (void)size, (void)e;
	return -1;
}

static off64_t
mio_seek(intptr_t *h, off64_t off, int whence, libbfio_error_t **e)
{
	struct memio *m = (struct memio *)h;
	off64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? m->pos : whence == SEEK_END ?
	    (off64_t)m->n : -1;

	(void)e;
	if (base < 0 || off < -base || off > INT64_MAX / 2)
		return -1;
	m->pos = base + off;
	return m->pos;
}

static int
mio_exists(intptr_t *h, libbfio_error_t **e)
{
	(void)h, (void)e;
	return 1;
}

static int
mio_is_open(intptr_t *h, libbfio_error_t **e)
{
	(void)e;
	return ((struct memio *)h)->open;
}

static int
mio_size(intptr_t *h, size64_t *size, libbfio_error_t **e)
{
	(void)e;
	*size = ((struct memio *)h)->n;
	return 1;
}

struct walk {
	struct extract_att *a;
	const char *prefix;
};

static void message_text(libolecf_item_t *st, strbuf_t *out, char **title, struct extract_att *a,
    const char *prefix);

/* One attachment storage: its data to extract_att_add_, or an embedded
 * message read as a message of its own. */
static void
attachment(libolecf_item_t *st, void *arg)
{
	struct walk *w = arg;
	struct extract_att *a = w->a;
	struct props pr;
	const char *name;

	props_init(&pr);
	storage_read(st, &pr, NULL, NULL);
	name = pr.att_long.len ? pr.att_long.s : pr.att_short.len ? pr.att_short.s :
	    pr.att_name.len ? pr.att_name.s : "";
	if (pr.embedded != NULL)
		extract_att_list_(a, name, 0);   /* its size is no one number */
	if (pr.embedded == NULL) {
		extract_att_add_(a, w->prefix, name, pr.att_mime.len ? pr.att_mime.s : "",
		    (const unsigned char *)(pr.att_data.s ? pr.att_data.s : ""), pr.att_data.len);
	} else if (!a->list_only && a->count < EXTRACT_ATTACH_MAX) {
		/* The same steps as extract_att_add_ takes for an attached .eml. */
		int idx = a->count++;
		strbuf_t text, sub, outer = a->recs;
		char unnamed[32];

		if (name[0] == '\0') {
			snprintf(unnamed, sizeof(unnamed), "message %d", idx + 1);
			name = unnamed;
		}
		strbuf_init(&text);
		strbuf_init(&sub);
		strbuf_init(&a->recs);
		if (a->depth < EXTRACT_ATTACH_DEPTH) {
			char *t = NULL;
			strbuf_addf(&sub, "%s%s \xe2\x80\xba ", w->prefix, name);
			a->depth++;
			message_text(pr.embedded, &text, &t, a, sub.s);
			a->depth--;
			free(t);
		}
		strbuf_t nested = a->recs;
		a->recs = outer;
		strbuf_addc(&a->recs, EXTRACT_REC);
		extract_utf8(&a->recs, w->prefix, strlen(w->prefix));
		extract_utf8(&a->recs, name, strnlen(name, EXTRACT_PART_NAME_MAX));
		strbuf_addf(&a->recs, "%c%c%d%c", EXTRACT_REC_SEP, 'T', idx, EXTRACT_REC_SEP);
		strbuf_add(&a->recs, text.s ? text.s : "", text.len);
		strbuf_add(&a->recs, nested.s ? nested.s : "", nested.len);
		strbuf_release(&nested);
		strbuf_release(&text);
		strbuf_release(&sub);
	}
	props_clear(&pr);
}

static void
header_line(strbuf_t *out, const char *name, const strbuf_t *v, const strbuf_t *addr)
{
	if (v->len == 0 && (addr == NULL || addr->len == 0))
		return;
	strbuf_adds(out, name);
	strbuf_adds(out, ": ");
	if (v->len)
		strbuf_add(out, v->s, v->len);
	if (addr && addr->len)
		strbuf_addf(out, "%s<%s>", v->len ? " " : "", addr->s);
	strbuf_addc(out, '\n');
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A message's date (when it was sent, else delivered) from its fixed-size
 * properties (MS-OXMSG 2.4: a header of 32 bytes, 24 in an embedded message,
 * then 16-byte entries: type, tag, flags, value; a time is a FILETIME), as a
 * mail's Date header reads, in UTC and without the locale. */
static void
date_line(strbuf_t *out, const strbuf_t *fixed)
{
	static const char days[][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
		"Sep", "Oct", "Nov", "Dec" };
	const uint8_t *p = (const uint8_t *)fixed->s;
	uint64_t submit = 0, delivery = 0, ft, secs, days_, era, doe, yoe, doy, mp, y, m, d;

	if (fixed->len < 24)
		return;
	for (size_t at = fixed->len % 16 == 0 ? 32 : 24; at + 16 <= fixed->len; at += 16) {
		unsigned type = (unsigned)p[at] | (unsigned)p[at + 1] << 8;
		unsigned tag = (unsigned)p[at + 2] | (unsigned)p[at + 3] << 8;
		uint64_t v = (uint64_t)le32(p + at + 8) | (uint64_t)le32(p + at + 12) << 32;
		if (type == 0x0040 && tag == P_SUBMIT_TIME)
			submit = v;
		else if (type == 0x0040 && tag == P_DELIVERY_TIME)
			delivery = v;
	}
	ft = submit ? submit : delivery;
	/* 100 ns ticks since 1601; years 1970 to 9999 only. */
	if (ft / 10000000 < 11644473600ULL || ft / 10000000 - 11644473600ULL > 253402300799ULL)
		return;
	/* The civil date by hand (Hinnant's days_from_civil, inverted): gmtime
	 * would look for /etc/localtime, which the jail does not let it open. */
	secs = ft / 10000000 - 11644473600ULL;
	days_ = secs / 86400 + 719468;
	era = days_ / 146097;
	doe = days_ - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y = yoe + era * 400 + (m <= 2);
	strbuf_addf(out, "Date: %s, %u %s %u %02u:%02u:%02u +0000\n", days[(secs / 86400 + 4) % 7],
	    (unsigned)d, months[m - 1], (unsigned)y, (unsigned)(secs % 86400 / 3600),
	    (unsigned)(secs % 3600 / 60), (unsigned)(secs % 60));
}

static void
message_text(libolecf_item_t *st, strbuf_t *out, char **title, struct extract_att *a, const char *prefix)
{
	struct props pr;
	struct walk w = { a, prefix };

	props_init(&pr);
	storage_read(st, &pr, a ? attachment : NULL, &w);
	header_line(out, "Subject", &pr.subject, NULL);
	header_line(out, "From", pr.from.len ? &pr.from : &pr.sent, &pr.from_addr);
	header_line(out, "To", &pr.to, NULL);
	header_line(out, "Cc", &pr.cc, NULL);
	date_line(out, &pr.fixed);
	strbuf_addc(out, '\n');
	if (pr.body.len)
		extract_utf8(out, pr.body.s, pr.body.len);
	else if (pr.html.len)
		extract_html(pr.html.s, pr.html.len, out, NULL);
	if (title && *title == NULL && pr.subject.len)
		*title = xstrndup(pr.subject.s, pr.subject.len);
	props_clear(&pr);
}

/* The header's counts, each sector of which must be in the file: libolecf
 * sizes its tables by them before reading (fuzz_msg: a 4 GB allocation from
 * a 600-byte file). */
static int
header_sane(const uint8_t *p, size_t n)
{
	unsigned shift = n >= 512 ? (unsigned)p[0x1e] | (unsigned)p[0x1f] << 8 : 0;
	uint64_t sectors;

	if (shift != 9 && shift != 12)
		return 0;
	sectors = n >> shift;
	return ((unsigned)p[0x20] | (unsigned)p[0x21] << 8) == 6 && le32(p + 0x2c) <= sectors &&
	    le32(p + 0x40) <= sectors && le32(p + 0x48) <= sectors;
}

/* A table of sector links has no cycle: each chain ends (at a value of
 * 0xfffffffa or more, or one past the table) within as many steps as there
 * are sectors. libolecf follows chains without such a check: one looping
 * chain of a 6 KB file kept it busy for 2 s (fuzz_msg). O(n): each entry is
 * walked once (a functional graph's cycles, by colouring). */
static int
acyclic(const uint32_t *next, size_t n)
{
	unsigned char *state = xcalloc(n ? n : 1, 1);   /* 0 new, 1 on this walk, 2 done */
	int ok = 1;

	for (size_t i = 0; i < n && ok; i++) {
		size_t k = i;
		while (k < n && state[k] == 0) {
			state[k] = 1;
			k = next[k];
		}
		if (k < n && state[k] == 1)
			ok = 0;
		for (k = i; k < n && state[k] == 1; k = next[k])
			state[k] = 2;
	}
	free(state);
	return ok;
}

/* Sector sid of the file, if all of it is there. */
static const uint8_t *
sector(const uint8_t *p, size_t n, unsigned shift, size_t sid)
{
	return sid < (n >> shift) && ((sid + 2) << shift) <= n ? p + ((sid + 1) << shift) : NULL;
}

/* The sector allocation table (SAT) and the short-sector one (SSAT) read
 * from the header, the master table and the SAT chain: both must be free of
 * cycles. 0 when a table cannot be read at all (libolecf then says so). */
static int
chains_sane(const uint8_t *p, size_t n)
{
	unsigned shift = (unsigned)p[0x1e] | (unsigned)p[0x1f] << 8;
	size_t per = ((size_t)1 << shift) / 4, nsat = le32(p + 0x2c), sectors = n >> shift;
	uint32_t *sat = xcalloc(nsat * per + 1, sizeof(*sat)), *ssat = NULL, sid;
	const uint8_t *msat = NULL, *s;
	size_t have = 0, nssat = 0, k = 0;
	int ok = 0;

	/* Master table: 109 ids in the header, then a chain of sectors of ids,
	 * each ending in the next one's id. */
	for (size_t m = 0; have < nsat; m++) {
		if (m < 109) {
			sid = le32(p + 0x4c + 4 * m);
		} else {
			if (msat == NULL || k == per - 1) {
				if ((msat = sector(p, n, shift, msat ? le32(msat + 4 * k) : le32(p + 0x44))) == NULL)
					goto done;
				k = 0;
			}
			sid = le32(msat + 4 * k++);
		}
		if ((s = sector(p, n, shift, sid)) == NULL)
			goto done;
		for (size_t e = 0; e < per; e++)
			sat[have * per + e] = le32(s + 4 * e);
		have++;
	}
	if (!acyclic(sat, nsat * per))
		goto done;
	/* The SSAT: a chain in the SAT (now known to end). */
	ssat = xcalloc(sectors * per + 1, sizeof(*ssat));
	for (sid = le32(p + 0x3c); sid < nsat * per && nssat < sectors; sid = sat[sid]) {
		if ((s = sector(p, n, shift, sid)) == NULL)
			goto done;
		for (size_t e = 0; e < per; e++)
			ssat[nssat * per + e] = le32(s + 4 * e);
		nssat++;
	}
	ok = acyclic(ssat, nssat * per);
done:
	free(sat);
	free(ssat);
	return ok;
}

/* Open the compound file p[0..n) (checked first) and call fn with its root
 * storage; fn's answer, or -1 if it is no compound file libolecf reads. */
static int
ole_root(const void *p, size_t n, int (*fn)(libolecf_file_t *, libolecf_item_t *, void *), void *arg)
{
	struct memio mio = { p, n, 0, 0 };
	libbfio_handle_t *h = NULL;
	libolecf_file_t *f = NULL;
	libolecf_item_t *root = NULL;
	int rc = -1;

	if (!extract_ole_sane(p, n))
		return -1;
	if (libbfio_handle_initialize(&h, (intptr_t *)&mio, mio_free, mio_clone, mio_open, mio_close,
	    mio_read, mio_write, mio_seek, mio_exists, mio_is_open, mio_size,
	    LIBBFIO_FLAG_IO_HANDLE_NON_MANAGED | LIBBFIO_FLAG_IO_HANDLE_CLONE_BY_REFERENCE, NULL) != 1 ||
	    libolecf_file_initialize(&f, NULL) != 1)
		goto done;
	if (libolecf_file_open_file_io_handle(f, h, LIBOLECF_OPEN_READ, NULL) != 1) {
		libolecf_file_free(&f, NULL);
		goto done;
	}
	if (libolecf_file_get_root_item(f, &root, NULL) == 1) {
		size_t outer = file_size;   /* a .msg attached to a .msg: restored after it */
		file_size = n;
		rc = fn(f, root, arg);
		file_size = outer;
		libolecf_item_free(&root, NULL);
	}
	libolecf_file_close(f, NULL);
	libolecf_file_free(&f, NULL);
done:
	if (h)
		libbfio_handle_free(&h, NULL);
	return rc;
}

int
extract_ole_sane(const void *p, size_t n)
{
	return n >= 512 && memcmp(p, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8) == 0 && header_sane(p, n) &&
	    chains_sane(p, n);
}

struct msg_call {
	strbuf_t *out;
	char **title;
	struct extract_att *a;
	const char *prefix;
};

static int
msg_root(libolecf_file_t *f, libolecf_item_t *root, void *arg)
{
	struct msg_call *m = arg;

	(void)f;
	message_text(root, m->out, m->title, m->a, m->prefix);
	return 0;
}

int
extract_msg_att_(const void *p, size_t n, strbuf_t *out, char **title, struct extract_att *a,
    const char *prefix)
{
	struct msg_call m = { out, title, a, prefix };

	return ole_root(p, n, msg_root, &m);
}

/* ---- PowerPoint 97-2003 ---- */

/* Records: a header of 8 bytes (version and instance, type, length); a
 * container (version 0xF) holds records, an atom bytes. Text is in atoms
 * wherever it sits (the outline, text boxes in drawings, notes): walking
 * every record in order finds it all, each header read once, so the walk
 * ends after at most n / 8 steps whatever the lengths say. */
enum { PPT_MAIN_MASTER = 0x03f8, PPT_TEXT_CHARS = 0x0fa0, PPT_TEXT_BYTES = 0x0fa8 };

static void
ppt_walk(const uint8_t *p, size_t n, strbuf_t *out)
{
	size_t at = 0;

	while (n - at >= 8 && out->len < EXTRACT_TEXT_MAX) {
		unsigned ver = p[at] & 0x0f, type = (unsigned)p[at + 2] | (unsigned)p[at + 3] << 8;
		uint32_t len = le32(p + at + 4);
		strbuf_t raw;

		if (ver == 0x0f && type != PPT_MAIN_MASTER) {
			at += 8;   /* into the container */
			continue;
		}
		if (len > n - at - 8)
			break;
		/* A lone "*" stands for a field (slide number, date) of a master or footer. */
		if ((type == PPT_TEXT_CHARS && !(len == 2 && p[at + 8] == '*' && p[at + 9] == 0)) ||
		    (type == PPT_TEXT_BYTES && !(len == 1 && p[at + 8] == '*'))) {
			strbuf_init(&raw);
			if (type == PPT_TEXT_CHARS) {
				strbuf_add(&raw, "\xff\xfe", 2);   /* UTF-16LE, by its mark */
				strbuf_add(&raw, p + at + 8, len & ~1u);
				for (size_t i = 2; i + 1 < raw.len; i += 2)
					if (raw.s[i] == '\r' && raw.s[i + 1] == 0)
						raw.s[i] = '\n';   /* a paragraph's end */
			} else {
				for (size_t i = 0; i < len; i++) {   /* Latin-1 */
					unsigned char c = p[at + 8 + i];
					if (c == '\r')
						strbuf_addc(&raw, '\n');
					else if (c < 0x80)
						strbuf_addc(&raw, (char)c);
					else {
						strbuf_addc(&raw, (char)(0xc0 | c >> 6));
						strbuf_addc(&raw, (char)(0x80 | (c & 0x3f)));
					}
				}
			}
			if (raw.len)
				extract_text(out, raw.s, raw.len, 0);
			strbuf_addc(out, '\n');
			strbuf_release(&raw);
		}
		at += 8 + (size_t)len;
	}
}

static int
ppt_root(libolecf_file_t *f, libolecf_item_t *root, void *arg)
{
	libolecf_item_t *it = NULL;
	const char name[] = "PowerPoint Document";
	strbuf_t raw;
	int rc;

	(void)root;
	if (libolecf_file_get_item_by_utf8_path(f, (const uint8_t *)name, sizeof(name) - 1, &it, NULL) != 1)
		return -1;
	strbuf_init(&raw);
	stream_read(it, &raw);
	libolecf_item_free(&it, NULL);
	/* No text stream to read (or one libolecf would not read): not readable. */
	rc = raw.len ? 0 : -1;
	if (raw.len)
		ppt_walk((const uint8_t *)raw.s, raw.len, arg);
	strbuf_release(&raw);
	return rc;
}

int
extract_ppt(const void *p, size_t n, strbuf_t *out, char **title)
{
	(void)title;
	return ole_root(p, n, ppt_root, out);
}
