"""Checklist results: what people told us about a meeting, and how a group's meetings go over time.

Everything is counted by the database, a fixed number of queries whatever the number of answers.
Answers stay anonymous: a "here as" group of fewer than 5 responses is never shown on its own, and
nor is a larger group whose numbers would let the small one be worked out by subtraction.
"""
from dataclasses import dataclass, field

from sqlalchemy import case, func, or_, select

from forms.checklist import COMMENTS, GROUP_LABELS, HERE_AS_GROUPS, NOT_SAID, PAYMENT, SCALE, SCALED

from ..models import ChecklistChannel, ChecklistResponse, Meeting
from ..web.extensions import db
from .decisions import comment_ref

SCALE_VALUES = tuple(int(answer.value) for answer in SCALE)
PAYMENT_VALUES = tuple(answer.value for answer in PAYMENT)
SMALL_GROUP = 5
# Why a "here as" group is not shown on its own.
TOO_FEW = "too_few"            # fewer than SMALL_GROUP responses
PROTECTS_SMALLER = "protects"  # shown, its numbers would give away a smaller group's by subtraction


@dataclass(frozen=True)
class ScaleTally:
    """How many people gave each answer from 1 to 5 to one question, and how many skipped it."""
    counts: tuple[int, ...] = (0, 0, 0, 0, 0)
    skipped: int = 0

    @property
    def answered(self) -> int:
        return sum(self.counts)

    @property
    def average(self) -> float | None:
        """The mean of the answers given (skips left out); None when nobody answered."""
        if not self.answered:
            return None
        return sum(value * n for value, n in zip(SCALE_VALUES, self.counts)) / self.answered

    def __add__(self, other: "ScaleTally") -> "ScaleTally":
        return ScaleTally(tuple(a + b for a, b in zip(self.counts, other.counts)), self.skipped + other.skipped)


@dataclass(frozen=True)
class PaymentTally:
    yes: int = 0
    not_sure: int = 0
    no: int = 0
    skipped: int = 0

    @property
    def answered(self) -> int:
        return self.yes + self.not_sure + self.no

    def counts(self) -> tuple[int, int, int]:
        return self.yes, self.not_sure, self.no

    def __add__(self, other: "PaymentTally") -> "PaymentTally":
        return PaymentTally(self.yes + other.yes, self.not_sure + other.not_sure, self.no + other.no,
                            self.skipped + other.skipped)


def _empty_scales() -> dict[str, ScaleTally]:
    return {q: ScaleTally() for q in SCALED}


@dataclass(frozen=True)
class Tally:
    """The counted answers of a set of responses."""
    count: int = 0
    scales: dict[str, ScaleTally] = field(default_factory=_empty_scales)
    payment: PaymentTally = PaymentTally()

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(self.count + other.count, {q: self.scales[q] + other.scales[q] for q in SCALED},
                     self.payment + other.payment)


@dataclass(frozen=True)
class MeetingResults:
    """One meeting's results, for everyone or for one "here as" group.

    When that group is hidden (`hidden_because` is TOO_FEW or PROTECTS_SMALLER) nothing of it is
    given: count is None, the tallies empty and there are no comments.
    """
    meeting_id: int
    here_as: str | None
    count: int | None
    scales: dict[str, ScaleTally]
    payment: PaymentTally
    comments: dict[str, list[str]]
    hidden_because: str | None = None
    comment_refs: dict[str, list[str]] = field(default_factory=dict)  # beside each comment, its reference

    @property
    def hidden(self) -> bool:
        return self.hidden_because is not None


@dataclass(frozen=True)
class SplitGroup:
    key: str                     # one of HERE_AS_GROUPS
    tally: Tally | None          # None when hidden
    hidden_because: str | None

    @property
    def label(self):
        return GROUP_LABELS[self.key]

    @property
    def hidden(self) -> bool:
        return self.hidden_because is not None


@dataclass(frozen=True)
class Split:
    """Each "here as" group's answers side by side, in HERE_AS_GROUPS order."""
    meeting_id: int
    groups: list[SplitGroup]

    def scale(self, question: str) -> list[tuple[SplitGroup, ScaleTally | None]]:
        return [(g, g.tally.scales[question] if g.tally else None) for g in self.groups]

    def payment(self) -> list[tuple[SplitGroup, PaymentTally | None]]:
        return [(g, g.tally.payment if g.tally else None) for g in self.groups]

    @property
    def any_shown(self) -> bool:
        return any(not g.hidden for g in self.groups)


@dataclass(frozen=True)
class TrendPoint:
    """One meeting of a group: how many answered, the average answer per question, and the share
    of those who answered the payment question who said they were clear about it."""
    meeting: Meeting
    count: int
    averages: dict[str, float | None]
    answered: dict[str, int]
    payment_clear_percent: float | None
    payment_answered: int


def _answer_sums(column, values):
    return [func.sum(case((column == value, 1), else_=0)) for value in values]


def _tally_columns() -> list:
    columns = [func.count(ChecklistResponse.id)]
    for question in SCALED:
        columns += _answer_sums(getattr(ChecklistResponse, question), SCALE_VALUES)
    columns += _answer_sums(ChecklistResponse.payment_clear, PAYMENT_VALUES)
    return columns


def _tally_from(values) -> Tally:
    values = [int(v or 0) for v in values]
    count, rest = values[0], values[1:]
    scales = {}
    for question in SCALED:
        counts, rest = tuple(rest[:5]), rest[5:]
        scales[question] = ScaleTally(counts, count - sum(counts))
    yes, not_sure, no = rest[:3]
    return Tally(count, scales, PaymentTally(yes, not_sure, no, count - yes - not_sure - no))


def _group_key(here_as: str | None) -> str:
    return here_as if here_as in HERE_AS_GROUPS and here_as != NOT_SAID else NOT_SAID


def _tallies_by_group(meeting_id: int) -> dict[str, Tally]:
    """One query: every "here as" group's tally (an empty Tally for a group nobody chose)."""
    rows = db.session.execute(select(ChecklistResponse.here_as, *_tally_columns())
                              .where(ChecklistResponse.meeting_id == meeting_id)
                              .group_by(ChecklistResponse.here_as)).all()
    tallies = {key: Tally() for key in HERE_AS_GROUPS}
    for here_as, *values in rows:
        key = _group_key(here_as)
        tallies[key] = tallies[key] + _tally_from(values)
    return tallies


def hidden_groups(counts: dict, order=HERE_AS_GROUPS) -> dict:
    """Which groups may not be shown on their own, and why.

    A group of fewer than SMALL_GROUP is hidden. If the hidden groups then hold 1 to 4 responses
    between them, the total minus the shown groups would give those few people's answers away, so
    the smallest shown group is hidden as well, until that cannot happen. `order` breaks ties between
    groups of the same size (the "here as" groups by default; any keys, such as ChecklistChannel).
    """
    order = tuple(order)
    hidden = {key: TOO_FEW for key, n in counts.items() if n < SMALL_GROUP}
    shown = sorted((n, order.index(key), key) for key, n in counts.items() if key not in hidden)
    while shown and 0 < sum(counts[key] for key in hidden) < SMALL_GROUP:
        hidden[shown.pop(0)[2]] = PROTECTS_SMALLER
    return hidden


def _comments(meeting_id: int, here_as: str | None) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """One query: each comment field's texts, and beside each text its opaque reference (decisions.comment_ref,
    for "Make this an action"). Comments are sorted by their text, not by when they were given, so their order
    says nothing about who wrote them or which comments came from the same person."""
    query = select(*(getattr(ChecklistResponse, name) for name in COMMENTS), ChecklistResponse.id) \
        .where(ChecklistResponse.meeting_id == meeting_id,
               or_(*(getattr(ChecklistResponse, name) != "" for name in COMMENTS)))
    if here_as == NOT_SAID:
        query = query.where(or_(ChecklistResponse.here_as.is_(None),
                                ChecklistResponse.here_as.not_in(HERE_AS_GROUPS[:-1])))
    elif here_as is not None:
        query = query.where(ChecklistResponse.here_as == here_as)
    found: dict[str, list[tuple[str, str, int]]] = {name: [] for name in COMMENTS}
    for row in db.session.execute(query.order_by(ChecklistResponse.id)):
        for name, text in zip(COMMENTS, row):
            text = (text or "").strip()
            if text:
                found[name].append((text.casefold(), text, row[-1]))
    ordered = {name: sorted(items) for name, items in found.items()}
    return ({name: [text for _, text, _ in items] for name, items in ordered.items()},
            {name: [comment_ref(meeting_id, response_id, name) for _, _, response_id in items]
             for name, items in ordered.items()})


def meeting_results(meeting_id: int, here_as: str | None = None) -> MeetingResults:
    """A meeting's results for everyone (here_as None) or one of HERE_AS_GROUPS. Two queries."""
    if here_as is not None and here_as not in HERE_AS_GROUPS:
        raise ValueError(f"unknown here_as group {here_as!r}")
    tallies = _tallies_by_group(meeting_id)
    if here_as is None:
        tally = sum(tallies.values(), Tally())
    else:
        reason = hidden_groups({key: t.count for key, t in tallies.items()}).get(here_as)
        if reason:
            return MeetingResults(meeting_id, here_as, None, _empty_scales(), PaymentTally(),
                                  {name: [] for name in COMMENTS}, reason)
        tally = tallies[here_as]
    comments, refs = _comments(meeting_id, here_as)
    return MeetingResults(meeting_id, here_as, tally.count, tally.scales, tally.payment, comments,
                          comment_refs=refs)


def split_by_here_as(meeting_id: int) -> Split:
    """Each "here as" group's answers, with the small groups (and any that would reveal them) hidden.
    One query."""
    tallies = _tallies_by_group(meeting_id)
    hidden = hidden_groups({key: t.count for key, t in tallies.items()})
    return Split(meeting_id, [SplitGroup(key, None if key in hidden else tallies[key], hidden.get(key))
                              for key in HERE_AS_GROUPS])


def group_trend(group_id: int, limit: int = 12) -> list[TrendPoint]:
    """The group's last `limit` meetings that have any answers, oldest first. One query."""
    columns = [func.count(ChecklistResponse.id)]
    for question in SCALED:
        column = getattr(ChecklistResponse, question)
        columns += [func.sum(column), func.count(column)]
    columns += [func.sum(case((ChecklistResponse.payment_clear == "yes", 1), else_=0)),
                func.sum(case((ChecklistResponse.payment_clear.in_(PAYMENT_VALUES), 1), else_=0))]
    rows = db.session.execute(
        select(Meeting, *columns).join(ChecklistResponse, ChecklistResponse.meeting_id == Meeting.id)
        .where(Meeting.group_id == group_id).group_by(Meeting.id)
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(limit)).all()
    points = []
    for meeting, count, *values in reversed(rows):
        values = [int(v or 0) for v in values]
        averages, answered = {}, {}
        for question in SCALED:
            total, n, values = values[0], values[1], values[2:]
            averages[question] = total / n if n else None
            answered[question] = n
        yes, payment_answered = values
        points.append(TrendPoint(meeting, int(count), averages, answered,
                                 100 * yes / payment_answered if payment_answered else None, payment_answered))
    return points


@dataclass(frozen=True)
class ChannelCount:
    """How many responses arrived one way (the door tablet, a personal link, the meeting's link, paper).
    `count` is None when hidden (fewer than 5, or it would give a smaller one away by subtraction)."""
    channel: ChecklistChannel
    count: int | None
    hidden_because: str | None = None

    @property
    def label(self):
        return self.channel.label

    @property
    def hidden(self) -> bool:
        return self.hidden_because is not None


def channel_split(counts: dict[ChecklistChannel, int]) -> list[ChannelCount]:
    """Every channel in ChecklistChannel order, with the small-number rule of hidden_groups. A way nobody used
    is "fewer than 5" too: were it shown as 0, a single small way could be worked out from the total."""
    counts = {channel: counts.get(channel, 0) for channel in ChecklistChannel}
    hidden = hidden_groups(counts, order=list(ChecklistChannel))
    return [ChannelCount(channel, None if channel in hidden else counts[channel], hidden.get(channel))
            for channel in ChecklistChannel]


def _channel_counts(*where) -> dict[ChecklistChannel, int]:
    rows = db.session.execute(select(ChecklistResponse.channel, func.count(ChecklistResponse.id))
                              .where(*where).group_by(ChecklistResponse.channel)).all()
    return {channel: int(n) for channel, n in rows}


def meeting_channels(meeting_id: int) -> list[ChannelCount]:
    """How a meeting's responses arrived, small numbers hidden. One query."""
    return channel_split(_channel_counts(ChecklistResponse.meeting_id == meeting_id))


def group_channels(group_id: int) -> list[ChannelCount]:
    """How the responses for all of a group's meetings arrived, small numbers hidden. One query."""
    return channel_split(_channel_counts(ChecklistResponse.meeting_id.in_(
        select(Meeting.id).where(Meeting.group_id == group_id).scalar_subquery())))
