"""One error body for every API failure, mapped in one place.

Every error response is ``{"status": int, "code": str, "detail": str, "errors": {field: [str]}}``
— ``errors`` is empty unless the request had field errors. Django's own ``ValidationError`` and
``PermissionDenied`` (raised by the domain services that the web forms also call) and ``Http404``
are mapped here, so a service's message reaches an API client exactly as a form would show it.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler as drf_exception_handler

NON_FIELD = "non_field_errors"


class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx response (documented in the schema for every operation)."""

    status = serializers.IntegerField(help_text="The HTTP status code, repeated.")
    code = serializers.CharField(
        help_text="A stable machine-readable code, e.g. `invalid`, `not_found`, `throttled`."
    )
    detail = serializers.CharField(help_text="A human-readable summary.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field name -> messages, for `invalid` requests; `non_field_errors` for the "
        "request as a whole. Empty otherwise.",
    )


def _django_validation_to_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        detail = {
            (NON_FIELD if field == "__all__" else field): messages
            for field, messages in exc.message_dict.items()
        }
    else:
        detail = {NON_FIELD: exc.messages}
    return exceptions.ValidationError(detail)


def _flatten(detail) -> dict[str, list[str]]:
    """DRF's nested error detail -> {"field": [...], "field.sub": [...]}."""
    flat: dict[str, list[str]] = {}

    def walk(value, prefix):
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(sub, f"{prefix}.{key}" if prefix else str(key))
        elif isinstance(value, list):
            if all(not isinstance(item, dict | list) for item in value):
                flat.setdefault(prefix or NON_FIELD, []).extend(str(item) for item in value)
            else:
                for index, item in enumerate(value):
                    walk(item, f"{prefix}.{index}" if prefix else str(index))
        else:
            flat.setdefault(prefix or NON_FIELD, []).append(str(value))

    walk(detail, "")
    return flat


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = _django_validation_to_drf(exc)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let Django log it and answer 500
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        detail = getattr(exc, "summary", None) or _(
            "The request has errors: see the errors of each field."
        )
        code = "invalid"
    else:
        errors = {}
        detail = str(exc.detail) if not isinstance(exc.detail, dict | list) else str(exc)
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
    response.data = {
        "status": response.status_code,
        "code": code,
        "detail": detail,
        "errors": errors,
    }
    return response
