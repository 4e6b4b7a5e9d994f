/* mime: a file's media type from its name (/etc/mime.types, Debian's media-types)
 * and, where that says nothing, from its first bytes. Thread-safe. */
#ifndef BROADSIDE_MIME_H
#define BROADSIDE_MIME_H

#include <stddef.h>

/* Load a mime.types file instead of /etc/mime.types (tests); before any lookup. */
int mime_load(const char *path);
/* Return the type for the file name's extension (case-insensitive), or NULL. */
const char *mime_from_name(const char *name);
/* Return a type guessed from the first n bytes of content, or NULL. */
const char *mime_sniff(const unsigned char *p, size_t n);
/* Return the type to record: the name's, else sniffed, else application/octet-stream.
 * Sniffing overrides the name only for a few unambiguous signatures on generic names. */
const char *mime_detect(const char *name, const unsigned char *head, size_t n);
/* Return 1 if the n bytes are valid UTF-8 (a truncated last character counts as valid). */
int mime_is_utf8(const unsigned char *p, size_t n);

#endif
