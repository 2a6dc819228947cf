"""Chains of rates added up, compared or raised by a percentage, read by their units as `assistant.word_units`
reads one.

"4 movers at 95/hr each for 6.5 hours, truck is 380 flat, and 140 crates at 2.20 each. total?" is three chains,
each money on its own, added (`unit_sum`; a headcount may multiply the chains per head or share the sum out);
"vendor A 18,400/yr, vendor B 1,650/month, how much cheaper is A per year" is two options' difference
(`compared`); "we pay 18.40 per unit and buy 1,200 units a month, prices go up 7.5%, how much extra per month" is
one chain, money a month, times the percentage (`percent_on_product`), and "then 21% vat on the whole lot" puts a
percentage on a sum (`percent_on_sum`). Each fires only where its cue words say so and every figure has its
place, one way only.
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
    r"\bover\b|\b(?:average|avg|mean)\b(?!\s*(?:€|eur)?\s*\d)|\beach way\b|\bround trip\b|\breturn\b|"
    r"\bthere and back\b|\bdecimals?\b|\bdp\b|\bspare\b|\bheadroom\b|\bshort\b|\bgo over\b|\bnet\b|"
    r"\bat (?:least|most)\b|%")
#: A sum said in words: a total asked, or a term added.
_SUM_SAID = r"\btotal\b|\bin all\b|\ball ?together\b|\bcombined\b|\boverall\b|\bsum\b|\badd(?:ed|ing)? up\b|" \
            r"\bwhole\b|\bplus\b|\ball in\b|\+|\b(?:cost|price|spend) per (?:person|head|attendee|participant)\b"
#: The words between two figures that start another term of a sum.
_ADDED = re.compile(r"[,;+]|\.\s|\bplus\b|\band\b|\balso\b")
#: A figure added once that is for each of something after all: "plus 25 kg for the pallet itself".
_FOR_EACH = r"\b(?:each|per|apiece|itself|themselves)\b"
#: A percentage that raises an amount or cuts it.
_RAISED = r"\b(?:rais(?:e|es|ed|ing)|rises?|rising|increas(?:e|es|ed|ing)|up by|goes up|going up|go up|uplift|" \
          r"surcharge|inflation)\b"
#: A percentage ordered on top of what is needed: "10% extra for cutting waste", "plus 5% spare".
_SPARE = r"\s*(?:extra|spare|more|over)?\s*(?:for\s+)?(?:cutting\s+)?(?:waste|spares?|breakage|offcuts)\b|" \
         r"\s*(?:extra|spare)\b"
_CUT = r"\b(?:cut|cuts|cutting|decreas(?:e|es|ed|ing)|reduc(?:e|es|ed|ing|tion)|down by|goes down|going down|drop|" \
       r"drops|dropping|lower(?:ed|ing)?)\b"
#: What a raised chain must not say: a second change, a share, a comparison, a split or a rounding.
_NOT_A_RAISE = re.compile(r"\bvat\b|\bdiscount|\boff\b|\bsplit|\bshare|\bbetween\b|\bor\b|\bvs\.?\b|"
                          r"\bcompar|\baverage\b|\bavg\b|\bleft\b|\bremain|\bbudget\b|\btarget\b|\bmargin\b|"
                          r"\bmarkup\b|\bafter\b|\bthen\b|\bcompound|\bper year for\b|\bover \d+ years\b")
#: A difference between options asked, and the words that start another option.
_COMPARED_ASKED = r"\bhow much (?:cheaper|more|less|dearer|extra)\b|\b(?:difference|diff)\b|" \
                  r"\bhow much (?:do|does|would|will) (?:we|i|it) save\b"
_OPTION = re.compile(r"\bvs\.?\s|\bversus\b|,?\s+or\s+|\bcompared (?:to|with)\b|"
                     r"[,;.]\s+(?:vendor|supplier|option|quote|offer|plan|company|provider)\s+[a-z0-9]\b")
#: A percentage said to be on the whole of a sum.
_ON_THE_WHOLE = r"\b(?:on|of|off) (?:the |all of )?(?:whole(?: lot| thing| amount| order)?|total|everything|" \
                r"all of (?:that|it)|discounted (?:price|total|amount))\b|\bon top of (?:all|everything|that|it)\b"
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
    units = _money_units(text, figures)
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
        return None if total is None else f"({total[0]})/{figures[head].text}"
    per_head = {index: sum(other[next(iter(unit))] < 0 for other, _ in units) for index, (unit, _) in enumerate(units)
                if len(unit) == 1 and list(unit.values()) == [1]}
    heads = [index for index, count in per_head.items() if count >= 2 and count == max(per_head.values())]
    if len(heads) == 1:  # "6 ppl. tix 1,150 each, hotel 3 nights at 185/night per person. total?": runs per head
        [head] = heads
        rest = [index for index in range(len(figures)) if index != head]
        total = _summed(text, [figures[i] for i in rest], [units[i] for i in rest], asked, conversions,
                        (figures[head], units[head]))
        if total is not None and total[2]:
            return total[0]
    total = _summed(text, figures, units, asked, conversions)
    return None if total is None else total[0]


def compared(text: str, figures: list[Figure]) -> str | None:
    """The difference between options, each a chain or a sum of chains: "vendor A quotes 18,400 eur/yr, vendor B is
    1,650/month. how much cheaper is A per year?" is 1650*12 - 18400; "lease at 95/month, or buy for 2,800 plus
    18/month maintenance. over 36 months how much more does buying cost" is (2800 + 18*36) - (95*36), a figure of
    the question ("over 36 months") taken by whichever option needs it. The larger less the smaller; with more than
    two options ("cheapest and most expensive"), the largest less the smallest. None unless every option comes out
    as the unit asked one way only and every figure is used."""
    asking = re.search(_COMPARED_ASKED, text)
    if asking is None or not 2 <= len(figures) <= 8 or any(f.percent or not f.value for f in figures):
        return None
    question_start = max([0, *(m.end() for m in re.finditer(r"[.?!;,]\s", text[: asking.start()]))])
    shared = [f for f in figures if f.start >= question_start]
    own = [f for f in figures if f.start < question_start]
    bounds = [m.start() for m in _OPTION.finditer(text[:question_start])]
    options = [option for start, end in itertools.pairwise([0, *bounds, len(text)])
               if (option := [f for f in own if start <= f.start < end])]
    if len(shared) > 1 or len(options) < 2 or \
            len(options) > 2 and not has(r"\bcheapest\b|\bmost expensive\b", text):
        return None
    units = dict(zip((f.start for f in figures), _money_units(text, figures), strict=True))
    if any(not unit for unit, _ in units.values()):
        return None
    asked = asked_unit(text, figures, list(units.values()))
    if asked is None and len({frozenset(unit.items()) for unit, _ in units.values()}) == 1:
        asked = next(iter(units.values()))[0]  # "312,750 eur vs last month 289,400 eur, whats the difference"
    if asked is None:
        return None
    conversions = conversions_allowed(text, list(units.values()))
    costs, used = [], False
    for option in options:
        found = products(option, [units[f.start] for f in option], asked, conversions)
        if not found and shared:
            found = products([*option, shared[0]], [units[f.start] for f in [*option, shared[0]]], asked, conversions)
            used = used or len(found) == 1
        if len(found) == 1:
            costs.append(next(iter(found)))
            continue
        summed = _summed(text, option, [units[f.start] for f in option], asked, conversions,
                         (shared[0], units[shared[0].start]) if shared else None)
        if summed is None:
            return None
        used = used or summed[2]
        costs.append(summed[:2])
    if shared and not used:
        return None
    (low, _), (high, _) = min(costs, key=lambda cost: cost[1]), max(costs, key=lambda cost: cost[1])
    return f"({high}) - ({low})"


def _money_units(text: str, figures: list[Figure]) -> list[Unit]:
    """Each figure's unit (an empty one where it has none), a bare rate and a flat amount as money where money is
    asked: "95/hr", "142/night", "truck is 380 flat", "venue is 3,200, catering ..."."""
    units: list[Unit] = []
    for index in range(len(figures)):
        units.append(unit_of(text, figures, index, units) or (Counter(), ""))
    if has(MONEY_ASKED + r"|\btotal\b", text):
        for index, (unit, _) in enumerate(units):
            before = text[figures[index - 1].end if index else 0: figures[index].start]
            if not unit and index and units[index - 1][0] and \
                    re.fullmatch(r"\s*(?:[a-z]+\s+){0,2}at\s*(?:€|eur\s+)?", before):  # "16 hrs consulting at 95"
                unit = Counter({"money": 1})
                unit.subtract(units[index - 1][0])
                units[index] = (unit, "")
            elif len(unit) == 1 and list(unit.values()) == [1] and \
                    re.search(r"(?:\bplus|\+)\s*(?:€|eur\s+)?$", before) and \
                    not any(other[next(iter(unit))] for i, (other, _) in enumerate(units) if i != index):
                units[index] = (Counter({"money": 1}), "")  # "plus 240 travel": a cost named by what it is for
                continue
            if unit and not unit["money"] and all(power < 0 for power in unit.values()):
                unit["money"] += 1
            elif (not unit or set(unit) <= {"flat", "fee", "total"}) and \
                    (has(_FLAT, clause(text, figures, figures[index])) or
                     not unit and re.match(r"\s*(?:[,;.](?:\s|$)|$|(?:plus|and|\+)\b)", text[figures[index].end:])) or \
                    re.match(r"\s*[a-z-]+\s+(?:fee|charge|surcharge)\b", text[figures[index].end:]):
                units[index] = (Counter({"money": 1}), "")  # "a 120 callout fee"
    return units


def _summed(text: str, figures: list[Figure], units: list[Unit], asked: Counter,
            conversions: list[tuple[str, str, int]], shared: tuple[Figure, Unit] | None = None
            ) -> tuple[str, float, bool] | None:
    """`unit_sum`'s sum of `figures` in the unit `asked`, its value and whether a run took the `shared` figure (a
    headcount that runs per head are multiplied by, where they do not come out without it); one value from every
    cut that gives one."""
    cuts = [index for index in range(1, len(figures))
            if _ADDED.search(text[figures[index - 1].end: figures[index].start])]
    values = {}
    for chosen in itertools.product((False, True), repeat=len(cuts)):
        bounds = [0, *(cut for cut, taken in zip(cuts, chosen, strict=True) if taken), len(figures)]
        if len(bounds) == 2 and shared is None:
            continue
        terms, alone, took = [], [], False
        for start, end in itertools.pairwise(bounds):
            term = products(figures[start:end], units[start:end], asked, conversions)
            if not term and shared is not None:  # "catering 42/head": times the heads
                term = products([*figures[start:end], shared[0]], [*units[start:end], shared[1]], asked, conversions)
                took = True
            elif end == start + 1:
                alone.append(start)
            terms.append(term)
        each = _FOR_EACH if shared is None else rf"{_FOR_EACH}|\b{re.escape(next(iter(shared[1][0])))}"
        if all(len(term) == 1 for term in terms) and \
                not any(has(each, _said_after(text, figures, start)) for start in alone):  # "the pallet is 25 kg"
            written = [next(iter(term)) for term in terms]
            values[round(sum(value for _, value in written), 9)] = (" + ".join(expression for expression, _ in written),
                                                                    took)
    return next((expression, value, took) for value, (expression, took) in values.items()) if len(values) == 1 \
        else None


def _said_after(text: str, figures: list[Figure], index: int) -> str:
    """The words of a figure's clause from the last word that adds it on: "the empty pallet is 25 kg", "25 kg for
    the pallet itself" (not the "per head" of the figure before, in "14.80 per head + 60 eur delivery")."""
    said = clause(text, figures, figures[index])
    start = text.find(said) if said else figures[index].start
    cuts = [m.end() for m in _ADDED.finditer(text, start, figures[index].start)]
    return text[cuts[-1]: start + len(said)] if cuts else said


def percent_on_product(text: str, figures: list[Figure]) -> str | None:
    """A chain of rates raised or cut by a percentage: "we pay 18.40 per unit and buy 1,200 units a month, prices
    go up 7.5%, how much extra per month" is 18.40*1200*7.5/100; the new amount where no change is asked ("what
    will it cost a month then"). The other figures must come out as the unit asked by `unit_product`'s rule, one
    way only; None otherwise."""
    percents = [f for f in figures if f.percent]
    others = [f for f in figures if not f.percent]
    spare = len(percents) == 1 and re.match(_SPARE, text[percents[0].end:]) is not None
    up, down = (True, False) if spare else (has(_RAISED, text), has(_CUT, text))
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
    if has(CHANGE_ASKED, text) and not spare:
        return f"{expression}*{share}"
    return f"{expression}*(1 {'+' if up else '-'} {share})"


def percent_on_sum(text: str, figures: list[Figure]) -> str | None:
    """A sum of chains with percentages on the whole of it, in turn: "16 hrs consulting at 95, plus 240 travel,
    then 21% vat on the whole lot" is (16*95 + 240)*(1 + 21/100); "10% volume discount on everything, then 21% vat
    on the discounted price" takes 10% off first. Each percentage must say it is on the whole; the rest must be a
    sum `unit_sum` reads, its percentages' clauses left out."""
    percents = [f for f in figures if f.percent]
    if not percents or len(percents) == len(figures):
        return None
    factors, blanked = [], text
    for percent in percents:
        said = clause(text, figures, percent)
        if not has(_ON_THE_WHOLE, said):
            return None
        if has(r"\b(?:off|discount(?:ed)?|less|minus|reduction)\b", said[: said.find(percent.text) + 40]) and \
                not has(r"\b(?:vat|tax)\b", text[percent.end: percent.end + 6]):
            factors.append(f"(1 - {percent.text}/100)")
        elif has(r"\b(?:vat|tax|contingency|on top|surcharge|markup|mark-up|buffer|service charge)\b", said):
            factors.append(f"(1 + {percent.text}/100)")
        else:
            return None
        start = text.find(said)
        blanked = blanked[:start] + " " * len(said) + blanked[start + len(said):]
    rest = [f for f in figures if not f.percent]
    base = unit_sum(blanked, rest)
    return None if base is None else "*".join([f"({base})", *factors])
