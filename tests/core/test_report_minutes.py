"""The report table and its summary write minutes the way the SLA counts them: never rounded up to the deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alerts.report import render_table, report_records, summary_lines
from monitor.models import Escalation, SlaPolicy

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
S = timedelta(seconds=1)
M = timedelta(minutes=1)


def esc(ident: int, **kw: object) -> Escalation:
    return Escalation(
        id=ident,
        mention_id=ident,
        platform="x",
        external_id=str(ident),
        author="@k",
        text="parcel never arrived",
        lang="en",
        created_at=T0,
        opened_at=T0,
        clock_started_at=T0,
        deadline=T0 + 60 * M,
        **kw,  # type: ignore[arg-type]
    )


def test_an_answer_at_59_min_54_s_is_not_summarised_as_60_min() -> None:
    records = report_records([esc(1, first_response_at=T0 + 59 * M + 54 * S)], SlaPolicy(), T0 + 2 * 60 * M)
    assert records[0]["outcome"] == "responded" and records[0]["response_minutes"] == 59.9
    assert summary_lines(records)[-1] == "response time: median 59 min, slowest 59 min"
    assert " 59 min " in render_table(records).splitlines()[2]


def test_an_unanswered_breach_under_a_minute_old_does_not_read_zero_minutes_late() -> None:
    records = report_records([esc(1), esc(2)], SlaPolicy(), T0 + 60 * M + 20 * S)
    table = render_table(records).splitlines()
    assert all(r["outcome"] == "breached" for r in records)
    assert "+0 late" not in "\n".join(table)
    assert "+<1 late" in table[2]
    later = render_table(report_records([esc(1)], SlaPolicy(), T0 + 60 * M + 75 * S)).splitlines()
    assert "+1 late" in later[2]
