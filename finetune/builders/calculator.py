"""Questions that need exact arithmetic, answered through the calculator tool.

Each problem kind draws its numbers, words the question a few ways, and writes the expression in the
calculator's syntax. The result comes from the real calculator (passed in as `calculate`, so this module
stays pure) and the final answer states its "text", the exact value as the tool message writes it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from finetune.records import Record, call_messages
from tools.base import ToolResult

Calculate = Callable[[dict[str, Any]], ToolResult]
TOOL = "calculator"
_TEXT_BEFORE = ["Let me calculate that.", "I'll work it out.", "Calculating."]


@dataclass(frozen=True)
class Problem:
    """A question, its calculator expression, and the answer sentence with `{v}` for the value.

    The value is the last number of the answer: evaluation reads an answer's final figure as its result.
    """

    question: str
    expression: str
    answer: str


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
        if problem.question in seen:
            continue
        seen.add(problem.question)
        arguments = {"expression": problem.expression}
        result = calculate(arguments)
        if not result.ok:
            raise AssertionError(f"the calculator refused {problem.expression!r}: {result.error}")
        value = result.value
        answer = problem.answer.format(v=value["text"])
        before = rng.choice(_TEXT_BEFORE) if rng.random() < 0.2 else ""
        messages = call_messages(problem.question, TOOL, arguments, result.to_message(max_tool_result_chars),
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


def _money(rng: random.Random, low: int, high: int) -> str:
    """An amount like 84 or 19.99 (as written in the question and the expression)."""
    if rng.random() < 0.5:
        return str(rng.randint(low, high))
    return f"{rng.randint(low, high - 1)}.{rng.choice(['50', '99', '25', '75', '40', '95'])}"


def _percent_of(rng: random.Random) -> Problem:
    p, x = rng.choice([5, 12, 15, 17, 18, 21, 23, 35, 42, 7.5, 12.5]), rng.randint(40, 9000)
    question = rng.choice([f"What is {p}% of {x}?", f"How much is {p} percent of {x}?", f"Calculate {p}% of {x}.",
                           f"{p}% of {x} = ?"])
    return Problem(question, f"{p}*{x}/100", f"{p}% of {x} is {{v}}.")  # the numbers in the order asked


def _discount(rng: random.Random) -> Problem:
    price, p = _money(rng, 20, 2500), rng.choice([10, 15, 20, 25, 30, 40])
    item = rng.choice(["laptop", "office chair", "monitor", "headset", "desk lamp", "conference ticket"])
    question = rng.choice([f"A {item} costs {price} euros and is {p}% off. What is the sale price?",
                           f"What do I pay for a {price} euro {item} with a {p}% discount?",
                           f"The supplier takes {p}% off our {price} euro {item}. What is the new price?",
                           f"How much is a {price} euro {item} after a {p}% discount?",
                           f"A {item} is reduced by {p}% from {price} euros. What does it cost now?"])
    return Problem(question, f"{price}*(1 - {p}/100)", f"After the {p}% discount the {item} costs {{v}} euros.")


def _vat(rng: random.Random) -> Problem:
    price, rate = _money(rng, 10, 4000), rng.choice([9, 19, 20, 21])
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
    count, total = rng.randint(2, 48), _money(rng, 10, 900)
    thing = rng.choice(["notebooks", "licences", "chairs", "train tickets", "boxes of paper", "cables"])
    question = rng.choice([f"{count} {thing} cost {total} euros in total. How much is one?",
                           f"We paid {total} euros for {count} {thing}. What is the unit price?"])
    return Problem(question, f"{total}/{count}", "One costs {v} euros.")


def _total_price(rng: random.Random) -> Problem:
    count, price = rng.randint(3, 250), _money(rng, 2, 300)
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
    question = rng.choice([f"What is the average of {listed}?", f"Compute the mean of {listed}."])
    return Problem(question, f"({' + '.join(map(str, values))})/{len(values)}", "The average is {v}.")


def _split_bill(rng: random.Random) -> Problem:
    bill, people, tip = _money(rng, 40, 900), rng.randint(2, 12), rng.choice([0, 5, 10, 12, 15])
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


# Word problems as staff write them: the quantity and the rate in any order, amounts with digit grouping
# ("52,800"), the operation left for the reader to infer ("how much can I claim?").


def _grouped(number: float | str) -> str:
    """`number` as a question writes it: 52800 as "52,800" (an expression never groups digits)."""
    whole, _, decimals = str(number).partition(".")
    grouped = f"{int(whole):,}"
    return f"{grouped}.{decimals}" if decimals else grouped


def _amount(rng: random.Random, low: int, high: int) -> tuple[str, str]:
    """An amount as (question text, expression text): "12,480" and "12480" when it has digit grouping."""
    amount = _money(rng, low, high)
    return (_grouped(amount) if rng.random() < 0.6 else amount), amount


def _rate_times_quantity(rng: random.Random) -> Problem:
    kind = rng.randrange(4)
    if kind == 0:
        km, rate = rng.randint(12, 950), rng.choice(["0.19", "0.21", "0.23", "0.25", "0.30", "0.35"])
        question = rng.choice([
            f"I drove {km} km to a customer. The mileage allowance is {rate} euros per km. How much can I claim?",
            f"At {rate} euros a kilometre, what do I get back for {km} km?",
            f"mileage claim for {km} km at {rate} per km?",
            f"How much is {km} kilometres at {rate} euros each?",
        ])
        return Problem(question, f"{km}*{rate}", f"{km} km at {rate} euros is {{v}} euros.")
    if kind == 1:
        hours, rate = rng.choice([3, 7.5, 12, 16, 24, 37.5, 40, 62]), rng.randint(18, 140)
        question = rng.choice([
            f"A contractor worked {hours} hours at {rate} euros an hour. What do we owe?",
            f"What is the cost of {hours} hours of consulting at {rate} euros per hour?",
            f"{hours} hrs at {rate}/hour, total?",
        ])
        return Problem(question, f"{hours}*{rate}", f"{hours} hours at {rate} euros is {{v}} euros.")
    if kind == 2:
        days, allowance = rng.randint(2, 21), rng.choice([24, 32, 45, 48, 55, 62])
        question = rng.choice([
            f"The daily allowance is {allowance} euros. How much do I get for a {days}-day trip?",
            f"How much per diem for {days} days at {allowance} euros a day?",
            f"I'm travelling for {days} days; per diem is {allowance} euros. What's the total allowance?",
        ])
        return Problem(question, f"{days}*{allowance}", f"For {days} days that is {{v}} euros.")
    amount, rate = rng.randint(50, 20000), rng.choice(["0.92", "0.86", "1.08", "1.17", "0.0093", "0.11"])
    currency = rng.choice(["dollars", "pounds", "yen", "Swiss francs", "kronor"])
    written = _grouped(amount) if amount >= 1000 and rng.random() < 0.6 else str(amount)
    question = rng.choice([
        f"Convert {written} {currency} to euros at a rate of {rate} euros each.",
        f"How many euros is {written} {currency} if one is worth {rate} euros?",
    ])
    return Problem(question, f"{amount}*{rate}", f"{written} {currency} is {{v}} euros.")


def _percent_change(rng: random.Random) -> Problem:
    before, after = rng.randint(40, 9000), rng.randint(40, 9000)
    if before == after:
        after += 7
    what = rng.choice(["Sales", "Ticket volume", "Our headcount", "The energy bill", "Monthly costs"])
    question = rng.choice([
        f"{what} went from {_grouped(before)} to {_grouped(after)}. What is the change in percent?",
        f"By what percentage did {what.lower()} change from {before} to {after}?",
        f"{what}: {before} last year, {after} this year. How many percent up or down is that?",
    ])
    return Problem(question, f"({after} - {before})/{before}*100", "The change is {v} percent.")


def _raise(rng: random.Random) -> Problem:
    text, amount = _amount(rng, 1200, 96000)
    p = rng.choice([2, 2.5, 3, 4, 5, 6, 8, 10])
    what = rng.choice(["salary", "rent", "budget", "annual contract", "price list"])
    question = rng.choice([
        f"My {what} of {text} euros goes up by {p}%. What is the new amount?",
        f"If our {what} of {text} euros rises {p} percent, what will it be?",
        f"{text} euros plus a {p}% increase, how much is that",
    ])
    return Problem(question, f"{amount}*(1 + {p}/100)", f"With the {p}% increase it is {{v}} euros.")


def _share_of_amount(rng: random.Random) -> Problem:
    text, amount = _amount(rng, 2000, 120000)
    p = rng.choice([3, 5, 8, 8.33, 10, 12, 15, 20])
    what = rng.choice(["holiday allowance", "bonus", "pension contribution", "commission", "deposit"])
    base = rng.choice(["a gross annual salary of", "a salary of", "revenue of", "a contract worth"])
    question = rng.choice([
        f"What is a {p}% {what} on {base} {text} euros?",
        f"How much is the {what} at {p}% of {text} euros?",
        f"The {what} is {p}% of the amount. On {text} euros, how much is it?",
    ])
    return Problem(question, f"{p}*{amount}/100", f"The {what} is {{v}} euros.")


def _left_over(rng: random.Random) -> Problem:
    budget_text, budget = _amount(rng, 800, 60000)
    spent = [_money(rng, 20, max(21, int(float(budget)) // 4)) for _ in range(rng.randint(1, 3))]
    listed = ", ".join(spent[:-1]) + (" and " if len(spent) > 1 else "") + spent[-1]
    question = rng.choice([
        f"Our budget is {budget_text} euros and we have spent {listed}. How much is left?",
        f"From a {budget_text} euro budget we paid {listed}. What remains?",
        f"budget {budget_text}, spent {listed} - what's left?",
    ])
    return Problem(question, f"{budget} - ({' + '.join(spent)})" if len(spent) > 1 else f"{budget} - {spent[0]}",
                   "{v} euros are left.")


def _total_of_amounts(rng: random.Random) -> Problem:
    items = rng.sample(["taxi", "hotel", "train", "dinner", "parking", "flight", "lunch", "conference fee"],
                       rng.randint(2, 4))
    amounts = [_money(rng, 8, 900) for _ in items]
    listed = ", ".join(f"{item} {amount}" for item, amount in zip(items, amounts, strict=True))
    question = rng.choice([
        f"My expenses were {listed}. What is the total?",
        f"Add up {listed} for my expense claim.",
        f"{listed}: how much altogether?",
    ])
    return Problem(question, " + ".join(amounts), "The total is {v} euros.")


def _pro_rata(rng: random.Random) -> Problem:
    yearly, months = rng.choice([20, 24, 25, 26, 28, 30]), rng.randint(2, 11)
    question = rng.choice([
        f"With {yearly} leave days a year, how many do I get for {months} months?",
        (f"I start in a month and will work {months} months this year. Pro rata, how many of the {yearly} days "
         "do I get?"),
        f"{yearly} days per year pro rata for {months} months?",
    ])
    return Problem(question, f"{yearly}*{months}/12", "Pro rata that is {v} days.")


def _time_units(rng: random.Random) -> Problem:
    units = [("days", "hours", "24"), ("days", "minutes", "24*60"), ("days", "seconds", "24*60*60"),
             ("hours", "minutes", "60"), ("hours", "seconds", "60*60"), ("weeks", "hours", "7*24"),
             ("weeks", "days", "7"), ("years", "weeks", "52")]
    big, small, factor = rng.choice(units)
    n = rng.randint(2, 40)
    question = rng.choice([f"How many {small} are there in {n} {big}?", f"{n} {big} in {small}?",
                           f"Convert {n} {big} to {small}."])
    return Problem(question, f"{n}*{factor}", f"{n} {big} are {{v}} {small}.")


def _temperature(rng: random.Random) -> Problem:
    if rng.random() < 0.5:
        f = rng.choice([32, 50, 59, 68, 77, 86, 98.6, 104, 212, 45, 70])
        return Problem(rng.choice([f"Convert {f} degrees Fahrenheit to Celsius.", f"What is {f} F in Celsius?"]),
                       f"({f} - 32)*5/9", f"{f} degrees Fahrenheit is {{v}} degrees Celsius.")
    c = rng.choice([-10, 0, 5, 12, 18, 21, 25, 30, 37, 40, 100])
    return Problem(rng.choice([f"Convert {c} degrees Celsius to Fahrenheit.", f"What is {c} C in Fahrenheit?"]),
                   f"{c}*9/5 + 32", f"{c} degrees Celsius is {{v}} degrees Fahrenheit.")


def _squares_and_remainders(rng: random.Random) -> Problem:
    if rng.random() < 0.5:
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
#: averages, whose (a + b + c)/n it wrote as average(a, b, c), get two. The word problems (rates, changes,
#: shares, what is left, totals, time units) get shares by their sub-kinds, as the others do.
PROBLEMS: dict[Callable[[random.Random], Problem], int] = {
    _percent_of: 1, _discount: 3, _vat: 3, _share: 1, _unit_price: 1, _total_price: 1, _compound: 1, _average: 2,
    _split_bill: 1, _power: 1, _root: 2, _gcd_lcm: 2, _combinatorics: 3, _arithmetic: 3, _conversion: 3,
    _rate_times_quantity: 4, _percent_change: 2, _raise: 2, _share_of_amount: 2, _left_over: 2, _total_of_amounts: 2,
    _pro_rata: 1, _time_units: 3, _temperature: 2, _squares_and_remainders: 2,
}
