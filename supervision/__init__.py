"""The city's picture: dashboard, statistics, league tables and assessment, satisfaction, clue linking.

It reads the other packages' tables and writes none of them (its own tables only); it sits on the
right of routing in the dependency order, beside agencies.
"""
