"""Default job codes -> staff category, for exports that carry a code instead of a category.

Grain: one entry per code (an SSYK 2012 unit group, four digits). Codes are
compared as written, after trimming.

Which codes, and from where
---------------------------
Only the SSYK 2012 unit groups of the school occupations that could be checked
against a published list are shipped:

- SCB, *Standard för svensk yrkesklassificering 2012* (SSYK 2012), MIS 2012:1,
  https://www.scb.se/ssyk — the classification itself (four levels; 429 unit
  groups of four digits; used in official statistics from 2014).
- United Nations Statistics Division, *National Classifications: Sweden —
  Standard för svensk yrkesklassificering 2012*,
  https://unstats.un.org/unsd/cr/ctryreg/ctrydetail.asp?id=1248 — SCB's own
  description of the structure, with 5311 (Child care workers, *Barnskötare*)
  as its example of a unit group.
- Arbetsförmedlingen's occupation groups (*yrkesgrupper*, the SSYK 2012 unit
  groups with their Swedish names) for *Pedagogiskt arbete*, as published in its
  job search: 2320 Lärare i yrkesämnen, 2330 Gymnasielärare, 2341
  Grundskollärare, 2342 Fritidspedagoger, 2343 Förskollärare, 2351 Speciallärare
  och specialpedagoger m.fl., 5312 Elevassistenter m.fl. Two independent copies
  of that list agree on every code and name used here.

Checked and left out: school leaders (*rektorer*) have no code of their own in
that list, so ``principal`` is not mapped; 2352 (Studie- och yrkesvägledare)
and 2359 map to no staff category of the contract.

Not shipped, because no published list could be checked: SKR's AID etiketter
(*Arbetsidentifikation kommuner och regioner*, six-digit codes such as 151010;
the etikettlista is a PDF from SKR), the state's BESTA codes (Arbetsgivarverket,
for state employers, not municipalities), and local *befattningskoder*. Those
differ between employers and systems and belong in the municipality's mapping
profile (``profiles.Profile.values["staff_category"]``), which takes precedence
over this table, e.g. ``values = {"staff_category": {"LÄR-GR": "teacher"}}`` for a
local code (the profile's own entry wins over a code of this table).
"""

from __future__ import annotations

#: SSYK 2012 unit group -> (staff category, the group's Swedish name), see the module docstring.
SSYK_2012: dict[str, tuple[str, str]] = {
    "2320": ("teacher", "Lärare i yrkesämnen"),
    "2330": ("teacher", "Gymnasielärare"),
    "2341": ("teacher", "Grundskollärare"),
    "2342": ("leisure_teacher", "Fritidspedagoger"),
    "2343": ("preschool_teacher", "Förskollärare"),
    "2351": ("special_educator", "Speciallärare och specialpedagoger m.fl."),
    "5311": ("childminder", "Barnskötare"),
    "5312": ("assistant", "Elevassistenter m.fl."),
}

SOURCE = "SCB, Standard för svensk yrkesklassificering 2012 (SSYK 2012), MIS 2012:1"


def default_job_codes() -> dict[str, str]:
    """Code -> staff category, for the mapping step and for profiles without their own entry."""
    return {code: category for code, (category, _) in SSYK_2012.items()}
