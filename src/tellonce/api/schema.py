"""What the OpenAPI schema says of errors: every operation may answer with the one error
format (`{"errors": [{"field": ..., "message": ...}]}`), and the schema says which
answers, so that a client (and Schemathesis) knows every answer it can get."""

from __future__ import annotations

from typing import Any

ERRORS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "What went wrong, each problem with the field it is about.",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {
                    "field": {
                        "type": "string",
                        "nullable": True,
                        "description": "The field, as sent (`names.0.given_name`); null"
                        " for the request as a whole",
                    },
                    "message": {"type": "string"},
                },
            },
        },
        "flag": {
            "type": "string",
            "format": "uri",
            "description": "With a 403 for a person whose flag the caller may see: where",
        },
    },
}

#: The error answers every operation may give, and what each means.
ANSWERS = {
    "400": "The request is not right: each problem is named by field",
    "401": "No valid token or session",
    "403": "Not for your account, or not for this person",
    "404": "No such thing, or you have no reason to know of it",
    "413": "The body is too large",
    "429": "Too many requests: wait and try again",
    "500": "Something went wrong on our side; nothing was half-done",
}


def error_answers(result: dict[str, Any], generator: Any, request: Any, public: bool) -> Any:
    """drf-spectacular's postprocessing hook: every operation's error answers, with the
    error format's schema."""
    result.setdefault("components", {}).setdefault("schemas", {})["Errors"] = ERRORS_SCHEMA
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ANSWERS.items():
                if code == "413" and "requestBody" not in operation:
                    continue
                answer = responses.setdefault(code, {"description": description})
                answer["content"] = content
    return result
