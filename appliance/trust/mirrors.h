/* mirrors: the publisher's signed list of the onion addresses that serve
 * their collections, so a reader on any surviving address finds the others.
 *
 *   <data>/mirrors.txt               the publisher's own list (`broadside mirrors`)
 *   <data>/manifests/mirrors.txt     the published copy, served at /m/mirrors.txt
 *   <data>/manifests/mirrors.txt.minisig
 *                                    its signature by the publisher key; trusted
 *                                    comment: timestamp:<unix>  file:mirrors.txt
 *                                    entries:<n>  version:<unix>-<counter>
 *   <data>/manifests/<slug>/mirrors.txt(.minisig)
 *                                    on a mirror: the origin's list for that
 *                                    collection, exactly as the origin signed it
 *
 * Text format: '#' lines are comments; every other non-empty line is a v3
 * onion address ("<56 base32>.onion"), optionally followed by one space and a
 * note (plain text, no control characters). Everything parsed here may be
 * hostile until its signature is checked, and notes are shown escaped. */
#ifndef BROADSIDE_MIRRORS_H
#define BROADSIDE_MIRRORS_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "trust/fetch.h"
#include "trust/sign.h"

#define MIRRORS_ADDR_LEN 63        /* 56 + ".onion" + NUL */
#define MIRRORS_NOTE_MAX 200
#define MIRRORS_MAX 256
#define MIRRORS_FILE_MAX (64 * 1024)

typedef struct mirrors_entry {
	char addr[MIRRORS_ADDR_LEN];
	char *note;                /* "" if none */
} mirrors_entry_t;

typedef struct mirrors_list {
	mirrors_entry_t *e;
	size_t n;
} mirrors_list_t;

/* 1 if s is "<56 chars of a-z2-7>.onion" with the v3 version byte (the
 * checksum is onion_address_parse's business). */
int mirrors_addr_valid(const char *s);
/* 1 if s is a note: at most MIRRORS_NOTE_MAX bytes, no control characters. */
int mirrors_note_valid(const char *s);

/* Parse the text format strictly. 0 or -1 (out is empty then). */
int mirrors_parse(const char *text, size_t len, mirrors_list_t *out);
/* Read and parse path: 1 read, 0 no such file (empty list), -1 bad. */
int mirrors_load(const char *path, mirrors_list_t *out);
/* Append the text format (with a comment header). */
void mirrors_format(const mirrors_list_t *l, strbuf_t *out);
/* Add addr (or replace its note). 0, or -1 when the list is full. */
int mirrors_add(mirrors_list_t *l, const char *addr, const char *note);
/* Remove addr: 1 removed, 0 not in the list. */
int mirrors_rm(mirrors_list_t *l, const char *addr);
void mirrors_copy(mirrors_list_t *dst, const mirrors_list_t *src);
void mirrors_clear(mirrors_list_t *l);

/* Every address that serves this site's collections: its own onion (tor's
 * hostname file under <data>/onion/public, if there is one) first, then the
 * publisher's list (<data>/mirrors.txt). Return the count; *out holds
 * strings, freed with mirrors_addresses_free. */
size_t mirrors_site_addresses(const char *data_root, char ***out);
void mirrors_addresses_free(char **a, size_t n);

/* The folder below <data>/manifests that holds the published pair (not a slug). */
#define MIRRORS_PUBLISHED_DIR "_mirrors"
/* Where the published name (mirrors.txt or its .minisig) is: in the folder,
 * or where data directories before it kept it (caller frees). */
char *mirrors_published_path(const char *data_root, const char *name);
/* Publish the signed list: own (NULL if not known) first with the note
 * "origin", then l. The list and its signature are written to a new folder
 * that replaces <data>/manifests/_mirrors/ by one rename (RENAME_EXCHANGE),
 * so the two are always one pair. The version grows from the one being
 * replaced. 0 or -1 (logged). */
int mirrors_publish(const char *data_root, const mirrors_list_t *l, const char *own, const sign_key_t *k);

/* On a mirror: fetch the origin's /m/mirrors.txt and its signature into
 * work/mirrors.txt(.minisig), verified against pub (file:mirrors.txt in the
 * trusted comment; a version not older than the one in installed_dir, and
 * the same version only with the same bytes; a list that parses). 1 fetched,
 * 0 the origin publishes none (404), -1 refused with err (nothing left in work). */
int mirrors_fetch(fetch_t *f, const sign_pub_t *pub, const char *work, const char *installed_dir,
    char *err, size_t errlen);

#endif
