"""Calendar files (``.ics``, RFC 5545) of the annual wheel's events, for the users' calendars.

Input: a frame of events with the columns ``uid, start, end, summary, detail`` (``start`` and
``end`` dates, inclusive; ``query.annual_wheel.EVENT_SCHEMA`` has them). Every event is a
whole-day event (``DTSTART;VALUE=DATE``, ``DTEND`` the day after the last day, as the
standard has it). The ``UID`` is the frame's, so importing a newer file updates the events
an older one made instead of adding them twice. Text is written as given (Swedish).
"""

from __future__ import annotations

import datetime as dt

import icalendar
import polars as pl

PRODID = "-//Kompetens//Årshjul//SV"


def to_ics(events: pl.DataFrame, *, name: str, stamp: dt.datetime | None = None) -> bytes:
    """The events as one ``VCALENDAR`` (UTF-8 bytes); ``name`` is the calendar's title.

    ``stamp`` (UTC; default now) is every event's ``DTSTAMP``: when the file was made.
    """
    stamp = stamp or dt.datetime.now(dt.UTC)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Stockholm")
    for row in events.iter_rows(named=True):
        event = icalendar.Event()
        event.add("uid", row["uid"])
        event.add("dtstamp", stamp)
        event.add("dtstart", row["start"])
        event.add("dtend", row["end"] + dt.timedelta(days=1))
        event.add("summary", row["summary"])
        if row.get("detail"):
            event.add("description", row["detail"])
        event.add("transp", "TRANSPARENT")  # a reminder, not a meeting: the day stays free
        cal.add_component(event)
    return cal.to_ical()
