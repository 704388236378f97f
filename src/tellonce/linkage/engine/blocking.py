"""Blocking keys: the candidates a new record must be scored against, without Splink.

Splink finds candidate pairs by joining on its blocking rules. The real-time path finds
the same candidates by looking up keys in an index (a database table, or a dict): each
record is stored under its `index_keys`, and a new record's `query_keys` find every
stored record that any of the model's blocking rules would have paired it with.

Owns reading a model's `blocking_rules_to_generate_predictions` into `BlockingRule`s
(conjunctions of equalities `l.a = r.b`, the only kind this engine writes) and making
keys from prepared records. A rule whose two sides differ (given and family names
swapped: `l.given_name = r.family_name and l.family_name = r.given_name`) gets a key for
each side, so the lookup works whichever record arrived first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlglot import expressions as exp

from tellonce.linkage.engine.sql import UnsupportedSQLError, parse_condition

_SEPARATOR = "\x1f"  # unit separator: never in a prepared value


@dataclass(frozen=True)
class BlockingRule:
    number: int
    sql: str
    #: Columns of the left record, pairwise equal to `right`'s of the right record.
    left: tuple[str, ...]
    right: tuple[str, ...]

    @property
    def symmetric(self) -> bool:
        return self.left == self.right

    def _key(self, side: str, record: Mapping[str, Any], columns: tuple[str, ...]) -> str | None:
        values = [record.get(c) for c in columns]
        if any(v is None for v in values):
            return None  # NULL = NULL is not true: a record missing a value is not blocked
        return _SEPARATOR.join([f"{self.number}{side}", *(str(v) for v in values)])

    def index_keys(self, record: Mapping[str, Any]) -> list[str]:
        if self.symmetric:
            keys = [self._key("", record, self.left)]
        else:
            keys = [self._key("R", record, self.right), self._key("L", record, self.left)]
        return [k for k in keys if k is not None]

    def query_keys(self, record: Mapping[str, Any]) -> list[str]:
        if self.symmetric:
            keys = [self._key("", record, self.left)]
        else:
            # The new record as the left of the rule finds stored records by their right
            # columns, and as the right finds them by their left.
            keys = [self._key("R", record, self.left), self._key("L", record, self.right)]
        return [k for k in keys if k is not None]


def _column(node: exp.Expr) -> tuple[str, str]:
    if not isinstance(node, exp.Column) or node.table.lower() not in ("l", "r"):
        raise UnsupportedSQLError(f"Not an l. or r. column: {node.sql()}")
    return node.table.lower(), node.name


def parse_blocking_rule(number: int, sql: str) -> BlockingRule:
    node = parse_condition(sql)
    terms = list(node.flatten()) if isinstance(node, exp.And) else [node]
    left: list[str] = []
    right: list[str] = []
    for term in terms:
        while isinstance(term, exp.Paren):
            term = term.this
        if not isinstance(term, exp.EQ):
            raise UnsupportedSQLError(f"Blocking rule is not a conjunction of equalities: {sql}")
        (side_a, column_a), (side_b, column_b) = _column(term.this), _column(term.expression)
        if {side_a, side_b} != {"l", "r"}:
            raise UnsupportedSQLError(f"Blocking rule compares a record with itself: {sql}")
        left.append(column_a if side_a == "l" else column_b)
        right.append(column_b if side_a == "l" else column_a)
    return BlockingRule(number=number, sql=sql, left=tuple(left), right=tuple(right))


def blocking_rules(model_json: Mapping[str, Any]) -> list[BlockingRule]:
    rules = []
    for number, rule in enumerate(model_json["blocking_rules_to_generate_predictions"]):
        sql = rule["blocking_rule"] if isinstance(rule, Mapping) else str(rule)
        rules.append(parse_blocking_rule(number, sql))
    return rules


def index_keys(record: Mapping[str, Any], rules: Iterable[BlockingRule]) -> list[str]:
    """The keys to store a prepared record under."""
    return [key for rule in rules for key in rule.index_keys(record)]


def query_keys(record: Mapping[str, Any], rules: Iterable[BlockingRule]) -> list[str]:
    """The keys under which a prepared record's candidates are stored."""
    return [key for rule in rules for key in rule.query_keys(record)]
