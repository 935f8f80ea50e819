"""Indexes for a tick whose work does not grow with the history kept

Every second the daemon matches the team's answers to escalations. It used to read every stored
reply and every stored mention for it, so the tick grew without limit as months of history piled
up. From now on it reads what can have changed since the last tick, through these indexes:

- `replies.seen_at`: the replies stored since then;
- `escalations.opened_at`: the escalations opened since then;
- `mentions (platform, in_reply_to)`: the posts replying to an escalated one (a thread's
  follow-ups on Facebook, a customer's chain of posts on X), walked down from the escalation;
- `outbox (status, notifier, next_attempt_at)`: the entries due; on `outbox.notifier` alone
  SQLite read a notifier's whole outbox every tick.

Indexes only: no row changes, and a downgrade drops them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_replies_seen_at", "replies", ["seen_at"])
    op.create_index("ix_escalations_opened_at", "escalations", ["opened_at"])
    op.create_index("ix_mentions_platform_in_reply_to", "mentions", ["platform", "in_reply_to"])
    op.create_index("ix_outbox_due", "outbox", ["status", "notifier", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_due", table_name="outbox")
    op.drop_index("ix_mentions_platform_in_reply_to", table_name="mentions")
    op.drop_index("ix_escalations_opened_at", table_name="escalations")
    op.drop_index("ix_replies_seen_at", table_name="replies")
