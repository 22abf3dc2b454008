"""The optional live fetch: Kolada and Skolverket over HTTP(S), with time-outs, retries and paging.

What is fetched (the settings say what, ``writer.SETTINGS``; nothing is in code but defaults):

- Kolada municipality data for the KPIs (setting ``kpis``; default: every Kolada id in the
  indicator registry plus ``EXTRA_KPIS``), for the own municipality, the country (``0000``)
  and one municipality group (setting ``group_id``; default: Kolada's group whose title starts
  with ``group_title`` and names the own municipality, the newest year of them);
- Kolada unit data (``/oudata``) for every unit's ``kolada_ou_id``;
- Skolverket's school-unit statistics for every unit's ``school_unit_code``.

All responses are read first; only when every page of every request has arrived and parsed
are the rows written, in one transaction (``writer.write_rows``). A failure anywhere —
offline, a time-out after the retries, a server error, a malformed body — raises
``FetchFailed`` or ``ExternalRejected`` and leaves the database as it was.

Offline (no route, no name resolution) fails at the first request without retrying: a
connection error is not something a retry mends within seconds.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

import duckdb
import httpx
import polars as pl

from kompetens.core import store
from kompetens.core.progress import Progress
from kompetens.external.errors import ExternalRejected, FetchFailed
from kompetens.external.parse import (
    Context,
    is_skolverket_json,
    kolada_pages,
    next_page,
    parse_kolada,
    parse_skolverket_json,
)
from kompetens.external.schema import NATIONAL_ID, empty_rows
from kompetens.external.writer import BenchmarkImport, context, read_settings, write_rows

#: Kolada KPIs fetched besides the registry's own ids: the upper-secondary certified share and
#: the share of teachers with a teaching degree (context for the certified share).
EXTRA_KPIS = ("N17826", "N15813")
#: Kolada refuses long year lists and long addresses: at most this many of each per request.
MAX_YEARS_PER_REQUEST = 25
MAX_IDS_PER_REQUEST = 25
#: Skolverket's statistics per school form (``units.school_form``) -> path part.
SKOLVERKET_FORMS = {"grundskola": "gr", "gymnasieskola": "gy"}
SKOLVERKET_ACCEPT = "application/vnd.skolverket.plannededucations.api.v3.hal+json"
_TITLE_YEAR = re.compile(r"(\d{4})\s*$")


def default_kpis() -> list[str]:
    """Every Kolada id the registry records, then ``EXTRA_KPIS``, without repeats."""
    from kompetens.indicators.registry import REGISTRY

    found = [ind.kolada_id for ind in REGISTRY.values() if ind.kolada_id]
    return list(dict.fromkeys([*found, *EXTRA_KPIS]))


@dataclass(frozen=True)
class Plan:
    """What one fetch asks for."""

    municipality: str
    kpis: tuple[str, ...]
    years: tuple[int, ...]
    group_id: str | None
    ou_ids: tuple[str, ...]
    school_units: tuple[tuple[str, str], ...]  # (school_unit_code, form path part)


class Client:
    """One ``httpx.Client`` with the settings' time-out and retries; Swedish errors."""

    def __init__(self, timeout: float, retries: int, transport: httpx.BaseTransport | None = None):
        self.retries = max(0, retries)
        self.http = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)),
            transport=transport,
            follow_redirects=True,
            headers={"User-Agent": "Kompetens (benchmarks)"},
        )
        self.requests = 0
        self.bodies: list[bytes] = []

    def close(self) -> None:
        self.http.close()

    def get_json(self, url: str, *, accept: str = "application/json", missing_ok: bool = False):
        """GET ``url`` and decode JSON; retry time-outs and 5xx; ``None`` for a 404 when ``missing_ok``."""
        attempt = 0
        while True:
            attempt += 1
            self.requests += 1
            try:
                response = self.http.get(url, headers={"Accept": accept})
            except httpx.ConnectError as exc:
                raise FetchFailed(
                    f"Kunde inte nå {httpx.URL(url).host} ({exc}). Finns det en internetförbindelse? "
                    "Inget hämtades och inget ändrades; jämförelsevärdena kan också importeras från fil "
                    "med 'kompetens benchmarks import'."
                ) from None
            except httpx.TimeoutException:
                if attempt <= self.retries:
                    time.sleep(min(0.2 * 2 ** (attempt - 1), 2.0))
                    continue
                raise FetchFailed(
                    f"{url} svarade inte inom tidsgränsen ({attempt} försök). Inget ändrades."
                ) from None
            except httpx.HTTPError as exc:
                raise FetchFailed(f"{url}: {exc}. Inget ändrades.") from None
            if response.status_code >= 500 and attempt <= self.retries:
                time.sleep(min(0.2 * 2 ** (attempt - 1), 2.0))
                continue
            if response.status_code == 404 and missing_ok:
                return None
            if response.status_code != 200:
                raise FetchFailed(
                    f"{url} svarade {response.status_code} ({response.reason_phrase}) efter {attempt} försök. "
                    "Inget ändrades."
                )
            try:
                document = response.json()
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise ExternalRejected(
                    f"{url}: svaret är inte giltig JSON ({exc}); inget ändrades."
                ) from None
            self.bodies.append(response.content)
            return document

    def kolada_all_pages(self, url: str) -> Iterator[dict]:
        """Every page of a Kolada response, following ``next_url`` (v3) / ``next_page`` (v2)."""
        seen: set[str] = set()
        while url:
            if url in seen:
                raise ExternalRejected(f"{url}: Kolada pekar tillbaka på en sida som redan lästs.")
            seen.add(url)
            page = self.get_json(url)
            kolada_pages(page, url)  # the envelope, checked before anything is kept
            yield page
            url = next_page(page)


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _years_text(years: tuple[int, ...]) -> Iterator[str]:
    for chunk in _chunks(sorted(years), MAX_YEARS_PER_REQUEST):
        yield ",".join(str(y) for y in chunk)


def find_group(
    client: Client, base: str, title: str, municipality_name: str
) -> tuple[str, str] | None:
    """Kolada's group titled ``title …, <municipality>, <year>`` with the newest year: (id, title)."""
    url = f"{base}/municipality_groups?{httpx.QueryParams({'title': title})}"
    best: tuple[int, str, str] | None = None
    for page in client.kolada_all_pages(url):
        for group in page["values"]:
            name = str(group.get("title", ""))
            if (
                not name.lower().startswith(title.lower())
                or municipality_name.lower() not in name.lower()
            ):
                continue
            found = _TITLE_YEAR.search(name)
            year = int(found.group(1)) if found else 0
            if best is None or year > best[0]:
                best = (year, str(group.get("id")), name)
    return (best[1], best[2]) if best else None


def make_plan(
    conn: duckdb.DuckDBPyConnection,
    settings: dict[str, str],
    *,
    municipality: str | None,
    years: list[int] | None,
    kpis: list[str] | None,
) -> Plan:
    own = municipality or settings.get("municipality") or ""
    if not (len(own) == 4 and own.isdigit()):
        raise FetchFailed(
            "Ange den egna kommunkoden: 'kompetens benchmarks fetch --municipality 1283' eller "
            "'kompetens benchmarks settings --municipality 1283'."
        )
    chosen = (
        kpis
        or [k.strip() for k in settings.get("kpis", "").split(",") if k.strip()]
        or default_kpis()
    )
    if not years:
        latest = store.scalar(conn, "SELECT max(year(snapshot_date)) FROM current_staff")
        last = int(latest) if latest else time.gmtime().tm_year
        years = list(range(last - 9, last + 1))
    units = store.rows(
        conn,
        "SELECT kolada_ou_id, school_unit_code, school_form FROM current_units ORDER BY unit_id",
    )
    ou_ids = tuple(dict.fromkeys(r[0] for r in units if r[0]))
    schools = tuple(
        dict.fromkeys(
            (r[1], SKOLVERKET_FORMS[r[2]]) for r in units if r[1] and r[2] in SKOLVERKET_FORMS
        )
    )
    return Plan(
        own,
        tuple(chosen),
        tuple(sorted(set(years))),
        settings.get("group_id") or None,
        ou_ids,
        schools,
    )


def fetch_benchmarks(
    conn: duckdb.DuckDBPyConnection,
    *,
    municipality: str | None = None,
    years: list[int] | None = None,
    kpis: list[str] | None = None,
    progress: Progress | None = None,
    transport: httpx.BaseTransport | None = None,
    user: str | None = None,
) -> BenchmarkImport:
    """Fetch every planned value, then write them all as one batch (or nothing)."""
    settings = read_settings(conn)
    plan = make_plan(conn, settings, municipality=municipality, years=years, kpis=kpis)
    kolada = settings["kolada_url"].rstrip("/")
    skolverket = settings["skolverket_url"].rstrip("/")
    client = Client(float(settings["timeout_seconds"]), int(settings["retries"]), transport)
    say = progress or (lambda _fraction, _message: None)
    try:
        ctx = context(conn, f"api: {kolada}")
        names = dict(ctx.names)
        own_name = settings.get("municipality_name") or ""
        if not own_name:
            found = client.get_json(f"{kolada}/municipality/{plan.municipality}")
            values = (found or {}).get("values") or [{}]
            own_name = str(values[0].get("title") or f"Kommun {plan.municipality}")
        names[plan.municipality] = own_name
        group_id = plan.group_id
        if group_id is None:
            say(0.02, "Söker jämförelsegrupp i Kolada …")
            group = find_group(client, kolada, settings["group_title"], own_name)
            if group is not None:
                group_id, names[group[0]] = group
        elif settings.get("group_name"):
            names[group_id] = settings["group_name"]
        ctx = Context(plan.municipality, names, f"api: {kolada}", ctx.fetched_at)
        frames: list[pl.DataFrame] = []
        places = [plan.municipality, NATIONAL_ID, *([group_id] if group_id else [])]
        requests = [
            f"{kolada}/data/kpi/{','.join(kpi_chunk)}/municipality/{','.join(places)}/year/{years_text}"
            for kpi_chunk in _chunks(list(plan.kpis), MAX_IDS_PER_REQUEST)
            for years_text in _years_text(plan.years)
        ]
        requests += [
            f"{kolada}/oudata/kpi/{','.join(kpi_chunk)}/ou/{','.join(ou_chunk)}/year/{years_text}"
            for kpi_chunk in _chunks(list(plan.kpis), MAX_IDS_PER_REQUEST)
            for ou_chunk in _chunks(list(plan.ou_ids), MAX_IDS_PER_REQUEST)
            for years_text in _years_text(plan.years)
        ]
        total = len(requests) + len(plan.school_units)
        for done, url in enumerate(requests):
            say(0.05 + 0.9 * done / max(total, 1), "Hämtar från Kolada …")
            for page in client.kolada_all_pages(url + "?per_page=5000"):
                frames.append(parse_kolada(page, url, ctx))
        wanted = {str(y) for y in plan.years}
        for done, (code, form) in enumerate(plan.school_units, start=len(requests)):
            say(0.05 + 0.9 * done / max(total, 1), "Hämtar från Skolverket …")
            url = f"{skolverket}/school-units/{code}/statistics/{form}"
            document = client.get_json(url, accept=SKOLVERKET_ACCEPT, missing_ok=True)
            if document is None:
                continue  # Skolverket publishes no statistics for the unit (yet)
            if not is_skolverket_json(document):
                raise ExternalRejected(f"{url}: svaret saknar 'body'; inget ändrades.")
            rows = parse_skolverket_json(document, url, ctx, school_unit_code=code)
            frames.append(rows.filter(pl.col("year").cast(pl.String).is_in(wanted)))
        rows = pl.concat(frames) if frames else empty_rows()
        if rows.is_empty():
            raise FetchFailed(
                "Källorna svarade, men utan några värden för de valda åren. Inget ändrades."
            )
        say(0.96, "Sparar …")
        digest = hashlib.sha256(b"\n".join(client.bodies)).hexdigest()
        result = write_rows(
            conn,
            rows,
            file_name=f"hämtning {plan.municipality}",
            sha256=digest,
            how="fetch",
            user=user,
        )
        say(1.0, "Klart.")
        return result
    finally:
        client.close()
