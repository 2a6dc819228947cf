"""Chains of rates added up or raised by a percentage, and the readings and guards found beside them."""

from __future__ import annotations

import pytest

from assistant.word_chains import percent_on_product, percent_on_sum, unit_sum
from assistant.word_figures import read_figures
from assistant.word_problems import asked_decimals, composed_expression
from tools.calculator import answer


def value(request: str) -> float | None:
    expression = composed_expression(request)
    return None if expression is None else answer(expression)["value"]["numeric"]


@pytest.mark.parametrize(("request_text", "expected"), [
    # several chains, each money on its own, added
    ("movers: 3 movers at 90/hr each for 5 hours, the van is 250 flat, and 60 boxes at 1.50 each. total?", 1690),
    ("expenses: 2 train tickets at 48.50 each, hotel 2 nights at 120/night, per diem 35 a day for 3 days. total?",
     442),
    # a bare rate is money where money is asked
    ("she works 20 hrs a week at 15.50/hr. what's her gross for a 4 week month?", 1240),
    # things that come so many together, and a count asked in an earlier clause than the last
    ("pens come in boxes of 12. we hand out 30 pens a day for 5 days. how many boxes do we need? round up", 13),
    (("we ship 3000 units, 20 units per box and 25 boxes per pallet. how many pallets do we need, a part pallet "
      "counts as one"), 6),
    # a chain raised by a percentage: the change asked, or the new amount
    ("prices go up 4%. we pay 12.50 per kg now and buy 800 kg a month. how much extra per month?", 400),
    ("my salary is 60,000 a year and i'm getting a 2% raise. how much more per month?", 100),
    ("rent goes up 5%. we pay 2,000 a month now. what will the rent be a month then?", 2100),
    # a fee in percent taken from an amount converted, and what was received
    ("bank converted 5,000 usd at 1 eur = 1.25 usd and took a 1% fee. how many eur did we receive? to the cent", 3960),
])
def test_a_chain_composes_to_its_value(request_text: str, expected: float):
    assert value(request_text) == pytest.approx(expected)


@pytest.mark.parametrize("request_text", [
    # figures of one unit with no sum said: a difference, which no chain reads
    "If a recipe calls for 892 cups of flour and you only have 134 cups, how many cups of flour do you need to buy?",
    "A company had 18,778 employees last year. This year it has 13,289 employees. How many did it lose?",
    # a figure that is for each of something after all, and room left
    "pallet load: 20 plts, each has 30 ctns of 10 kg plus 20 kg for the pallet itself. total kg?",
    "container payload is 20,000 kg. loading 25 plts at 700 kg each. how many kg spare?",
    # a run rate to a target, and a trade-in beside a discount, are no line items
    "annual target 300k, we're at 210,000 after 8 months. how much per month for the last 4 months?",
    "40 monitors at 210 each, 5% discount, and we trade in 40 old ones for 30 each. net cost?",
    # "how many packs" shares nothing out
    "screws come in packs of 50. each kit uses 12 screws and we build 30 kits a week. how many packs for 4 weeks?",
    # a bound is no amount
    "The estate costs 19,543,778.4 dollars and the furnishings at least 632,361 dollars. The minimum total?",
])
def test_a_request_no_chain_reads_wholly_is_left_to_the_model(request_text: str):
    assert composed_expression(request_text) is None


def test_a_sum_must_be_said():
    # figures of one unit side by side are added only where a total is asked or a term is added in words
    text = "meetings took 2 hrs, 3 hrs and 4 hrs. how many hours?"
    assert unit_sum(text, read_figures(text)) is None
    text = "meetings took 2 hrs, 3 hrs and 4 hrs. how many hours in total?"
    assert unit_sum(text, read_figures(text)) == "2 + 3 + 4"
    text = "we bought 5 items at 4 eur each, and 3 items at 2 eur each. total cost?"
    assert unit_sum(text, read_figures(text)) == "5*4 + 3*2"


def test_a_raise_needs_one_direction_and_one_percentage():
    text = "prices go up 4% then drop 2%. we pay 12.50 per kg. how much extra?"
    assert percent_on_product(text, read_figures(text)) is None
    text = "we pay 12.50 per kg and buy 800 kg a month. how much per month?"
    assert percent_on_product(text, read_figures(text)) is None


@pytest.mark.parametrize(("request_text", "expected"), [
    ("server room is 4 m long, 3 m wide, 2.5 m high. volume in litres?", 30000),  # a cubic metre is 1000 litres
    # an amount shared by headcount, the share of the one the question names
    (("the 3 sites split the 12,000 eur security contract by headcount. north has 50 ppl, south has 30 and east "
      "has 20. how much does east pay?"), 2400),
    ("we have 4 cans of paint, 2.5 l each, and use about 1.5 l a day. how many full days will it last", 6),
    ("printing 200 booklets, 16 pages each, double sided so 2 pages per sheet. how many sheets do we need", 1600),
    ("printing 200 booklets, 16 pages each, double sided. how many sheets do we need", 1600),  # 2 pages a sheet
    ("tickets are 80 each with a 10% discount, what do 5 people cost", 360),
    # a month's pay from a start day, the start day counted unless the request says not to
    (("new hire joins on the 10th, month has 31 days, monthly salary 3,100. we pro rate by calendar days. first "
      "month's pay?"), 2200),
    (("she starts on the 21st, monthly pay 2,400, the month has 30 days, prorated on calendar days, not counting "
      "the 21st. how much?"), 720),
    # a sum shared by the headcount it is asked per, a cost per head among its terms
    ("team dinner: restaurant room hire 300, menu 55/head, 24 ppl. cost per head all in?", 67.5),
    ("workshop venue is 1,500 eur flat plus lunch at 20 eur per person, 50 ppl coming. cost per head? round to cent",
     50),
])
def test_a_reading_found_beside_the_chains(request_text: str, expected: float):
    assert value(request_text) == pytest.approx(expected)


@pytest.mark.parametrize("request_text", [
    "each test uses 20 µl of serum and the vial has 5 ml. how many full tests per vial?",  # two units of volume
    "my target is 300k for the year, done 180k by end of june. how much per month for jul-dec to hit it?",
    # a price each is paired with no figure of another clause
    "4 ppl, train is 120 each plus 15 each for seat reservations, and theres a booking fee of 10 total. total?",
])
def test_a_guard_found_beside_the_chains_leaves_it_to_the_model(request_text: str):
    assert composed_expression(request_text) is None


@pytest.mark.parametrize(("request_text", "expected"), [
    # a parking fee paid once beside a trip there and back
    ("drove to the warehouse, 85 km each way, there and back. rate is 0.30/km plus i paid 6.50 parking. total claim?",
     57.5),
    ("we have 2.4 kg of powder, each batch uses 0.8 g. how many batches does that make", 3000),  # per the batch named
    # shares by headcount or salary, the parts in brackets after their names
    (("cleaning bill is 9,000/yr, split by headcount between ops (20 ppl), sales (25) and legal (5). how much does "
      "legal pay?"), 900),
    (("bonus pool is 30k, split proportional to salary between kim (40k), lee (50k) and max (60k). how much does lee "
      "get"), 10000),
    # "7.5m by 4m" is metres, and a fitting fee is added once
    ("new flooring for the lab, 7.5m by 4m. vinyl 31 €/m2 plus 250 flat fitting fee. total cost?", 1180),
    ("we're 150 ppl now, plan is +12% headcount by end of year. how many hires is that, whole number", 18),
    ("on-costs are 20% on top of gross. budget for the role is 60k all in, whats the max gross salary?", 50000),
    ("buffer recipe says 8.5 g per litre, i need 400 ml. how many grams?", 3.4),
])
def test_a_reading_found_by_the_managers_and_lab_sets(request_text: str, expected: float):
    assert value(request_text) == pytest.approx(expected)


@pytest.mark.parametrize("request_text", [
    "party for 90 guests, tables seat 10, plus 3 extra tables for food. how many tables in total",  # not a sum
    "budgeted 200k, actual came in at 230,000. over by what %?",  # a change, not a part, and no price
    "we use about 10 reams a week and 1 box = 5 reams, how many boxes for 4 weeks?",  # a box is no currency
])
def test_a_guard_found_by_the_managers_and_lab_sets(request_text: str):
    assert composed_expression(request_text) is None


@pytest.mark.parametrize(("request_text", "expected"), [
    # options compared, a figure of the question taken by whichever option needs it
    ("supplier A quotes 12,000 eur/yr, supplier B is 1,100/month. how much cheaper is A per year?", 1200),
    (("copier: lease at 80/month, or buy for 2,000 plus 15/month service. over 24 months how much more does buying "
      "cost?"), 440),
    # a headcount that every cost per person is multiplied by, and one the costs are shared by
    ("4 ppl going to the fair. tickets 300 each, hotel 2 nights at 120/night per person, train avg 90 pp. total cost?",
     2520),
    ("workshop for 20 ppl: room 500 flat, lunch 25 pp, coach 300. cost per person?", 65),
])
def test_options_and_headcounts_compose(request_text: str, expected: float):
    assert value(request_text) == pytest.approx(expected)


def test_a_figure_for_each_of_the_headcount_is_no_term_of_its_own():
    # the empty crate's 10 kg is for each of the 4 crates, not once
    assert composed_expression("one crate holds 20 boxes, each box weighs 5 kg and the empty crate is 10 kg. total "
                               "weight of 4 full crates in kg?") is None


@pytest.mark.parametrize(("request_text", "expected"), [
    ("we spent 90k in the first 3 months of the year. at the same monthly run rate what's full year spend?", 360000),
    ("petty cash had 200 eur at start of week. receipts so far: 14.50, 22.30, 8.20. what should be left", 155),
    ("team a closed 50 tickets avg 3h, team b 150 tickets avg 5h. weighted avg hrs per ticket", 4.5),
    # "each running": per rack, round the clock
    ("2 server racks at 1.5 kW each running 24/7, electricity is 0.25 eur per kWh. cost for 30 days?", 540),
])
def test_a_shape_reads_the_words_staff_used(request_text: str, expected: float):
    assert value(request_text) == pytest.approx(expected)


@pytest.mark.parametrize(("request_text", "expected"), [
    ("we had 900 orders this month vs 750 last month, whats the increase in %?", 20),  # last month's is the base
    ("monitor is €200 ex vat, vat 20%, then the supplier gives 10% off the total incl vat. final price?", 216),
    ("clocked in 8:00 and out at 16:30, half hour unpaid lunch. how many hours is that?", 8),
    (("driving to the plant, 200 km one way. car does 7 l per 100km, diesel is 1.80 a litre. fuel cost for the round "
     "trip?"), 50.4),
    ("team dinner bill came to 240, theres 6 of us, how much each?", 40),
    ("net amount is 1,000, vat is 19%, how much is the vat", 190),
    ("if someones annual salary is 36,000 whats that per month (12 months)", 3000),  # the months restated
    ("plumber charges 60/hr, did 3.5 hrs plus a 45 callout fee. total in eur?", 255),
    ("new carpet for meeting room 2, room is 5 m x 4 m, carpet is 30 eur per square metre fitted. how much", 600),
    (("a picker does 80 lines an hour. we have 1,200 order lines and each picker has 7.5 productive hrs. how many "
     "pickers do i need"), 2),  # "order lines" are lines
])
def test_a_reading_found_by_the_mixed_sets(request_text: str, expected: float):
    assert value(request_text) == pytest.approx(expected)


@pytest.mark.parametrize("request_text", [
    "salary 48k/yr, getting a 5% raise. new monthly gross? paid in 12 months",  # no 48000*12/12: the 12 restates
    # parking paid each day, as often as the trips, which the trip's shape does not count
    ("mileage is 0.30 per km. i drove to the client 2 days, 50 km each way, plus parking 5 eur a day. how much can i "
     "claim"),
])
def test_a_guard_found_by_the_mixed_sets(request_text: str):
    assert composed_expression(request_text) is None


@pytest.mark.parametrize(("request_text", "expected"), [
    ("warehouse got 20 pallets today, 30 boxes on each pallet. how many boxes total?", 600),  # "on each": per pallet
    ("event budget 10,000 eur. venue 4,000, catering 50 pp for 100 ppl. how much is left", 1000),  # 50 pp times 100
    ("hotel was 4 nights at 100 eur per night, whats the total for my expense claim", 400),  # a total, not a share
    ("worked 7.5 hrs mon, 8 tue, 6.5 wed. total hours?", 22),  # weekdays name no other thing counted
])
def test_a_reading_found_by_the_last_fresh_sets(request_text: str, expected: float):
    assert value(request_text) == pytest.approx(expected)


@pytest.mark.parametrize("request_text", [
    "2 devs estimated 20 and 30 hrs for the job, how many 8hr days is that in total?",  # devs and hours: no sum
    # "30 per head" is a rate, not the share asked; the total is no share of 20 people
    ("offsite for 20 ppl: venue is 800 flat plus 30 per head for catering, and we want 10% contingency on top. total "
    "budget needed?"),
])
def test_a_guard_found_by_the_last_fresh_sets(request_text: str):
    assert composed_expression(request_text) is None


@pytest.mark.parametrize(("request_text", "expected"), [
    ("orders this month 1,200 eur vs last month 1,000 eur, whats the difference", 200),  # two options of one unit
    ("his day rate is £400 for an 8hr day, whats that hourly", 50),  # a day rate over the hours of a day
    ("if i work 20 hours a week at £15/hr what do i make over 4 weeks", 1200),  # the ask read after its figures
    ("Converting 1,000 USD to GBP, rate given is 0.8 - what do I get?", 800),
    ("tom logged 120 billable hrs out of 160 available this month, whats his utilisation %", 75),
    ("gross is 2,000, pension 5% and union fee 5% both taken off gross, whats left after those two", 1800),  # no 2
    ("yearly plan is $1,000/yr vs monthly at $90 pm. how much do we save per year by going annual", 80),  # pm: a month
])
def test_a_short_request_staff_send_every_day(request_text: str, expected: float):
    assert value(request_text) == pytest.approx(expected)


@pytest.mark.parametrize(("request_text", "expected"), [
    # a sum with a percentage said to be on the whole of it; "at 100" after hours is per hour
    ("need to invoice: 10 hrs consulting at 100, plus 200 travel, then 20% vat on the whole lot. total", 1440),
    # "12 per head + 40 eur delivery": the delivery is added once, the per head of the figure before is not its
    ("lunch for the team: 20 ppl at 12 per head + 40 eur delivery, then 10% vat on the whole thing. total", 308),
])
def test_a_percentage_on_the_whole_of_a_sum(request_text: str, expected: float):
    assert value(request_text) == pytest.approx(expected)


def test_a_percentage_not_said_to_be_on_the_whole_leaves_the_sum_to_other_shapes():
    text = "10 hrs consulting at 100, plus 200 travel, 20% vat. total"
    assert percent_on_sum(text, read_figures(text)) is None


@pytest.mark.parametrize(("request_text", "decimals"), [
    ("how much is left per month, round to the nearest euro", "0"),
    ("how much does the north office pay? whole euros", "0"),
    ("need it in kg, round to whole kg", "0"),
    ("how many whole boxes fit", None),  # a count of whole things, rounded down by its shape, is no rounding asked
])
def test_a_rounding_to_whole_units_said_in_words(request_text: str, decimals: str | None):
    assert asked_decimals(request_text) == decimals
