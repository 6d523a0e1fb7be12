"""OpenAPI generation: every operation documents the error responses the API really gives
(the one error body of :mod:`tracker.api.exceptions`), and ``304`` for conditional GETs."""

from drf_spectacular.openapi import AutoSchema

from tracker.api.exceptions import ErrorSerializer

# Parameters that are not filters: an empty value is still refused (a page must be named).
NOT_FILTERS = frozenset({"page", "page_size", "format"})


def _allow_empty(schema: dict) -> dict:
    """The schema of a filter that also takes the empty string ("no filter")."""
    kind = schema.get("type")
    if kind == "array":
        schema.pop("minItems", None)
        return schema
    if kind == "string" and "enum" in schema:
        schema["enum"] = ["", *schema["enum"]]
        return schema
    if kind == "string" and "pattern" in schema:
        schema["pattern"] = "^$|" + schema["pattern"]
        return schema
    if kind == "string" and "format" not in schema and not schema.get("minLength"):
        return schema
    return {"anyOf": [schema, {"type": "string", "maxLength": 0}]}


class ApiAutoSchema(AutoSchema):
    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        for parameter in (operation or {}).get("parameters", []):
            if parameter["in"] != "query" or parameter["name"] in NOT_FILTERS:
                continue
            # ``?status=`` means "no filter", as in django-filter and HTML forms.
            parameter["allowEmptyValue"] = True
            parameter["schema"] = _allow_empty(parameter["schema"])
        return operation

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if not self.path.startswith("/api/v1/"):
            return responses

        def error(code: str, description: str):
            if code not in responses:
                body = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                body["description"] = description
                responses[code] = body

        error(
            "400",
            "Unknown query parameters (each named in `errors`, the valid ones listed in "
            "`detail`), invalid values or an invalid request body; `errors` names each field.",
        )
        error("401", "The Authorization header holds a wrong or revoked token.")
        if self.method == "POST":
            error("403", "The token's user may not act for this commitment's State.")
            error("415", "Unsupported request content type.")
        if self.method == "GET":
            responses.setdefault(
                "304", {"description": "Not modified (conditional request on ETag or date)."}
            )
        if self.method == "POST" or "{" in self.path or self._is_list_view():
            error("404", "No such object (or no such page).")
        error("406", "The requested format (Accept header or `format`) is not offered.")
        error("429", "Too many requests: wait the number of seconds in `Retry-After`.")
        return responses
