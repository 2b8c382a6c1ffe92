"""Unified social credit code (统一社会信用代码) check digit, GB 32100-2015."""
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {c: i for i, c in enumerate(ALPHABET)}


def check_character(first17: str) -> str:
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """None if valid, else which rule it breaks: 'length', 'characters' or 'check_digit'."""
    if len(code) != 18:
        return "length"
    if any(c not in _VALUE for c in code):
        return "characters"
    if check_character(code[:17]) != code[17]:
        return "check_digit"
    return None


def normalise(code: str) -> str:
    """As a person pastes it: full-width characters made ASCII (NFKC), every space (leading, trailing,
    between groups, the ideographic one too) removed, lower case made upper -- before any length check."""
    code = unicodedata.normalize("NFKC", code or "")
    return "".join(code.split()).upper()
