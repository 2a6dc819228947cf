"""Chains of rates added up or raised by a percentage, read by their units as `assistant.word_units` reads one.

"4 movers at 95/hr each for 6.5 hours, truck is 380 flat, and 140 crates at 2.20 each. total?" is three chains,
each money on its own, added; "we pay 18.40 per unit and buy 1,200 units a month, prices go up 7.5%, how much
extra per month" is one chain, money a month, times the percentage. Each fires only where its cue words say so
and every figure has its place, one way only.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter

from assistant.word_cues import CHANGE_ASKED, clause, has
from assistant.word_figures import Figure
from assistant.word_units import MONEY_ASKED, Unit, asked_unit, conversions_allowed, products, unit_of

#: What a sum of chains must not say: a difference, a comparison, a share, a percentage or a rounding.
_NOT_A_SUM = re.compile(
    r"\bminus\b|\bless\b|\bdeduct|\bsubtract|\bleft\b|\bremain|\brest\b|\bexcept\b|\bbut\b|\bor\b|\bvs\.?\b|"
    r"\bversus\b|\bcompar|\bdifference\b|\bsave|\bcheaper\b|\bmore\b|\bfewer\b|\bsplit|\bshare|\bbetween\b|"
    r"\bdiscount|\boff\b|\bvat\b|\btax\b|\bexcl|\bround|\bcap(?:ped)?\b|\blimit\b|\bbudget\b|\btarget\b|"
    r"\bover\b|\baverage\b|\bavg\b|\bmean\b|\beach way\b|\bround trip\b|\breturn\b|\bthere and back\b|"
    r"\bdecimals?\b|\bdp\b|\bspare\b|\bheadroom\b|\bshort\b|\bgo over\b|\bnet\b|\bat (?:least|most)\b|%")
#: A sum said in words: a total asked, or a term added.
_SUM_SAID = r"\btotal\b|\bin all\b|\ball ?together\b|\bcombined\b|\boverall\b|\bsum\b|\badd(?:ed|ing)? up\b|" \
            r"\bwhole\b|\bplus\b|\ball in\b|\+"
#: The words between two figures that start another term of a sum.
_ADDED = re.compile(r"[,;+]|\.\s|\bplus\b|\band\b|\balso\b")
#: A figure added once that is for each of something after all: "plus 25 kg for the pallet itself".
_FOR_EACH = r"\b(?:each|per|apiece|itself|themselves)\b"
#: A percentage that raises an amount or cuts it.
_RAISED = r"\b(?:rais(?:e|es|ed|ing)|rises?|rising|increas(?:e|es|ed|ing)|up by|goes up|going up|go up|uplift|" \
          r"surcharge|inflation)\b"
_CUT = r"\b(?:cut|cuts|cutting|decreas(?:e|es|ed|ing)|reduc(?:e|es|ed|ing|tion)|down by|goes down|going down|drop|" \
       r"drops|dropping|lower(?:ed|ing)?)\b"
#: What a raised chain must not say: a second change, a share, a comparison, a split or a rounding.
_NOT_A_RAISE = re.compile(r"\bvat\b|\bdiscount|\boff\b|\bsplit|\bshare|\bbetween\b|\bor\b|\bvs\.?\b|"
                          r"\bcompar|\baverage\b|\bavg\b|\bleft\b|\bremain|\bbudget\b|\btarget\b|\bmargin\b|"
                          r"\bmarkup\b|\bafter\b|\bthen\b|\bcompound|\bper year for\b|\bover \d+ years\b")
#: A figure paid once, whatever the counts around it: "truck is 380 flat", "a 250 service fee".
_FLAT = r"\b(?:flat|fixed|one-?off|fee|set-?up|parking|charge)\b"

def unit_sum(text: str, figures: list[Figure]) -> str | None:
    """Chains of rates added up: "4 movers at 95/hr each for 6.5 hours, truck is 380 flat, and 140 crates at
    2.20 each. total?" is 4*95*6.5 + 380 + 140*2.20. The figures are cut into runs where the words between two say
    so (a comma, "plus", "and"); each run must come out, by `unit_product`'s rule, as the unit asked on its own,
    and one value must come out of every cut that does; None otherwise."""
    if not 2 <= len(figures) <= 8 or any(f.percent or not f.value for f in figures) or _NOT_A_SUM.search(text) or \
            not has(_SUM_SAID, text):
        return None
    units: list[Unit] = []
    for index in range(len(figures)):
        units.append(unit_of(text, figures, index, units) or (Counter(), ""))
    if has(MONEY_ASKED + r"|\btotal\b", text):
        for index, (unit, _) in enumerate(units):
            if unit and not unit["money"] and all(power < 0 for power in unit.values()):
                unit["money"] += 1  # "95/hr", "142/night": a bare rate is money where money is asked
            elif (not unit or set(unit) <= {"flat", "fee", "total"}) and \
                    (has(_FLAT, clause(text, figures, figures[index])) or
                     not unit and re.match(r"\s*(?:[,;.](?:\s|$)|$|(?:plus|and|\+)\b)", text[figures[index].end:])):
                units[index] = (Counter({"money": 1}), "")  # "truck is 380 flat", "venue is 3,200, catering ..."
    if any(not unit for unit, _ in units) or (asked := asked_unit(text, figures, units)) is None:
        return None
    conversions = conversions_allowed(text, units)
    per = [name for name, power in asked.items() if power < 0]
    heads = [index for index, (unit, _) in enumerate(units) if len(per) == 1 and unit == Counter({per[0]: 1})]
    if len(heads) == 1:  # "venue 3,200, catering 42/head, 135 ppl. cost per head all in?": the sum over the heads
        [head] = heads
        rest = [index for index in range(len(figures)) if index != head]
        total = _summed(text, [figures[i] for i in rest], [units[i] for i in rest], asked + Counter({per[0]: 1}),
                        conversions, (figures[head], units[head]))
        return None if total is None else f"({total})/{figures[head].text}"
    return _summed(text, figures, units, asked, conversions)


def _summed(text: str, figures: list[Figure], units: list[Unit], asked: Counter,
            conversions: list[tuple[str, str, int]], shared: tuple[Figure, Unit] | None = None) -> str | None:
    """`unit_sum`'s sum of `figures` in the unit `asked`, one value from every cut that gives one; a run may take
    the `shared` figure (a headcount the sum is shared by) too where it does not come out without it."""
    cuts = [index for index in range(1, len(figures))
            if _ADDED.search(text[figures[index - 1].end: figures[index].start])]
    values = {}
    for chosen in itertools.product((False, True), repeat=len(cuts)):
        bounds = [0, *(cut for cut, taken in zip(cuts, chosen, strict=True) if taken), len(figures)]
        if len(bounds) == 2 and shared is None:
            continue
        terms, alone = [], []
        for start, end in itertools.pairwise(bounds):
            term = products(figures[start:end], units[start:end], asked, conversions)
            if not term and shared is not None:  # "catering 42/head": times the heads
                term = products([*figures[start:end], shared[0]], [*units[start:end], shared[1]], asked, conversions)
            elif end == start + 1:
                alone.append(start)
            terms.append(term)
        if all(len(term) == 1 for term in terms) and \
                not any(has(_FOR_EACH, clause(text, figures, figures[start])) for start in alone):
            written = [next(iter(term)) for term in terms]
            values[round(sum(value for _, value in written), 9)] = " + ".join(expression for expression, _ in written)
    return next(iter(values.values())) if len(values) == 1 else None


def percent_on_product(text: str, figures: list[Figure]) -> str | None:
    """A chain of rates raised or cut by a percentage: "we pay 18.40 per unit and buy 1,200 units a month, prices
    go up 7.5%, how much extra per month" is 18.40*1200*7.5/100; the new amount where no change is asked ("what
    will it cost a month then"). The other figures must come out as the unit asked by `unit_product`'s rule, one
    way only; None otherwise."""
    percents = [f for f in figures if f.percent]
    others = [f for f in figures if not f.percent]
    up, down = has(_RAISED, text), has(_CUT, text)
    if len(percents) != 1 or not 1 <= len(others) <= 5 or up == down or _NOT_A_RAISE.search(text):
        return None
    units: list[Unit] = []
    for index in range(len(others)):
        unit = unit_of(text, others, index, units)
        if unit is None:
            return None
        units.append(unit)
    if not any(unit.get("money") for unit, _ in units) and has(MONEY_ASKED, text):
        bare = [unit for unit, _ in units if all(power < 0 for power in unit.values())]
        if len(bare) == 1:  # "we pay 18.40 per unit": the one bare rate is the money
            bare[0]["money"] += 1
    asked = asked_unit(text, others, units)
    found = set() if asked is None else products(others, units, asked, conversions_allowed(text, units))
    if len(found) != 1:
        return None
    [(expression, _)] = found
    share = f"{percents[0].text}/100"
    if has(CHANGE_ASKED, text):
        return f"{expression}*{share}"
    return f"{expression}*(1 {'+' if up else '-'} {share})"
