"""Benchmark: the live benchmark fetch against a local HTTP server, 110 units x 10 KPIs x 10 years.

``uv run python -m kompetens.benchmarks external_fetch [--units N] [--kpis K] [--years Y]``.

A local ``http.server`` (in a thread) answers every address the fetch builds with generated
responses in Kolada's v3 and Skolverket's shapes: municipality data (own, national, group),
OU data for every unit and one Skolverket statistics response per school unit. It pages at
1,000 values per page (Kolada's own limit is 5,000), so paging is part of what is timed.
The database is in memory: N units with a Kolada OU id and a school-unit code each. The
time covers the whole fetch: every request, parsing, and the one write; the CPU time is the
whole process's (the local server runs in it too). Figures are printed, never asserted.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import polars as pl

from kompetens import wiring
from kompetens.core import store
from kompetens.external.fetch import fetch_benchmarks
from kompetens.external.writer import write_settings

PAGE_SIZE = 1000
_DATA = re.compile(r"^/v3/(data|oudata)/kpi/([^/]+)/(municipality|ou)/([^/]+)/year/([^/?]+)$")
_SCHOOL = re.compile(r"^/sv/v3/school-units/(\d{8})/statistics/(\w+)$")


def _items(kind: str, kpis: list[str], places: list[str], years: list[str]) -> list[dict]:
    key = "ou" if kind == "ou" else "municipality"
    return [
        {
            "kpi": kpi,
            key: place,
            "period": int(year),
            "values": [
                {"count": 1, "gender": g, "status": "", "value": 70.0 + (hash((kpi, place, year, g)) % 200) / 10, "isdeleted": False}
                for g in ("T", "K", "M")
            ],
        }
        for kpi in kpis
        for place in places
        for year in years
    ]  # fmt: skip


class _Handler(BaseHTTPRequestHandler):
    base = ""

    def do_GET(self):  # noqa: N802
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        found = _DATA.match(parts.path)
        school = _SCHOOL.match(parts.path)
        if found:
            _, kpis, kind, places, years = found.groups()
            items = _items(kind, kpis.split(","), places.split(","), years.split(","))
            page = int(query.get("page", ["1"])[0])
            chunk = items[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
            more = page * PAGE_SIZE < len(items)
            body = {
                "count": len(chunk),
                "values": chunk,
                "next_url": f"{self.base}{parts.path}?page={page + 1}&per_page={PAGE_SIZE}"
                if more
                else None,
                "previous_url": None,
            }
        elif school:
            body = {
                "status": "OK",
                "message": "",
                "body": {
                    "certifiedTeachersQuota": [
                        {"value": f"{60 + y % 30},5", "valueType": "EXISTS", "timePeriod": f"{y}/{(y + 1) % 100:02d}"}
                        for y in range(2015, 2025)
                    ],
                    "_links": {"self": {"href": f"{self.base}{parts.path}"}},
                },
            }  # fmt: skip
        else:
            self.send_response(404)
            self.end_headers()
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def _arg(name: str, default: int) -> int:
    args = sys.argv[1:]
    return int(args[args.index(name) + 1]) if name in args else default


def main() -> None:
    units, n_kpis, n_years = _arg("--units", 110), _arg("--kpis", 10), _arg("--years", 10)
    wiring.wire()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    _Handler.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        conn = store.connect(":memory:")
        frame = pl.DataFrame(
            {
                "unit_id": [f"U{i:03d}" for i in range(units)],
                "unit_name": [f"Skola {i}" for i in range(units)],
                "area": ["Område"] * units,
                "school_form": ["grundskola"] * units,
                "kolada_ou_id": [f"V15E1299{i:05d}" for i in range(units)],
                "school_unit_code": [f"{12990000 + i:08d}" for i in range(units)],
            }
        )
        store.append_rows(conn, "units", frame, store.next_batch_id(conn))
        kpis = [f"N{15800 + i:05d}" for i in range(n_kpis)]
        write_settings(
            conn,
            {
                "municipality": "1299",
                "municipality_name": "Demokommun",
                "group_id": "G1299",
                "kpis": ",".join(kpis),
                "kolada_url": f"{_Handler.base}/v3",
                "skolverket_url": f"{_Handler.base}/sv/v3",
            },
        )
        years = list(range(2015, 2015 + n_years))
        load_before = os.getloadavg()
        started, cpu = time.perf_counter(), time.process_time()
        result = fetch_benchmarks(conn, years=years)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        load = os.getloadavg()
        rows = f"{result.rows_written:,}".replace(",", " ")
        print(
            f"fetch {units} units x {n_kpis} KPIs x {n_years} years from a local server: "
            f"{seconds:.2f} s wall, {cpu:.2f} s CPU (this process, the server's threads "
            f"included), {rows} rows written"
        )
        print(
            f"load average before {load_before[0]:.2f}, after {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
        )
        conn.close()
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
