"""The disagreement rule is stated once (commitments.rules) in two forms — a pure function for
one row, SQL for lists and counts — and held here to the same answer at every pair of statuses,
including withdrawn and "not yet reported" (and no assessment at all)."""

import itertools

import pytest

from commitments import rules
from commitments.models import Commitment, Status
from tests.factories import CommitmentFactory

ALL = [*Status.values, ""]  # "" = no independent assessment published


def test_the_scale_is_ordered_once_and_off_scale_statuses_have_no_level():
    assert [rules.level(s) for s in rules.SCALE] == [0, 1, 2, 3]
    assert rules.level(Status.WITHDRAWN) is None
    assert rules.level(Status.NOT_REPORTED) is None
    assert rules.gap(Status.COMPLETE, Status.LIMITED) == -2
    assert rules.gap(Status.LIMITED, Status.WITHDRAWN) is None


EXPECTED = {
    # Differ by at least one level on the scale: disagree.
    (Status.NOT_STARTED, Status.LIMITED): True,
    (Status.COMPLETE, Status.NOT_STARTED): True,
    (Status.SUBSTANTIAL, Status.COMPLETE): True,
    # Same level: agree.
    (Status.LIMITED, Status.LIMITED): False,
    (Status.COMPLETE, Status.COMPLETE): False,
    # Withdrawn agrees only with withdrawn.
    (Status.WITHDRAWN, Status.WITHDRAWN): False,
    (Status.WITHDRAWN, Status.COMPLETE): True,
    (Status.NOT_STARTED, Status.WITHDRAWN): True,
    # Nothing disagrees with no claim.
    (Status.NOT_REPORTED, Status.LIMITED): False,
    (Status.NOT_REPORTED, Status.WITHDRAWN): False,
    (Status.COMPLETE, ""): False,
    (Status.NOT_REPORTED, ""): False,
}


@pytest.mark.parametrize(("government", "independent"), sorted(EXPECTED))
def test_disagreement_on_chosen_pairs(government, independent):
    assert rules.disagrees(government, independent) is EXPECTED[(government, independent)]


@pytest.mark.parametrize(("government", "independent"), list(itertools.product(ALL, ALL)))
def test_the_rule_matches_its_definition_at_every_pair(government, independent):
    """Differ by at least one level; withdrawn equal only to itself; no claim never."""
    expected = (
        government not in ("", Status.NOT_REPORTED)
        and independent not in ("", Status.NOT_REPORTED)
        and government != independent
    )
    assert rules.disagrees(government, independent) is expected
    levels = rules.level(government), rules.level(independent)
    if None not in levels:
        assert expected is (abs(levels[0] - levels[1]) >= 1)


@pytest.mark.django_db
def test_sql_row_and_pure_forms_agree_at_every_pair(state_a):
    """One commitment per pair; the queryset methods select exactly the rows whose instance
    methods (and the pure function) say so."""
    rows = {}
    for government, independent in itertools.product(Status.values, ALL):
        commitment = CommitmentFactory(state=state_a)
        Commitment.objects.filter(pk=commitment.pk).update(
            status=government, independent_status=independent
        )
        rows[commitment.pk] = (government, independent)
    fetched = list(Commitment.objects.filter(pk__in=rows))
    in_sql = set(Commitment.objects.in_disagreement().values_list("pk", flat=True))
    assert in_sql == {c.pk for c in fetched if c.is_in_disagreement}
    assert in_sql == {pk for pk, pair in rows.items() if rules.disagrees(*pair)}
    assessed = set(Commitment.objects.independently_assessed().values_list("pk", flat=True))
    assert assessed == {c.pk for c in fetched if c.is_independently_assessed}
    assert assessed == {pk for pk, (_g, independent) in rows.items() if independent}
