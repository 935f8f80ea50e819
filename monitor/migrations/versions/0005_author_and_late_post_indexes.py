"""Indexes for an author's history and for posts stored since the last tick

- `mentions (platform, author_id, author)`: each alert shows the author's earlier escalations. They
  are found by the platform's id of the author (display names are neither unique nor stable), or by
  the name for posts without an id; without an index every alert read every mention of the platform.
- `mentions.seen_at`: the posts stored since the last tick. A post that arrives late (the middle
  post of a customer's thread on X) can link an escalation above it to an answer below it, stored
  before; each tick looks up from those few posts instead of reading every mention.

Indexes only: no row changes, and a downgrade drops them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_mentions_platform_author_id_author", "mentions", ["platform", "author_id", "author"])
    op.create_index("ix_mentions_seen_at", "mentions", ["seen_at"])


def downgrade() -> None:
    op.drop_index("ix_mentions_seen_at", table_name="mentions")
    op.drop_index("ix_mentions_platform_author_id_author", table_name="mentions")
