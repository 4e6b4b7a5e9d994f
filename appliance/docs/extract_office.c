/* extract_office: the text of Office Open XML (docx, xlsx, pptx) and
 * OpenDocument (odt, ods, odp) files, run inside the document jail on the
 * descriptor it was given. libzip reads the archive through a source of our
 * own that only preads the descriptor (extract_zip.c: no path, no FILE);
 * expat streams each XML part with no DTD, no external entity and a depth
 * limit. Every count is bounded: entries in the archive, parts read, bytes
 * inflated per part and per document, nesting depth, and the text itself
 * (EXTRACT_TEXT_MAX). A zip bomb ends as capped text or as "not readable". */
#include "docs/extract.h"
#include "docs/extract_int.h"

#include <expat.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "base/log.h"

/* Inflated bytes handed to the parser at a time: 64 KiB, doubling up to
 * 4 MiB. expat scans an unfinished token again from its start on every call,
 * so a token as long as the part (one 32 MiB comment) would cost quadratic
 * time in fixed pieces (9 s here); in doubling ones it is a few passes. */
#define OFFICE_CHUNK (64 * 1024)
#define OFFICE_CHUNK_MAX (4 * 1024 * 1024)

/* PART_PROPS and PART_MARKS read metadata for the review (extract_office_meta_fd). */
enum part_mode { PART_TEXT, PART_SHEET, PART_META, PART_PROPS, PART_MARKS };

struct part {
	zip_uint64_t idx;
	int rank;               /* order of reading: properties, body, sheets, the rest */
	long num;               /* slide3 before slide10 */
	const char *name;
	enum part_mode mode;
};

/* ---- one XML part ------------------------------------------------------ */

struct xml_text {
	XML_Parser p;
	strbuf_t *out;
	strbuf_t *title;        /* PART_META: dc:title goes here */
	enum part_mode mode;
	int depth;
	int too_deep;
	int in_title, in_value, shared;
	/* PART_PROPS: which property is open; PART_MARKS: comments, tracked
	 * changes and speaker notes counted (in m, over all parts), with the
	 * first author named. */
	int prop;
	struct marks *m;
	int in_who, in_fld, in_region, note_text;
	/* An xlsx comments part's <author>: its number and first bytes. */
	int in_author, author_i;
	char author_head[4];
};

/* Excel's threaded comments: who wrote them (personId) and who those are
 * (xl/persons/person.xml), in either order in the archive. */
#define THREAD_AUTHORS_MAX 8
#define THREAD_PERSONS_MAX 64
#define THREAD_ID_MAX 64

struct person {
	char id[THREAD_ID_MAX], name[201];
};

/* What PART_MARKS parts hold, summed over a document's parts. */
struct marks {
	int64_t comments, changes, notes, threaded;
	strbuf_t who_c, who_ch;
	/* Excel writes a legacy copy of each threaded comment, by an author
	 * "tc={id}": those authors (of the first 256), not counted twice. */
	unsigned char tc_author[32];
	char thread_by[THREAD_AUTHORS_MAX][THREAD_ID_MAX];
	int nthread_by, npersons;
	struct person *persons;
};

/* Properties that say who made a document, with what, for whom. */
static const struct { const char *name, *kind, *label; } office_props[] = {
	{ "dc:creator", "author", "author" },
	{ "cp:lastModifiedBy", "author", "last modified by" },
	{ "meta:initial-creator", "author", "created by" },
	{ "Company", "author", "company" },
	{ "Manager", "author", "manager" },
	{ "Template", "software", "template" },
	{ "Application", "software", "application" },
	{ "meta:generator", "software", "generator" },
	{ "meta:printed-by", "author", "printed by" },
};

static const char *
local_name(const char *n)
{
	const char *c = strrchr(n, ':');
	return c ? c + 1 : n;
}

static int
name_in(const char *n, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(n, *set) == 0)
			return 1;
	return 0;
}

static const char *
attr_of(const XML_Char **attr, const char *name)
{
	for (size_t i = 0; attr[i] && attr[i + 1]; i += 2)
		if (strcmp(attr[i], name) == 0)
			return attr[i + 1];
	return NULL;
}

/* An xlsx legacy comment whose author is a threaded comment's "tc=" mark. */
static int
legacy_copy(const struct xml_text *x, const XML_Char **attr)
{
	const char *a = attr_of(attr, "authorId");
	char *end;
	long k;

	if (a == NULL || *a < '0' || *a > '9')
		return 0;
	k = strtol(a, &end, 10);
	return *end == '\0' && k >= 0 && k < 256 && (x->m->tc_author[k / 8] & (1u << (k % 8)));
}

/* Excel's threaded comments (xl/threadedComments/N.xml: <threadedComment
 * personId=…>, a reply one too) and their persons (xl/persons/person.xml:
 * <person displayName=… id=…>). 1 if the element was one of them. */
static int
threaded_start(struct xml_text *x, const char *name, const XML_Char **attr)
{
	struct marks *m = x->m;
	const char *ln = local_name(name), *id = attr_of(attr, "id"), *who;

	if (strcmp(ln, "threadedComment") == 0) {
		m->threaded++;
		who = attr_of(attr, "personId");
		if (who == NULL || strlen(who) >= THREAD_ID_MAX || m->nthread_by >= THREAD_AUTHORS_MAX)
			return 1;
		for (int i = 0; i < m->nthread_by; i++)
			if (strcmp(m->thread_by[i], who) == 0)
				return 1;
		strcpy(m->thread_by[m->nthread_by++], who);
		return 1;
	}
	if (strcmp(ln, "person") == 0) {
		who = attr_of(attr, "displayName");
		if (id == NULL || who == NULL || strlen(id) >= THREAD_ID_MAX || m->npersons >= THREAD_PERSONS_MAX)
			return 1;
		if (m->persons == NULL)
			m->persons = xcalloc(THREAD_PERSONS_MAX, sizeof(*m->persons));
		size_t n = strnlen(who, sizeof(m->persons[0].name) - 1);
		/* Cut on a character's first byte (expat gives UTF-8). */
		while (n > 0 && who[n] != '\0' && ((unsigned char)who[n] & 0xc0) == 0x80)
			n--;
		strcpy(m->persons[m->npersons].id, id);
		memcpy(m->persons[m->npersons].name, who, n);
		m->persons[m->npersons].name[n] = '\0';
		m->npersons++;
		return 1;
	}
	return 0;
}

static void XMLCALL
x_start(void *ud, const XML_Char *name, const XML_Char **attr)
{
	static const char *const tabs[] = { "tab", NULL };
	static const char *const breaks[] = { "br", "cr", "line-break", NULL };
	struct xml_text *x = ud;
	const char *ln = local_name(name);

	if (++x->depth > EXTRACT_OFFICE_DEPTH_MAX) {
		x->too_deep = 1;
		XML_StopParser(x->p, XML_FALSE);
		return;
	}
	if (x->mode == PART_META) {
		x->in_title = strcmp(name, "dc:title") == 0;
		return;
	}
	if (x->mode == PART_PROPS) {
		x->prop = -1;
		strbuf_reset(x->title);
		for (size_t i = 0; i < ARRAY_LEN(office_props); i++)
			if (strcmp(name, office_props[i].name) == 0)
				x->prop = (int)i;
		return;
	}
	if (x->mode == PART_MARKS && threaded_start(x, name, attr))
		return;
	if (x->mode == PART_MARKS) {
		/* Word's comments and changes; a spreadsheet's comment (xlsx), a
		 * presentation's (pptx p:cm), an OpenDocument annotation; ODF's
		 * changed regions. Authors: an attribute (Word, pptx's comment
		 * authors), or the text of an element (xlsx <author>, ODF dc:creator). */
		int comment = strcmp(name, "w:comment") == 0 || (strcmp(name, "comment") == 0 && !legacy_copy(x, attr)) ||
		    strcmp(ln, "cm") == 0 || strcmp(name, "office:annotation") == 0;
		int change = strcmp(name, "w:ins") == 0 || strcmp(name, "w:del") == 0 ||
		    strcmp(name, "text:changed-region") == 0;
		struct marks *m = x->m;
		m->comments += comment;
		m->changes += change;
		if (strcmp(name, "presentation:notes") == 0 || strcmp(name, "p:notes") == 0)
			x->note_text = 0;
		x->in_fld += strcmp(name, "a:fld") == 0;
		for (size_t i = 0; attr[i] && attr[i + 1]; i += 2) {
			strbuf_t *w = change ? &m->who_ch : &m->who_c;
			if ((comment || change) && strcmp(attr[i], "w:author") == 0 && w->len == 0)
				extract_utf8(w, attr[i + 1], strnlen(attr[i + 1], 200));
			/* pptx: p:cmAuthor (comments), an author of ppt/authors.xml (modern comments). */
			if ((strcmp(ln, "cmAuthor") == 0 || strcmp(ln, "author") == 0) && strcmp(attr[i], "name") == 0 &&
			    m->who_c.len == 0)
				extract_utf8(&m->who_c, attr[i + 1], strnlen(attr[i + 1], 200));
		}
		if (strcmp(name, "text:changed-region") == 0)
			x->in_region = 1;
		/* The first author of each: an element's text read in x_chars. */
		if ((strcmp(name, "author") == 0 || strcmp(name, "dc:creator") == 0)) {
			strbuf_t *w = x->in_region ? &m->who_ch : &m->who_c;
			x->in_who = w->len == 0 ? 1 + x->in_region : 0;
		}
		if (strcmp(name, "authors") == 0) {
			x->author_i = 0;
			memset(m->tc_author, 0, sizeof(m->tc_author));
		}
		if (strcmp(name, "author") == 0) {
			x->in_author = 1;
			memset(x->author_head, 0, sizeof(x->author_head));
		}
		return;
	}
	if (x->mode == PART_SHEET) {
		/* A cell: its value is text unless it is an index into the shared strings. */
		if (strcmp(ln, "c") == 0) {
			x->shared = 0;
			for (size_t i = 0; attr[i] && attr[i + 1]; i += 2)
				if (strcmp(attr[i], "t") == 0 && strcmp(attr[i + 1], "s") == 0)
					x->shared = 1;
		}
		x->in_value = strcmp(ln, "v") == 0 ? !x->shared : strcmp(ln, "t") == 0;
		return;
	}
	if (x->out->len >= EXTRACT_TEXT_MAX)
		return;
	if (name_in(ln, tabs))
		strbuf_addc(x->out, '\t');
	else if (name_in(ln, breaks))
		strbuf_addc(x->out, '\n');
	else if (strcmp(name, "text:s") == 0)
		strbuf_addc(x->out, ' ');
}

static void XMLCALL
x_end(void *ud, const XML_Char *name)
{
	static const char *const lines[] = { "p", "h", "si", "row", "tr", "table-row", NULL };
	static const char *const cells[] = { "tc", "c", "table-cell", NULL };
	struct xml_text *x = ud;
	const char *ln = local_name(name);

	x->depth--;
	x->in_title = 0;
	x->in_value = 0;
	if (x->mode == PART_MARKS) {
		x->in_who = 0;
		if (strcmp(name, "author") == 0 && x->in_author) {
			/* A legacy copy's author names no one: marked, and never "the first by". */
			if (memcmp(x->author_head, "tc=", 3) == 0) {
				if (x->author_i < 256)
					x->m->tc_author[x->author_i / 8] |= (unsigned char)(1u << (x->author_i % 8));
				if (x->m->who_c.len >= 3 && memcmp(x->m->who_c.s, "tc=", 3) == 0)
					strbuf_reset(&x->m->who_c);
			}
			x->in_author = 0;
			x->author_i++;
		}
		if (strcmp(name, "text:changed-region") == 0)
			x->in_region = 0;
		if (strcmp(name, "a:fld") == 0 && x->in_fld > 0)
			x->in_fld--;
		/* A notes page counts when it holds text (PowerPoint and
		 * Impress write empty ones; a slide number field is no note). */
		if ((strcmp(name, "presentation:notes") == 0 || strcmp(name, "p:notes") == 0) && x->note_text)
			x->m->notes++;
		return;
	}
	if (x->mode == PART_PROPS && x->prop >= 0) {
		/* One line for the review: kind, tab, what it says. */
		if (x->title->len > 0 && x->out->len < EXTRACT_TEXT_MAX) {
			strbuf_addf(x->out, "%s\t%s: ", office_props[x->prop].kind, office_props[x->prop].label);
			for (size_t i = 0; i < x->title->len; i++)
				if (x->title->s[i] == '\t' || x->title->s[i] == '\n')
					x->title->s[i] = ' ';
			extract_utf8(x->out, x->title->s, x->title->len);
			strbuf_addc(x->out, '\n');
		}
		x->prop = -1;
		strbuf_reset(x->title);
	}
	if (x->mode == PART_META || x->out->len >= EXTRACT_TEXT_MAX)
		return;
	if (name_in(ln, lines))
		strbuf_addc(x->out, '\n');
	else if (name_in(ln, cells))
		strbuf_addc(x->out, '\t');
}

static void XMLCALL
x_chars(void *ud, const XML_Char *s, int len)
{
	struct xml_text *x = ud;

	if (len <= 0)
		return;
	if (x->mode == PART_PROPS) {
		if (x->prop >= 0 && x->title->len < 200)
			strbuf_add(x->title, s, (size_t)len < 200 - x->title->len ? (size_t)len : 200 - x->title->len);
		return;
	}
	if (x->mode == PART_MARKS) {
		if (x->in_author)
			for (int i = 0; i < len; i++) {
				size_t h = strnlen(x->author_head, 3);
				if (h < 3)
					x->author_head[h] = s[i];
			}
		for (int i = 0; i < len && !x->in_fld; i++)
			if (s[i] != ' ' && s[i] != '\n' && s[i] != '\t' && s[i] != '\r')
				x->note_text = 1;
		if (x->in_who) {
			/* The first author: an ODF annotation's, an xlsx comments part's list. */
			strbuf_t *w = x->in_who == 2 ? &x->m->who_ch : &x->m->who_c;
			if (w->len < 200)
				extract_utf8(w, s, (size_t)len < 200 - w->len ? (size_t)len : 200 - w->len);
		}
		return;
	}
	if (x->mode == PART_META) {
		if (x->in_title && x->title->len < EXTRACT_TITLE_MAX)
			strbuf_add(x->title, s, (size_t)len < EXTRACT_TITLE_MAX - x->title->len ?
			    (size_t)len : EXTRACT_TITLE_MAX - x->title->len);
		return;
	}
	if (x->mode == PART_SHEET && !x->in_value)
		return;
	extract_utf8(x->out, s, (size_t)len);
}

/* Any DOCTYPE ends the part: office files have none, and a DTD is where
 * entity expansion attacks live. */
static void XMLCALL
x_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid, int has_internal)
{
	struct xml_text *x = ud;

	x->too_deep = 1;
	XML_StopParser(x->p, XML_FALSE);
}

/* Parse the part at p->idx; *budget is what may still be inflated of the
 * document. 0 if it parsed (or the text cap was reached), -1 if not. */
static int
read_part(zip_t *za, const struct part *pt, strbuf_t *out, strbuf_t *title, zip_uint64_t *budget,
    struct marks *m)
{
	struct marks scratch = { 0 };
	struct xml_text x = { .out = out, .title = title, .mode = pt->mode, .prop = -1, .m = m ? m : &scratch };
	zip_file_t *zf = zip_fopen_index(za, pt->idx, 0);
	zip_uint64_t left = EXTRACT_OFFICE_PART_MAX;
	int rc = -1;
	char *buf;
	size_t chunk = OFFICE_CHUNK;

	if (zf == NULL)
		return -1;
	buf = xmalloc(OFFICE_CHUNK);
	/* UTF-8, UTF-16, Latin-1 and ASCII are built in; any other declared
	 * encoding is an error, never a file opened to find a converter. */
	x.p = XML_ParserCreate(NULL);
	if (x.p == NULL)
		goto done;
	XML_SetUserData(x.p, &x);
	XML_SetElementHandler(x.p, x_start, x_end);
	XML_SetCharacterDataHandler(x.p, x_chars);
	XML_SetStartDoctypeDeclHandler(x.p, x_doctype);
	XML_SetParamEntityParsing(x.p, XML_PARAM_ENTITY_PARSING_NEVER);
	for (;;) {
		size_t want = chunk;
		zip_int64_t n;
		if (out->len >= EXTRACT_TEXT_MAX && pt->mode != PART_META) {
			rc = 0;
			break;
		}
		if (left == 0 || *budget == 0)
			break;          /* capped: keep the text so far */
		if (want > left)
			want = (size_t)left;
		if (want > *budget)
			want = (size_t)*budget;
		n = zip_fread(zf, buf, want);
		if (n < 0)
			break;
		left -= (zip_uint64_t)n;
		*budget -= (zip_uint64_t)n;
		if (XML_Parse(x.p, buf, (int)n, n == 0) != XML_STATUS_OK)
			break;
		if (n == 0) {
			rc = 0;
			break;
		}
		if ((size_t)n == chunk && chunk < OFFICE_CHUNK_MAX) {
			chunk *= 2;
			buf = xrealloc(buf, chunk);
		}
	}
	if (x.too_deep)
		rc = -1;
done:
	if (x.p)
		XML_ParserFree(x.p);
	zip_fclose(zf);
	free(buf);
	return rc;
}

/* ---- which parts hold the text ---------------------------------------- */

static int
name_match(const char *name, const char *prefix, const char *suffix)
{
	size_t n = strlen(name), p = strlen(prefix), s = strlen(suffix);
	return n >= p + s && strncmp(name, prefix, p) == 0 && strcmp(name + n - s, suffix) == 0 &&
	    strchr(name + p, '/') == NULL;
}

/* The part's mode and rank, or -1 if it holds no text we index. */
static int
classify(const char *name, int odf, struct part *pt)
{
	static const struct { const char *prefix, *suffix; int rank; enum part_mode mode; } ooxml[] = {
		{ "docProps/core", ".xml", 0, PART_META },
		{ "word/document", ".xml", 1, PART_TEXT },
		{ "xl/sharedStrings", ".xml", 1, PART_TEXT },
		{ "ppt/slides/slide", ".xml", 1, PART_TEXT },
		{ "xl/worksheets/sheet", ".xml", 2, PART_SHEET },
		{ "word/footnotes", ".xml", 3, PART_TEXT },
		{ "word/endnotes", ".xml", 3, PART_TEXT },
		{ "word/comments", ".xml", 3, PART_TEXT },
		{ "word/header", ".xml", 3, PART_TEXT },
		{ "word/footer", ".xml", 3, PART_TEXT },
		{ "ppt/notesSlides/notesSlide", ".xml", 3, PART_TEXT },
	};

	if (odf) {
		if (strcmp(name, "meta.xml") == 0 || strcmp(name, "content.xml") == 0) {
			pt->rank = name[0] == 'm' ? 0 : 1;
			pt->mode = name[0] == 'm' ? PART_META : PART_TEXT;
			pt->num = 0;
			return 0;
		}
		return -1;
	}
	for (size_t i = 0; i < ARRAY_LEN(ooxml); i++) {
		if (!name_match(name, ooxml[i].prefix, ooxml[i].suffix))
			continue;
		/* core.xml exactly; numbered parts: digits only between prefix and ".xml". */
		const char *d = name + strlen(ooxml[i].prefix), *e = name + strlen(name) - 4;
		char *end;
		long num = d == e ? 0 : strtol(d, &end, 10);
		if (d != e && (end != e || *d < '0' || *d > '9'))
			continue;
		pt->rank = ooxml[i].rank;
		pt->mode = ooxml[i].mode;
		pt->num = num;
		return 0;
	}
	return -1;
}

static int
part_cmp(const void *a, const void *b)
{
	const struct part *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->num != y->num)
		return x->num < y->num ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The archive za (closed here) to out and *title. */
static int
office_from_zip(zip_t *za, strbuf_t *out, char **title);

/* Parts whose comments, changes or notes the review counts, besides
 * word/comments.xml and word/document.xml: a spreadsheet's comments, a
 * presentation's comments, comment authors and notes pages, an ODF's
 * content (annotations, changed regions, notes). */
static int
marks_part(const char *name)
{
	return name_match(name, "xl/comments", ".xml") || name_match(name, "ppt/comments/", ".xml") ||
	    name_match(name, "xl/threadedComments/", ".xml") || strcmp(name, "xl/persons/person.xml") == 0 ||
	    strcmp(name, "ppt/commentAuthors.xml") == 0 || strcmp(name, "ppt/authors.xml") == 0 || name_match(name, "ppt/notesSlides/notesSlide", ".xml") ||
	    strcmp(name, "content.xml") == 0;
}

static void
marks_line(strbuf_t *out, const char *kind, int64_t n, const char *one, const char *many, strbuf_t *who)
{
	if (n <= 0)
		return;
	strbuf_addf(out, "%s\t%lld %s", kind, (long long)n, n == 1 ? one : many);
	if (who && who->len > 0) {
		strbuf_adds(out, ", the first by ");
		for (size_t i = 0; i < who->len; i++)
			if (who->s[i] == '\t' || who->s[i] == '\n')
				who->s[i] = ' ';
		strbuf_add(out, who->s, who->len);
	}
	strbuf_addc(out, '\n');
}

/* Excel's threaded comments, with their authors by name (as many as were
 * kept), each once. */
static void
threaded_line(strbuf_t *out, const struct marks *m)
{
	int named = 0;

	if (m->threaded <= 0)
		return;
	strbuf_addf(out, "comments\t%lld threaded comment%s (Excel)", (long long)m->threaded,
	    m->threaded == 1 ? "" : "s");
	for (int i = 0; i < m->nthread_by; i++)
		for (int j = 0; j < m->npersons; j++) {
			if (strcmp(m->thread_by[i], m->persons[j].id) != 0 || m->persons[j].name[0] == '\0')
				continue;
			size_t at;
			strbuf_adds(out, named++ ? ", " : ", by ");
			at = out->len;
			extract_utf8(out, m->persons[j].name, strlen(m->persons[j].name));
			for (size_t k = at; k < out->len; k++)
				if (out->s[k] == '\t' || out->s[k] == '\n')
					out->s[k] = ' ';
			break;
		}
	strbuf_addc(out, '\n');
}

/* The review's reading of the office archive za (see extract_office_meta_fd),
 * within *budget; only: read only that part, as properties (an ODF object's
 * meta.xml); inner: an office file inside another, whose own office files
 * are not read (one level). */
static void
office_meta_zip(zip_t *za, const char *only, zip_uint64_t *budget, extract_media_fn media, strbuf_t *out, int inner)
{
	static const struct { const char *name; enum part_mode mode; } wanted[] = {
		{ "docProps/core.xml", PART_PROPS }, { "docProps/app.xml", PART_PROPS }, { "meta.xml", PART_PROPS },
		{ "word/comments.xml", PART_MARKS }, { "word/document.xml", PART_MARKS },
	};
	zip_int64_t n = zip_get_num_entries(za, 0);
	strbuf_t scratch;
	struct marks m = { 0 };
	int parts = 0;

	if (n <= 0 || n > EXTRACT_OFFICE_ENTRIES_MAX)
		return;
	strbuf_init(&scratch);
	if (only != NULL) {
		struct part pt = { .mode = PART_PROPS, .name = only };
		zip_int64_t idx = zip_name_locate(za, only, 0);
		if (idx >= 0) {
			pt.idx = (zip_uint64_t)idx;
			(void)read_part(za, &pt, out, &scratch, budget, &m);
		}
		strbuf_release(&scratch);
		return;
	}
	strbuf_init(&m.who_c);
	strbuf_init(&m.who_ch);
	for (size_t i = 0; i < ARRAY_LEN(wanted) && *budget > 0; i++) {
		zip_int64_t idx = zip_name_locate(za, wanted[i].name, 0);
		struct part pt = { .mode = wanted[i].mode, .name = wanted[i].name };
		if (idx < 0)
			continue;
		pt.idx = (zip_uint64_t)idx;
		(void)read_part(za, &pt, out, &scratch, budget, &m);
	}
	for (zip_int64_t i = 0; i < n && *budget > 0 && parts < EXTRACT_OFFICE_PARTS_MAX; i++) {
		const char *name = zip_get_name(za, (zip_uint64_t)i, 0);
		struct part pt = { .mode = PART_MARKS, .name = name, .idx = (zip_uint64_t)i };
		if (name == NULL || !marks_part(name))
			continue;
		parts++;
		(void)read_part(za, &pt, out, &scratch, budget, &m);
	}
	marks_line(out, "comments", m.comments, "comment", "comments", &m.who_c);
	threaded_line(out, &m);
	extract_office_media(za, n, budget, media, out);
	marks_line(out, "comments", m.notes, "page of speaker notes", "pages of speaker notes", NULL);
	marks_line(out, "revisions", m.changes, "tracked change", "tracked changes", &m.who_ch);
	if (!inner)
		extract_office_inner(za, n, budget, media, office_meta_zip, out);
	strbuf_release(&scratch);
	strbuf_release(&m.who_c);
	strbuf_release(&m.who_ch);
	free(m.persons);
}

int
extract_office_meta_fd(int fd, strbuf_t *out, extract_media_fn media)
{
	zip_error_t err;
	zip_t *za;
	zip_uint64_t budget = EXTRACT_OFFICE_DOC_MAX;
	zip_int64_t n;
	int rc = -1;

	if ((za = extract_zip_open_fd(fd, &err)) == NULL)
		return -1;
	n = zip_get_num_entries(za, 0);
	if (n > 0 && n <= EXTRACT_OFFICE_ENTRIES_MAX) {
		office_meta_zip(za, NULL, &budget, media, out, 0);
		rc = 0;
	}
	zip_discard(za);
	zip_error_fini(&err);
	return rc;
}

int
extract_office_fd(int fd, strbuf_t *out, char **title)
{
	zip_error_t err;
	zip_t *za;
	int rc;

	if ((za = extract_zip_open_fd(fd, &err)) == NULL)
		return -1;
	rc = office_from_zip(za, out, title);
	zip_error_fini(&err);
	return rc;
}

int
extract_office_mem(const void *p, size_t n, strbuf_t *out, char **title)
{
	zip_error_t err;
	zip_source_t *zs;
	zip_t *za;
	int rc;

	zip_error_init(&err);
	zs = zip_source_buffer_create(n ? p : "", n, 0, &err);
	if (zs == NULL) {
		zip_error_fini(&err);
		return -1;
	}
	za = zip_open_from_source(zs, ZIP_RDONLY, &err);
	if (za == NULL) {
		zip_source_free(zs);
		zip_error_fini(&err);
		return -1;
	}
	rc = office_from_zip(za, out, title);
	zip_error_fini(&err);
	return rc;
}

static int
office_from_zip(zip_t *za, strbuf_t *out, char **title)
{
	zip_int64_t n;
	struct part *parts = NULL;
	size_t nparts = 0, read_ok = 0;
	zip_uint64_t budget = EXTRACT_OFFICE_DOC_MAX;
	int odf, rc = -1;
	strbuf_t tb;

	n = zip_get_num_entries(za, 0);
	if (n <= 0 || n > EXTRACT_OFFICE_ENTRIES_MAX)
		goto done;
	odf = zip_name_locate(za, "[Content_Types].xml", 0) < 0;
	if (odf && zip_name_locate(za, "content.xml", 0) < 0)
		goto done;
	parts = xcalloc(EXTRACT_OFFICE_PARTS_MAX, sizeof(*parts));
	for (zip_int64_t i = 0; i < n && nparts < EXTRACT_OFFICE_PARTS_MAX; i++) {
		const char *name = zip_get_name(za, (zip_uint64_t)i, 0);
		if (name == NULL || classify(name, odf, &parts[nparts]) < 0)
			continue;
		parts[nparts].idx = (zip_uint64_t)i;
		parts[nparts].name = name;
		nparts++;
	}
	qsort(parts, nparts, sizeof(*parts), part_cmp);
	strbuf_init(&tb);
	for (size_t i = 0; i < nparts && budget > 0; i++) {
		if (read_part(za, &parts[i], out, &tb, &budget, NULL) == 0)
			read_ok++;
		if (parts[i].mode != PART_META && out->len > 0 && out->s[out->len - 1] != '\n' &&
		    out->len < EXTRACT_TEXT_MAX)
			strbuf_addc(out, '\n');
	}
	while (tb.len > 0 && (tb.s[tb.len - 1] == ' ' || tb.s[tb.len - 1] == '\n' || tb.s[tb.len - 1] == '\t'))
		tb.len--;       /* a blank title is no title */
	if (tb.len > 0 && title) {
		strbuf_t t;
		strbuf_init(&t);
		extract_utf8(&t, tb.s, tb.len);
		free(*title);
		*title = strbuf_detach(&t);
	}
	strbuf_release(&tb);
	/* Readable if some part parsed, or if broken parts still gave text. */
	rc = read_ok > 0 || out->len > 0 ? 0 : -1;
done:
	free(parts);
	zip_discard(za);
	return rc;
}
