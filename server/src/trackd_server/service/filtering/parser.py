"""Recursive-descent parser of the filter language (see docs/search.md for the grammar).

    filter     := [or_expr] EOF
    or_expr    := and_expr (OR and_expr)*
    and_expr   := not_expr (AND not_expr)*
    not_expr   := NOT not_expr | '(' or_expr ')' | comparison
    comparison := field ( op value
                        | [NOT] (LIKE | ILIKE) value
                        | [NOT] IN '(' value (',' value)* ')'
                        | IS [NOT] NULL )
    field      := [prefix '.'] key

The parser checks syntax only; whether a field exists and takes the operator and value is the
type checker's job (checker.py), since that differs between runs and experiments.
"""

from __future__ import annotations

from ...domain.filters import (
    ATTRIBUTE,
    DATASET,
    ILIKE,
    IN,
    IS_NULL,
    LIKE,
    METRIC,
    PARAM,
    TAG,
    And,
    Comparison,
    Expr,
    Field,
    Not,
    Or,
    Scalar,
)
from .errors import FilterError
from .tokens import COMMA, EOF, IDENT, LPAREN, NUMBER, OP, RPAREN, STRING, WORD, Token, tokenize

# MLflow's prefixes and their aliases, matched case-insensitively.
PREFIXES = {
    "metrics": METRIC,
    "metric": METRIC,
    "params": PARAM,
    "param": PARAM,
    "parameters": PARAM,
    "parameter": PARAM,
    "tags": TAG,
    "tag": TAG,
    "attributes": ATTRIBUTE,
    "attribute": ATTRIBUTE,
    "attr": ATTRIBUTE,
    "run": ATTRIBUTE,
    "datasets": DATASET,
    "dataset": DATASET,
}

MAX_FILTER_LENGTH = 100_000
MAX_DEPTH = 50  # nesting of parentheses and NOTs
MAX_VALUES = 10_000  # literals in one filter: keeps the query under the databases' bind limits


def parse_filter(text: str) -> Expr | None:
    """The expression tree of `text`, or None if it is blank. Raises FilterError."""
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterError(f"the filter is longer than {MAX_FILTER_LENGTH} characters", 0)
    parser = _Parser(tokenize(text))
    if parser.peek().kind == EOF:
        return None
    expr = parser.or_expr(0)
    parser.expect_end("AND, OR or the end of the filter")
    return expr


def parse_sort_item(text: str) -> tuple[Field, bool]:
    """`field [ASC|DESC]` -> (field, descending). Raises FilterError."""
    parser = _Parser(tokenize(text))
    field = parser.field()
    descending = False
    if parser.peek().is_keyword("ASC", "DESC"):
        descending = parser.next().value.upper() == "DESC"
    parser.expect_end("ASC, DESC or the end of the sort key")
    return field, descending


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self._tokens = tokens
        self._i = 0
        self._values = 0

    def peek(self) -> Token:
        return self._tokens[self._i]

    def next(self) -> Token:
        token = self._tokens[self._i]
        if token.kind != EOF:
            self._i += 1
        return token

    def expect_end(self, expected: str) -> None:
        token = self.peek()
        if token.kind != EOF:
            raise FilterError(f"expected {expected}, got {token.describe()}", token.pos)

    def or_expr(self, depth: int) -> Expr:
        operands = [self.and_expr(depth)]
        while self.peek().is_keyword("OR"):
            self.next()
            operands.append(self.and_expr(depth))
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_expr(self, depth: int) -> Expr:
        operands = [self.not_expr(depth)]
        while self.peek().is_keyword("AND"):
            self.next()
            operands.append(self.not_expr(depth))
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def not_expr(self, depth: int) -> Expr:
        token = self.peek()
        if depth >= MAX_DEPTH:
            raise FilterError(f"the filter nests deeper than {MAX_DEPTH} levels", token.pos)
        if token.is_keyword("NOT"):
            self.next()
            return Not(self.not_expr(depth + 1))
        if token.kind == LPAREN:
            self.next()
            expr = self.or_expr(depth + 1)
            closing = self.next()
            if closing.kind != RPAREN:
                raise FilterError(
                    f"expected ')' to close the '(' at position {token.pos}, "
                    f"got {closing.describe()}",
                    closing.pos,
                )
            return expr
        return self.comparison()

    def comparison(self) -> Expr:
        field = self.field()
        token = self.next()
        if token.kind == OP:
            return self._compare(field, token.value, token.pos, self.literal())
        negated = False
        if token.is_keyword("IS"):
            op_pos = token.pos
            if self.peek().is_keyword("NOT"):
                self.next()
                negated = True
            null = self.next()
            if not null.is_keyword("NULL"):
                raise FilterError(
                    f"expected NULL or NOT NULL after IS, got {null.describe()}", null.pos
                )
            return self._negate(Comparison(field, IS_NULL, None, op_pos), negated)
        op_pos = token.pos
        if token.is_keyword("NOT"):
            negated = True
            token = self.next()
        if token.is_keyword("LIKE", "ILIKE"):
            op = LIKE if token.value.upper() == "LIKE" else ILIKE
            return self._negate(self._compare(field, op, op_pos, self.literal()), negated)
        if token.is_keyword("IN"):
            values = self.value_list()
            comparison = Comparison(
                field, IN, tuple(v for v, _ in values), op_pos, tuple(p for _, p in values)
            )
            return self._negate(comparison, negated)
        expected = "LIKE, ILIKE or IN after NOT" if negated else "a comparison operator"
        raise FilterError(f"expected {expected}, got {token.describe()}", token.pos)

    def field(self) -> Field:
        token = self.next()
        if token.kind == IDENT:
            prefix, key = token.value
            if prefix is None:
                return Field(ATTRIBUTE, key, token.pos)
            return Field(self._kind(prefix, token.pos), key, token.pos)
        if token.kind == WORD and not token.is_keyword(*_RESERVED):
            prefix, dot, key = token.value.partition(".")
            if not dot:
                return Field(ATTRIBUTE, token.value, token.pos)
            if not key:
                raise FilterError(
                    f"expected a key after {prefix + '.'!r}", token.pos + len(prefix) + 1
                )
            return Field(self._kind(prefix, token.pos), key, token.pos)
        raise FilterError(
            f"expected a metric, param, tag or attribute name, got {token.describe()}", token.pos
        )

    def literal(self) -> tuple[Scalar, int]:
        token = self.next()
        if token.kind not in (STRING, NUMBER):
            raise FilterError(
                f"expected a quoted string or a number, got {token.describe()}", token.pos
            )
        self._values += 1
        if self._values > MAX_VALUES:
            raise FilterError(f"the filter has more than {MAX_VALUES} values", token.pos)
        return token.value, token.pos

    def value_list(self) -> list[tuple[Scalar, int]]:
        opening = self.next()
        if opening.kind != LPAREN:
            raise FilterError(f"expected '(' after IN, got {opening.describe()}", opening.pos)
        values = [self.literal()]
        while self.peek().kind == COMMA:
            self.next()
            values.append(self.literal())
        closing = self.next()
        if closing.kind != RPAREN:
            raise FilterError(
                f"expected ',' or ')' in the IN list, got {closing.describe()}", closing.pos
            )
        return values

    def _compare(
        self, field: Field, op: str, op_pos: int, literal: tuple[Scalar, int]
    ) -> Comparison:
        value, value_pos = literal
        return Comparison(field, op, value, op_pos, (value_pos,))

    @staticmethod
    def _negate(comparison: Comparison, negated: bool) -> Expr:
        return Not(comparison) if negated else comparison

    @staticmethod
    def _kind(prefix: str, pos: int) -> str:
        kind = PREFIXES.get(prefix.lower())
        if kind is None:
            raise FilterError(
                f"unknown prefix {prefix!r}: use metrics., params., tags. or attributes.", pos
            )
        return kind


# Words that cannot start a field name (IS, NULL, ASC and DESC can: they are never ambiguous
# there, but no attribute has those names either, so the checker reports them clearly).
_RESERVED = ("AND", "OR", "NOT", "LIKE", "ILIKE", "IN")
