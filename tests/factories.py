"""factory_boy factories for every model tests need. Reference rows use real codes."""

import datetime

import factory
from django.utils import timezone

from commitments.models import (
    Assessment,
    AssessmentChannel,
    AssessmentReply,
    Commitment,
    Moderation,
    PreventionStep,
    ProgressUpdate,
    Resolution,
    ScrutinyChannel,
    Status,
)
from commitments.services import commitment_refresh_derived, commitment_refresh_independent
from focalpoints.models import (
    FocalPoint,
    MemberState,
    Organisation,
    OrganisationMembership,
    RegionalGroup,
    StateAccess,
    User,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MemberStateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberState
        django_get_or_create = ("code",)

    code = factory.Iterator(["GHA", "DNK", "CRI", "KEN", "MEX", "FIN", "PHL", "BWA"])
    name = factory.LazyAttribute(lambda s: f"State {s.code}")
    kind = MemberState.Kind.MEMBER
    regional_group = RegionalGroup.AFRICAN
    un_member_since = datetime.date(1957, 3, 8)


class FocalPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FocalPoint

    state = factory.SubFactory(MemberStateFactory)
    office = "Ministry of Foreign Affairs"
    title = "Director, Human Rights"
    appointed_on = datetime.date(2019, 1, 15)
    person_name = "Private Person-Name"
    email = "private.contact@ministry.example"
    phone = "+000 555 0100"
    internal_notes = "INTERNAL NOTE: never published"


class StateAccessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StateAccess

    user = factory.SubFactory(UserFactory)
    state = factory.SubFactory(MemberStateFactory)
    role = StateAccess.Role.FOCAL_POINT


class ResolutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resolution

    body = "SC"
    symbol = factory.Sequence(lambda n: f"S/RES/{3000 + n} (2026)")
    adopted_on = datetime.date(2020, 1, 1)
    title = "Protection of civilians (thematic)"


class ScrutinyChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScrutinyChannel
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"channel-{n}")
    name = factory.Sequence(lambda n: f"Test channel {n}")
    level = "national"


class PreventionStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PreventionStep
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n}")
    title = factory.Sequence(lambda n: f"Test step {n}")
    description = "A prevention step used in tests."
    level = "national"
    source_document = "Test document"


class CommitmentFactory(factory.django.DjangoModelFactory):
    """A commitment whose derived fields are computed like the service does."""

    class Meta:
        model = Commitment
        skip_postgeneration_save = True

    state = factory.SubFactory(MemberStateFactory)
    step = factory.SubFactory(PreventionStepFactory)
    title = factory.Sequence(lambda n: f"Commitment {n}")
    description = "What the State pledged."
    source_kind = Commitment.SourceKind.GA_DIALOGUE
    source_description = "Statement at the General Assembly dialogue"
    pledged_on = datetime.date(2024, 1, 10)
    review_interval_days = 180

    @factory.post_generation
    def derive(obj, create, extracted, **kwargs):
        if create:
            commitment_refresh_derived(obj)


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    """Creates the row directly (tests of the service use the service)."""

    class Meta:
        model = ProgressUpdate
        skip_postgeneration_save = True

    commitment = factory.SubFactory(CommitmentFactory)
    reported_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    status = Status.LIMITED
    narrative = "Work began."

    @factory.post_generation
    def derive(obj, create, extracted, **kwargs):
        if create:
            commitment_refresh_derived(obj.commitment)


class OrganisationFactory(factory.django.DjangoModelFactory):
    """An approved international civil-society organisation unless told otherwise."""

    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Assessor organisation {n}")
    kind = Organisation.Kind.CIVIL_SOCIETY
    country = None
    website = "https://assessor.example.org"
    description = "Monitors atrocity-prevention commitments."
    status = Organisation.Status.APPROVED
    approved_at = factory.LazyFunction(timezone.now)
    contact_email = factory.Sequence(lambda n: f"contact{n}@assessor.example.org")

    class Params:
        pending = factory.Trait(status=Organisation.Status.PENDING, approved_at=None)


class OrganisationMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationMembership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class AssessmentFactory(factory.django.DjangoModelFactory):
    """A published assessment by default, with the commitment's independent status derived
    like the service does (``moderation=Moderation.SUBMITTED`` for one awaiting moderation).
    Tests of the services use the services."""

    class Meta:
        model = Assessment
        skip_postgeneration_save = True

    commitment = factory.SubFactory(CommitmentFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    status = Status.LIMITED
    period_start = datetime.date(2024, 1, 1)
    period_end = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    narrative = "Our own findings."
    channel = AssessmentChannel.UPR_SHADOW_REPORT
    moderation = Moderation.PUBLISHED
    published_at = factory.LazyAttribute(
        lambda a: timezone.now() if a.moderation == Moderation.PUBLISHED else None
    )
    rejection_reason = factory.LazyAttribute(
        lambda a: (
            "Not supported by the evidence given." if a.moderation == Moderation.REJECTED else ""
        )
    )

    @factory.post_generation
    def derive(obj, create, extracted, **kwargs):
        if create:
            commitment_refresh_independent(obj.commitment)


class AssessmentReplyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessmentReply

    assessment = factory.SubFactory(AssessmentFactory)
    text = "The State's reply."
