"""The bundled sample feed as a regression set: every complaint escalates, nothing calm does.

The feed (monitor/samples/shop_feed.jsonl) was written as a realistic shop's day; these ids are
its customer complaints (with sarcasm and follow-ups) and its calm posts (praise, questions,
neutral posts, sarcastic praise, happy emoji). Angry emoji-only posts are left to judgement.
"""

from __future__ import annotations

import json

import pytest

from monitor.replay import SAMPLE_FEED
from sentiment.factory import build_analyzer
from sentiment.settings import SentimentSettings

COMPLAINTS = [
    "1859000000000001548",
    "1859000000000001985",
    "1859000000000003253",
    "1859000000000004144",
    "1859000000000005035",
    "1859000000000005292",
    "1859000000000005686",
    "1859000000000006440",
    "1859000000000006971",
    "1859000000000007288",
    "1859000000000007725",
    "1859000000000007982",
    "1859000000000008436",
    "1859000000000008753",
    "1859000000000009584",
    "1859000000000009821",
    "1859000000000010218",
    "1859000000000010415",
    "1859000000000010809",
    "1859000000000011006",
    "819400000000022_911000000000477",
    "819400000000022_911000000000795",
    "819400000000022_911000000001007",
    "819650000000017_911000000000318",
    "819650000000017_911000000000424",
    "819650000000017_911000000000530",
    "819650000000017_911000000000636",
    "819650000000017_911000000000848",
    "819650000000017_911000000001060",
    "819650000000017_911000000001272",
    "819650000000017_911000000001378",
]
CALM = [
    "1859000000000000237",
    "1859000000000000494",
    "1859000000000001231",
    "1859000000000002242",
    "1859000000000002756",
    "1859000000000003390",
    "1859000000000003887",
    "1859000000000004401",
    "1859000000000004778",
    "1859000000000005943",
    "1859000000000008239",
    "1859000000000011203",
    "1859000000000011597",
    "1859000000000011794",
    "1859000000000012248",
    "1859000000000012505",
    "1859000000000012899",
    "1859000000000013156",
    "1859000000000013550",
    "819400000000022_911000000000053",
    "819400000000022_911000000000371",
    "819400000000022_911000000000583",
    "819400000000022_911000000000689",
    "819400000000022_911000000001113",
    "819400000000022_911000000001219",
    "819400000000022_911000000001537",
    "819650000000017_911000000000954",
    "819650000000017_911000000001166",
    "820000000000001_911000000000159",
    "820000000000001_911000000000265",
    "820000000000001_911000000000742",
    "820000000000001_911000000001590",
]


@pytest.fixture(scope="module", params=["embedded", "embedded-e5"])
def verdicts(request):
    items = [json.loads(line) for line in SAMPLE_FEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    analyzer = build_analyzer(SentimentSettings(model=request.param))
    scores = analyzer.analyze([i["text"] for i in items], [i.get("lang") for i in items])
    return {i["id"]: (i["text"], s) for i, s in zip(items, scores, strict=True)}


def test_every_complaint_in_the_sample_feed_escalates(verdicts) -> None:
    missed = [verdicts[i][0] for i in COMPLAINTS if not verdicts[i][1].complaint]
    assert not missed, missed


def test_no_calm_post_in_the_sample_feed_escalates(verdicts) -> None:
    alarms = [(verdicts[i][0], verdicts[i][1].reasons) for i in CALM if verdicts[i][1].complaint]
    assert not alarms, alarms
