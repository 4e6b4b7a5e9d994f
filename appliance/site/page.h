/* page: reader pages (home, folder, file, search, errors) rendered from plain
 * structs through the web/ templates. No SQLite and no HTTP here: the caller
 * queries, sorts and paginates, then hands us what to show. All strings may be
 * hostile (any bytes, invalid UTF-8); the templates escape every one. */
#ifndef BROADSIDE_PAGE_H
#define BROADSIDE_PAGE_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

/* Entries per folder page and hits per search page. Together with name
 * shortening they keep a page under 30 KB of HTML with 255-byte names. */
#define PAGE_DIR_PER_PAGE 50
#define PAGE_SEARCH_PER_PAGE 20
/* Longest query echoed back or carried in links; longer ones are cut. */
#define PAGE_QUERY_MAX 256

/* Another address the collection is at (from the publisher's signed list). */
typedef struct page_mirror {
	const char *addr, *note;	/* "<56>.onion", plain text ("" if none) */
} page_mirror_t;

typedef struct page_site {
	const char *publisher_name, *publisher_statement;
	const char *publisher_pubkey;	/* minisign public key file text or NULL */
	const char *onion;		/* "xyz.onion" for the resume commands, or NULL */
	/* Shown on every page as "This collection is also at: …" (nothing if
	 * n is 0), with a link to the signed list: /m/<mirrors_slug>/mirrors.txt,
	 * or /m/mirrors.txt when mirrors_slug is NULL. */
	const page_mirror_t *mirrors;
	size_t nmirrors;
	const char *mirrors_slug;
	/* The page's language ("es"; NULL or unknown: English); chosen: the
	 * reader picked it (?lang=), so every link on the page carries it. */
	const char *lang;
	int lang_chosen;
	/* The page's own query (name, value, name, value ..., decoded, without
	 * lang), kept by the language switcher's links. */
	const char *const *params;
	size_t nparams;
} page_site_t;

typedef struct page_collection {
	const char *slug, *title, *description;
	int64_t files, bytes, updated;
	const char *origin;		/* non-NULL: a mirror of origin */
} page_collection_t;

typedef struct page_entry {
	const char *name;
	int is_dir;
	int64_t size, mtime, files;	/* files: entries below a folder, or -1 */
	const char *sha256;
} page_entry_t;

typedef struct page_hit {
	const char *slug, *path;
	int64_t size;
	const char *snippet;		/* text with \x02..\x03 around matches */
	const char *part;		/* the attachment the words are in, or NULL */
	int64_t part_no;		/* its number (its reading view's ?part=), or 0 */
	const char *title;		/* the document's own title, or NULL: its file name is shown */
	const char *mime;		/* its media type (shown in plain words), or NULL */
	int64_t mtime;			/* its date (Unix seconds), or 0 */
	int64_t page;			/* a PDF's page the words are on, or 0 */
} page_hit_t;

/* Compile the embedded templates; call at start-up so a broken template is
 * found before serving (renderers also do it on first use). 0 or -1. */
int page_init(void);

/* A search's filters as the caller checked them (NULL or empty: none); they
 * ride on the form, the pagers and the suggestions. */
typedef struct page_search_filter {
	const char *folder;     /* "a/b": below that folder */
	const char *kind;       /* a kind's URL name: "pdf", "email", "document", "spreadsheet",
				 * "presentation", "web", "text", "image", "archive" */
	const char *from, *to;  /* "YYYY-MM-DD", modification dates, both days included */
	int windowed;           /* only the newest matches of the words were filtered */
	/* With no hit, words of the index for the query's last word: the other
	 * forms of its stem, and words near it (a typo's); each offered in its place. */
	const char *const *forms;
	size_t nforms;
	const char *const *similar;
	size_t nsimilar;
} page_search_filter_t;

/* Append the home page: publisher, collections, search box, how to verify. */
int page_home(strbuf_t *out, const page_site_t *s, const page_collection_t *cols, size_t n);

/* Append a folder page. dir: "" for the collection root, else "a/b" (no
 * slashes at the ends); sort: "name"|"size"|"date", desc 0/1; page from 1;
 * entries already sorted and paginated; total = entries in the folder. Entry
 * links are relative, so the page must be served at a URL ending in '/'.
 * Sort and page links are "?sort=name&desc=0&page=2". */
int page_dir(strbuf_t *out, const page_site_t *s, const page_collection_t *c, const char *dir,
    const page_entry_t *e, size_t n, int64_t total, const char *sort, int desc,
    int64_t page, int64_t per_page);

/* What a folder page offers to download at once: its archives
 * (/d/<slug>[/<dir>].tar|.zip) or, above the limits, the collection's
 * metalink instead. */
typedef struct page_archive {
	int64_t files, bytes;   /* below the folder, at any depth */
	int too_large;          /* over archive_max_files or archive_max_bytes */
	int torrent;            /* /m/<slug>/collection.torrent is published */
} page_archive_t;
/* page_dir with the download offer of ar (NULL: none). */
int page_dir_archive(strbuf_t *out, const page_site_t *s, const page_collection_t *c, const char *dir,
    const page_entry_t *e, size_t n, int64_t total, const char *sort, int desc,
    int64_t page, int64_t per_page, const page_archive_t *ar);

/* A folder's entries whose names contain a text (ASCII case folded), looked
 * for in name order a bounded stretch at a time (the caller's catalogue
 * walk): the page shows what one stretch found and links the next. */
typedef struct page_filter {
	const char *text;        /* what the reader typed (any bytes) */
	const char *next;        /* where the next stretch starts ("from="), or NULL: the end */
	const char *from;        /* where this one started, or NULL: the beginning */
	int64_t looked;          /* names looked through in this stretch */
} page_filter_t;
/* page_dir_archive with a filter: e holds the n matches, in name order. */
int page_dir_filtered(strbuf_t *out, const page_site_t *s, const page_collection_t *c, const char *dir,
    const page_entry_t *e, size_t n, int64_t total, const page_filter_t *f, const page_archive_t *ar);

/* A 404 for a folder or file path of collection c that does not exist:
 * links the nearest folder above it that does (near: "" for the
 * collection's top, NULL: none) and offers a search for the name. */
int page_not_found(strbuf_t *out, const page_site_t *s, const page_collection_t *c, const char *path,
    const char *near);

/* The files before and after one in its folder, by name; NULL for none. */
typedef struct page_nav {
	const char *prev, *next;	/* names in the same folder */
	const char *folder_key;		/* the folder's signed list is /m/<slug>/sums/<key>/SHA256SUMS; NULL: none */
} page_nav_t;

/* Assumed rate for the download time shown on file pages (bytes/s): a
 * usual Tor circuit. */
#define PAGE_TOR_RATE 1000000

/* Append a file page: what it is, its size and download time, the content
 * (an image, audio or video from /f/<slug>/<path>, or a text preview of
 * preview_len bytes, any bytes, if non-NULL), previous/next file (nav may be
 * NULL), then facts and the terminal help folded under <details>. readable:
 * link the reading view /r/<slug>/<path>. */
int page_file(strbuf_t *out, const page_site_t *s, const page_collection_t *c, const char *path,
    int64_t size, int64_t mtime, const char *mime, const char *sha256,
    const char *preview, size_t preview_len, int preview_truncated, const page_nav_t *nav,
    int readable);

/* Append the view of page n of pages of a PDF: the page's image from
 * /i/<slug>/<path>?n=N (or, when image is 0, a line saying it could not be
 * rendered, why: a short reason or NULL), previous/next page, and the page's
 * text (any bytes; NULL or empty: none) beneath it for screen readers and
 * copying. */
int page_pdf_page(strbuf_t *out, const page_site_t *s, const page_collection_t *c,
    const char *path, int64_t n, int64_t pages, int image, const char *why,
    const char *text, size_t text_len);

/* Append a search page. q: raw query (any bytes) or NULL/"" for the empty
 * form; coll_filter: selected slug or NULL; message: a friendly sentence or
 * NULL; total_is_estimate shows "about N"; f: the filters (NULL: none). Links:
 * /search?q=&c=&folder=&kind=&from=&to=&page=. With no hit, what to try instead. */
int page_search(strbuf_t *out, const page_site_t *s, const char *q, const char *coll_filter,
    const page_collection_t *cols, size_t ncols, const page_hit_t *hits, size_t n,
    int64_t total, int total_is_estimate, const char *message, int64_t page, int64_t per_page,
    const page_search_filter_t *f);

/* The reading view, /r/<slug>/<path>: a document's text as HTML, one page
 * of it at a time. Cells and text are any bytes (escaped here). */
typedef struct page_cell {
	const char *s;
	size_t len;
} page_cell_t;

typedef struct page_row {
	const page_cell_t *cells;
	size_t n, more;                /* more: cells past what is shown */
} page_row_t;

enum page_read_kind {
	PAGE_READ_TEXT,                /* text, monospaced (plain text files) */
	PAGE_READ_PROSE,               /* text of a document (HTML, PDF, office) */
	PAGE_READ_MAIL,                /* headers, then the text */
	PAGE_READ_TABLE,               /* rows of cells (CSV, TSV) */
};

/* An entry of an archive or an attachment of a message. */
typedef struct page_item {
	char type;                     /* 'f' file, 'd' folder, 'a' attachment */
	int64_t size;                  /* -1: not shown */
	const char *name;              /* any bytes */
	size_t name_len;
	int64_t part;                  /* an attachment's part number (its view, its download), or 0 */
} page_item_t;

/* Marked search hits per page; past this the text is shown unmarked. */
#define PAGE_READ_MARKS_MAX 500

typedef struct page_read {
	enum page_read_kind kind;
	const char *path, *mime;
	int64_t size;
	const char *q;                 /* the search that led here (any bytes) or NULL */
	int64_t page, npages;
	const char *page_word;         /* "PDF page" where pages are the document's own; NULL: "Page" */
	const char *text;              /* this page's text (UTF-8 from extract) */
	size_t text_len;
	const page_row_t *rows;        /* PAGE_READ_TABLE */
	size_t nrows;
	const page_cell_t *headers;    /* PAGE_READ_MAIL: name, value, name, value ... */
	size_t nheaders;               /* pairs */
	const page_item_t *items;      /* an archive's entries, a message's attachments */
	size_t nitems;
	int64_t items_more;            /* entries not listed ... */
	int items_more_min;            /* ... at least that many */
	const char *note;              /* a sentence shown above the text, or NULL */
	int64_t part;                  /* > 0: the view of this attachment of the message at path */
	const char *part_name;         /* its name ("inner.eml › budget.pdf") */
	int cut;                       /* the text was cut at ingest ... */
	int64_t cut_kept;              /* ... to this many bytes ... */
	int64_t cut_whole;             /* ... of a text this long (<= 0: unknown, the file's size is said) */
} page_read_t;

/* Append a reading view: breadcrumbs, the file's name with links to its page
 * and its bytes, the text with hits of r->q marked (<mark id="hitN">, N from
 * 1 on this page) and pages "?page=N&q=" (and "&part=K" for an attachment). */
int page_read(strbuf_t *out, const page_site_t *s, const page_collection_t *c,
    const page_read_t *r);

/* Append an error page for 400/404/405/413/414/416/429/431/500/503 (others get
 * a generic text); detail is shown if non-NULL; retry_after > 0 is shown for
 * 429/503. */
int page_error(strbuf_t *out, const page_site_t *s, int status, const char *detail, int retry_after);

#endif
