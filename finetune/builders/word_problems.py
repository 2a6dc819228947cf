"""Business word problems as staff type them, for the calculator's training records and worked examples.

The quantity and the rate come in any order, amounts with digit grouping ("52,800") or in shorthand ("50k",
"2 million"), the operation is left for the reader to infer ("how much can I claim?", "whats left"), and
several steps hide in one sentence (a discount, then VAT). Each kind draws its numbers, words the question
several ways and writes the expression in the calculator's syntax with every figure of the question in it.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """A question, its calculator expression, and the answer sentence with `{v}` for the value.

    The value is the last number of the answer: evaluation reads an answer's final figure as its result.
    """

    question: str
    expression: str
    answer: str


def money(rng: random.Random, low: int, high: int) -> str:
    """An amount like 84 or 19.99 (as written in the question and the expression)."""
    if rng.random() < 0.5:
        return str(rng.randint(low, high))
    return f"{rng.randint(low, high - 1)}.{rng.choice(['50', '99', '25', '75', '40', '95'])}"


def _grouped(number: float | str) -> str:
    """`number` as a question writes it: 52800 as "52,800" (an expression never groups digits)."""
    whole, _, decimals = str(number).partition(".")
    grouped = f"{int(whole):,}"
    return f"{grouped}.{decimals}" if decimals else grouped


def _amount(rng: random.Random, low: int, high: int) -> tuple[str, str]:
    """An amount as (question text, expression text): "12,480" and "12480" when it has digit grouping."""
    amount = money(rng, low, high)
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
    spent = [money(rng, 20, max(21, int(float(budget)) // 4)) for _ in range(rng.randint(1, 3))]
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
    amounts = [money(rng, 8, 900) for _ in items]
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


def _per_unit(rng: random.Random) -> tuple[str, str]:
    """How a question says "for each": ("each", "a night") and so on, with the unit it counts."""
    return rng.choice([("people", "each"), ("people", "a head"), ("people", "per person"), ("nights", "a night"),
                       ("days", "a day"), ("licences", "per licence"), ("hours", "an hour")])


def _shorthand(rng: random.Random) -> tuple[str, int]:
    """A round amount as staff shorten it, (question text, value): "50k", "2 million", "1.2m", "75,000"."""
    kind = rng.randrange(3)
    if kind == 0:
        thousands = rng.choice([12, 20, 25, 40, 50, 75, 80, 120, 150, 250])
        return rng.choice([f"{thousands}k", f"{thousands}K", _grouped(thousands * 1000)]), thousands * 1000
    if kind == 1:
        millions = rng.choice([1, 2, 3, 5, 8, 12])
        return rng.choice([f"{millions} million", f"{millions}m"]), millions * 1_000_000
    tenths = rng.choice([12, 15, 25, 35, 45])
    return f"{tenths / 10}m", tenths * 100_000


def _vat_amount(rng: random.Random) -> Problem:
    """The VAT alone, on a net amount; and the net amount inside a price that includes VAT."""
    text, amount = _amount(rng, 40, 9000)
    rate = rng.choice([6, 9, 19, 20, 21])
    if rng.random() < 0.5:
        question = rng.choice([f"whats {rate}% vat on {text} euros", f"how much vat is {rate}% on {text}?",
                               f"What is the {rate}% VAT on an invoice of {text} euros?",
                               f"vat amount at {rate} percent for {text} eur?"])
        return Problem(question, f"{amount}*{rate}/100", "The VAT is {v} euros.")
    question = rng.choice([f"the invoice says {text} incl {rate}% vat, what's the price without vat",
                           f"{text} euros including {rate}% VAT. What is the net amount?",
                           f"What was the price before {rate}% VAT if we paid {text} euros with VAT?",
                           f"remove {rate}% vat from {text}, what's left?"])
    return Problem(question, f"{amount}/(1 + {rate}/100)", "Without VAT that is {v} euros.")


def _count_times_price(rng: random.Random) -> Problem:
    """A count and a price each, said in either order, with a surcharge per unit now and then."""
    unit, each = _per_unit(rng)
    count, price = rng.randint(2, 40), money(rng, 5, 300)
    if rng.random() < 0.35:
        extra = rng.choice(["2.50", "5", "8", "12", "15", "3.75"])
        what = rng.choice(["city tax", "insurance", "a service fee", "parking"])
        question = rng.choice([f"how much is {count} {unit} at {price} {each} plus {extra} {what} {each}",
                               f"{count} {unit}, {price} {each} and {what} of {extra} {each}. total?"])
        return Problem(question, f"{count}*({price} + {extra})", "The total is {v} euros.")
    question = rng.choice([f"we have {count} {unit} and it's {price} euros {each}, what's the total",
                           f"{price} {each} for {count} {unit}, how much is that",
                           f"What do {count} {unit} at {price} euros {each} come to?",
                           f"total for {count} {unit} if it costs {price} {each}?"])
    return Problem(question, f"{count}*{price}", "The total is {v} euros.")


def _two_order_lines(rng: random.Random) -> Problem:
    things = rng.sample(["chairs", "desks", "monitors", "headsets", "laptops", "lamps", "whiteboards"], 2)
    (a, price_a), (b, price_b) = [(rng.randint(2, 30), money(rng, 15, 900)) for _ in things]
    question = rng.choice([f"we ordered {a} {things[0]} at {price_a} and {b} {things[1]} at {price_b}, whats the total",
                           (f"What is the cost of {a} {things[0]} at {price_a} euros each plus {b} {things[1]} at "
                            f"{price_b} euros each?"),
                           f"{a} {things[0]} ({price_a} each) + {b} {things[1]} ({price_b} each) = ?"])
    return Problem(question, f"{a}*{price_a} + {b}*{price_b}", "The order comes to {v} euros.")


def _overtime(rng: random.Random) -> Problem:
    rate, hours = rng.choice([16, 18, 22, 24, 27.5, 32, 40]), rng.choice([2, 3, 4.5, 6, 7.5, 10, 12])
    factor, said = rng.choice([("1.5", "1.5x"), ("125/100", "125%"), ("2", "double time"),
                               ("1.25", "1.25 times the rate")])
    question = rng.choice([
        f"overtime is paid at {said}, my hourly rate is {rate} euros, how much do i get for {hours} hrs overtime",
        f"I did {hours} hours of overtime paid at {said}. My normal rate is {rate} an hour. What do I earn?",
        f"{hours} overtime hours at {said} of {rate}/h?",
    ])
    return Problem(question, f"{hours}*{rate}*{factor}", "The overtime pay is {v} euros.")


def _fraction_of(rng: random.Random) -> Problem:
    (a, b), said = rng.choice([((3, 4), "3/4"), ((2, 3), "2/3"), ((1, 3), "a third"), ((1, 4), "a quarter"),
                               ((1, 2), "half"), ((3, 4), "three quarters"), ((2, 5), "2/5")])
    total = rng.randint(2, 400) * b
    question = rng.choice([f"what's {said} of {total}", f"What is {said} of {total} euros?",
                           f"{said} of the {total} hours go to project work, how many hours is that?"])
    return Problem(question, f"{a}/{b}*{total}", f"{said} of {total} is {{v}}.")


def _time_units_back(rng: random.Random) -> Problem:
    """From a small unit to a larger one, or a unit with decimals to a smaller one: 91 days in weeks."""
    big, small, factor = rng.choice([("weeks", "days", 7), ("hours", "minutes", 60), ("days", "hours", 24),
                                     ("years", "months", 12), ("minutes", "seconds", 60)])
    if rng.random() < 0.5:
        n = rng.randint(2, 60) * factor if rng.random() < 0.7 else rng.randint(10, 900)
        question = rng.choice([f"how many {big} is {n} {small}", f"{n} {small} in {big}?",
                               f"Convert {n} {small} to {big}."])
        return Problem(question, f"{n}/{factor}", f"{n} {small} are {{v}} {big}.")
    n = rng.choice([1.5, 2.5, 3.5, 4.25, 6.5, 7.75, 0.75])
    question = rng.choice([f"how many {small} is {n} {big}", f"{n} {big} in {small}?"])
    return Problem(question, f"{n}*{factor}", f"{n} {big} are {{v}} {small}.")


def _what_is_left(rng: random.Random) -> Problem:
    have, unit = rng.choice([(25, "leave days"), (30, "leave days"), (40, "licences"), (120, "project hours"),
                             (500, "print credits"), (16, "training hours")])
    used = f"{rng.choice([have // 3, have // 2, round(have * 0.7, 1), have - 1.5]):g}"
    question = rng.choice([f"i have {have} {unit} and used {used}, how many left",
                           f"We had {have} {unit} and {used} are gone. What remains?",
                           f"{unit}: {have} in total, {used} used. how many do I still have?"])
    return Problem(question, f"{have} - {used}", f"{{v}} {unit} are left.")


def _scaled_then_adjusted(rng: random.Random) -> Problem:
    amount = rng.randint(120, 9000)
    other = rng.randint(10, amount)
    factor, said = rng.choice([(2, "double"), (3, "triple"), ("1/2", "halve")])
    if rng.random() < 0.5:
        question = rng.choice([f"{said} {amount} and take away {other}", f"{said} {amount}, then subtract {other}"])
        return Problem(question, f"{amount}*{factor} - {other}", "The result is {v}.")
    question = rng.choice([f"{said} {amount} and add {other}", f"{said} {amount}, then add {other}"])
    return Problem(question, f"{amount}*{factor} + {other}", "The result is {v}.")


def _budget_after_shares(rng: random.Random) -> Problem:
    text, budget = _shorthand(rng)
    shares = rng.sample([10, 15, 20, 25, 30, 35, 40], rng.randint(1, 2))
    uses = rng.sample(["salaries", "equipment", "travel", "marketing", "training", "rent"], len(shares))
    said = " and ".join(f"{p}% goes on {use}" for p, use in zip(shares, uses, strict=True))
    question = rng.choice([f"we have a {text} budget, {said}, how much is left for everything else",
                           f"Of a {text} euro budget, {said}. What remains?"])
    taken = " + ".join(map(str, shares))
    return Problem(question, f"{budget}*(1 - ({taken})/100)" if len(shares) > 1 else f"{budget}*(1 - {taken}/100)",
                   "That leaves {v} euros.")


def _growth_from_shorthand(rng: random.Random) -> Problem:
    text, start = _shorthand(rng)
    rate, years = rng.choice([2, 3, 4, 5, 8, 10]), rng.randint(2, 6)
    what = rng.choice(["revenue", "the budget", "our costs", "turnover"])
    question = rng.choice([f"if {what} grows {rate}% a year from {text}, what is it in {years} years",
                           f"{what} is {text} now and goes up {rate} percent per year. how much after {years} years?"])
    return Problem(question, f"{start}*(1 + {rate}/100)**{years}", f"After {years} years it is {{v}} euros.")


def _discounted_times_count(rng: random.Random) -> Problem:
    price, p, count = money(rng, 40, 1200), rng.choice([10, 15, 20, 25]), rng.randint(2, 12)
    what = rng.choice(["conference tickets", "licences", "chairs", "course places"])
    question = rng.choice([f"{what} are {price} each with a {p}% early bird discount, what do {count} cost",
                           f"We need {count} {what} at {price} euros each, less {p}%. Total?",
                           f"{count} {what}, {price} a piece, {p}% off. how much"])
    return Problem(question, f"{count}*{price}*(1 - {p}/100)", "That comes to {v} euros.")


def _part_of_whole(rng: random.Random) -> Problem:
    whole = rng.choice([20, 40, 50, 80, 120, 200, 400, 1400, 2500])
    part = rng.randint(1, whole - 1)
    what = rng.choice([("tickets", "are still open"), ("units", "were sold"), ("staff", "took the course"),
                       ("invoices", "are paid")])
    question = rng.choice([f"if {part} of our {whole} {what[0]} {what[1]} what percent is that",
                           f"we sold {part} units out of a target of {whole}, what % of target is that",
                           f"{part} out of {whole} {what[0]} {what[1]}. As a percentage?"])
    return Problem(question, f"{part}/{whole}*100", "That is {v} percent.")


def _how_long(rng: random.Random) -> Problem:
    rate, unit, thing = rng.choice([(42, "a minute", "pages"), (35, "a day", "tickets"), (12, "an hour", "orders"),
                                    (250, "a day", "parcels"), (8, "an hour", "interviews")])
    total = rate * rng.randint(3, 60)
    question = rng.choice([f"the printer does {rate} {thing} {unit}, how long for {total} {thing}",
                           f"We handle {rate} {thing} {unit}. How long do {total} {thing} take?",
                           f"at {rate} {thing} {unit}, how many {unit.split()[-1]}s for {total}?"])
    return Problem(question, f"{total}/{rate}", "It takes {v}.")


def _own_share(rng: random.Random) -> Problem:
    """What a person pays when the company pays a part, or what is still owed after a deposit."""
    if rng.random() < 0.5:
        price, nights, p = rng.choice([85, 95, 110, 129, 140]), rng.randint(2, 7), rng.choice([50, 70, 75, 80, 90])
        question = rng.choice([
            f"hotel is {price} a night for {nights} nights and the company pays {p}%, how much do i pay myself",
            f"The company covers {p}% of {nights} nights at {price} euros. What is my part?"])
        return Problem(question, f"{price}*{nights}*(1 - {p}/100)", "Your part is {v} euros.")
    text, amount = _amount(rng, 800, 40000)
    p = rng.choice([10, 20, 25, 30, 40, 50])
    question = rng.choice([f"the deposit was {p}% of {text}, how much is still to pay",
                           f"We paid {p}% of {text} euros up front. What is still outstanding?"])
    return Problem(question, f"{amount}*(1 - {p}/100)", "Still to pay: {v} euros.")


def _discount_then_vat(rng: random.Random) -> Problem:
    price, p, rate = money(rng, 80, 3000), rng.choice([5, 10, 15, 20]), rng.choice([19, 20, 21])
    question = rng.choice([f"laptop is {price}, minus {p}% discount, then plus {rate}% vat. final price?",
                           f"What do we pay for {price} euros less {p}% discount, with {rate}% VAT added after?",
                           f"{price} with {p}% off and {rate}% vat on top = ?"])
    return Problem(question, f"{price}*(1 - {p}/100)*(1 + {rate}/100)", "The final price is {v} euros.")


def _per_year(rng: random.Random) -> Problem:
    if rng.random() < 0.3:
        monthly = rng.choice(["2850", "3400", "4200", "5150", "3975.50"])
        question = rng.choice([f"my salary is {monthly} a month, what's that per year with a 13th month",
                               f"{monthly} monthly with a 13th month salary, yearly total?"])
        return Problem(question, f"{monthly}*13", "That is {v} euros a year.")
    monthly = rng.choice(["2350", "19.99", "89", "1850", "640", "3100", "74.50"])
    what = rng.choice(["rent", "subscription", "lease", "phone bill", "cleaning contract"])
    question = rng.choice([f"monthly {what} is {monthly}, whats the annual cost",
                           f"Our {what} is {monthly} euros a month. How much is that per year?",
                           f"{monthly}/month {what} for a year?"])
    return Problem(question, f"{monthly}*12", "That is {v} euros a year.")


def _added_tip(rng: random.Random) -> Problem:
    bill, tip = money(rng, 30, 600), rng.choice([5, 8, 10, 12, 15])
    question = rng.choice([f"team lunch came to {bill} and we want to add a {tip}% tip, total?",
                           f"What is {bill} euros with a {tip} percent tip?",
                           f"dinner bill {bill}, plus {tip}% tip, how much do we pay"])
    return Problem(question, f"{bill}*(1 + {tip}/100)", "With the tip that is {v} euros.")


def _round_the_clock(rng: random.Random) -> Problem:
    rate, days = rng.choice(["0.12", "0.35", "1.20", "0.08", "2.50"]), rng.choice([7, 14, 30, 31, 365])
    what = rng.choice(["a server", "a cloud VM", "the test cluster", "a GPU instance"])
    question = rng.choice([f"{what} costs {rate} an hour, what does it cost to run nonstop for {days} days",
                           f"If {what} runs 24/7 for {days} days at {rate} euros per hour, what is the bill?"])
    return Problem(question, f"{rate}*24*{days}", "That is {v} euros.")


def _fuel(rng: random.Random) -> Problem:
    km, use = rng.randint(60, 900), rng.choice([4.8, 5.5, 6.5, 7.2, 8])
    if rng.random() < 0.5:
        question = rng.choice([f"the car uses {use} l per 100 km, how many litres for {km} km",
                               f"How much fuel for a {km} km trip at {use} litres per 100 km?"])
        return Problem(question, f"{km}*{use}/100", "That is {v} litres.")
    litres, price = rng.randint(20, 70), rng.choice(["1.75", "1.87", "1.92", "2.05"])
    question = rng.choice([f"fuel: {litres} litres at {price} a litre, how much", f"{litres} l of diesel at {price}/l?"])
    return Problem(question, f"{litres}*{price}", "That is {v} euros.")


def _hourly_from_salary(rng: random.Random) -> Problem:
    text, salary = _amount(rng, 28000, 96000)
    hours = rng.choice([32, 36, 38, 40])
    question = rng.choice([f"{text} a year at {hours} hours a week, whats my hourly rate (52 weeks)",
                           f"What hourly rate is a salary of {text} euros for {hours} hours a week, 52 weeks a year?"])
    return Problem(question, f"{salary}/({hours}*52)", "That is {v} euros an hour.")


_CASUAL_WORDS = {"what is": "whats", "what's": "whats", "please": "pls", "euros": "eur", "hours": "hrs"}


def casually(rng: random.Random, question: str) -> str:
    """The question as typed in a hurry, now and then: lower case, no final question mark, "whats", "pls"."""
    if rng.random() >= 0.3:
        return question
    text = question.lower().rstrip("?. ")
    for formal, short in _CASUAL_WORDS.items():
        if rng.random() < 0.5:
            text = re.sub(rf"\b{re.escape(formal)}\b", short, text)
    return text


#: The word problems and their shares of the calculator's draws (calculator.PROBLEMS adds the textbook kinds).
WORD_PROBLEMS: dict[Callable[[random.Random], Problem], int] = {
    _rate_times_quantity: 4, _percent_change: 2, _raise: 2, _share_of_amount: 2, _left_over: 2, _total_of_amounts: 2,
    _pro_rata: 1, _time_units: 3, _vat_amount: 3, _count_times_price: 2, _two_order_lines: 1, _overtime: 1,
    _fraction_of: 1, _time_units_back: 2, _what_is_left: 1, _scaled_then_adjusted: 1, _budget_after_shares: 2,
    _growth_from_shorthand: 1, _discounted_times_count: 2, _part_of_whole: 1, _how_long: 1, _own_share: 2,
    _discount_then_vat: 2, _per_year: 1, _added_tip: 1, _round_the_clock: 1, _fuel: 1, _hourly_from_salary: 1,
}
