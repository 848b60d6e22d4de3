"""The course catalogue: about 50 national and force courses, and the new legislation and
technology courses in the years they were rolled out. Each course says which kinds of unit need
it and what share of their people (officers, staff or all) in a year."""

from __future__ import annotations

from dataclasses import dataclass

from bench.force.organisation import FIRST_CYCLE, everyone, officers


@dataclass(frozen=True)
class Course:
    """A course in the catalogue; `kinds` gives, per kind of unit, the share of the unit's
    `who` (officers, staff or all) that needs it in a year."""

    code: str
    title: str
    days: float
    size: tuple[int, int]
    trainers: int
    features: tuple[str, ...]
    mode: str
    level: str
    score: int
    who: str
    kinds: dict[str, float]
    basis: str | None = None
    trigger: str = "continuing commitment"
    since: int = FIRST_CYCLE
    until: int = 9999


C = Course
# fmt: off
COURSES = (
    C("GP05", "Officer safety training refresher", 2, (12, 16), 2, ("gym", "mats"), "practical",
      "Mandated", 95, "officers", officers(0.9),
      "Health and Safety at Work Act 1974 s.7; officer safety policy", "new legislation"),
    C("OT232", "Emergency life support (first aid) refresher", 1, (12, 20), 1, ("classroom",),
      "practical", "Mandated", 90, "all", {**officers(0.33), "support": 0.1, "staff": 0.05},
      "Health and Safety (First-Aid) Regulations 1981"),
    C("FA1", "Firearms requalification", 2, (6, 12), 2, ("range",), "practical", "Mandated", 92,
      "officers", {"protection": 0.6, "ct": 0.3, "tsg": 0.2},
      "Authorised firearms officer policy (ACPO manual of guidance)"),
    C("FA2", "Firearms tactics refresher", 1, (6, 12), 2, ("classroom", "range"), "practical",
      "Mandated", 88, "officers", {"protection": 0.4, "ct": 0.2},
      "ACPO manual of guidance on the police use of firearms"),
    C("CU10", "Custody: detention and PACE Code C", 2, (8, 16), 1, ("classroom", "custody-suite"),
      "classroom", "Mandated", 85, "all", {"custody": 0.6},
      "Police and Criminal Evidence Act 1984, Code C"),
    C("HS01", "Health and safety for line managers", 1, (10, 20), 1, ("classroom",),
      "classroom", "Mandated", 70, "all", {**officers(0.03), "support": 0.05, "staff": 0.04},
      "Management of Health and Safety at Work Regulations 1999"),
    C("MH01", "Manual handling", 0.5, (8, 20), 1, ("classroom",), "practical", "Mandated", 60,
      "staff", {"support": 0.15, "staff": 0.1, "custody": 0.2},
      "Manual Handling Operations Regulations 1992"),
    C("PO2", "Public order level 2 refresher", 2, (20, 30), 3, ("public-order-arena",),
      "practical", "Essential", 80, "officers",
      {"response": 0.2, "neighbourhood": 0.1, "tsg": 0.3}),
    C("TS01", "Public order level 1 refresher", 5, (20, 30), 3, ("public-order-arena",),
      "practical", "Essential", 82, "officers", {"tsg": 0.5, "public_order": 0.4}),
    C("DT77", "Response driving course", 10, (6, 8), 2, ("classroom", "driving-track"),
      "practical", "Essential", 70, "officers", {"response": 0.02, "traffic": 0.05},
      trigger="audit finding"),
    C("DT12", "Standard driving refresher", 3, (4, 8), 1, ("driving-track",), "practical",
      "Essential", 60, "officers", {"response": 0.03, "neighbourhood": 0.02, "cid": 0.02}),
    C("DT30", "Advanced pursuit driving", 15, (4, 6), 2, ("driving-track",), "practical",
      "Essential", 72, "officers", {"traffic": 0.03}),
    C("DET1", "Initial detective development", 10, (12, 24), 2, ("classroom",), "classroom",
      "Essential", 75, "officers", {"cid": 0.08, "detective": 0.05}, trigger="new role"),
    C("DET2", "Advanced investigative interviewing", 5, (8, 12), 2, ("classroom",), "classroom",
      "Essential", 70, "officers", {"cid": 0.04, "detective": 0.06}),
    C("DET3", "Serious crime investigation", 5, (12, 20), 1, ("classroom", "projector"),
      "classroom", "Essential", 68, "officers", {"detective": 0.08}),
    C("CT01", "Counter-terrorism awareness (common theme)", 1, (12, 26), 1,
      ("classroom", "projector"), "blended", "Desirable", 60, "all", everyone(0.06),
      trigger="emerging performance issue"),
    C("CT05", "Search officer", 5, (8, 16), 2, ("classroom",), "practical", "Essential", 66,
      "officers", {"ct": 0.15, "tsg": 0.1}),
    C("IT12", "Custody system (NSPIS) user training", 1, (8, 20), 1, ("it-suite",), "classroom",
      "Desirable", 55, "all", {"custody": 0.4, "response": 0.05}, trigger="technology change"),
    C("IT20", "Crime reporting (CRIS) user training", 1, (8, 20), 1, ("it-suite",), "classroom",
      "Desirable", 50, "all",
      {"response": 0.08, "cid": 0.08, "neighbourhood": 0.1, "support": 0.05}),
    C("IT30", "Airwave radio conversion", 0.5, (10, 20), 1, ("classroom",), "classroom",
      "Essential", 62, "officers", officers(0.25), trigger="technology change", since=2004,
      until=2007),
    C("IT40", "Office systems for police staff", 1, (8, 16), 1, ("it-suite",), "classroom",
      "Optional", 35, "staff", {"staff": 0.08, "support": 0.05, "ccc": 0.03}),
    C("HR07", "Diversity and citizen focus", 1, (12, 26), 1, ("classroom",), "classroom",
      "Essential", 65, "all", everyone(0.1), trigger="policy change"),
    C("HR15", "Leadership for support-staff managers", 3, (10, 20), 1, ("classroom", "projector"),
      "classroom", "Optional", 40, "staff", {"staff": 0.03, "support": 0.02, "ccc": 0.02}),
    C("HR20", "Recruitment and selection panels", 1, (8, 16), 1, ("classroom",), "classroom",
      "Desirable", 45, "all", {"staff": 0.02, "support": 0.02, "cid": 0.01, "response": 0.01}),
    C("LD01", "Sergeants' leadership programme", 5, (12, 20), 1, ("classroom", "projector"),
      "classroom", "Essential", 64, "officers", officers(0.025)),
    C("LD02", "Inspectors' leadership programme", 5, (12, 20), 1, ("classroom", "projector"),
      "classroom", "Essential", 62, "officers", officers(0.01, but=("neighbourhood",))),
    C("LD10", "Core leadership for police staff", 2, (12, 20), 1, ("classroom",), "classroom",
      "Desirable", 48, "staff", {"staff": 0.03, "support": 0.03, "ccc": 0.02}),
    C("NB01", "Neighbourhood policing: problem solving", 2, (12, 24), 1, ("classroom",),
      "classroom", "Essential", 67, "all", {"neighbourhood": 0.5}, trigger="policy change"),
    C("NB05", "Community engagement and ward panels", 1, (12, 24), 1, ("classroom",),
      "classroom", "Desirable", 52, "all", {"neighbourhood": 0.4}),
    C("DV01", "Domestic violence risk assessment", 1, (12, 26), 1, ("classroom",), "classroom",
      "Essential", 74, "officers", {"response": 0.2, "neighbourhood": 0.2, "cid": 0.15},
      trigger="audit finding"),
    C("CH01", "Child protection awareness", 1, (12, 26), 1, ("classroom",), "classroom",
      "Essential", 70, "all",
      {"response": 0.1, "neighbourhood": 0.15, "detective": 0.05, "cid": 0.1}),
    C("EV01", "Evidence gathering and statement taking", 2, (12, 20), 1, ("classroom",),
      "classroom", "Desirable", 55, "officers", {"response": 0.08, "neighbourhood": 0.1}),
    C("MR01", "Marine unit boat handling", 5, (4, 8), 2, ("water",), "practical", "Essential",
      70, "officers", {"marine": 0.3}),
    C("DG01", "General purpose dog handler refresher", 5, (4, 8), 1, ("dog-kennels",),
      "practical", "Essential", 70, "officers", {"dogs": 0.3}),
    C("MT01", "Mounted branch equitation refresher", 10, (4, 8), 2, ("stables",), "practical",
      "Essential", 68, "officers", {"mounted": 0.3}),
    C("AS01", "Air support observer refresher", 5, (4, 6), 1, ("classroom", "it-suite"),
      "classroom", "Essential", 66, "officers", {"air": 0.4}),
    C("CC01", "Call handling (CAD) initial course", 3, (8, 16), 1, ("it-suite",), "classroom",
      "Essential", 68, "staff", {"ccc": 0.15}),
    C("CC05", "Emergency call handling refresher", 1, (8, 16), 1, ("it-suite",), "classroom",
      "Desirable", 55, "staff", {"ccc": 0.25}),
    C("PR01", "Protection officer course", 10, (8, 12), 2, ("classroom", "range"), "practical",
      "Essential", 74, "officers", {"protection": 0.04}),
    C("FS01", "Forensic awareness for crime scene managers", 3, (8, 16), 1,
      ("classroom", "projector"), "classroom", "Desirable", 50, "all",
      {"detective": 0.04, "cid": 0.03, "support": 0.02}),
    C("IN01", "Intelligence analysis", 5, (8, 16), 1, ("it-suite",), "classroom", "Desirable",
      52, "all", {"detective": 0.03, "ct": 0.05, "staff": 0.01}),
    C("TR01", "Trainer development", 5, (6, 12), 1, ("classroom", "projector"), "classroom",
      "Optional", 38, "all", {"staff": 0.01, "tsg": 0.01, "response": 0.005}),
    # New legislation and technology, in the years they were rolled out.
    C("LE01", "Police Reform Act 2002: designated powers", 0.5, (12, 26), 1, ("classroom",),
      "classroom", "Mandated", 80, "all", {"neighbourhood": 0.5, "custody": 0.2},
      "Police Reform Act 2002, Schedule 4 (designated powers)", "new legislation", 2003, 2005),
    C("LE02", "Sexual Offences Act 2003", 1, (12, 26), 1, ("classroom",), "classroom",
      "Essential", 76, "officers", {"cid": 0.3, "detective": 0.2, "response": 0.1},
      trigger="new legislation", since=2004, until=2006),
    C("LE03", "SOCPA 2005: powers of arrest", 0.5, (12, 26), 1, ("classroom",), "classroom",
      "Mandated", 78, "officers", officers(0.3),
      "Serious Organised Crime and Police Act 2005, s.110", "new legislation", 2005, 2007),
    C("LE04", "Mental Capacity Act 2005 awareness", 0.5, (12, 26), 1, ("classroom",),
      "classroom", "Essential", 66, "all", {"custody": 0.3, "response": 0.1},
      trigger="new legislation", since=2007, until=2009),
    C("LE05", "Equality Act 2010: public sector equality duty", 0.5, (12, 26), 1,
      ("classroom",), "blended", "Mandated", 72, "all", everyone(0.2),
      "Equality Act 2010, s.149", "new legislation", 2010, 2012),
    C("LE06", "Protection of Freedoms Act 2012", 0.5, (12, 26), 1, ("classroom",), "classroom",
      "Essential", 64, "officers", {"custody": 0.3, "cid": 0.2, "response": 0.1},
      trigger="new legislation", since=2012, until=2014),
    C("BW01", "Body-worn video user training", 0.5, (8, 16), 1, ("classroom",), "practical",
      "Essential", 63, "officers", {"response": 0.5, "neighbourhood": 0.3, "tsg": 0.3},
      trigger="technology change", since=2014, until=2017),
    C("LE07", "Policing and Crime Act 2017: pre-charge bail", 0.5, (12, 26), 1, ("classroom",),
      "classroom", "Essential", 66, "officers", {"cid": 0.3, "custody": 0.4, "response": 0.1},
      trigger="new legislation", since=2017, until=2019),
    C("DP01", "Data protection (GDPR and DPA 2018)", 0.5, (12, 26), 1, ("it-suite",),
      "e-learning", "Mandated", 70, "all", everyone(0.25), "Data Protection Act 2018",
      "new legislation", 2018, 2020),
)
# fmt: on
COURSE = {course.code: course for course in COURSES}
