/* cmd_mirror: `broadside mirror URL --publisher-key KEY` — copy a collection
 * from another appliance through tor (mirror.h), verify every byte against the
 * publisher's signed manifest, and serve it here as a mirror: the origin and
 * the pinned key go in the catalogue, and /m/<slug>/ serves the origin's own
 * signed manifests, so readers verify a mirror exactly as they verify the
 * origin. Re-running resumes and fetches only what changed. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalogue/cat.h"
#include "cli/cmd.h"
#include "base/conf.h"
#include "base/datadir.h"
#include "trust/fetch.h"
#include "catalogue/ingest.h"
#include "base/log.h"
#include "trust/manifest.h"
#include "trust/mirror.h"
#include "trust/mirror_install.h"
#include "trust/mirror_state.h"
#include "trust/mirrors.h"
#include "trust/sign.h"
#include "base/util.h"

static const char mirror_usage[] =
    "usage: broadside [--data DIR] mirror URL --publisher-key KEY [--collection SLUG]\n"
    "                 [--socks HOST:PORT|unix:/PATH] [--into FOLDER] [--quiet]\n"
    "                 [--accept-removals] [--max-removals PCT] [--max-manifest-size BYTES]\n"
    "                 [--quarantine-max BYTES] [--deadline SECONDS] [--min-rate BYTES_PER_S]\n"
    "                 [--min-rate-time SECONDS]\n\n"
    "Mirror collection SLUG of the appliance at URL (http://<address>.onion/, or a\n"
    "/c/SLUG/ or /m/SLUG/ address there) through tor's SOCKS port (default\n"
    "127.0.0.1:9050, or unix:/PATH; nothing is fetched any other way). KEY is\n"
    "the publisher's minisign public key (a file, or its base64 line), pinned: a\n"
    "manifest it did not sign stops the mirror. Files go to DIR/mirrors/SLUG (or\n"
    "FOLDER); each one is checked against the signed SHA-256 before it is kept; a\n"
    "mismatch is moved to the .quarantine folder beside it and reported. Interrupt\n"
    "it any time: running it again resumes partial files and fetches only what\n"
    "changed. A new version is installed only once all of it is verified (until\n"
    "then readers get the installed one). The collection is then catalogued and\n"
    "served here as a mirror of URL. The bounds below default to the config's\n"
    "mirror_* keys.\n"
    "Signed manifests older than the installed ones (rollback), of two versions\n"
    "(mix-and-match), or of the installed version with other content are refused.\n"
    "  --accept-removals     accept a version that removes many files (default: at\n"
    "                        most --max-removals PCT of them, 10)\n"
    "  --max-manifest-size   bytes per manifest (default 64 MiB)\n"
    "  --quarantine-max      bytes of mismatching bodies kept (default 64 MiB)\n"
    "  --deadline            stop after SECONDS (default 86400; run again to resume)\n"
    "  --min-rate, --min-rate-time  drop a transfer slower than BYTES_PER_S for\n"
    "                        SECONDS (default 1024 and 120; 0 = no minimum)\n"
    "  --socks none   connect directly: only for an origin on 127.0.0.1 (tests, benchmarks)\n";

static void
show_progress(void *arg, const mirror_progress_t *p, int final)
{
	char done[32], total[32], rate[32], eta[32] = "";
	int64_t ms = now_ms() - p->started_ms;
	double bps = ms > 0 ? (double)p->bytes_done * 1000.0 / (double)ms : 0;

	human_bytes(p->bytes_done, done, sizeof(done));
	human_bytes(p->bytes_total, total, sizeof(total));
	human_bytes((int64_t)bps, rate, sizeof(rate));
	if (bps > 0 && p->bytes_total > p->bytes_done) {
		int64_t s = (int64_t)((double)(p->bytes_total - p->bytes_done) / bps);
		snprintf(eta, sizeof(eta), "  ETA %lldm%02llds", (long long)(s / 60), (long long)(s % 60));
	}
	fprintf(stderr, "\r[%lld/%lld files] %s of %s  %s/s%s    ", (long long)p->files_done,
	    (long long)p->files_total, done, total, rate, eta);
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
}

/* Put the origin's verified manifests (and its key) in <data>/manifests/<slug>. */
static int
install_manifests(const char *data_root, const char *slug, const char *work, const sign_pub_t *pub, int have_list)
{
	static const char *const list_names[] = { "mirrors.txt", "mirrors.txt.minisig" };
	static const char *const names[] = { "index.json", "index.json.minisig", "SHA256SUMS",
		"SHA256SUMS.minisig" };
	char *top = xasprintf("%s/manifests", data_root), *dir = manifest_dir(data_root, slug);
	char *tmp = xasprintf("%s/.%s.new.%ld", top, slug, (long)getpid()), *pubtext = sign_pub_format(pub);
	int rc = -1;

	if (mkdir_p(tmp, 0755) < 0)
		goto done;
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		char *a = xasprintf("%s/%s", work, names[i]), *b = xasprintf("%s/%s", tmp, names[i]);
		int r = rename(a, b);
		free(a);
		free(b);
		if (r < 0)
			goto done;
	}
	{
		char *p = xasprintf("%s/publisher.pub", tmp);
		int r = write_file_atomic(p, pubtext, strlen(pubtext), 0644);
		free(p);
		if (r < 0)
			goto done;
	}
	/* The origin's signed address list: the newly fetched one, else the
	 * installed one is carried over (an origin that stopped publishing it, or
	 * is gone, leaves readers the last list it signed). */
	for (size_t i = 0; i < ARRAY_LEN(list_names); i++) {
		char *a = xasprintf("%s/%s", work, list_names[i]), *b = xasprintf("%s/%s", tmp, list_names[i]);
		char *o = xasprintf("%s/%s", dir, list_names[i]);
		int r = have_list ? rename(a, b) : link(o, b);
		if (r < 0 && !have_list && errno == ENOENT)
			r = 0;
		free(a);
		free(b);
		free(o);
		if (r < 0)
			goto done;
	}
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) < 0 &&
	    (errno != ENOENT || rename(tmp, dir) < 0))
		goto done;
	rc = 0;
done:
	if (rc < 0)
		log_err("cannot install the manifests in %s: %s", dir, strerror(errno));
	/* Either the old set (after the exchange) or a failed new one. */
	for (size_t i = 0; i <= ARRAY_LEN(names); i++) {
		char *p = xasprintf("%s/%s", tmp, i < ARRAY_LEN(names) ? names[i] : "publisher.pub");
		unlink(p);
		free(p);
	}
	for (size_t i = 0; i < ARRAY_LEN(list_names); i++) {
		char *p = xasprintf("%s/%s", tmp, list_names[i]);
		unlink(p);
		free(p);
	}
	rmdir(tmp);
	free(top);
	free(dir);
	free(tmp);
	free(pubtext);
	return rc;
}

static int
run_ingest(const char *data, cat_t *c, int64_t id, const char *root, int quiet)
{
	ingest_opts_t io = { .threads = 0, .progress = !quiet && isatty(2), .quiet = 1, .say = cmd_say };
	ingest_stats_t ist;
	conf_t *conf = NULL;
	int rc = -1;

	if (cmd_ingest_opts(data, &io, &conf) == 0)
		rc = ingest_run(c, id, root, &io, &ist);
	conf_free(conf);
	return rc;
}

int
cmd_mirror(int argc, char **argv, const char *data)
{
	const char *url = NULL, *keyarg = NULL, *slug_arg = NULL, *socks = "127.0.0.1:9050", *into = NULL;
	char *host = NULL, *upath = NULL, *slug = NULL, *dest = NULL, *work = NULL, *quar = NULL;
	char *title = NULL, *desc = NULL, *origin = NULL, *pubtext = NULL, *line = NULL;
	char real[PATH_MAX], err[768];
	int port = 0, quiet = 0, rc = 1, changed = 0;
	sign_pub_t pub;
	datadir_t *d = NULL;
	cat_t *c = NULL;
	cat_collection_t col;
	fetch_t *f = NULL;
	mirror_opts_t o;
	mirror_stats_t st;
	int64_t id = 0, missing = 0;
	/* Bounds on what an origin can make a mirror do: the config's mirror_*
	 * keys (README "Mirroring"), each overridden by its option. */
	int64_t max_manifest, max_removals, quarantine_max, deadline_s, min_rate, min_rate_time;
	int lock_fd = -1, have_list = 0, list_refused = 0, was_installed = 0, record = 0;
	char *installed = NULL, *failure = NULL;
	manifest_version_t seen = { 0, 0 };
	conf_t *conf = conf_new();
	static const struct {
		const char *name;
		int64_t min, max;
	} num_opts[] = {
		{ "--max-manifest-size", 4096, INT64_MAX / 2 }, { "--max-removals", 0, 100 },
		{ "--quarantine-max", 0, INT64_MAX / 2 }, { "--deadline", 1, 365LL * 86400 },
		{ "--min-rate", 0, INT64_MAX / 1000000 }, { "--min-rate-time", 0, 86400 },
	};
	int64_t *num_dst[] = { &max_manifest, &max_removals, &quarantine_max, &deadline_s, &min_rate, &min_rate_time };

	memset(&col, 0, sizeof(col));
	memset(&o, 0, sizeof(o));
	if (cmd_wants_help(argc, argv, mirror_usage)) {
		conf_free(conf);
		return 0;
	}
	{
		datadir_t *cd = datadir_new(data);
		int bad = conf_load(conf, cd->conf, 1, err, sizeof(err));
		datadir_free(cd);
		if (bad < 0) {
			log_err("%s", err);
			conf_free(conf);
			return 2;
		}
	}
	max_manifest = conf->mirror_max_manifest_size;
	max_removals = conf->mirror_max_removals;
	quarantine_max = conf->mirror_quarantine_max;
	deadline_s = conf->mirror_deadline;
	min_rate = conf->mirror_min_rate;
	min_rate_time = conf->mirror_min_rate_time;
	for (int i = 1; i < argc; i++) {
		const char **dst = NULL;
		if (strcmp(argv[i], "--publisher-key") == 0)
			dst = &keyarg;
		else if (strcmp(argv[i], "--collection") == 0)
			dst = &slug_arg;
		else if (strcmp(argv[i], "--socks") == 0)
			dst = &socks;
		else if (strcmp(argv[i], "--into") == 0)
			dst = &into;
		else if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
			quiet = 1;
			continue;
		} else if (strcmp(argv[i], "--accept-removals") == 0) {
			max_removals = 100;
			continue;
		}
		for (size_t k = 0; k < ARRAY_LEN(num_opts) && dst == NULL; k++) {
			if (strcmp(argv[i], num_opts[k].name) != 0)
				continue;
			if (i + 1 >= argc || parse_int64(argv[i + 1], num_opts[k].min, num_opts[k].max, num_dst[k]) < 0) {
				log_err("%s wants a number from %lld to %lld", argv[i], (long long)num_opts[k].min,
				    (long long)num_opts[k].max);
				conf_free(conf);
				return 2;
			}
			i++;
			goto next_arg;
		}
		if (dst == NULL && argv[i][0] != '-' && url == NULL) {
			url = argv[i];
			continue;
		}
		if (dst == NULL || i + 1 >= argc) {
			fputs(mirror_usage, stderr);
			conf_free(conf);
			return 2;
		}
		*dst = argv[++i];
next_arg:;
	}
	if (url == NULL || keyarg == NULL) {
		fputs(mirror_usage, stderr);
		conf_free(conf);
		return 2;
	}
	if (fetch_parse_url(url, &host, &port, &upath) < 0) {
		log_err("%s is not an http:// address", url);
		conf_free(conf);
		return 2;
	}
	if (slug_arg) {
		slug = xstrdup(slug_arg);
	} else if ((strncmp(upath, "/c/", 3) == 0 || strncmp(upath, "/m/", 3) == 0) && upath[3]) {
		slug = xstrndup(upath + 3, strcspn(upath + 3, "/"));
	}
	if (slug == NULL || !cat_slug_valid(slug)) {
		log_err("which collection? give --collection SLUG (or a /c/SLUG/ address)");
		rc = 2;
		goto done;
	}
	if (strcmp(socks, "none") == 0) {
		if (strcmp(host, "127.0.0.1") != 0) {
			log_err("--socks none is only for an origin on 127.0.0.1; everything else goes through tor");
			rc = 2;
			goto done;
		}
		socks = NULL;
	}
	/* The pinned key: a file, or the base64 line itself. */
	{
		size_t n;
		char *text = access(keyarg, F_OK) == 0 ? read_file_small(keyarg, 4096, &n) : NULL;
		int bad = text ? sign_pub_parse(text, n, &pub) : sign_pub_parse(keyarg, strlen(keyarg), &pub);
		free(text);
		if (bad) {
			log_err("--publisher-key: %s is neither a minisign public key file nor a key", keyarg);
			rc = 2;
			goto done;
		}
	}
	umask(022);
	d = datadir_new(data);
	if (datadir_check(d) < 0)
		goto done;
	if ((c = cat_open(d->catalogue, CAT_READWRITE)) == NULL)
		goto done;
	origin = port == 80 ? xasprintf("http://%s/c/%s/", host, slug) : xasprintf("http://%s:%d/c/%s/", host, port, slug);
	pubtext = sign_pub_format(&pub);
	{
		int found = cat_collection_get(c, slug, &col);
		if (found < 0)
			goto done;
		if (found == 0 && col.origin == NULL) {
			log_err("collection '%s' here is a local one; mirror into another slug", slug);
			goto done;
		}
		if (found == 0 && (strcmp(col.origin, origin) != 0 || col.publisher_key == NULL ||
		    strcmp(col.publisher_key, pubtext) != 0)) {
			log_err("collection '%s' already mirrors %s with another key or origin; "
			    "`broadside rm %s` first", slug, col.origin, slug);
			goto done;
		}
		if (found == 0)
			id = col.id;
	}
	dest = into ? xstrdup(into) : xasprintf("%s/mirrors/%s", d->root, slug);
	if (mkdir_p(dest, 0755) < 0 || realpath(dest, real) == NULL) {
		log_err("cannot create %s: %s", dest, strerror(errno));
		goto done;
	}
	if (id && strcmp(col.root, real) != 0) {
		log_err("collection '%s' is mirrored into %s, not %s", slug, col.root, real);
		goto done;
	}
	{
		char *a = xstrdup(real), *b = xstrdup(real);
		work = xasprintf("%s/.%s.partial", dirname(a), basename(b));
		quar = xasprintf("%s.quarantine", real);
		free(a);
		free(b);
	}
	/* One run per collection at a time: two would share partial files and
	 * install manifests over each other. The lock goes with the process. */
	if (mkdir_p(work, 0700) < 0 || (lock_fd = open(work, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		log_err("cannot create %s: %s", work, strerror(errno));
		goto done;
	}
	if (flock(lock_fd, LOCK_EX | LOCK_NB) < 0) {
		log_err("another mirror run of %s is in progress (it holds the lock on %s); not starting a second",
		    slug, work);
		goto done;
	}
	record = 1;     /* from here on, every run's outcome goes to mirror-state/ */
	f = fetch_new(host, port, socks);
	if (f == NULL) {
		log_err("--socks %s is not HOST:PORT or unix:/PATH", socks);
		goto done;
	}
	fetch_set_limits(f, now_ms() + deadline_s * 1000, min_rate, min_rate_time);
	installed = manifest_dir(d->root, slug);
	o.fetch = f;
	o.slug = slug;
	o.dest = real;
	o.work = work;
	o.quarantine = quar;
	o.pub = &pub;
	o.cat = c;
	o.collection_id = id;
	o.installed = installed;
	o.max_manifest = max_manifest;
	o.max_removals_pct = (int)max_removals;
	o.quarantine_max = quarantine_max;
	o.progress = !quiet && isatty(2) ? show_progress : NULL;
	o.say = cmd_say;
	o.seen = &seen;
	was_installed = access(installed, F_OK) == 0;
	if (mirror_fetch_manifests(&o, err, sizeof(err)) < 0) {
		log_err("%s: %s", origin, err);
		failure = xstrdup(err);
		goto done;
	}
	/* The origin's address list rides along; a refused one is reported and
	 * the installed one kept, the files are still mirrored. */
	have_list = mirrors_fetch(f, &pub, work, installed, err, sizeof(err));
	if (have_list < 0) {
		log_err("%s: %s; keeping the installed address list", origin, err);
		failure = xasprintf("%s; keeping the installed address list", err);
		list_refused = 1;
		have_list = 0;
	}
	{
		char *p = xasprintf("%s/index.json", work);
		FILE *ix = fopen(p, "r");
		size_t cap = 0;
		ssize_t n = ix ? getline(&line, &cap, ix) : -1;
		if (ix)
			fclose(ix);
		free(p);
		if (n <= 0 || mirror_index_head(line, (size_t)n, &title, &desc) < 0) {
			log_err("%s: the signed index.json is not one broadside can read", origin);
			goto done;
		}
	}
	if (mirror_sync(&o, &st) < 0)
		goto done;
	/* A version that is not whole stays staged: readers keep the installed
	 * one (a first mirror, with nothing installed, serves what verified). */
	if ((st.quarantined || st.failed) && was_installed) {
		char vs[48];
		manifest_version_t v;
		manifest_dir_version(installed, &v);
		manifest_version_format(&v, vs, sizeof(vs));
		free(failure);
		failure = xasprintf("incomplete: %lld files quarantined, %lld not fetched; keeping version %s "
		    "(what verified is staged; the next run resumes)", (long long)st.quarantined, (long long)st.failed, vs);
		fprintf(stderr, "mirror %s %s\n", slug, failure);
		goto done;
	}
	{
		int64_t put;
		if (mirror_install(&o, &put) < 0)
			goto done;
	}
	/* Register, catalogue, then make the catalogue exactly the signed index. */
	if (id == 0 && (cat_collection_upsert(c, slug, title, desc, real, &id) < 0 ||
	    cat_collection_set_origin(c, id, origin, pubtext) < 0))
		goto done;
	if (id && cat_collection_upsert(c, slug, title, desc, real, &id) < 0)
		goto done;
	o.collection_id = id;
	for (int round = 0; round < 2; round++) {
		if (run_ingest(data, c, id, real, quiet) < 0 || mirror_reconcile(&o, &missing, &changed) < 0)
			goto done;
		if (!changed)
			break;
	}
	if (changed) {
		log_err("%s: files keep changing under %s; not serving it", slug, real);
		cat_collection_hold(c, id, "mirror: files changed during verification");
		goto done;
	}
	if (cat_collection_hold(c, id, NULL) < 0 || install_manifests(d->root, slug, work, &pub, have_list) < 0)
		goto done;
	{
		char got[32], speed[32];
		human_bytes(st.bytes_fetched, got, sizeof(got));
		human_bytes(st.ms > 0 ? st.bytes_fetched * 1000 / st.ms : 0, speed, sizeof(speed));
		manifest_version_t v;
		char vs[48];
		manifest_dir_version(installed, &v);
		manifest_version_format(&v, vs, sizeof(vs));
		printf("mirror %s: %lld files, %lld fetched (%lld resumed), %lld unchanged, %lld quarantined, "
		    "%lld failed, %lld skipped; %s in %.1f s (%s/s); version %s installed\n", slug, (long long)st.files,
		    (long long)st.fetched, (long long)st.resumed, (long long)st.unchanged,
		    (long long)st.quarantined, (long long)st.failed, (long long)st.skipped, got,
		    (double)st.ms / 1000.0, speed, vs);
	}
	if (st.quarantined || st.failed || missing) {
		free(failure);
		failure = xasprintf("incomplete: %lld listed files are not here%s", (long long)missing,
		    st.quarantined ? " (see the quarantine REPORT)" : "");
		fprintf(stderr, "mirror %s is incomplete: %lld listed files are not here%s; what is here is "
		    "verified and served. Run the mirror again to retry.\n", slug, (long long)missing,
		    st.quarantined ? " (see the quarantine REPORT)" : "");
		goto done;
	}
	rc = list_refused;
done:
	if (record) {
		if (rc != 0 && failure == NULL)
			failure = xstrdup(f && fetch_deadline_passed(f) ? "stopped at the deadline (mirror_deadline); "
			    "the next run resumes" : "the run failed (see the log)");
		(void)mirror_state_record(d->root, slug, seen.time ? &seen : NULL, rc == 0 ? NULL : failure);
	}
	free(failure);
	conf_free(conf);
	if (f && fetch_deadline_passed(f))
		fprintf(stderr, "mirror %s stopped: the deadline of %lld s (--deadline) passed; what was fetched and "
		    "verified is kept, run the mirror again to resume\n", slug, (long long)deadline_s);
	/* Manifests are installed by rename on success; whatever is left was refused. */
	if (work) {
		mirror_manifests_clean(work);
		for (int i = 0; i < 2; i++) {
			char *p = xasprintf("%s/mirrors.txt%s", work, i ? ".minisig" : "");
			unlink(p);
			free(p);
		}
	}
	if (lock_fd >= 0)
		close(lock_fd);
	free(installed);
	fetch_free(f);
	cat_collection_clear(&col);
	cat_free(c);
	datadir_free(d);
	free(host);
	free(upath);
	free(slug);
	free(dest);
	free(work);
	free(quar);
	free(title);
	free(desc);
	free(origin);
	free(pubtext);
	free(line);
	return rc;
}
