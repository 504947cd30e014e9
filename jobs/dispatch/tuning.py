"""The dispatch optimiser's knobs, in one place (read as ``T.NAME`` at run time, so a
benchmark can override them: ``bench/dispatch_component.py --set NAME=VALUE``).

What each knob does is said next to it; ``docs/dispatch.md`` explains the method.
"""

from __future__ import annotations

SMALL_COMPONENT = 2_500  # pairs: HiGHS closes these quickly
SMALL_LAGRANGE = 0.3  # of a small component's time, first, for the prices
SMALL_LAGRANGE_MAX = 0.1  # seconds, at most
LAGRANGE_SHARE = 0.85  # of a component's budget; the rest goes to re-planning
SIZE_POWER = 1.0
AVERAGE = 0.1  # weight of the newest priced weeks in their running average
# Share of the Lagrangian phase's time, at most, for LP-guided rounding (the rest: the
# repaired priced weeks). With the faster week DP a rounding costs about as much as an
# evaluation and gains far more than a repair, so every iteration rounds.
PRIMAL_SHARE = 1.0
SAFETY = 0.95  # share of the time limit planned for work (the rest: set-up and output)
MARGIN = 0.15  # seconds, at least, kept for collecting the parts' answers and the output
# Below this time limit an idle worker does not start HiGHS on the largest component:
# HiGHS needs seconds of root-node work before it helps, and building its model on a
# large component alone can overrun a short limit.
IDLE_HIGHS_SECONDS = 10.0
# Nor on a component this large: HiGHS's model alone takes a minute to build and its
# root node longer (the 10k "utrecht" component has 331,000 pairs); a second run with
# another seed does better there. On fairness-heavy 2k (36,574 pairs, 20 s) HiGHS's
# answer stayed at 6.67 M where the prices reach 6.94 M: a second run instead raised
# the better of two from Q 0.9968 to 0.9971, 0.9978 with the capped members' exact weeks
# (below). At 1k (12,000 to 25,000 pairs) with 10 s, HiGHS still does better than a
# second run.
IDLE_HIGHS_MAX_PAIRS = 30_000
# Neighbourhood search (``Neighbourhoods``): components with at least LNS_MIN_BUDGET
# seconds spend what is left after re-planning re-solving LNS_SIZE members at once with
# HiGHS, at most LNS_LIMIT seconds each.
LNS_MIN_BUDGET = 3.0
LNS_MIN_SECONDS_PER_PAIR = 5e-4  # 1k and 10k get 1-2 ms per pair, 100k about 0.2 ms
# When neighbourhood search follows, the prices get LNS_LAGRANGE_SHARE of the budget, but
# at least LNS_LAGRANGE_SECONDS (or LNS_LAGRANGE_MAX_SHARE of the budget, if less): on the
# largest 10k component the rounding stops improving and the bound moves by 0.002 % after
# about 20-30 s, while the neighbourhood search still gains.
LNS_LAGRANGE_SHARE = 0.2
LNS_LAGRANGE_SECONDS = 10.0
LNS_LAGRANGE_MAX_SHARE = 0.5
LNS_SIZE = 20
LNS_LIMIT = 0.5
HIGHS_LNS_SHARE = 0.3  # of HiGHS's time on a large component, for neighbourhood search
# Re-planning by rounds of all members' best responses at once (``polish``), also on
# each rounding that beats the roundings before it.
FAST_POLISH = True
POLISH_SHARE = 0.25  # of the time so far, at most, for polishing roundings
GUIDED = 1.0  # share of neighbourhoods seeded where the duality gap is (else at random)
# Restricted master (``master.py``): the weeks met so far are combined by HiGHS. Without
# neighbourhood search the prices get MASTER_LAGRANGE_SHARE of the budget first (they
# generate the columns); each master run gets at most MASTER_SHARE of the budget, its LP
# at most MASTER_LP_SHARE of that, on each member's MASTER_COLUMNS best weeks under the
# prices. During neighbourhood search the master runs again, on all the weeks, every
# MASTER_EVERY of the budget for at most MASTER_AGAIN_SHARE of it.
# Once the master's dives re-solved within their time again (``master._dive``), the
# master and re-planning ended well before the budget at 1k (1 s) and the rest went to
# prices nothing used; 0.6 instead of 0.5, five runs per family side by side, twice:
# fairness-heavy 0.9980 -> 0.9991, night 0.9986 -> 0.9990, school-hours 0.9969 ->
# 0.9975, utrecht 0.9987 -> 0.9991; clustered, commitment-heavy and team-heavy within
# 0.0003 either way (0.55 and 0.65 within the noise of 0.6; 0.75 lost everywhere).
MASTER = True
MASTER_LAGRANGE_SHARE = 0.6
MASTER_SHARE = 0.45
MASTER_LP_SHARE = 0.5
MASTER_COLUMNS = 10
MASTER_EVERY = 0.2
MASTER_AGAIN_SHARE = 0.05
# The master's MILP runs on the LP's support, the incumbent's and the dives' columns,
# and with a budget of MASTER_NEAR_MIN_BUDGET seconds or more also each member's
# MASTER_NEAR columns of highest reduced cost in the LP (``master.best_of_each``): on
# fairness-heavy 2k the support's MILP sometimes stayed 0.2-0.5 % below its LP. Side by
# side, 20 s, three trials, ten runs each: 0.9978 -> 0.9980, lowest run 0.9963 ->
# 0.9979 (3 columns: within the noise of 2; a table of five runs after it: 0.9966 to
# 0.9984, so the low tail is rarer, not gone). In the regional masters (10k) nothing
# (fairness-heavy 0.9948 both; their MILP mostly equals their LP), and at 1k the MILP
# has no time for more columns.
MASTER_NEAR = 2
MASTER_NEAR_MIN_BUDGET = 5.0
MASTER_MAX_PAIRS = 100_000  # larger components get it by regions (below), or not at all
# The master by regions (``search.regional_masters``) on components above MASTER_MAX_PAIRS
# with at least REGION_MIN_BUDGET seconds and REGION_MIN_SECONDS_PER_PAIR: the prices
# (alone, see ROUND_WITH_REGIONS) get REGION_LAGRANGE_SHARE of the budget, then regions
# of REGION_MEMBERS members, at most REGION_LIMIT seconds each, until REGION_END_SHARE of
# it; re-planning follows. While the prices still rounded in every iteration, regions
# lost at 100k (690.3 M -> 663.5 M). With the prices alone, three 120 s runs of utrecht
# 100k (about 0.05 ms a pair, components of 400,000 pairs) gave 693.8-702.9 M against
# 696.8 M without regions: no gain beyond the noise, and the run nearest the promise
# ended 0.4 s inside it; so 100k keeps the prices with roundings. The 10k components
# get 0.097 ms a pair (school-hours, 568,000 pairs: 0.985 -> 0.992 with regions) to
# 0.17 ms.
REGIONS = True
REGION_MIN_BUDGET = 10.0
REGION_MIN_SECONDS_PER_PAIR = 7e-5
REGION_MEMBERS = 200
REGION_LIMIT = 1.0
REGION_LAGRANGE_SHARE = 0.5
# The regions end at REGION_END_SHARE of the budget, and at least REGION_RESERVE of it
# before its end (for re-planning, about 1 s at 10k). With 0.85 and 0.1 the last 6 s of
# 10k fairness-heavy went back to prices whose weeks nothing used (re-planning found
# nothing after them); 0.93 and 0.05, side by side, 60 s, two trials of two runs:
# fairness-heavy 0.9941 -> 0.9945 and 0.9940 -> 0.9946 (every pair won), utrecht
# 0.9951 -> 0.9952.
REGION_END_SHARE = 0.93
REGION_RESERVE = 0.05
# Columns a pool keeps at most (``master.ColumnPool.trim``: the oldest go first). Every
# evaluation of the prices adds up to one column per member: the 10k "utrecht" component
# gathers about 240,000 in a 60 s run; a 100k component with a long limit would gather
# millions (about 250 bytes each, per worker).
POOL_MAX_COLUMNS = 600_000
# With the master, the prices do not round in every iteration, only in the last one
# before the master: the master combines their weeks far better than rounding does, and
# without the roundings twice as many iterations give it more and better weeks.
ROUND_WITH_MASTER = False
# Nor before the master by regions: with a rounding and its polish in every iteration
# (about 0.5 s each on the 10k components) the prices got 47 evaluations in 27 s and
# their bound stayed 10 % above the optimum on fairness-heavy; alone they get about 400,
# and the regions better weeks to choose from (10k, 60 s: fairness-heavy 0.979 -> 0.986,
# utrecht 0.991 -> 0.993).
ROUND_WITH_REGIONS = False
# The exact table's cells when the regions follow: with the prices alone a larger table
# pays (10k, 60 s, without roundings: fairness-heavy 0.986 -> 0.991, utrecht
# 0.993 -> 0.995, school-hours 0.984 -> 0.986; 2e7 cells gave 0.989 and 0.993, 5e7 0.983
# and 0.991). Elsewhere EXACT_CELLS stays: 1e7 cells gained nothing on 2k fairness-heavy
# at 20 s and lost 0.4 % at 100k, where the prices are far from converged.
REGION_EXACT_CELLS = 1e7
# The column pool keeps no week over its member's caps, and a short budget prices most
# members' hours linearly (EXACT_CELLS_PER_SECOND), so many priced weeks broke a cap and
# were lost: the pool's best LP sat 0.5 % below the bound on a 1k component. Each priced
# week now goes in cut back within its caps (``Relaxation.feasible_weeks``; 1k, 1 s, two
# runs per family: mean Q 0.9959 -> 0.9970). And the last EXACT_SWITCH_SHARE of the
# prices before the master runs with every member exact, from the best prices so far
# (``Relaxation.exact``), if that table has at most EXACT_SWITCH_CELLS cells: the master
# then combines exact weeks near the best prices (0.9970 -> 0.9985; a share of 0.3 gave
# 0.9983, 0.7 and 0.85 0.9977). Fairness-heavy 2k needs 4.5e6 cells (22 ms an
# evaluation, 11 ms with 2e6): with the switch up to 1e7 cells, 20 s, two runs each,
# 0.9944 -> 0.9961 (its pool's LP rose from 0.47 % to 0.30 % below the bound).
TRIM_COLUMNS = True
EXACT_SWITCH_SHARE = 0.5
# An idle worker's second run on the largest component (``solve._pack``) keeps its prices
# before the master linear: a hedge against an exact table that costs too much for the
# time (1k, 1 s, one other core busy, side by side: school-hours 0.9900 -> 0.9970 over
# four runs, the first run alone fell to 0.987-0.988 in three; the other six families
# 0.99904 -> 0.99906, within the noise). On an idle machine it costs night and
# fairness-heavy about 0.0007-0.001 (two exact runs beat one) and still gains
# school-hours 0.9899 -> 0.9960 (docs/dispatch.md, step 15).
AGAIN_SWITCH_SHARE = 0.0
# With a budget of CAPPED_MIN_BUDGET seconds or more, a run spends up to CAPPED_SHARE of
# it (the idle worker's second run AGAIN_CAPPED_SHARE), before the master, on the exact
# weeks of the members whose earnings cap binds (``search.capped_weeks``), each search
# stopped after CAPPED_LABELS labels; the second run then keeps the default switch to
# exact prices. Fairness-heavy 2k, 20 s, three runs each side by side: the second run
# with them 0.9978 against 0.9971 without; in another trial both runs with them 0.9981
# against the second run alone 0.9975 (docs/dispatch.md, step 16). About 2.5 s there for
# 48 members; shorter budgets cannot spare it.
AGAIN_CAPPED_SHARE = 0.25
CAPPED_SHARE = 0.25
CAPPED_MIN_BUDGET = 5.0
CAPPED_LABELS = 10_000
# The same before the regional masters (a component priced by regions, 10k), where the
# regions need their time: fairness-heavy 10k, 60 s, three runs each, side by side:
# none 0.9942, 0.1 in both runs 0.9946, 0.25 in the second run alone 0.9942 (0.25 in both,
# two runs: 0.9937; all 256 capped members took 10.5 s).
REGION_CAPPED_SHARE = 0.1
AGAIN_REGION_CAPPED_SHARE = 0.1
EXACT_SWITCH_CELLS = 1e7
# Below this much time left after the greedy, nothing else starts.
MIN_WORK = 0.02
# With this much time left after the greedy, HiGHS is imported (about 0.05 s: the models
# are built with numpy alone, ``matrix.py``); with less, the prices and re-planning work
# alone.
HEAVY_SECONDS = 0.2
# Labels of stapel's exact search for one member's re-planning, at most (on the 1k
# "utrecht" instance one member's exact week took 3.4 s), and no more than the time left
# allows at this rate (about 10 µs a label).
PLANNER_LABELS = 20_000
PLANNER_LABELS_PER_SECOND = 1e5
# Cells (pairs x minutes units) of the week DP's table kept exact, at most; beyond, the
# members with the widest minutes axes have their hour cap and fairness term priced
# instead (``lagrange.WeekDP``, "linear" members).
EXACT_CELLS = 2e6
# Cells of that table per second of a component's budget: on the 1k family instances
# (12,000-25,000 pairs, quarter-hour durations) under 1 s every member is then linear. With
# the numpy DP an exact table of 2 M cells let the prices evaluate twice in 0.6 s; with
# the compiled one (``native/``, 6-9 ms an evaluation of 2 M cells, 0.4-1 ms linear)
# 0 to 1 M cells a second gave the same Q at 1 s within the noise, 4 M was worse.
EXACT_CELLS_PER_SECOND = 2e5
# Seed offset of a second run on the largest component by an idle worker (``_pack``).
AGAIN_SEED = 7919
