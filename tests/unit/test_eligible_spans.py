"""The stored spans' rule: over any days, "serving and one span covers them" is the IPS rule."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from dutyservice.ips.rules import (
    OfficerEvidence,
    ProfileRequirements,
    Span,
    eligible_spans,
    meets_profile,
    merged,
    serving_throughout,
)
from dutyservice.ips.spans import covering

BASE = date(2025, 1, 1)
PROFILE = ProfileRequirements(135, 1, ("BE2", "CD5"), requires_current_ost=True)
NO_OST = ProfileRequirements(136, 1, ("BE2",), requires_current_ost=False)
day = st.integers(0, 60).map(lambda n: BASE + timedelta(days=n))


@st.composite
def span(draw: st.DrawFn) -> Span:
    start = draw(day)
    length = draw(st.one_of(st.none(), st.integers(0, 30)))
    return Span(start, None if length is None else start + timedelta(days=length))


@st.composite
def evidence(draw: st.DrawFn) -> OfficerEvidence:
    joined = draw(day)
    left = draw(st.one_of(st.none(), st.integers(0, 60).map(lambda n: joined + timedelta(days=n))))
    return OfficerEvidence(
        joined,
        left,
        {unit: draw(st.lists(span(), max_size=3)) for unit in ("BE2", "CD5")},
        draw(st.lists(span().filter(lambda s: s.end is not None), max_size=3)),
        draw(st.lists(span(), max_size=3)),
    )


@settings(max_examples=500)
@given(
    held=evidence(),
    profile=st.sampled_from([PROFILE, NO_OST]),
    first=day,
    length=st.integers(0, 20),
)
def test_a_covering_span_while_serving_is_exactly_meeting_the_profile(
    held: OfficerEvidence, profile: ProfileRequirements, first: date, length: int
) -> None:
    last = first + timedelta(days=length)
    spans = eligible_spans(held, profile)
    by_spans = serving_throughout(held, first, last) and any(
        covering(s, first, last) for s in spans
    )
    assert by_spans == meets_profile(held, profile, first, last)


@given(spans=st.lists(span(), max_size=6))
def test_merged_spans_are_disjoint_ordered_and_never_empty(spans: list[Span]) -> None:
    union = merged(spans)
    for before, after in itertools.pairwise(union):
        assert before.end is not None
        assert before.end < after.start
    assert all(s.end is None or s.start < s.end for s in union)


def test_a_unit_revoked_and_re_attained_the_same_day_leaves_no_gap() -> None:
    assert merged([Span(BASE, BASE + timedelta(days=5)), Span(BASE + timedelta(days=5))]) == [
        Span(BASE)
    ]
