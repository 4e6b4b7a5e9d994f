/* util: allocation that aborts on out-of-memory, a growable string, small helpers.
 * Out-of-memory is not an error we can serve around, so callers never check. */
#ifndef BROADSIDE_UTIL_H
#define BROADSIDE_UTIL_H

#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Return a newly allocated formatted string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Format a reason for the operator into the caller's err (errlen bytes). */
void seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A growable byte string, always NUL-terminated. */
typedef struct strbuf {
	char *s;
	size_t len, cap;
} strbuf_t;

void strbuf_init(strbuf_t *b);
void strbuf_add(strbuf_t *b, const void *p, size_t n);
void strbuf_adds(strbuf_t *b, const char *s);
void strbuf_addc(strbuf_t *b, char c);
void strbuf_addf(strbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(strbuf_t *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void strbuf_reset(strbuf_t *b);
/* Hand the string to the caller, who frees it; the buffer is left empty. */
char *strbuf_detach(strbuf_t *b);
void strbuf_release(strbuf_t *b);

/* Parse a whole decimal number in [min, max]; 0 on success, -1 otherwise. */
int parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);
/* Write a file atomically (temp + fsync + rename) with the given mode. */
int write_file_atomic(const char *path, const void *data, size_t len, int mode);
/* Read a whole small file (at most max bytes) into a NUL-terminated buffer. */
char *read_file_small(const char *path, size_t max, size_t *len_out);
/* Create a directory (and its parents) with mode; existing is fine. */
int mkdir_p(const char *path, int mode);
/* Monotonic time in milliseconds and wall-clock seconds. */
int64_t now_ms(void);
/* Format a byte count for people: "1.4 GB". */
void human_bytes(int64_t n, char *out, size_t outlen);
/* Whether s is a plain name, safe in file names, configs and logs: 1 to max
 * ASCII letters, digits, '-', '_' and the bytes in also. */
int name_ok(const char *s, size_t max, const char *also);
/* Write all n bytes to fd, retrying on EINTR; 0, or -1 with errno. */
int write_all(int fd, const void *p, size_t n);
/* Constant-time comparison of n bytes. */
int ct_equal(const void *a, const void *b, size_t n);

/* Send len bytes of buf on the Unix socket sock, with the descriptor fd
 * attached (SCM_RIGHTS) unless it is -1; EINTR retried, no SIGPIPE.
 * sendmsg's result. */
ssize_t fd_send(int sock, const void *buf, size_t len, int fd);
/* Receive one message of at most len bytes; a descriptor that came with it
 * (close-on-exec) goes to *fd, or is closed when fd is NULL; *fd is -1 when
 * none came. recvmsg's result (EINTR retried). */
ssize_t fd_recv(int sock, void *buf, size_t len, int flags, int *fd);

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
