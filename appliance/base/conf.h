/* conf: broadside.conf — `key = value` lines, `#` comments. Every key lives in
 * one table in conf.c with its default and documentation; the example file that
 * `init` writes is generated from that table, so no key goes undocumented. */
#ifndef BROADSIDE_CONF_H
#define BROADSIDE_CONF_H

#include <stddef.h>
#include <stdint.h>

/* Callers read fields directly: config is plain data, set once at start-up. */
typedef struct conf {
	/* publisher */
	char *publisher_name;
	char *publisher_statement;
	char *site_language;        /* the reader pages' language ("en") */
	/* logging */
	char *log_level;
	int log_requests;
	/* listeners */
	char *listen;               /* loopback preview, "" = none */
	int allow_public_listen;
	int tor_circuit_ids;        /* PROXY line required on the tor socket */
	/* HTTP limits and timeouts */
	int64_t header_timeout;
	int64_t idle_timeout;
	int64_t write_timeout;
	int64_t max_request_line;
	int64_t max_headers;
	int64_t max_header_bytes;
	int64_t max_ranges;
	int64_t archive_max_files;      /* folder archives (/d/): larger folders get none */
	int64_t archive_max_bytes;
	/* the collections' torrents (trust/torrent.h) */
	char *torrent_web_seeds;       /* space-separated http(s) folders */
	char *torrent_trackers;        /* space-separated, "" = none */
	int64_t torrent_max_bytes;     /* 0 = no bound */
	int torrent_after_ingest;
	int64_t max_connections;
	int64_t search_threads;
	/* limits per tor circuit and under overload (limit.c) */
	int limits;
	int64_t circuit_connections;
	int64_t circuit_pending_heads;
	int64_t circuit_downloads;
	int64_t circuit_requests_per_second;
	int64_t circuit_request_burst;
	int64_t circuit_searches_per_minute;
	int64_t circuit_search_burst;
	int64_t circuit_bandwidth;      /* KiB/s, 0 = no cap */
	int64_t total_bandwidth;        /* KiB/s, 0 = no cap */
	int64_t max_downloads;
	int64_t download_wait;
	int64_t max_searches;
	int64_t circuit_table_size;
	int64_t close_circuit_after;
	int64_t close_circuit_window;
	/* tor */
	int tor;
	char *tor_path;
	int64_t onion_max_streams;
	int onion_pow;
	int onion_intro_dos;
	int tor_sandbox;
	char *tor_group;                /* "" = serve's group */
	int64_t admin_ssh_port;         /* admin onion's port 22 target; 0 = none */
	/* Onionbalance (balance.h) */
	char *onionbalance_path;
	/* the document jail (docjail.h) */
	char *pdftotext_path;
	char *unrtf_path;
	char *catdoc_path;
	char *xls2csv_path;
	char *ocr_languages, *tesseract_path;   /* OCR; pdftoppm_path below too */
	char *pdftoppm_path, *pdfinfo_path;   /* page images (render.h) */
	int64_t render_cache_mb, render_queue;
	int balance_serve_here;
	int balance_testnet;
	/* following mirrored collections (serve/mirror_sched.h); durations in seconds */
	int64_t mirror_interval;        /* 0 = never */
	int64_t mirror_jitter;          /* percent */
	char *mirror_socks;             /* "" = serve's own tor, on tor/socks.sock */
	int64_t mirror_max_manifest_size;
	int64_t mirror_quarantine_max;
	int64_t mirror_deadline;
	int64_t mirror_min_rate;
	int64_t mirror_min_rate_time;
	int64_t mirror_max_removals;
	/* the vanguards addon (vanguards_run.h) */
	int vanguards;
	char *vanguards_path;
	int vanguards_testnet;
	/* self-sandboxing of serve (sandbox.h): SANDBOX_NO / _YES / _REQUIRED */
	int sandbox;
} conf_t;

/* Return a configuration holding every default. */
conf_t *conf_new(void);
void conf_free_(conf_t *c);
#define conf_free(p) do { conf_free_(p); (p) = NULL; } while (0)

/* Read the file at path over the current values. On error write
 * "path:line: what is wrong" into err and return -1. A missing file is an error
 * unless missing_ok. */
int conf_load(conf_t *c, const char *path, int missing_ok, char *err, size_t errlen);

/* Parse a duration: a whole number with an optional unit s, m, h or d, into
 * seconds from min to max. 0 or -1. */
int conf_parse_duration(const char *s, int64_t min, int64_t max, int64_t *out);

/* Set one key from text (command-line overrides use the same checks). */
int conf_set(conf_t *c, const char *key, const char *value, char *err, size_t errlen);

/* Return the commented example file (every key, its meaning, its default). */
char *conf_example(void);

/* Return broadside.conf(5) in roff, from the same key table as the parser
 * and conf_example, so the manual cannot drift from what is accepted. */
char *conf_man(const char *version);

#endif
