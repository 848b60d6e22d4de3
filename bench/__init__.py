"""Benchmarks that print figures (not part of the test run).

Each command runs as `python bench/NAME.py ...` (the README gives them) and ends with one JSON
line; the modules without a command are their parts:

* bench.force: the simulated force whose event history bench/history.py makes (and
  bench/rebuild.py rebuilds the read models from);
* bench.databases: store URLs, connections and scratch PostgreSQL databases.
"""
