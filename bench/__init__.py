"""Benchmarks that print figures (not part of the test run).

Each command runs as `python bench/NAME.py ...` (the README gives them) and ends with one JSON
line; the modules without a command are their parts:

* bench.force: the simulated force whose event history bench/history.py makes (and
  bench/rebuild.py rebuilds the read models from);
* bench.server, bench.clients, bench.breakdown: the HTTP benchmark's parts (bench/api.py);
* bench.wiring: where the benchmarks reach the product's composition root;
* bench.databases: store URLs, connections and scratch PostgreSQL databases;
* bench.machine: what the machine was doing while a benchmark ran (CPU, load, memory).
"""
