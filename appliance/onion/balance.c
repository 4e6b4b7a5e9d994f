/* balance: see balance.h. */
#include "onion/balance.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"

#define FILE_MAX (64 * 1024)
/* Backend names end up in Onionbalance's YAML and in logs: name_ok()'s safe
 * set, and '.' for names like "eu.1". */
#define NAME_ALSO "."

struct backend {
	char address[ONION_ADDRESS_LEN];
	char name[BALANCE_NAME_MAX + 1];
};

struct balance {
	char front[ONION_ADDRESS_LEN];
	struct backend backends[BALANCE_MAX_BACKENDS];
	size_t n;
};

static char *
file_path(const char *root, const char *name)
{
	return xasprintf("%s/balance/%s", root, name);
}

/* Read path into *text; a missing file is empty. 0 or -1 with err set. */
static int
slurp(const char *path, char **text, char *err, size_t errlen)
{
	size_t len;

	*text = read_file_small(path, FILE_MAX, &len);
	if (*text == NULL && errno == ENOENT) {
		*text = xstrdup("");
		return 0;
	}
	if (*text == NULL) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (memchr(*text, '\0', len) != NULL) {
		seterr(err, errlen, "%s: not a text file", path);
		free(*text);
		*text = NULL;
		return -1;
	}
	return 0;
}

/* The two files' texts into b; errors name fname/bname and the line. */
static int
parse_text(balance_t *b, char *ftext, const char *fname, const char *btext,
    const char *bname, char *err, size_t errlen)
{
	char *line, *save = NULL;
	int lineno = 0;

	memset(b, 0, sizeof(*b));
	for (line = strtok_r(ftext, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		line[strcspn(line, " \t\r")] = '\0';
		if (*line == '\0' || *line == '#')
			continue;
		if (b->front[0] || onion_address_parse(line, b->front) < 0) {
			seterr(err, errlen, "%s: expected one onion address", fname);
			return -1;
		}
	}
	for (const char *p = btext, *nl; *p; p = nl) {
		char addr[80], name[80], *l;
		int k;
		nl = strchr(p, '\n');
		nl = nl ? nl + 1 : p + strlen(p);
		lineno++;
		l = xstrndup(p, (size_t)(nl - p));
		k = sscanf(l, "%79s %79s", addr, name);
		free(l);
		if (k <= 0 || addr[0] == '#')
			continue;
		if (b->n == BALANCE_MAX_BACKENDS) {
			seterr(err, errlen, "%s:%d: more than %d backends", bname, lineno,
			    BALANCE_MAX_BACKENDS);
			return -1;
		}
		if (onion_address_parse(addr, b->backends[b->n].address) < 0) {
			seterr(err, errlen, "%s:%d: '%s' is not a v3 onion address", bname,
			    lineno, addr);
			return -1;
		}
		if (k == 2 && !name_ok(name, BALANCE_NAME_MAX, NAME_ALSO)) {
			seterr(err, errlen, "%s:%d: name '%s': use up to %d letters, digits, "
			    "'-', '_' or '.'", bname, lineno, name, BALANCE_NAME_MAX);
			return -1;
		}
		/* name_ok() bounded it. */
		memcpy(b->backends[b->n].name, k == 2 ? name : "", k == 2 ? strlen(name) + 1 : 1);
		b->n++;
	}
	if (b->front[0] && b->n > 0) {
		seterr(err, errlen, "%s and %s are both set: an appliance is either a "
		    "backend of a front or a front; run `broadside balance leave` or remove "
		    "the backends", fname, bname);
		return -1;
	}
	return 0;
}

balance_t *
balance_parse(const char *front, const char *backends, char *err, size_t errlen)
{
	balance_t *b = xmalloc(sizeof(*b));
	char *f = xstrdup(front);
	int rc = parse_text(b, f, "front", backends, "backends", err, errlen);

	free(f);
	if (rc < 0) {
		free(b);
		return NULL;
	}
	return b;
}

/* Parse balance/front and balance/backends into b. */
static int
parse(balance_t *b, const char *root, char *err, size_t errlen)
{
	char *fpath = file_path(root, "front"), *bpath = file_path(root, "backends");
	char *ftext = NULL, *btext = NULL;
	int rc = -1;

	memset(b, 0, sizeof(*b));
	if (slurp(fpath, &ftext, err, errlen) < 0 || slurp(bpath, &btext, err, errlen) < 0)
		goto done;
	rc = parse_text(b, ftext, fpath, btext, bpath, err, errlen);
done:
	free(ftext);
	free(btext);
	free(fpath);
	free(bpath);
	return rc;
}

balance_t *
balance_read(const char *data_root, char *err, size_t errlen)
{
	balance_t *b = xmalloc(sizeof(*b));

	if (parse(b, data_root, err, errlen) < 0) {
		free(b);
		return NULL;
	}
	return b;
}

balance_t *
balance_load(const char *data_root)
{
	char err[512];
	balance_t *b = balance_read(data_root, err, sizeof(err));

	if (b == NULL)
		log_err("%s", err);
	return b;
}

void
balance_free_(balance_t *b)
{
	free(b);
}

enum balance_role
balance_role(const balance_t *b)
{
	if (b->front[0])
		return BALANCE_BACKEND;
	return b->n > 0 ? BALANCE_FRONT : BALANCE_NONE;
}

const char *
balance_role_name(enum balance_role r)
{
	return r == BALANCE_FRONT ? "front" : r == BALANCE_BACKEND ? "backend" : "none";
}

const char *
balance_front(const balance_t *b)
{
	return b->front;
}

size_t
balance_count(const balance_t *b)
{
	return b->n;
}

const char *
balance_address(const balance_t *b, size_t i)
{
	return i < b->n ? b->backends[i].address : "";
}

const char *
balance_name(const balance_t *b, size_t i)
{
	return i < b->n ? b->backends[i].name : "";
}

/* Write balance/NAME (0600 in a 0700 folder), or remove it when text is "". */
static int
store(const char *root, const char *name, const char *text, char *err, size_t errlen)
{
	char *dir = xasprintf("%s/balance", root), *path = file_path(root, name);
	int rc = -1;

	if (mkdir_p(dir, 0700) < 0) {
		seterr(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		goto done;
	}
	if (*text == '\0') {
		if (unlink(path) < 0 && errno != ENOENT) {
			seterr(err, errlen, "cannot remove %s: %s", path, strerror(errno));
			goto done;
		}
	} else if (write_file_atomic(path, text, strlen(text), 0600) < 0) {
		seterr(err, errlen, "cannot write %s: %s", path, strerror(errno));
		goto done;
	}
	rc = 0;
done:
	free(dir);
	free(path);
	return rc;
}

static int
store_backends(const char *root, const balance_t *b, char *err, size_t errlen)
{
	strbuf_t t;
	int rc;

	strbuf_init(&t);
	for (size_t i = 0; i < b->n; i++)
		strbuf_addf(&t, "%s%s%s\n", b->backends[i].address,
		    b->backends[i].name[0] ? " " : "", b->backends[i].name);
	rc = store(root, "backends", t.s ? t.s : "", err, errlen);
	strbuf_release(&t);
	return rc;
}

int
balance_join(const char *data_root, const char *front, char *err, size_t errlen)
{
	balance_t b;
	char addr[ONION_ADDRESS_LEN], line[ONION_ADDRESS_LEN + 1];

	if (onion_address_parse(front, addr) < 0) {
		seterr(err, errlen, "'%s' is not a v3 onion address", front);
		return -1;
	}
	if (parse(&b, data_root, err, errlen) < 0)
		return -1;
	if (b.n > 0) {
		seterr(err, errlen, "this appliance is a front with %zu backends; remove "
		    "them (`broadside balance rm`) before it joins another front", b.n);
		return -1;
	}
	snprintf(line, sizeof(line), "%s\n", addr);
	return store(data_root, "front", line, err, errlen);
}

int
balance_leave(const char *data_root, char *err, size_t errlen)
{
	return store(data_root, "front", "", err, errlen);
}

int
balance_add(const char *data_root, const char *address, const char *name,
    const char *own_address, char *err, size_t errlen)
{
	balance_t b;
	char addr[ONION_ADDRESS_LEN];

	if (onion_address_parse(address, addr) < 0) {
		seterr(err, errlen, "'%s' is not a v3 onion address", address);
		return -1;
	}
	if (name && *name && !name_ok(name, BALANCE_NAME_MAX, NAME_ALSO)) {
		seterr(err, errlen, "name '%s': use up to %d letters, digits, '-', '_' or '.'",
		    name, BALANCE_NAME_MAX);
		return -1;
	}
	if (own_address && strcmp(addr, own_address) == 0) {
		seterr(err, errlen, "%s is this appliance's (the front's) own address; a "
		    "backend has an address of its own", addr);
		return -1;
	}
	if (parse(&b, data_root, err, errlen) < 0)
		return -1;
	if (b.front[0]) {
		seterr(err, errlen, "this appliance is a backend of %s; run `broadside "
		    "balance leave` first to make it a front", b.front);
		return -1;
	}
	for (size_t i = 0; i < b.n; i++)
		if (strcmp(b.backends[i].address, addr) == 0) {
			seterr(err, errlen, "%s is already a backend", addr);
			return -1;
		}
	if (b.n == BALANCE_MAX_BACKENDS) {
		seterr(err, errlen, "already %d backends, Onionbalance's limit",
		    BALANCE_MAX_BACKENDS);
		return -1;
	}
	memcpy(b.backends[b.n].address, addr, sizeof(addr));
	memcpy(b.backends[b.n].name, name ? name : "", name ? strlen(name) + 1 : 1);
	b.n++;
	return store_backends(data_root, &b, err, errlen);
}

int
balance_rm(const char *data_root, const char *address, char *err, size_t errlen)
{
	balance_t b;
	char addr[ONION_ADDRESS_LEN];
	size_t i;

	if (parse(&b, data_root, err, errlen) < 0)
		return -1;
	/* By address or by name. */
	if (onion_address_parse(address, addr) < 0)
		snprintf(addr, sizeof(addr), "%s", address);
	for (i = 0; i < b.n; i++)
		if (strcmp(b.backends[i].address, addr) == 0 ||
		    (b.backends[i].name[0] && strcmp(b.backends[i].name, address) == 0))
			break;
	if (i == b.n) {
		seterr(err, errlen, "%s is not a backend (see `broadside balance ls`)", address);
		return -1;
	}
	memmove(&b.backends[i], &b.backends[i + 1], (b.n - i - 1) * sizeof(b.backends[0]));
	b.n--;
	return store_backends(data_root, &b, err, errlen);
}

char *
balance_yaml(const balance_t *b, const char *key_file, const char *self_instance)
{
	strbuf_t y;

	/* Paths come from our data dir and may hold YAML-special characters:
	 * a single-quoted scalar takes anything but a quote, which is doubled. */
	strbuf_init(&y);
	strbuf_adds(&y, "# Generated by broadside from DIR/balance/backends; edits are lost.\n"
	    "services:\n- key: '");
	for (const char *c = key_file; *c; c++) {
		if (*c == '\'')
			strbuf_addc(&y, '\'');
		strbuf_addc(&y, *c);
	}
	strbuf_adds(&y, "'\n  instances:\n");
	if (self_instance && *self_instance)
		strbuf_addf(&y, "  - address: %.56s\n    name: this-appliance\n", self_instance);
	for (size_t i = 0; i < b->n; i++) {
		strbuf_addf(&y, "  - address: %.56s\n", b->backends[i].address);
		if (b->backends[i].name[0])
			strbuf_addf(&y, "    name: %s\n", b->backends[i].name);
	}
	return strbuf_detach(&y);
}

int
balance_write_ob_config(const char *onion_dir, const char *master)
{
	char *path = xasprintf("%s/ob_config", onion_dir), *text = NULL;
	int rc = -1;

	if (master == NULL) {
		if (unlink(path) < 0 && errno != ENOENT) {
			log_err("cannot remove %s: %s", path, strerror(errno));
			goto done;
		}
	} else {
		text = xasprintf("MasterOnionAddress %s\n", master);
		if (write_file_atomic(path, text, strlen(text), 0600) < 0) {
			log_err("cannot write %s: %s", path, strerror(errno));
			goto done;
		}
	}
	rc = 0;
done:
	free(path);
	free(text);
	return rc;
}
