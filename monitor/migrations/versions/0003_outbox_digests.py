"""Outbox entries about several escalations; each source's cursor dates its first read

A complaint already past its deadline when replyclock first sees it (on a first start on a
source, or after downtime) is told to the managers in one digest per tick rather than in a
post of its own. The digest is an outbox entry like any other, so it is retried through a
Slack outage and never posted twice, but it belongs to no one escalation: `outbox.escalation_id`
becomes nullable (its payload lists the escalations).

`cursors.first_read_at` says when replyclock first read each source, so the digest can tell a
post from before that (the first read reaching back) from one missed while replyclock was not
running. Backfill: when the source's first stored mention was seen, or, for a source that never
brought one, the cursor's last move.

Downgrade drops the digests (the older code cannot deliver them) and the column.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _outbox_0002(escalation_nullable: bool) -> sa.Table:
    """The outbox table as revision 0001 made it (0002 left it alone).

    SQLite alters a table by copying it; offline (`db upgrade --sql`) it cannot read the table
    to copy, so it is spelt out here, and online too, for one code path.
    """
    return sa.Table(
        "outbox",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notifier", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=escalation_nullable),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("payload", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.String(), nullable=False),
        sa.Column("last_error", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["escalation_id"], ["escalations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("notifier", "key", name="uq_outbox_notifier_key"),
        sa.Index("ix_outbox_escalation_id", "escalation_id"),
        sa.Index("ix_outbox_notifier", "notifier"),
        sa.Index("ix_outbox_status", "status"),
    )


def upgrade() -> None:
    with op.batch_alter_table("outbox", copy_from=_outbox_0002(escalation_nullable=False)) as batch:
        batch.alter_column("escalation_id", existing_type=sa.Integer(), nullable=True)
    op.add_column("cursors", sa.Column("first_read_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE cursors SET first_read_at = COALESCE("
        "(SELECT MIN(mentions.seen_at) FROM mentions WHERE mentions.source = cursors.source), updated_at)"
    )


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE escalation_id IS NULL")
    with op.batch_alter_table("outbox", copy_from=_outbox_0002(escalation_nullable=True)) as batch:
        batch.alter_column("escalation_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("cursors") as batch:
        batch.drop_column("first_read_at")
