"""Compiles a Splink comparison's SQL conditions into one plain Python function, and
writes the conditions the engine's own comparisons use.

The real-time scorer reads the same `sql_condition` strings Splink runs on DuckDB, from
the saved model, and evaluates them in Python; it never keeps its own copy of the rules,
so a retrained or edited model cannot drift from what Splink computes. Owns the
translation of the SQL subset Splink's comparison levels use (column references
`x_l`/`x_r`, literals, `=`, `<>`, `<`, `<=`, `>`, `>=`, `AND`, `OR`, `NOT`,
`IS [NOT] NULL`, `+`, `-`, `*`, `jaro_winkler_similarity`, `damerau_levenshtein`,
`array_length(list_intersect(...))`, term frequencies `tf_<column>_l`) with
SQL's three-valued logic: a comparison with NULL is NULL, `NOT NULL` is NULL, and a
`CASE WHEN` whose condition is NULL falls through to the next level.

Each comparison becomes generated Python source, compiled once: for speed, a condition
is one Python expression over local variables rather than a tree of closures. SQL this
module does not understand raises `UnsupportedSQLError` when the model is loaded, never
a wrong answer later.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from itertools import count
from typing import Any

import sqlglot
from sqlglot import expressions as exp

from tellonce.linkage.engine.jaro import damerau_levenshtein, jaro_winkler_similarity

GammaFunction = Callable[[Mapping[str, Any], Mapping[str, Any]], int]


class UnsupportedSQLError(ValueError):
    pass


# ----- writing conditions, as the engine's comparisons and the twins correction do


def left(column: str) -> str:
    return f'"{column}_l"'


def right(column: str) -> str:
    return f'"{column}_r"'


def same(column: str) -> str:
    return f"{left(column)} = {right(column)}"


def missing(column: str) -> str:
    return f"{left(column)} IS NULL OR {right(column)} IS NULL"


def jaro_winkler(column: str) -> str:
    return f"jaro_winkler_similarity({left(column)}, {right(column)})"


def share(column: str) -> str:
    """The two records' lists have an element in common (as Splink's
    ArrayIntersectLevel writes it for DuckDB)."""
    return f"array_length(list_intersect({left(column)}, {right(column)})) >= 1"


# ----- compiling conditions into Python


def _jw(a: str | None, b: str | None) -> float | None:
    if a is None or b is None:
        return None
    return jaro_winkler_similarity(a, b)


def _dl(a: str | None, b: str | None) -> int | None:
    if a is None or b is None:
        return None
    return damerau_levenshtein(a, b)


def _intersect_size(a: Sequence[Any] | None, b: Sequence[Any] | None) -> int | None:
    # DuckDB's list_intersect: distinct common elements, NULL elements ignored; NULL
    # when the first list is NULL but, oddly, empty when only the second is.
    if a is None:
        return None
    if b is None:
        return 0
    common = set(a).intersection(b)
    common.discard(None)
    return len(common)


def _arithmetic(operator: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def apply(a: Any, b: Any) -> Any:
        return None if a is None or b is None else operator(a, b)

    return apply


_RUNTIME: dict[str, Any] = {
    "_jw": _jw,
    "_dl": _dl,
    "_intersect_size": _intersect_size,
    "_mul": _arithmetic(operator.mul),
    "_add": _arithmetic(operator.add),
    "_sub": _arithmetic(operator.sub),
}
_ARITHMETIC: dict[type[exp.Expr], str] = {exp.Mul: "_mul", exp.Add: "_add", exp.Sub: "_sub"}

_COMPARISONS: dict[type[exp.Expr], str] = {
    exp.EQ: "==",
    exp.NEQ: "!=",
    exp.GT: ">",
    exp.GTE: ">=",
    exp.LT: "<",
    exp.LTE: "<=",
}


def column_side(name: str) -> tuple[str, str]:
    """'given_name_l' -> ('given_name', 'l')."""
    lowered = name.lower()
    if lowered.endswith("_l") or lowered.endswith("_r"):
        return name[:-2], lowered[-1]
    raise UnsupportedSQLError(f"Column {name!r} is not a left (_l) or right (_r) column")


class _Generator:
    def __init__(self) -> None:
        self.loads: dict[tuple[str, str], str] = {}
        self._temps = count()

    def _temp(self) -> str:
        return f"t{next(self._temps)}"

    def column(self, node: exp.Column) -> str:
        base, side = column_side(node.name)
        key = (side, base)
        if key not in self.loads:
            self.loads[key] = f"{side}{len(self.loads)}"
        return self.loads[key]

    def value(self, node: exp.Expr) -> tuple[str, bool]:
        """Python code for a value expression, and whether it can be None (NULL)."""
        if isinstance(node, exp.Paren):
            return self.value(node.this)
        if isinstance(node, exp.Column):
            return self.column(node), True
        if isinstance(node, exp.Null):
            return "None", True
        if isinstance(node, exp.Boolean):
            return repr(bool(node.this)), False
        if isinstance(node, exp.Literal):
            if node.is_string:
                return repr(str(node.this)), False
            text = str(node.this)
            # DuckDB reads 0.92 as DECIMAL(3,2) and compares it with a DOUBLE as the
            # double nearest 0.92, which is Python's float("0.92").
            number = int(text) if text.lstrip("-").isdigit() else float(text)
            return repr(number), False
        helper = _ARITHMETIC.get(type(node))
        if helper is not None:
            a, _ = self.value(node.this)
            b, _ = self.value(node.expression)
            return f"{helper}({a}, {b})", True
        if isinstance(node, exp.JarowinklerSimilarity):
            a, _ = self.value(node.this)
            b, _ = self.value(node.expression)
            return f"_jw({a}, {b})", True
        if (
            isinstance(node, exp.Anonymous)
            and str(node.this).lower() == "damerau_levenshtein"
            and len(node.expressions) == 2
        ):
            a, _ = self.value(node.expressions[0])
            b, _ = self.value(node.expressions[1])
            return f"_dl({a}, {b})", True
        if isinstance(node, exp.ArraySize):
            inner = node.this
            if (
                isinstance(inner, exp.Anonymous)
                and str(inner.this).lower() in ("list_intersect", "array_intersect")
                and len(inner.expressions) == 2
            ):
                a, _ = self.value(inner.expressions[0])
                b, _ = self.value(inner.expressions[1])
                return f"_intersect_size({a}, {b})", True
        raise UnsupportedSQLError(f"Unsupported SQL expression: {node.sql(dialect='duckdb')}")

    def truth(self, node: exp.Expr, want: bool) -> str:
        """Python code that is True exactly when the SQL condition evaluates to `want`
        (so False covers both the other value and NULL)."""
        if isinstance(node, exp.Paren):
            return self.truth(node.this, want)
        if isinstance(node, exp.Not):
            return self.truth(node.this, not want)
        if isinstance(node, exp.And):
            a, b = self.truth(node.this, want), self.truth(node.expression, want)
            return f"({a} and {b})" if want else f"({a} or {b})"
        if isinstance(node, exp.Or):
            a, b = self.truth(node.this, want), self.truth(node.expression, want)
            return f"({a} or {b})" if want else f"({a} and {b})"
        if isinstance(node, exp.Is) and isinstance(node.expression, exp.Null):
            code, nullable = self.value(node.this)
            if not nullable:
                return repr(not want)
            return f"({code} is None)" if want else f"({code} is not None)"
        if isinstance(node, exp.Boolean):
            return repr(bool(node.this) == want)
        op = _COMPARISONS.get(type(node))
        if op is not None:
            parts = []
            operands = []
            for side in (node.this, node.expression):
                code, nullable = self.value(side)
                if nullable and not code.isidentifier():
                    temp = self._temp()
                    parts.append(f"({temp} := {code}) is not None")
                    code = temp
                elif nullable:
                    parts.append(f"{code} is not None")
                operands.append(code)
            test = f"{operands[0]} {op} {operands[1]}"
            parts.append(test if want else f"not ({test})")
            return "(" + " and ".join(parts) + ")"
        raise UnsupportedSQLError(f"Unsupported SQL condition: {node.sql(dialect='duckdb')}")


def parse_condition(sql_condition: str) -> exp.Expr:
    return sqlglot.parse_one(sql_condition, read="duckdb")


def compile_comparison(
    levels: Sequence[tuple[str, int]],
    name: str = "comparison",
    tf_tables: Mapping[str, Mapping[Any, float]] | None = None,
) -> tuple[GammaFunction, str]:
    """A function (left, right) -> comparison vector value (gamma), evaluating the
    levels' `(sql_condition, gamma)` in order as Splink's CASE WHEN does, and its
    generated source (for reading, and for tests).

    A condition may read a term frequency, `tf_<column>_l`, as Splink's do from its
    term-frequency tables: here it is looked up in `tf_tables[<column>]`.
    """
    generator = _Generator()
    branches: list[str] = []
    else_gamma: int | None = None
    for sql_condition, gamma in levels:
        if sql_condition.strip().upper() == "ELSE":
            else_gamma = gamma
            break
        code = generator.truth(parse_condition(sql_condition), want=True)
        branches.append(f"    if {code}:\n        return {gamma}")
    tables = dict(tf_tables or {})
    loads = []
    for (side, base), var in generator.loads.items():
        column = base[3:] if base.startswith("tf_") else None
        if column is not None and column in tables:
            loads.append(f"    {var} = _tf[{column!r}].get({side}.get({column!r}))")
        else:
            loads.append(f"    {var} = {side}.get({base!r})")
    # A CASE with no ELSE and no level true is NULL in SQL, and so then is the match
    # weight; Splink's comparisons always end in ELSE, ours say so loudly.
    fallback = (
        f"    return {else_gamma}"
        if else_gamma is not None
        else f"    raise ValueError('No level of {name} applies')"
    )
    source = "\n".join(["def gamma(l, r):", *loads, *branches, fallback]) + "\n"
    namespace: dict[str, Any] = {**_RUNTIME, "_tf": tables}
    exec(compile(source, f"<comparison {name}>", "exec"), namespace)  # noqa: S102
    function: GammaFunction = namespace["gamma"]
    return function, source
