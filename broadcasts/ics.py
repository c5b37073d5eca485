"""One session as an iCalendar file (RFC 5545), written out by hand: a single VEVENT needs a few lines.

Text values escape backslash, semicolon, comma and line breaks (§3.3.11);
lines end in CRLF and are folded at 75 octets without splitting a UTF-8
character (§3.1); times are in UTC.
"""

import datetime

from django.utils import timezone

from broadcasts.models import Session

PRODID = "-//Sferum Admin//Videosvyaz//RU"
LINE_OCTETS = 75


def escape_text(value: str) -> str:
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """A content line cut into pieces of at most 75 octets, each continuation starting with a space."""
    pieces, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        limit = LINE_OCTETS if not pieces else LINE_OCTETS - 1
        if size + width > limit:
            pieces.append(current)
            current, size = "", 0
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def _utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def session_ics(session: Session, *, page_url: str, domain: str, now: datetime.datetime | None = None) -> bytes:
    """The calendar file of ``session``; ``page_url`` (the session's page) is where one joins."""
    now = now or timezone.now()
    description = session.description
    description = f"{description}\n\nВойти: {page_url}" if description else f"Войти: {page_url}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:broadcast-{session.pk}@{domain}",
        f"DTSTAMP:{_utc(now)}",
        f"DTSTART:{_utc(session.starts_at)}",
        f"DTEND:{_utc(session.ends_at)}",
        f"SUMMARY:{escape_text(session.title)}",
        f"DESCRIPTION:{escape_text(description)}",
        f"URL:{page_url}",
        f"STATUS:{'CANCELLED' if session.status == Session.Status.CANCELLED else 'CONFIRMED'}",
        # Later changes (a new time, a cancellation) replace the earlier copy in the person's calendar.
        f"SEQUENCE:{int(session.updated_at.timestamp())}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
