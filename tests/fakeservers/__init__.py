"""Fake X and Graph API servers on 127.0.0.1 for tests that drive the real tweepy and facebook-sdk.

    with FakeXServer() as x:
        x.load_recorded()
        sources = build_x_sources(BEARER_TOKEN, clock, user_id=BRAND_ID, api_base_url=x.url)

Both serve the recorded payloads of ../shared/fixtures (extended with the fields
replyclock asks for) and answer scripted failures queued with `fail_next(...)`.
"""

from tests.fakeservers.base import (
    SHARED_FIXTURES,
    Answer,
    FakeServer,
    Recorded,
    html_error,
    malformed_json,
    no_content_type,
    recorded,
    slow,
)
from tests.fakeservers.graph import (
    PAGE_ID,
    PAGE_NAME,
    PAGE_TOKEN,
    RECORDED_POST,
    FakeGraphServer,
    expired_token,
    graph_error,
    graph_time,
    invalid_cursor,
    recorded_oauth_error,
    throttled,
)
from tests.fakeservers.x import (
    BEARER_TOKEN,
    BRAND_ID,
    BRAND_USERNAME,
    FakeXServer,
    forbidden,
    rate_limited,
    server_error,
    snowflake_id,
    snowflake_time,
    unauthorized,
)

__all__ = [
    "BEARER_TOKEN",
    "BRAND_ID",
    "BRAND_USERNAME",
    "PAGE_ID",
    "PAGE_NAME",
    "PAGE_TOKEN",
    "RECORDED_POST",
    "SHARED_FIXTURES",
    "Answer",
    "FakeGraphServer",
    "FakeServer",
    "FakeXServer",
    "Recorded",
    "expired_token",
    "forbidden",
    "graph_error",
    "graph_time",
    "html_error",
    "invalid_cursor",
    "malformed_json",
    "no_content_type",
    "rate_limited",
    "recorded",
    "recorded_oauth_error",
    "server_error",
    "slow",
    "snowflake_id",
    "snowflake_time",
    "throttled",
    "unauthorized",
]
