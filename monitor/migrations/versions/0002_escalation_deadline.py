"""Escalations store their clock's start and their deadline, decided when they open

Before this revision the deadline was computed on every read as `created_at` plus the
*current* `sla.response_time`, so changing the policy re-judged past escalations (an answer
in 45 minutes became a breach when 60 minutes became 30). From now on each escalation keeps
`clock_started_at` and `deadline` as the policy then in force decided them, and a change of
the policy applies to escalations opened after it.

Backfill: the response time in force when an older escalation opened was never recorded. The
rows get `clock_started_at = created_at` (where their clock always started) and
`deadline = created_at + the response time configured when this migration runs` — the
`sla.response_time` of the config that `replyclock db upgrade` reads, which is what the reports
judged them by until now — or 60 minutes (the default) when the migration runs without a config
(`Store.upgrade_schema()` called with no response time). An operator who changed the policy
after those escalations opened, and wants them judged by the old one, sets the old value in
the config for the one `db upgrade` run.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import context, op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_RESPONSE_TIME = timedelta(minutes=60)


def _response_seconds() -> int:
    configured = context.config.attributes.get("sla_response_time")
    response_time = configured if isinstance(configured, timedelta) else DEFAULT_RESPONSE_TIME
    seconds = response_time.total_seconds()
    if seconds <= 0 or seconds != int(seconds):
        raise ValueError(f"the response time to backfill deadlines with must be whole seconds, got {response_time}")
    return int(seconds)


def _deadline_sql(dialect: str, seconds: int) -> str:
    if dialect == "postgresql":
        return f"created_at + INTERVAL '{seconds} seconds'"
    if dialect == "sqlite":
        # SQLAlchemy keeps SQLite datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC). datetime() would
        # round the fraction away (and 59.9999 s up into the next minute): shift the whole seconds
        # and put the original fraction back.
        return f"datetime(substr(created_at, 1, 19), '+{seconds} seconds') || substr(created_at, 20)"
    raise NotImplementedError(f"no deadline backfill for {dialect}")


def _escalations_0001() -> sa.Table:
    """The escalations table as revision 0001 made it, plus the new columns still nullable.

    SQLite alters a table by copying it; offline (`db upgrade --sql`) it cannot read the table
    to copy, so it is spelt out here, and online too, for one code path.
    """
    return sa.Table(
        "escalations",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mention_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("severity", sa.String(), nullable=True),
        sa.Column("lang", sa.String(), nullable=False),
        sa.Column("reasons", sa.String(), nullable=False),
        sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(), nullable=True),
        sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responded_by", sa.String(), nullable=True),
        sa.Column("response_via", sa.String(), nullable=True),
        sa.Column("breached_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(), nullable=True),
        sa.Column("dismiss_reason", sa.String(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("clock_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["mention_id"], ["mentions.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("mention_id"),
        sa.Index("ix_escalations_is_active", "is_active"),
    )


def upgrade() -> None:
    op.add_column("escalations", sa.Column("clock_started_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("escalations", sa.Column("deadline", sa.DateTime(timezone=True), nullable=True))
    deadline = _deadline_sql(op.get_context().dialect.name, _response_seconds())
    op.execute(f"UPDATE escalations SET clock_started_at = created_at, deadline = {deadline}")  # noqa: S608
    with op.batch_alter_table("escalations", copy_from=_escalations_0001()) as batch:
        batch.alter_column("clock_started_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.alter_column("deadline", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.create_index("ix_escalations_deadline", ["deadline"])


def downgrade() -> None:
    with op.batch_alter_table("escalations") as batch:
        batch.drop_index("ix_escalations_deadline")
        batch.drop_column("deadline")
        batch.drop_column("clock_started_at")
