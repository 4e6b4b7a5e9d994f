/* limit_bucket: see limit_bucket.h. */
#include "serve/limit_bucket.h"

void
limit_bucket_init(limit_bucket_t *b, double rate, double burst, double now)
{
	b->rate = rate;
	b->burst = burst < 1 ? 1 : burst;
	b->tokens = b->burst;
	b->last = now;
}

int
limit_bucket_take(limit_bucket_t *b, double now, double n, double *wait)
{
	if (b->rate <= 0)
		return 0;
	if (now > b->last) {
		b->tokens += (now - b->last) * b->rate;
		if (b->tokens > b->burst)
			b->tokens = b->burst;
		b->last = now;
	}
	if (b->tokens >= n) {
		b->tokens -= n;
		return 0;
	}
	if (wait)
		*wait = (n - b->tokens) / b->rate;
	return -1;
}

void
limit_fair_shares(double total, int n, const double *demand, double *share)
{
	double remaining = total;
	int left = n;

	for (int i = 0; i < n; i++)
		share[i] = total <= 0 ? demand[i] : -1;
	if (total <= 0)
		return;
	/* Water-filling: whoever wants less than an equal part gets what it
	 * wants; the rest is split again among the others. */
	while (left > 0) {
		double fair = remaining / left;
		int settled = 0;
		for (int i = 0; i < n; i++)
			if (share[i] < 0 && demand[i] <= fair) {
				share[i] = demand[i];
				remaining -= demand[i];
				left--;
				settled = 1;
			}
		if (!settled) {
			for (int i = 0; i < n; i++)
				if (share[i] < 0)
					share[i] = fair;
			break;
		}
	}
}
