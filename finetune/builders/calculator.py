"""Questions that need exact arithmetic, answered through the calculator tool.

Each problem kind draws its numbers, words the question a few ways, and writes the expression in the
calculator's syntax. The result comes from the real calculator (passed in as `calculate`, so this module
stays pure) and the final answer states its "text", the exact value as the tool message writes it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from finetune.builders.word_problems import WORD_PROBLEMS, Problem, casually, money
from finetune.records import Record, call_messages
from tools.base import ToolResult

Calculate = Callable[[dict[str, Any]], ToolResult]
TOOL = "calculator"
_TEXT_BEFORE = ["Let me calculate that.", "I'll work it out.", "Calculating."]


def calculator_records(
    rng: random.Random, n: int, calculate: Calculate, *, max_tool_result_chars: int = 1500
) -> list[Record]:
    """`n` distinct calculator conversations (fewer only if the problem kinds run out of variety).

    `calculate` is the calculator tool's `call`; a problem it cannot evaluate is a bug here and raises.
    """
    records: list[Record] = []
    seen: set[str] = set()
    kinds, weights = list(PROBLEMS), list(PROBLEMS.values())
    for _ in range(n * 20):
        if len(records) >= n:
            break
        problem = rng.choices(kinds, weights)[0](rng)
        question = casually(rng, problem.question)
        if question in seen:
            continue
        seen.add(question)
        arguments = {"expression": problem.expression}
        result = calculate(arguments)
        if not result.ok:
            raise AssertionError(f"the calculator refused {problem.expression!r}: {result.error}")
        value = result.value
        answer = problem.answer.format(v=value["text"])
        before = rng.choice(_TEXT_BEFORE) if rng.random() < 0.2 else ""
        messages = call_messages(question, TOOL, arguments, result.to_message(max_tool_result_chars),
                                 answer, text_before=before)
        records.append(Record("calculator", TOOL, messages, meta={"answer": _number(value)}))
    return records


def _number(value: dict[str, Any]) -> int | float | None:
    """The value as a JSON number for the eval file: exact when whole (floats lose digits past 2**53)."""
    try:
        fraction = Fraction(value["result"])
    except (ValueError, ZeroDivisionError, TypeError):
        numeric = value.get("numeric")
        return numeric if isinstance(numeric, (int, float)) else None
    return fraction.numerator if fraction.denominator == 1 else float(fraction)


# ----------------------------------------------------------------------------------------------------
# Problem kinds


def _percent_of(rng: random.Random) -> Problem:
    p, x = rng.choice([5, 12, 15, 17, 18, 21, 23, 35, 42, 7.5, 12.5]), rng.randint(40, 9000)
    question = rng.choice([f"What is {p}% of {x}?", f"How much is {p} percent of {x}?", f"Calculate {p}% of {x}.",
                           f"{p}% of {x} = ?"])
    return Problem(question, f"{p}*{x}/100", f"{p}% of {x} is {{v}}.")  # the numbers in the order asked


def _discount(rng: random.Random) -> Problem:
    price, p = money(rng, 20, 2500), rng.choice([10, 15, 20, 25, 30, 40])
    item = rng.choice(["laptop", "office chair", "monitor", "headset", "desk lamp", "conference ticket"])
    question = rng.choice([f"A {item} costs {price} euros and is {p}% off. What is the sale price?",
                           f"What do I pay for a {price} euro {item} with a {p}% discount?",
                           f"The supplier takes {p}% off our {price} euro {item}. What is the new price?",
                           f"How much is a {price} euro {item} after a {p}% discount?",
                           f"A {item} is reduced by {p}% from {price} euros. What does it cost now?"])
    return Problem(question, f"{price}*(1 - {p}/100)", f"After the {p}% discount the {item} costs {{v}} euros.")


def _vat(rng: random.Random) -> Problem:
    price, rate = money(rng, 10, 4000), rng.choice([9, 19, 20, 21])
    question = rng.choice([f"What is {price} euros plus {rate}% VAT?",
                           f"A quote says {price} euros excluding {rate}% VAT. What is the total including VAT?",
                           f"Add {rate}% VAT to {price} euros.",
                           f"An invoice is {price} euros before {rate}% VAT. What do we pay with VAT added?",
                           (f"What is the price including {rate}% VAT of something that costs {price} euros "
                            "without VAT?")])
    return Problem(question, f"{price}*(1 + {rate}/100)", f"Including {rate}% VAT that is {{v}} euros.")


def _share(rng: random.Random) -> Problem:
    a, b = rng.randint(3, 400), rng.randint(401, 2000)
    question = rng.choice([f"What percentage of {b} is {a}?", f"{a} out of {b} is what percent?"])
    return Problem(question, f"{a}/{b}*100", f"{a} out of {b} is {{v}} percent.")


def _unit_price(rng: random.Random) -> Problem:
    count, total = rng.randint(2, 48), money(rng, 10, 900)
    thing = rng.choice(["notebooks", "licences", "chairs", "train tickets", "boxes of paper", "cables"])
    question = rng.choice([f"{count} {thing} cost {total} euros in total. How much is one?",
                           f"We paid {total} euros for {count} {thing}. What is the unit price?"])
    return Problem(question, f"{total}/{count}", "One costs {v} euros.")


def _total_price(rng: random.Random) -> Problem:
    count, price = rng.randint(3, 250), money(rng, 2, 300)
    thing = rng.choice(["mugs", "t-shirts", "badges", "lunches", "USB sticks", "plants"])
    question = rng.choice([f"If one of our {thing} costs {price} euros, how much do {count} cost?",
                           f"What is the cost of {count} {thing} at {price} euros each?"])
    return Problem(question, f"{count}*{price}", f"{count} {thing} cost {{v}} euros.")


def _compound(rng: random.Random) -> Problem:
    start, rate = rng.choice([1000, 2500, 5000, 10000, 20000]), rng.choice([2, 3, 4, 5, 6, 8])
    years = rng.randint(2, 12)
    question = rng.choice([
        f"If {start} euros grows by {rate}% a year, compounded yearly, how much is it after {years} years?",
        f"Our budget of {start} euros rises {rate}% every year. What will it be in {years} years?",
    ])
    return Problem(question, f"{start}*(1 + {rate}/100)**{years}", f"After {years} years it is {{v}} euros.")


def _average(rng: random.Random) -> Problem:
    values = [rng.randint(2, 120) for _ in range(rng.randint(3, 6))]
    listed = ", ".join(map(str, values[:-1])) + f" and {values[-1]}"
    question = rng.choice([f"What is the average of {listed}?", f"Compute the mean of {listed}.",
                           f"avg of {', '.join(map(str, values))} pls", f"mean of {listed}?"])
    return Problem(question, f"({' + '.join(map(str, values))})/{len(values)}", "The average is {v}.")


def _split_bill(rng: random.Random) -> Problem:
    bill, people, tip = money(rng, 40, 900), rng.randint(2, 12), rng.choice([0, 5, 10, 12, 15])
    if tip:
        question = (f"The team dinner came to {bill} euros plus a {tip}% tip, split between {people} people. "
                    "How much each?")
        expression = f"{bill}*(1 + {tip}/100)/{people}"
    else:
        question = f"Split a bill of {bill} euros evenly between {people} people. How much does each pay?"
        expression = f"{bill}/{people}"
    return Problem(question, expression, "Each person pays {v} euros.")


def _power(rng: random.Random) -> Problem:
    base, exponent = rng.randint(2, 19), rng.randint(3, 16)
    question = rng.choice([f"What is {base} to the power of {exponent}?", f"Compute {base}^{exponent}."])
    return Problem(question, f"{base}**{exponent}", f"{base}^{exponent} = {{v}}.")


def _root(rng: random.Random) -> Problem:
    if rng.random() < 0.5:
        number = rng.randint(2, 99) ** 2 if rng.random() < 0.6 else rng.randint(2, 5000)
        question = rng.choice([f"What is the square root of {number}?", f"sqrt of {number}?"])
        return Problem(question, f"sqrt({number})", f"The square root of {number} is {{v}}.")
    number = rng.randint(2, 30) ** 3
    return Problem(f"What is the cube root of {number}?", f"cbrt({number})", f"The cube root of {number} is {{v}}.")


def _gcd_lcm(rng: random.Random) -> Problem:
    factor = rng.randint(2, 30)
    a, b = factor * rng.randint(2, 40), factor * rng.randint(2, 40)
    if rng.random() < 0.5:
        return Problem(f"What is the greatest common divisor of {a} and {b}?", f"gcd({a}, {b})",
                       f"The greatest common divisor of {a} and {b} is {{v}}.")
    return Problem(f"What is the least common multiple of {a} and {b}?", f"lcm({a}, {b})",
                   f"The least common multiple of {a} and {b} is {{v}}.")


def _combinatorics(rng: random.Random) -> Problem:
    n = rng.randint(5, 30)
    k = rng.randint(2, min(6, n - 1))
    kind = rng.randrange(3)
    if kind == 0:
        return Problem(f"How many ways are there to choose {k} people out of {n} for a committee?",
                       f"binomial({n}, {k})", "There are {v} ways.")
    if kind == 1:
        return Problem(f"In how many orders can {k} out of {n} speakers be scheduled?",
                       f"perm({n}, {k})", "There are {v} possible orders.")
    people = rng.randint(3, 12)
    return Problem(f"In how many different orders can {people} people stand in a line?",
                   f"factorial({people})", "They can stand in {v} different orders.")


def _arithmetic(rng: random.Random) -> Problem:
    a, b, c = rng.randint(12, 9999), rng.randint(12, 999), rng.randint(2, 99)
    kind = rng.randrange(4)
    if kind == 0:
        return Problem(f"What is {a} * {b}?", f"{a}*{b}", f"{a} * {b} = {{v}}.")
    if kind == 1:
        return Problem(f"Compute {a} + {b} - {c}.", f"{a} + {b} - {c}", f"{a} + {b} - {c} = {{v}}.")
    if kind == 2:
        return Problem(f"What is {a} divided by {c}?", f"{a}/{c}", f"{a} / {c} = {{v}}.")
    p, q, r, s = rng.randint(1, 9), rng.randint(2, 12), rng.randint(1, 9), rng.randint(2, 12)
    return Problem(f"What is {p}/{q} + {r}/{s} as a fraction?", f"{p}/{q} + {r}/{s}", f"{p}/{q} + {r}/{s} = {{v}}.")


def _conversion(rng: random.Random) -> Problem:
    kind = rng.randrange(3)
    if kind == 0:
        weeks = rng.randint(2, 12)
        return Problem(f"How many seconds are there in {weeks} weeks?", f"{weeks}*7*24*60*60",
                       f"{weeks} weeks have {{v}} seconds.")
    if kind == 1:
        speed = rng.choice([18, 36, 54, 72, 90, 108, 120, 130])
        return Problem(f"Convert {speed} km/h to metres per second.", f"{speed}*1000/3600",
                       f"{speed} km/h is {{v}} m/s.")
    hours, days, extra = rng.choice([7.5, 8, 6.25, 7.75]), rng.randint(2, 5), rng.choice([1.5, 2.25, 3.75, 4])
    return Problem(f"I worked {hours} hours a day for {days} days and {extra} hours on Saturday. How many hours?",
                   f"{hours}*{days} + {extra}", "That is {v} hours in total.")


def _temperature(rng: random.Random) -> Problem:
    if rng.random() < 0.5:
        f = rng.choice([32, 50, 59, 68, 77, 86, 98.6, 104, 212, 45, 70])
        return Problem(rng.choice([f"Convert {f} degrees Fahrenheit to Celsius.", f"What is {f} F in Celsius?"]),
                       f"({f} - 32)*5/9", f"{f} degrees Fahrenheit is {{v}} degrees Celsius.")
    c = rng.choice([-10, 0, 5, 12, 18, 21, 25, 30, 37, 40, 100])
    return Problem(rng.choice([f"Convert {c} degrees Celsius to Fahrenheit.", f"What is {c} C in Fahrenheit?"]),
                   f"{c}*9/5 + 32", f"{c} degrees Celsius is {{v}} degrees Fahrenheit.")


def _squares_and_remainders(rng: random.Random) -> Problem:
    kind = rng.randrange(3)
    if kind == 0:
        a, power, said = rng.randint(3, 99), *rng.choice([(2, "squared"), (2, "squared"), (3, "cubed")])
        return Problem(rng.choice([f"What is {a} {said}?", f"{a} {said}", f"whats {a} {said}"]), f"{a}**{power}",
                       f"{a} {said} is {{v}}.")
    if kind == 1:
        a, b = rng.choice([1.5, 2, 2.5, 3, 4, 6, 7, 12]), rng.choice([0.5, 3.5, 5, 8, 9, 11, 15])
        return Problem(rng.choice([f"What is {a} squared plus {b} squared?", f"{a}^2 + {b}^2 = ?"]),
                       f"{a}**2 + {b}**2", f"{a} squared plus {b} squared is {{v}}.")
    a, b = rng.randint(100, 99999), rng.randint(3, 97)
    return Problem(rng.choice([f"What is the remainder when {a} is divided by {b}?", f"{a} mod {b}?",
                               f"What is left over when {a} items are packed in boxes of {b}?"]),
                   f"mod({a}, {b})", "The remainder is {v}.")


#: Each problem kind and how often it is drawn, relative to the others. The kinds with sub-kinds get a share
#: per sub-kind (combinatorics, arithmetic, conversion, root, gcd/lcm), so a rare function name like binomial
#: is seen as often as a plain product. Discounts and VAT differ only in a sign; an adapter trained on equal
#: shares got 7 of its 39 eval questions wrong on them, mostly by swapping it, so they get three shares each;
#: averages, whose (a + b + c)/n it wrote as average(a, b, c), get two. The word problems
#: (`word_problems.WORD_PROBLEMS`) get shares by their sub-kinds, as the others do.
PROBLEMS: dict[Callable[[random.Random], Problem], int] = {
    _percent_of: 1, _discount: 3, _vat: 3, _share: 1, _unit_price: 1, _total_price: 1, _compound: 1, _average: 2,
    _split_bill: 1, _power: 1, _root: 2, _gcd_lcm: 2, _combinatorics: 3, _arithmetic: 3, _conversion: 3,
    _temperature: 2, _squares_and_remainders: 3, **WORD_PROBLEMS,
}
