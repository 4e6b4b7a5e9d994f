/* cmd: the subcommands. Each takes the arguments after its name (argv[0] is the
 * command name) and the data directory, and returns the process exit status. */
#ifndef BROADSIDE_CMD_H
#define BROADSIDE_CMD_H

#include <stdint.h>

struct cmd {
	const char *name;
	int (*run)(int argc, char **argv, const char *data);
	const char *summary;
};

/* The table main() dispatches on (cmd_table.c); ends with a NULL name. */
extern const struct cmd cmd_table[];

/* Print usage and return 0 if argv holds --help or -h; commands call this first. */
int cmd_wants_help(int argc, char **argv, const char *usage);

struct ingest_opts;
struct conf;
struct cat;
struct cat_collection;
/* Fill the document jail's part of o (sandbox mode, pdftotext_path, unrtf_path, catdoc_path, xls2csv_path) from the data
 * dir's config, kept in *conf (the caller frees it after ingest). -1 (printed) on
 * a bad config. */
int cmd_ingest_opts(const char *data, struct ingest_opts *o, struct conf **conf);

/* Lock the data directory against other changing commands (flock, released
 * when the descriptor is closed, at the latest at exit): what ingest reads
 * must not change under it (a withholding). The descriptor, or -1 (logged). */
int cmd_lock_data(const char *data);

struct cat;
struct cat_collection;
/* Ingest a local collection (refresh), report, re-sign its manifests and
 * release a hold: 0, or -1 (printed). */
int cmd_run_ingest(const char *data, struct cat *c, const struct cat_collection *col, int threads, int quiet,
    int render);

int cmd_init(int argc, char **argv, const char *data);
int cmd_serve(int argc, char **argv, const char *data);
int cmd_add(int argc, char **argv, const char *data);
int cmd_refresh(int argc, char **argv, const char *data);
int cmd_ls(int argc, char **argv, const char *data);
int cmd_rm(int argc, char **argv, const char *data);
int cmd_search(int argc, char **argv, const char *data);
int cmd_address(int argc, char **argv, const char *data);
int cmd_onion_location(int argc, char **argv, const char *data);
int cmd_status(int argc, char **argv, const char *data);
int cmd_backup(int argc, char **argv, const char *data);
int cmd_restore(int argc, char **argv, const char *data);
int cmd_mirror(int argc, char **argv, const char *data);
int cmd_mirrors(int argc, char **argv, const char *data);
int cmd_balance(int argc, char **argv, const char *data);
int cmd_admin(int argc, char **argv, const char *data);
int cmd_withhold(int argc, char **argv, const char *data);
int cmd_unwithhold(int argc, char **argv, const char *data);
int cmd_withheld(int argc, char **argv, const char *data);
int cmd_review(int argc, char **argv, const char *data);
int cmd_torrent(int argc, char **argv, const char *data);

/* Tell the operator (stderr) what a library run reports: a progress line
 * (progress = 1) replaces the last one on the terminal; other text is
 * printed as it is. The text is already escaped for a terminal. */
void cmd_say(void *arg, int progress, const char *text);

/* Write and sign a collection's manifests (and metalink) with every address
 * this site is known at (mirrors_site_addresses). 0 or -1 (logged). */
int cmd_sign_manifests(const char *data, struct cat *c, const struct cat_collection *col);

/* Hash collection col for its torrent (trust/torrent.h) unless the kept hashes
 * still match (or rehash), and print what was done; the caller signs the
 * manifests. piece_len 0: chosen. 0, -1 (printed) or -2: over
 * torrent_max_bytes, refused (printed) and its kept hashes removed. */
int cmd_torrent_make(const char *data, struct cat *c, const struct cat_collection *col, int64_t piece_len,
    int rehash);

#endif
