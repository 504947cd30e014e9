/* The week DP of ``jobs.dispatch.lagrange.WeekDP`` for members without a minutes axis
 * (every member's K is 0: the hour cap is slack or priced): a longest path per member over
 * the member's candidate pairs in start order, with back-pointers. Built by ``make install``
 * (``python -m jobs.dispatch.native``); without it the numpy version runs. */
#include <math.h>
#include <stdint.h>

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

/* One evaluation: F[j] = values[j] + max(0, best compatible earlier F of the member),
 * each member's best week (value[m] = max(0, max F), its pairs marked in chosen). The
 * pairs are in start order; slist holds each member's pairs by settle time (offsets scuts).
 * pos, pool, parg, endp, pred and F are scratch of n_m and n entries. */
void weekdp_run(int64_t n, int64_t n_m, const int64_t *pm, const double *start,
                const double *values, const int64_t *scuts, const int64_t *slist,
                const double *settle, const int64_t *ptr, const int64_t *src, double tol,
                double *F, int64_t *pred, int64_t *pos, double *pool, int64_t *parg,
                int64_t *endp, double *value, uint8_t *chosen)
{
    for (int64_t m = 0; m < n_m; m++) {
        pos[m] = scuts[m];
        pool[m] = 0.0;
        parg[m] = -1;
        endp[m] = -1;
        value[m] = 0.0;
    }
    for (int64_t j = 0; j < n; j++) {
        int64_t m = pm[j];
        double lim = start[j] + tol;
        int64_t p = pos[m], stop = scuts[m + 1];
        while (p < stop && settle[slist[p]] <= lim) {
            int64_t i = slist[p++];
            if (F[i] > pool[m]) {
                pool[m] = F[i];
                parg[m] = i;
            }
        }
        pos[m] = p;
        double best = pool[m];
        int64_t arg = parg[m];
        for (int64_t e = ptr[j]; e < ptr[j + 1]; e++) {
            int64_t i = src[e];
            if (F[i] > best) {
                best = F[i];
                arg = i;
            }
        }
        F[j] = values[j] + best;
        pred[j] = arg;
        chosen[j] = 0;
        if (F[j] > value[m]) {
            value[m] = F[j];
            endp[m] = j;
        }
    }
    for (int64_t m = 0; m < n_m; m++)
        for (int64_t j = endp[m]; j >= 0; j = pred[j])
            chosen[j] = 1;
}
