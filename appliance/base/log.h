/* log: leveled logging to stderr. Readers' data (paths, queries, circuit ids)
 * is logged only at debug level, which the operator must ask for. */
#ifndef BROADSIDE_LOG_H
#define BROADSIDE_LOG_H

enum log_level { LOG_ERR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Set the most verbose level that is printed (default LOG_INFO). */
void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
/* Parse "error", "warn", "info", "debug"; -1 if unknown. */
int log_level_parse(const char *s);
/* Prefix every line with a timestamp (for long-running serve). */
void log_set_timestamps(int on);

void log_msg(enum log_level lvl, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Log and exit(1): only for start-up failures, never for peer input. */
void fatal_msg(const char *func, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

#define log_err(...)   log_msg(LOG_ERR, __func__, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __func__, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __func__, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __func__, __VA_ARGS__)
#define fatal(...)     fatal_msg(__func__, __VA_ARGS__)

#endif
