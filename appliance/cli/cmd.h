/* cmd: the subcommands. Each takes the arguments after its name (argv[0] is the
 * command name) and the data directory, and returns the process exit status. */
#ifndef BROADSIDE_CMD_H
#define BROADSIDE_CMD_H

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
/* Fill the document jail's part of o (sandbox mode, pdftotext_path, unrtf_path) from the data
 * dir's config, kept in *conf (the caller frees it after ingest). -1 (printed) on
 * a bad config. */
int cmd_ingest_opts(const char *data, struct ingest_opts *o, struct conf **conf);

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

/* Tell the operator (stderr) what a library run reports: a progress line
 * (progress = 1) replaces the last one on the terminal; other text is
 * printed as it is. The text is already escaped for a terminal. */
void cmd_say(void *arg, int progress, const char *text);

#endif
