/* limit_bucket: the arithmetic under the limiter, with an explicit clock so
 * tests can move time by hand: token buckets (a rate and a burst; a request
 * takes a token) and max-min fair sharing of a bandwidth cap. */
#ifndef BROADSIDE_LIMIT_BUCKET_H
#define BROADSIDE_LIMIT_BUCKET_H

/* A token bucket with an explicit clock (seconds). rate 0 = unlimited. */
typedef struct limit_bucket {
	double tokens, rate, burst, last;
} limit_bucket_t;
void limit_bucket_init(limit_bucket_t *b, double rate, double burst, double now);
/* Take n tokens: 0, or -1 and *wait = seconds until n are there. */
int limit_bucket_take(limit_bucket_t *b, double now, double n, double *wait);
/* Max-min fair shares of total among n demands (INFINITY = wants all;
 * total <= 0 = unlimited, everyone gets their demand). */
void limit_fair_shares(double total, int n, const double *demand, double *share);

#endif
