"""Splits filter and order-by text into tokens.

Identifiers are read whole: `tags.mlflow.runName` is one token (dots after the first belong to
the key) and so is metrics.`val loss` or tags."a-b", where the key after the first dot is
quoted. Strings take single or double quotes, a quote doubled inside stands for itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import FilterError

WORD = "word"  # keyword or identifier without a quoted part
IDENT = "ident"  # identifier whose key (or whole name) was quoted: value is (prefix, key)
STRING = "string"
NUMBER = "number"
OP = "op"
LPAREN = "("
RPAREN = ")"
COMMA = ","
EOF = "end of filter"

KEYWORDS = frozenset({"AND", "OR", "NOT", "LIKE", "ILIKE", "IN", "IS", "NULL", "ASC", "DESC"})
_OPERATORS = ("<=", ">=", "!=", "<>", "==", "=", "<", ">")
_OPERATOR_ALIASES = {"<>": "!=", "==": "="}
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_WORD_PUNCTUATION = frozenset("_.-/:")


@dataclass(frozen=True)
class Token:
    kind: str
    value: Any
    pos: int

    def is_keyword(self, *names: str) -> bool:
        return self.kind == WORD and str(self.value).upper() in names

    def describe(self) -> str:
        if self.kind == EOF:
            return "the end of the filter"
        if self.kind == STRING:
            return f"the string {quote(self.value)}"
        if self.kind in (WORD, NUMBER, OP):
            return repr(str(self.value))
        if self.kind == IDENT:
            prefix, key = self.value
            return f"{prefix + '.' if prefix else ''}`{key}`"
        return f"'{self.kind}'"


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def tokenize(text: str) -> list[Token]:
    """The tokens of `text`, ending with an EOF token at len(text)."""
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "(),":
            tokens.append(Token(c, c, i))
            i += 1
        elif c in "'\"":
            value, end = _quoted(text, i)
            tokens.append(Token(STRING, value, i))
            i = end
        elif c == "`":
            value, end = _quoted(text, i)
            tokens.append(Token(IDENT, (None, _nonempty(value, i)), i))
            i = end
        elif c.isdigit() or (c in "+-." and i + 1 < len(text) and text[i + 1] in "0123456789."):
            i = _number(text, i, tokens)
        elif c.isalpha() or c == "_":
            i = _word(text, i, tokens)
        else:
            op = next((o for o in _OPERATORS if text.startswith(o, i)), None)
            if op is None:
                raise FilterError(f"unexpected character {c!r}", i)
            tokens.append(Token(OP, _OPERATOR_ALIASES.get(op, op), i))
            i += len(op)
    tokens.append(Token(EOF, None, len(text)))
    return tokens


def _quoted(text: str, start: int) -> tuple[str, int]:
    """Reads a quoted run starting at text[start] (the quote); returns (content, end)."""
    quote_char = text[start]
    parts: list[str] = []
    i = start + 1
    while True:
        end = text.find(quote_char, i)
        if end < 0:
            kind = "identifier" if quote_char == "`" else "string"
            raise FilterError(f"unterminated {kind}: no closing {quote_char}", start)
        parts.append(text[i:end])
        if text.startswith(quote_char, end + 1):  # doubled: an escaped quote
            parts.append(quote_char)
            i = end + 2
        else:
            return "".join(parts), end + 1


def _number(text: str, start: int, tokens: list[Token]) -> int:
    match = _NUMBER.match(text, start)
    end = match.end() if match else start
    if match is None or (end < len(text) and (text[end].isalnum() or text[end] in "_.")):
        stop = end
        while stop < len(text) and (text[stop].isalnum() or text[stop] in "_."):
            stop += 1
        raise FilterError(f"invalid number {text[start : max(stop, start + 1)]!r}", start)
    literal = match.group()
    number = int(literal) if re.fullmatch(r"[+-]?\d+", literal) else float(literal)
    tokens.append(Token(NUMBER, number, start))
    return end


def _word(text: str, start: int, tokens: list[Token]) -> int:
    i = start
    while i < len(text) and (text[i].isalnum() or text[i] in _WORD_PUNCTUATION):
        i += 1
    word = text[start:i]
    if word.endswith(".") and i < len(text) and text[i] in '`"' and word.count(".") == 1:
        # `prefix.` directly followed by a quoted key: metrics.`val loss`, tags."a-b"
        key, end = _quoted(text, i)
        tokens.append(Token(IDENT, (word[:-1], _nonempty(key, i)), start))
        return end
    tokens.append(Token(WORD, word, start))
    return i


def _nonempty(key: str, pos: int) -> str:
    if not key:
        raise FilterError("empty quoted name", pos)
    return key
