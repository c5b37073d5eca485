import datetime

from broadcasts.ics import escape_text, fold, session_ics
from broadcasts.models import Session
from tests.broadcasts.conftest import plan_lesson

NOW = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC)


def test_text_escapes_backslash_semicolon_comma_and_line_breaks():
    assert escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_long_lines_are_folded_at_75_octets_without_splitting_a_letter():
    line = "SUMMARY:" + "Ж" * 100

    folded = fold(line)

    pieces = folded.split("\r\n")
    assert all(len(piece.encode("utf-8")) <= 75 for piece in pieces)
    assert all(piece.startswith(" ") for piece in pieces[1:])
    assert "".join(piece[1:] if n else piece for n, piece in enumerate(pieces)) == line


def test_session_file_has_one_event_in_utc_with_crlf_lines(bw):
    session = plan_lesson(
        actor=bw.users["teacher"], college=bw.college, groups=[bw.group], title="Разбор: SQL, индексы; планы"
    )
    Session.objects.filter(pk=session.pk).update(
        starts_at=datetime.datetime(2026, 12, 1, 7, 30, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2026, 12, 1, 8, 15, tzinfo=datetime.UTC),
        description="Первая строка\nвторая",
    )
    session.refresh_from_db()

    text = session_ics(session, page_url="https://college.example/broadcasts/1/", domain="college.example", now=NOW)

    decoded = text.decode("utf-8")
    assert decoded.endswith("\r\n") and "\n" not in decoded.replace("\r\n", "")
    lines = decoded.replace("\r\n ", "").split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    assert f"UID:broadcast-{session.pk}@college.example" in lines
    assert "DTSTAMP:20261130T090000Z" in lines
    assert "DTSTART:20261201T073000Z" in lines
    assert "DTEND:20261201T081500Z" in lines
    assert "SUMMARY:Разбор: SQL\\, индексы\\; планы" in lines
    assert "DESCRIPTION:Первая строка\\nвторая\\n\\nВойти: https://college.example/broadcasts/1/" in lines
    assert "STATUS:CONFIRMED" in lines
    assert session.room_name not in decoded


def test_cancelled_session_file_says_cancelled(bw):
    from broadcasts.services import session_cancel

    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])
    session = session_cancel(actor=bw.users["teacher"], session=session, reason="Болезнь")

    text = session_ics(session, page_url="https://x.example/", domain="x.example").decode()

    assert "STATUS:CANCELLED\r\n" in text
