"""Word problems about percentages, composed into a calculator expression for
`assistant.word_problems.composed_expression`: percentages added on top or taken off an amount in turn (VAT, a
tip, a discount, a second discount, a part lost), a part of an amount, a gross from a net and a price from a
margin, a change between two amounts in percent, a part of a whole in percent (the parts of a budget or target
added up), a margin or markup, compound growth and simple interest. Each shape returns None unless the request
is that shape and every figure it states has its place.
"""

from __future__ import annotations

import re
from itertools import pairwise

from assistant.word_cues import EACH, LEFT, MARGIN_ASKED, OFF, USED, clause, fraction, has, split_percents
from assistant.word_figures import Figure

_ON_TOP = r"\b(?:plus|vat|tax|tip|raise|surcharge|on top|add(?:ed|ing)?|increase[sd]?|markup|service charge|up by|" \
          r"goes up|go up|went up|rises?|rose|raised|put (?:it |them |the \w+ )?up|puts (?:it )?up|hiked?)\b"
_INCLUDED = r"\b(?:incl|including|inclusive|includes)\b\.?[^.?!]{0,30}\b(?:vat|tax)\b|\b(?:vat|tax)\b\s+included\b"
_WITHOUT = r"\b(?:without|excl\.?|excluding|before|net|ex)\b"
_THE_TAX_PART = r"\bhow much\b[^.?!]{0,20}\bis\b[^.?!]{0,10}\b(?:the\s+)?(?:vat|tax)\b"
#: A share someone puts in, and the shares asked for together.
_PUTS_IN = r"\b(?:put|puts|putting|pay|pays|paying) in\b|\b(?:adds?|contribut\w*|match(?:es)?|tops? up)\b"
_TOGETHER = r"\b(?:total|together|both|altogether|in all|combined|going into|goes into|go into)\b"
_TOTAL = r"\b(?:total|final|new|altogether|in all|incl\.?|inc|including|all in|pay|cost|price|gross)\b"
_CHANGE_UP = r"\b(?:went up|gone up|go up|goes up|increase[ds]?|rise|rises|rose|risen|grows?|grew|grown|growth|" \
             r"growing|up from|more than|overr?an|overrun|exceed(?:ed)?)\b"
_CHANGE_DOWN = r"\b(?:went down|gone down|dropped|drop|fell|fall|fallen|decrease[ds]?|down from|less than|" \
               r"cheaper|reduced|shrank|declined?|short|shortfall|loss|lost)\b"
#: A fee in percent taken from an amount, and what is received after it asked for.
_FEE_TAKEN = r"\b(?:fee|commission|charges?|deduct\w*|with?h[eo]ld\w*)\b"  # "withold" as typed too
_RECEIVED = r"\b(?:receive|recieve|received|recieved|get|got|end up|net|actually|arrives?|lands?)\b"
#: The part not done asked after the part done was stated: "540 of 600 within SLA, what % missed".
_NOT_DONE = r"\b(?:missed|miss|failed|fail|didn't|did not|weren't|were not|not|outside|late|no-shows?)\b"
#: A fee added to an amount ("the bank added a 2% card fee"): what is paid with it, unless the fee is asked.
_FEE_ADDED = r"\b(?:added|adds|on top)\b[^.?!]*\b(?:fee|surcharge|commission)\b|" \
             r"\b(?:fee|surcharge|commission)\b[^.?!]*\b(?:added|on top)\b"
#: A later percentage taken of what the one before left: "then 37% tax on what's left", "20% of the remainder".
_OF_THE_REST = r"\b(?:on|of|from) (?:what'?s|what is|whatever is|what) (?:left|remains)\b|" \
               r"\b(?:on|of|from) the (?:rest|remainder|remaining amount|balance)\b"
#: A year asked for: "the full year", "per year", "annual cost".
_A_YEAR = r"\b(?:full year|whole year|per year|a year|for the year|over the year|annual(?:ly)?|yearly)\b"
#: A percentage taken of what was named before it: "of them", "of the trials"; with an amount before it, also a
#: part named by its noun alone ("of operations").
_OF_IT = r"\s*of\s+(?:it|them|those|these|that|the\s+[a-z]+)"
_OF_THE_PART = rf"{_OF_IT}|\s*of\s+(?!our\b|all\b|my\b|a\b)[a-z]{{4,}}\b"
#: Between a first percentage and the amount it is of: "75% of our 60k budget".
_OF_THE_AMOUNT = r"^\s*of\s+(?:our|the|my|this|a|an)?\s*(?:[a-z]+\s+)?[€$£]?\s*$"
_ASKS_PERCENT = r"(?:what|which|how many|how much)\s*(?:%|percentage|percent)|" \
                r"(?:%|percentage) (?:is|was) (?:that|it)|" \
                r"\bas a (?:%|percentage)|\bin (?:%|percent)|\bby what\b|" \
                r"\bthe (?:%|percentage|percent) (?:\w+ )?" \
                r"(?:increase|decrease|change|rise|drop|growth|difference|loss|gain)\b|" \
                r"\brate (?:%|in %|as a %)|%\s*\?|%\s*$|\butili[sz]ation\b"
#: A part lost ("3.5% damaged") and what is kept asked for ("how many good ones do we book in").
_LOST = r"\b(?:damaged|broken|faulty|defective|rejected|lost|missing|scrapped|spoiled|returned|no-shows?)\b"
_KEPT_ASKED = r"\b(?:good|ok|usable|intact|undamaged|sellable|fine|left|remaining|kept)\b"


def compounded(text: str, figures: list[Figure], years: str) -> str | None:
    """An amount growing by a percentage a year ("grows by 3% per year", "prices go up 5% every year"),
    after `years` years."""
    percents, amounts = split_percents(figures)
    if len(percents) != 1 or len(amounts) != 1 or not has(_CHANGE_UP, text):
        return None
    return f"{amounts[0].text}*(1 + {fraction(percents[0])})**{years}"


def percent_chain(text: str, figures: list[Figure], total: bool = False) -> str | None:
    """One amount and percentages, each added ("plus 21% vat", "a 10% tip") or taken off ("15% off",
    "minus 10% discount") in turn; a lone percentage with neither cue is a part ("8% holiday allowance on
    52,800", "15% of 2,340"). A lone percentage on top is added when the request asks for a total (or `total`).
    Amounts joined by "+", "plus" or "and" are one ("duty 6.5% on goods 22,000 + freight 1,800 + insurance 200")."""
    percents, amounts = split_percents(figures)
    if has(MARGIN_ASKED, text):  # a margin asked is `margin`'s, on the prices before it
        return None
    if len(amounts) > 1 and percents and len(percents) == 1 and all(
            has(r"^[^\d]{0,30}(?:\+|\bplus\b|\band\b)[^\d]{0,30}$", text[a.end:b.start]) and
            not has(EACH, text[a.end:b.start]) for a, b in pairwise(amounts)):
        amounts = [Figure(f"({' + '.join(f.text for f in amounts)})", amounts[0].start, amounts[-1].end, False)]
    if len(amounts) != 1 or not percents or len(percents) > 3:
        return None
    if len(percents) == 2 and has(r"\bfrom\b[^.?!]*\bto\b", text) and has(r"\b(?:extra|more|difference|increase)\b",
                                                                          text):
        first, second = percents  # "surcharge went from 9% to 11.5% on a base rate of 3,200, how much extra"
        return f"({second.text} - {first.text})/100*{amounts[0].text}"
    if len(percents) == 1 and (found := _grossed_up(text, amounts[0], percents[0])) is not None:
        return found
    if re.match(r"\s*(?:[a-z]+\s+)?(?:per|a|/)\s*(?:yr|year)\b|\s*(?:a|per) annum\b", text[amounts[0].end:]) and \
            has(r"\bmonthly\b|\b(?:per|a) month\b", text[percents[-1].end:]):
        return None  # "54,600 gross per yr ... 4% raise, new monthly gross": a chain of rates in two units
    total = total or has(_TOTAL, text)
    amount = amounts[0].text
    net = has(r"^\W*(?:\w+\W+)?(?:excl\.?|excluding|ex|before|net|without)\b", text[amounts[0].end:])
    if len(percents) == 1 and has(_INCLUDED, text) and not net:
        net = f"{amount}/(1 + {fraction(percents[0])})"
        if has(_THE_TAX_PART, text):
            return f"{amount} - {net}"
        return net if has(_WITHOUT, text) or has(r"\bprice\b|\bamount\b|\bcost\b", text) else None
    if len(percents) == 1 and has(r"\bhow much (?:is )?(?:just |only )?(?:the )?(?:vat|tax)\b|\b(?:vat|tax) amount\b|"
                                  r"\bamount of (?:vat|tax)\b", text) and not has(_INCLUDED, text):
        return f"{amount}*{fraction(percents[0])}"  # "net amount is 2,450, vat is 21%, how much is the vat"
    if has(LEFT, text) and has(USED, text):  # "40% goes on salaries and 25% on equipment, how much is left"
        if len(percents) > 1 and has(_OF_THE_REST, text[percents[0].end:]):  # "then 37% tax on what's left"
            return "*".join([amount, *(f"(1 - {fraction(p)})" for p in percents)])
        return f"{amount}*(1 - ({' + '.join(fraction(p) for p in percents)}))"
    if len(percents) == 1 and has(_FEE_TAKEN, clause(text, figures, percents[0])) and \
            has(_RECEIVED, text[percents[0].end:]):  # "the bank took a 0.5% fee, how much did we receive"
        return f"{amount}*(1 - {fraction(percents[0])})"
    factors = percent_factors(text, figures, percents, total)
    if factors is None:
        return None
    if re.match(r"\s*(?:a|per|/)\s*month\b|\s*monthly\b", text[amounts[0].end:]) and \
            has(_A_YEAR, text[max(amounts[0].end, percents[-1].end):]):
        factors.append("12")  # "4.5k a month, up 6% from january, the cost for the full year"
    return "*".join([amount, *factors])

def _grossed_up(text: str, amount: Figure, percent: Figure) -> str | None:
    """An amount that is what remains after a percentage, and the whole asked for: the gross for a net pay
    ("receive 1,700 net and 15% is withheld, what gross"), the price for a margin on it ("cost is 64, a 20%
    margin on the selling price, what sell price"); a markup on the cost is added to it."""
    if has(r"\bnet\b", text) and has(r"\bgross\b", text) and \
            has(r"\b(?:withheld|withholding|deducted|deductions?|tax(?:ed)?|taken off)\b", text):
        return f"{amount.text}/(1 - {fraction(percent)})"
    if has(r"\b(?:sell(?:ing)? price|sale price|sell (?:it )?(?:at|for)|price (?:should|do|must))\b", text) and \
            has(r"\b(?:cost|costs|buy|bought)\b", text):
        if has(r"\bmargin\b", text):
            return f"{amount.text}/(1 - {fraction(percent)})"
        if has(r"\bmark-?up\b", text):
            return f"{amount.text}*(1 + {fraction(percent)})"
    if has(r"\ball[- ]in\b", text) and has(r"\b(?:on top|on-?costs?|added)\b", text) and \
            has(r"\b(?:max(?:imum)?|gross|base|before)\b", text[max(amount.end, percent.end):]):
        return f"{amount.text}/(1 + {fraction(percent)})"  # "22% on top of gross, 75k all in, max gross?"
    return None

def percent_factors(text: str, figures: list[Figure], percents: list[Figure], total: bool) -> list[str] | None:
    """What each of `percents` multiplies an amount by: added on top (1 + p), taken off (1 - p) or taken of it
    (p); None when a percentage says none of them."""
    factors = []
    for percent in percents:
        near = clause(text, figures, percent)
        if re.match(r"\s*(?:off|discount)\b", text[percent.end:]):  # "5% off the total incl vat"
            factors.append(f"(1 - {fraction(percent)})")
        elif has(r"\b(?:vat|tax|tip|surcharge)\b", near) and (len(percents) > 1 or total):
            factors.append(f"(1 + {fraction(percent)})")  # "then 20% vat goes on the discounted price"
        elif has(OFF, near):
            factors.append(f"(1 - {fraction(percent)})")
        elif re.match(r"\s*over\b", text[percent.end:]) and (total or has(r"\bactual(?:ly)?\b|\bspen[dt]\b",
                                                                           text[percent.end:])):
            factors.append(f"(1 + {fraction(percent)})")  # "budget was 1,800 and we went 15% over, actual spend"
        elif has(_ON_TOP, near) and (len(percents) > 1 or total):
            factors.append(f"(1 + {fraction(percent)})")
        elif has(_FEE_ADDED, near) and not has(_FEE_TAKEN, re.split(r"[,;.?!]\s", text[percent.end:], maxsplit=1)[-1]):
            factors.append(f"(1 + {fraction(percent)})")  # "the bank added a 2% card fee, how many euros hit"
        elif has(_LOST, near) and has(_KEPT_ASKED, text) or \
                has(_FEE_TAKEN, near) and has(_RECEIVED, text[percent.end:]):
            factors.append(f"(1 - {fraction(percent)})")  # "3.5% damaged, how many good ones"; "takes a 0.5% fee"
        elif len(percents) == 1 and (has(r"\bof\b|\bon\b", near) or has(r"\brate\b", near) and
                                     has(r"\bhow many\b", text) or
                                     has(r"\bhow many\b[^.?!]*\b(?:is|are|was|were) (?:that|those|they)\b",
                                         text[percent.end:])) and not has(_ASKS_PERCENT, text):
            factors.append(fraction(percent))  # "return rate 3.2%, how many returns"
        elif len(percents) > 1 and has(r"\b(?:another|further|additional|then)\b", near) and \
                any(has(OFF, clause(text, figures, p)) for p in percents if p is not percent):
            factors.append(f"(1 - {fraction(percent)})")  # "we get 10% then another 5% on the discounted price"
        else:
            return None
    return factors

def percent_change(text: str, figures: list[Figure]) -> str | None:
    """Two amounts, from the first to the second, and the change asked for in percent; or two percentages and
    the change relative to the first."""
    percents, amounts = split_percents(figures)
    if len(percents) == 2 and not amounts and has(r"\brelative\b", text) and has(r"\bfrom\s+[\d.]+%\s+to\b", text):
        amounts = percents  # "CTR went from 1.8% to 2.4%, the relative increase in percent"
    elif percents or len(amounts) != 2 or not has(_ASKS_PERCENT, text):
        return None
    first, second = amounts[0].text, amounts[1].text
    if re.match(r"\s*(?:[a-z]+\s+)?(?:last|previous|prior)\s+(?:month|year|week|quarter|time)\b",
                text[amounts[1].end:]):
        first, second = second, first  # "1,480 this month vs 1,295 last month": last month's is the first
    if has(_CHANGE_DOWN, text):
        return f"({first} - {second})/{first}*100"
    if has(_CHANGE_UP, text) or has(r"\bfrom\b[^.?!]*\bto\b", text):
        return f"({second} - {first})/{first}*100"
    return None

def percent_of_part(text: str, figures: list[Figure]) -> str | None:
    """One amount and percentages each taken of the part the one before it took ("60k total, 35% of it goes to
    paid social and 40% of the paid social budget is instagram"; "14k visitors, 2.5% signed up for a trial and 18%
    of the trials converted"): the amount times each fraction in turn; without an amount, asked in percent ("68%
    responded and 45% of the respondents want more hybrid days, what % of all staff"), the first percentage
    times the fractions after it."""
    percents, amounts = split_percents(figures)
    if len(percents) > 1 and not amounts and has(_ASKS_PERCENT, text) and \
            all(re.match(_OF_IT, text[p.end:]) for p in percents[1:]):
        return "*".join([percents[0].text, *(fraction(percent) for percent in percents[1:])])  # "what % of all staff"
    if len(percents) < 2 or len(amounts) != 1 or amounts[0].start > percents[0].start and \
            not has(_OF_THE_AMOUNT, text[percents[0].end: amounts[0].start]) or \
            has(OFF + r"|\b(?:vat|tax|plus|add|added|adds|increase|rise|extra|surcharge|tip|more)\b", text) or \
            any(not re.match(_OF_THE_PART, text[p.end:]) for p in percents[1:]):
        return None
    return "*".join([amounts[0].text, *(fraction(percent) for percent in percents)])


def contributions(text: str, figures: list[Figure]) -> str | None:
    """Percentages of one amount that two or more parties each put in, added ("i put in 5% and the company adds 4%,
    gross monthly is 3,900. total going into my pension each month?")."""
    percents, amounts = split_percents(figures)
    if len(percents) < 2 or len(amounts) != 1 or not has(_TOGETHER, text) or \
            any(not has(_PUTS_IN, clause(text, figures, percent)) for percent in percents):
        return None
    return f"{amounts[0].text}*({' + '.join(percent.text for percent in percents)})/100"


def percent_of(text: str, figures: list[Figure]) -> str | None:
    """Two amounts, a part and its whole, and the part asked for in percent ("54 of them", "3 of our 40",
    "1260 out of a target of 1400"): the smaller is the part."""
    percents, amounts = split_percents(figures)
    if percents or len(amounts) < 2 or not has(_ASKS_PERCENT, text) or \
            has(_CHANGE_UP, text) or has(_CHANGE_DOWN, text) or has(r"\b(?:over|under) by\b|\bover budget\b", text):
        return None
    if len(amounts) > 2:
        return _percent_of_parts(text, amounts)
    part, whole = sorted(amounts, key=lambda figure: figure.value)
    said = max(part.end, whole.end)
    ends = re.search(r"[.!?;,]", text[said:])  # the figures' own clause names the part: "12 of 150 were paid late"
    if ends is not None and has(_ASKS_PERCENT, text[said + ends.end():]):
        said += ends.end()
    if has(LEFT, text) and has(USED, text) or has(_NOT_DONE, text[said:]) and not has(_NOT_DONE, text[:said]):
        # "spent 11,250 of 18,000, what percentage is left"; "resolved 540 of 600 within SLA, what % missed"
        return f"({whole.text} - {part.text})/{whole.text}*100"
    return f"{part.text}/{whole.text}*100"

def _percent_of_parts(text: str, amounts: list[Figure]) -> str | None:
    """Several parts of a budget or target named as such, and their sum asked for in percent of it ("budget for
    the year is 48,000, we spent 19.2k in q1 and 10.8k in q2, what percent have we used"; "target was 75k, july
    21,300, august 18,450 ..., what % of target did we hit"), or what they leave of it ("what % is left")."""
    wholes = [f for f in amounts if has(r"\b(?:budget|target|goal|quota)\b[^.?!\d]{0,25}$", text[: f.start])]
    if len(wholes) != 1 or any(f.value >= wholes[0].value for f in amounts if f is not wholes[0]) or \
            has(_NOT_DONE, text) or has(r"\b(?:each|per|every|a (?:day|week|month))\b", text):
        return None
    parts = " + ".join(f.text for f in amounts if f is not wholes[0])
    if has(LEFT, text[max(f.end for f in amounts):]):
        return f"({wholes[0].text} - ({parts}))/{wholes[0].text}*100"
    return f"({parts})/{wholes[0].text}*100"

#: Shapes whose requests name two units of time without asking to convert between them.
def simple_interest(text: str, figures: list[Figure]) -> str | None:
    """Simple interest on an amount at a percentage per year or month over so many of them ("5,000 at 4% simple
    interest per year over 3 years", "8,400 is 4 months overdue, 1.5% simple interest per month"): the interest,
    or with it the amount when a total is asked for ("total we owe incl interest")."""
    percents, amounts = split_percents(figures)
    if not has(r"\bsimple interest\b", text) or len(percents) != 1 or len(amounts) != 2:
        return None
    periods = [f for f in amounts if re.match(r"\s*(?:full\s+)?(?:years?|yrs?|months?)\b", text[f.end:])]
    if len(periods) != 1:
        return None
    principal = next(f for f in amounts if f is not periods[0])
    period = periods[0].text
    in_months = re.match(r"\s*(?:full\s+)?months?\b", text[periods[0].end:]) is not None
    monthly_rate = has(r"%[^.?!\d]{0,30}\b(?:per month|a month|monthly|/\s*month)\b", text)
    if in_months and not monthly_rate:  # "4% per year, repaid after 18 months"
        period = f"{period}/12"
    elif not in_months and monthly_rate:
        period = f"{period}*12"
    interest = f"{principal.text}*{fraction(percents[0])}*{period}"
    if has(r"\b(?:total|incl\.?|including|altogether|in all|all in|owe)\b", text) and \
            not has(r"\binterest (?:alone|only)\b|\bhow much interest\b", text):
        return f"{principal.text} + {interest}"
    return interest

def margin(text: str, figures: list[Figure]) -> str | None:
    """A margin in percent of the selling price, or a markup in percent of the cost ("we sell it for 84, our
    cost is 63, the margin as % of the selling price")."""
    percents, amounts = split_percents(figures)
    if percents or len(amounts) != 2 or not has(r"\b(?:margin|markup|mark-up)\b", text) or \
            not has(_ASKS_PERCENT + r"|\bas (?:a )?%|\b%", text):
        return None
    sold = [f for f in amounts if has(r"\b(?:sell|sells|selling|sold|sale|price)\b", _before(text, figures, f))]
    cost = [f for f in amounts if has(r"\b(?:cost|costs|buy|bought|purchase|pay)\b", _before(text, figures, f))]
    if len(sold) != 1 or len(cost) != 1 or sold[0] is cost[0]:
        return None
    base = cost[0] if has(r"\bmark-?up\b", text) and not has(r"\bmargin\b", text) else sold[0]
    return f"({sold[0].text} - {cost[0].text})/{base.text}*100"

def _before(text: str, figures: list[Figure], figure: Figure) -> str:
    """The words just before `figure`, back to the figure before it: what it is ("sell at 60", "our cost is 63")."""
    start = max([f.end for f in figures if f.end <= figure.start] + [figure.start - 25, 0])
    return text[start:figure.start]
