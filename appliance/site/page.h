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
} page_hit_t;

/* Compile the embedded templates; call at start-up so a broken template is
 * found before serving (renderers also do it on first use). 0 or -1. */
int page_init(void);

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

/* The files before and after one in its folder, by name; NULL for none. */
typedef struct page_nav {
	const char *prev, *next;	/* names in the same folder */
} page_nav_t;

/* Assumed rate for the download time shown on file pages (bytes/s): a
 * usual Tor circuit. */
#define PAGE_TOR_RATE 1000000

/* Append a file page: what it is, its size and download time, the content
 * (an image, audio or video from /f/<slug>/<path>, or a text preview of
 * preview_len bytes, any bytes, if non-NULL), previous/next file (nav may be
 * NULL), then facts and the terminal help folded under <details>. */
int page_file(strbuf_t *out, const page_site_t *s, const page_collection_t *c, const char *path,
    int64_t size, int64_t mtime, const char *mime, const char *sha256,
    const char *preview, size_t preview_len, int preview_truncated, const page_nav_t *nav);

/* Append a search page. q: raw query (any bytes) or NULL/"" for the empty
 * form; coll_filter: selected slug or NULL; message: a friendly sentence or
 * NULL; total_is_estimate shows "about N". Links: /search?q=&c=&page=. */
int page_search(strbuf_t *out, const page_site_t *s, const char *q, const char *coll_filter,
    const page_collection_t *cols, size_t ncols, const page_hit_t *hits, size_t n,
    int64_t total, int total_is_estimate, const char *message, int64_t page, int64_t per_page);

/* Append an error page for 400/404/405/413/414/416/429/431/500/503 (others get
 * a generic text); detail is shown if non-NULL; retry_after > 0 is shown for
 * 429/503. */
int page_error(strbuf_t *out, const page_site_t *s, int status, const char *detail, int retry_after);

#endif
