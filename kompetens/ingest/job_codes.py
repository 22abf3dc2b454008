"""Default job codes -> staff category, for exports that carry a code instead of a category.

Grain: one entry per code. Codes are compared as written, after trimming.

Source: SCB, *Standard för svensk yrkesklassificering 2012* (SSYK 2012, MIS 2012:1),
unit groups (four digits) of the school occupations. Municipal HR systems export
SSYK beside their own job codes (AID etiketter, local befattningskoder); those
differ between employers and systems and belong in the municipality's mapping
profile (``profiles.Profile.values["staff_category"]``), which takes precedence
over this table. Check a code against SCB's published classification before
adding it here.
"""

from __future__ import annotations

#: SSYK 2012 unit group -> (staff category, the group's Swedish name).
SSYK_2012: dict[str, tuple[str, str]] = {
    "2320": ("teacher", "Lärare i yrkesämnen"),
    "2330": ("teacher", "Gymnasielärare"),
    "2341": ("teacher", "Grundskollärare"),
    "2342": ("preschool_teacher", "Förskollärare"),
    "2343": ("leisure_teacher", "Lärare i fritidshem"),
    "2351": ("special_educator", "Speciallärare och specialpedagoger m.fl."),
    "5311": ("childminder", "Barnskötare"),
    "5312": ("assistant", "Elevassistenter m.fl."),
}

SOURCE = "SCB, Standard för svensk yrkesklassificering 2012 (SSYK 2012), MIS 2012:1"


def default_job_codes() -> dict[str, str]:
    """Code -> staff category, for the mapping step and for profiles without their own entry."""
    return {code: category for code, (category, _) in SSYK_2012.items()}
