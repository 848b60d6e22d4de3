"""The simulated force behind `python bench/history.py`: a realistic event history of N events,
made through the domain, for the benchmarks.

* reference data: the organisation (bench.force.organisation), its course catalogue
  (bench.force.courses) and its estate (bench.force.venues);
* the simulation: the force's planning years, cycle after cycle (bench.force.simulation and
  the parts it names);
* the store: the events saved in large transactions (bench.force.writer), the database and
  its marker for reuse (bench.force.store).
"""
