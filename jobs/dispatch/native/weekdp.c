/* The week DP of ``jobs.dispatch.lagrange.WeekDP`` (all members' best weeks under per-pair
 * values, with each member's minutes axis) as a loop over the pairs in start order, with
 * back-pointers. Built by ``make install`` (``python -m jobs.dispatch.native``); without it
 * the numpy version runs, which gives the same values. */
#include <math.h>
#include <stdint.h>

#ifndef WEEKDP_SOURCE
#define WEEKDP_SOURCE "unknown"
#endif

/* The digest of the source this library was built from (the loader compares it). */
const char *weekdp_source(void) { return WEEKDP_SOURCE; }

/* For each pair j, the earlier pairs i of the same member that are compatible with j
 * (end_i + travel <= start_j, within tol) but not yet settled at j's start (settle_i >
 * start_j + tol; the settled ones are in the member's pool). With src == NULL only
 * counts them into count[j]; otherwise writes them to src[ptr[j]...]. Returns the total. */
int64_t weekdp_edges(int64_t n_m, const int64_t *cuts, const int64_t *by_member,
                     const double *start, const double *end, const double *x, const double *y,
                     const double *settle, double mpk, double tol, int64_t *count,
                     const int64_t *ptr, int64_t *src)
{
    int64_t total = 0;
    for (int64_t m = 0; m < n_m; m++) {
        for (int64_t a = cuts[m]; a < cuts[m + 1]; a++) {
            int64_t j = by_member[a], c = 0;
            double lim = start[j] + tol;
            for (int64_t b = cuts[m]; b < a; b++) {
                int64_t i = by_member[b];
                if (settle[i] <= lim || end[i] > lim)
                    continue;
                if (end[i] + hypot(x[i] - x[j], y[i] - y[j]) * mpk <= lim) {
                    if (src)
                        src[ptr[j] + c] = i;
                    c++;
                }
            }
            count[j] = c;
            total += c;
        }
    }
    return total;
}

/* One evaluation. Each pair j has K+1 cells (K = its member's minutes axis, ragged:
 * cells of j start at coff[j], a member's pool at moff[m]): F[j][k] is the best week ending
 * with j that has k units of minutes (for a member with sat, k = K means "K or more"),
 * values[j] plus the best compatible earlier entry of the member k - units[j] below (the
 * pool of settled pairs, then the edges). Back-pointers (pi, pk) replace a trace. The
 * member's best week maximises F + bonus[k] (the empty week: 0); value[m] is that
 * maximum, its pairs are marked in chosen. Scratch: pool/parg (pool cells), pos (n_m),
 * prev/prev_arg (the widest axis + 1). */
void weekdp_run(int64_t n, int64_t n_m, const int64_t *pm, const int64_t *units,
                const int64_t *K, const uint8_t *sat, const int64_t *coff, const int64_t *moff,
                const double *bonus, const double *start, const double *values,
                const int64_t *scuts, const int64_t *slist, const double *settle,
                const int64_t *ptr, const int64_t *src, double tol, double *F, int64_t *pi,
                int32_t *pk, double *pool, int64_t *parg, int64_t *pos, double *prev,
                int64_t *prev_arg, double *value, uint8_t *chosen)
{
    for (int64_t m = 0; m < n_m; m++) {
        pos[m] = scuts[m];
        for (int64_t k = 0; k <= K[m]; k++) {
            pool[moff[m] + k] = k ? -INFINITY : 0.0;
            parg[moff[m] + k] = -1;
        }
    }
    for (int64_t j = 0; j < n; j++) {
        int64_t m = pm[j], Km = K[m];
        double *pl = pool + moff[m];
        int64_t *pa = parg + moff[m];
        double lim = start[j] + tol;
        int64_t p = pos[m], stop = scuts[m + 1];
        while (p < stop && settle[slist[p]] <= lim) {
            int64_t i = slist[p++];
            const double *Fi = F + coff[i];
            for (int64_t k = 0; k <= Km; k++)
                if (Fi[k] > pl[k]) {
                    pl[k] = Fi[k];
                    pa[k] = i;
                }
        }
        pos[m] = p;
        for (int64_t k = 0; k <= Km; k++) {
            prev[k] = pl[k];
            prev_arg[k] = pa[k];
        }
        for (int64_t e = ptr[j]; e < ptr[j + 1]; e++) {
            int64_t i = src[e];
            const double *Fi = F + coff[i];
            for (int64_t k = 0; k <= Km; k++)
                if (Fi[k] > prev[k]) {
                    prev[k] = Fi[k];
                    prev_arg[k] = i;
                }
        }
        int64_t d = units[j], c = coff[j];
        double v = values[j];
        for (int64_t k = 0; k <= Km; k++) {
            int64_t from = k - d;
            if (sat[m] && k == Km) {
                from = Km - d < 0 ? 0 : Km - d;
                for (int64_t kk = from + 1; kk <= Km; kk++)
                    if (prev[kk] > prev[from])
                        from = kk;
            }
            if (from < 0) {
                F[c + k] = -INFINITY;
                pi[c + k] = -1;
                pk[c + k] = 0;
            } else {
                F[c + k] = v + prev[from];
                pi[c + k] = prev_arg[from];
                pk[c + k] = (int32_t)from;
            }
        }
        chosen[j] = 0;
    }
    /* Each member's best: the empty week (0), or a pair's entry plus the bonus. */
    for (int64_t m = 0; m < n_m; m++)
        value[m] = 0.0, pos[m] = -1;
    int64_t *best_k = parg; /* the pools are no longer needed: n_m <= pool cells */
    for (int64_t j = 0; j < n; j++) {
        int64_t m = pm[j];
        const double *b = bonus + moff[m];
        for (int64_t k = 0; k <= K[m]; k++) {
            double s = F[coff[j] + k] + b[k];
            if (s > value[m]) {
                value[m] = s;
                pos[m] = j;
                best_k[m] = k;
            }
        }
    }
    for (int64_t m = 0; m < n_m; m++) {
        int64_t j = pos[m];
        if (j < 0)
            continue; /* the empty week */
        int64_t k = best_k[m];
        while (j >= 0) {
            chosen[j] = 1;
            int64_t i = pi[coff[j] + k];
            k = pk[coff[j] + k];
            j = i;
        }
    }
}
