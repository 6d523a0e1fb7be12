"""OpenAPI generation: every operation documents the error responses the API really gives
(the one error body of :mod:`tracker.api.exceptions`), and ``304`` for conditional GETs."""

from drf_spectacular.openapi import AutoSchema

from tracker.api.exceptions import ErrorSerializer


class ApiAutoSchema(AutoSchema):
    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        for parameter in (operation or {}).get("parameters", []):
            if parameter["name"] == "ordering" and parameter["schema"].get("type") == "array":
                # ``?ordering=`` names at least one field; an empty value is a 400.
                parameter["schema"]["minItems"] = 1
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

        error("400", "Invalid query parameters or request body; `errors` names each field.")
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
