"""Maths written out in words, as a calculator expression: "what is the square root of 1764?", "2 to the power of
20", "7 factorial", "the remainder when 1000 is divided by 7", "how many ways can you choose 3 people from a team of
10?", "convert 98.6 degrees fahrenheit to celsius", "double 3750 and take away 1200", "3/4 of 260".

`written_maths` rewrites each phrase into the calculator's functions and operators and keeps the result only when
nothing but figures, operators and those functions is left (a greeting, "what is" and a closing "?" aside), so a
request with words of its own ("7 squared desks on floor 3") is left to the other shapes and the model.
"""

from __future__ import annotations

import re

_N = r"(\d+(?:\.\d+)?)"
#: Phrases of functions and their operands, and what they are written as.
_FUNCTIONS = (
    (rf"\bthe square root of {_N}", r"sqrt(\1)"), (rf"\bsquare root of {_N}", r"sqrt(\1)"),
    (rf"\b(?:the )?cube root of {_N}", r"cbrt(\1)"),
    (rf"\b{_N} to the power of {_N}", r"\1**\2"), (rf"\b{_N} raised to(?: the power of)? {_N}", r"\1**\2"),
    (rf"\b{_N} squared\b", r"\1**2"), (rf"\b{_N} cubed\b", r"\1**3"),
    (rf"\b{_N} factorial\b|\b(?:the )?factorial of {_N}|\b{_N}!", r"factorial(\1\2\3)"),
    (rf"\b(?:the )?log(?:arithm)? (?:to )?base {_N} of {_N}", r"log(\2#\1)"),
    (rf"\b(?:the )?(?:greatest common divisor|gcd|highest common factor|hcf) of {_N} and {_N}", r"gcd(\1#\2)"),
    (rf"\b(?:the )?(?:least|lowest) common multiple of {_N} and {_N}|\blcm of {_N} and {_N}", r"lcm(\1\3#\2\4)"),
    (rf"\b(?:the )?remainder (?:when|if|of) {_N} (?:is )?divided by {_N}", r"mod(\1#\2)"),
    ((rf"\bhow many ways (?:can|could) (?:you|we|i) (?:choose|pick|select) {_N} [a-z]+ (?:from|out of) "
      rf"(?:a [a-z]+ of )?{_N}(?: [a-z]+)?"), r"binomial(\2#\1)"),
    (rf"\bconvert {_N} (?:degrees )?(?:fahrenheit|f) (?:to|into|in) (?:celsius|c)\b", r"(\1 - 32)*5/9"),
    (rf"\bconvert {_N} (?:degrees )?(?:celsius|c) (?:to|into|in) (?:fahrenheit|f)\b", r"\1*9/5 + 32"),
    (rf"\b{_N}/{_N} of {_N}", r"\3*\1/\2"),
    (rf"\bdouble {_N}", r"2*\1"), (rf"\btriple {_N}", r"3*\1"), (rf"\bhalf of {_N}", r"\1/2"),
)
#: Operators in words, read once a function phrase has made the request maths.
_OPERATORS = (
    (r"\b(?:and )?(?:then )?(?:take away|subtract|minus)\b", "-"), (r"\b(?:and )?(?:then )?(?:add|plus)\b", "+"),
    (r"\btimes\b|\bmultiplied by\b", "*"), (r"\bdivided by\b", "/"),
)
#: What a request may say besides the maths.
_FILLER = re.compile(r"\b(?:hey|hi|quick q|pls|please|thx|thanks|whats|what's|what is|calc|calculate|work out|"
                     r"how much is|as a decimal|in decimal|exactly)\b|[?!=]|\.(?!\d)|,(?!\d{3})")
#: The whole expression once rewritten: figures, operators, parentheses and the functions above.
_EXPRESSION = re.compile(r"(?:[\d.]+|\*\*|[-+*/(), ]|sqrt|cbrt|factorial|log|gcd|lcm|mod|binomial)+")


def written_maths(text: str) -> str | None:
    """`text` (lower case, number words in digits) as a calculator expression when it is maths written out in
    words and nothing else; None otherwise."""
    written = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    changed = False
    for phrase, expression in _FUNCTIONS:
        written, count = re.subn(phrase, expression, written)
        changed = changed or count > 0
    if not changed:  # plain operators alone are `arithmetic`'s
        return None
    for phrase, expression in _OPERATORS:
        written = re.sub(phrase, f" {expression} ", written)
    written = re.sub(r"\s+", " ", _FILLER.sub(" ", written)).strip().replace("#", ", ")  # "#": a function's comma
    if not written or not _EXPRESSION.fullmatch(written) or not re.search(r"\d", written):
        return None
    return written
