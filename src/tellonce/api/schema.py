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
            for code, answer in responses.items():
                if code[0] in "45":
                    answer["content"] = content
    return result


def refused_when(**rules: str) -> dict[str, Any]:
    """An operation's rules that a schema cannot state (one field against another, or
    against what is stored), as the `x-refused-when` extension: `{field: rule}`, the
    field named as a 400 names it. For `extend_schema(extensions=...)`."""
    return {"x-refused-when": [{"field": name, "rule": rule} for name, rule in rules.items()]}


#: The operation extension that says a body's unknown fields are refused, not ignored.
REFUSES_UNKNOWN = {"x-unknown-fields-refused": True}


def non_empty(*names: str) -> dict[str, Any]:
    """The operation's body lists that must hold at least one item (`minItems: 1`)."""
    return {"x-non-empty": list(names)}


def strict_bodies(result: dict[str, Any], generator: Any, request: Any, public: bool) -> Any:
    """drf-spectacular's postprocessing hook: where an operation refuses fields it does not
    know (`REFUSES_UNKNOWN`), its request body says so (`additionalProperties: false`);
    where a list must not be empty (`non_empty`), `minItems: 1`."""
    schemas = result.get("components", {}).get("schemas", {})
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for media in operation.get("requestBody", {}).get("content", {}).values():
                ref = media.get("schema", {}).get("$ref", "")
                body = schemas.get(ref.rsplit("/", 1)[-1]) if ref else media.get("schema")
                if body is None:
                    continue
                if operation.get("x-unknown-fields-refused"):
                    body["additionalProperties"] = False
                for name in operation.get("x-non-empty", []):
                    body["properties"][name]["minItems"] = 1
    return result


def blank_text_plain(result: dict[str, Any], generator: Any, request: Any, public: bool) -> Any:
    """A text field that may be blank and states the characters it refuses (`api.text`)
    comes out of drf-spectacular as `oneOf: [{pattern}, {maxLength: 0}]`, which an empty
    string matches twice, so no answer with a blank could conform. The pattern already
    allows the empty string, so the first alternative alone says the same."""

    def plain(node: Any) -> None:
        if isinstance(node, dict):
            alternatives = node.get("oneOf")
            if (
                isinstance(alternatives, list)
                and len(alternatives) == 2
                and alternatives[1] == {"type": "string", "maxLength": 0}
                and str(alternatives[0].get("pattern", "")).endswith("]*$")
                and "format" not in alternatives[0]
            ):
                del node["oneOf"]
                node.update(alternatives[0])
            for value in node.values():
                plain(value)
        elif isinstance(node, list):
            for value in node:
                plain(value)

    plain(result.get("components", {}))
    return result
