"""Readable generated run names such as "brave-otter-417"."""

from __future__ import annotations

import secrets

# fmt: off
_ADJECTIVES = (
    "amber", "bold", "brave", "bright", "calm", "clever", "crisp", "daring", "eager", "fair",
    "fleet", "gentle", "glad", "grand", "keen", "kind", "lively", "lucid", "merry", "mighty",
    "nimble", "noble", "proud", "quick", "quiet", "rapid", "serene", "sharp", "shy", "silent",
    "smooth", "steady", "stellar", "swift", "tidy", "vivid", "warm", "wise", "witty", "zesty",
)
_NOUNS = (
    "badger", "bear", "bee", "crane", "deer", "dove", "eagle", "falcon", "finch", "fox",
    "gecko", "hare", "hawk", "heron", "ibis", "jay", "koala", "lark", "lemur", "lynx",
    "mole", "moth", "newt", "otter", "owl", "panda", "puffin", "quail", "raven", "robin",
    "seal", "shrew", "sloth", "snail", "stork", "swan", "tiger", "toad", "whale", "wren",
)
# fmt: on


def generate_run_name() -> str:
    return f"{secrets.choice(_ADJECTIVES)}-{secrets.choice(_NOUNS)}-{secrets.randbelow(1000)}"
