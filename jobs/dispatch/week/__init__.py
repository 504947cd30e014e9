"""The parts of the exact week of one member (``jobs.dispatch.stapel``): the candidates
as arrays, the minutes DP, the label search and the exact fallback."""
