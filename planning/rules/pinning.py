"""Pinning and re-planning: pinned published sessions are fixed (their rooms, learners and cost
are constants the other rules subtract); an unpinned published session is kept when a session
of its course runs at the same site on the same dates, otherwise it moved (a penalty each)."""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from planning.rules import CountKey, PlanVars


def add(v: PlanVars) -> dict:
    same_slot: dict[CountKey, list[cp_model.IntVar]] = defaultdict(list)
    dropped = 0  # published sessions whose slot the model cannot use at all
    for s in v.problem.previous:
        if s.pinned:
            continue
        key = ((s.course_code, s.days), (s.venue_kind, s.venue_id), s.starts_on)
        if key in v.n:
            kept = v.model.new_bool_var(f"kept[{s.session_id}]")
            v.kept[s.session_id] = kept
            same_slot[key].append(kept)
        else:
            dropped += 1
    for key, kept_here in same_slot.items():
        v.model.add(sum(kept_here) <= v.n[key])
    moved = dropped + sum(1 - kept for kept in v.kept.values())
    return {"moved": moved}
