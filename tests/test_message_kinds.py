"""The kinds of message the router's checks read from words: general questions, reactions, rule questions."""

import pytest

from assistant.message_kinds import (
    asks_for_an_amount,
    asks_for_the_rule,
    asks_how_it_works,
    asks_how_long_or_who,
    asks_how_many,
    asks_what_follows,
    asks_what_it_brings,
    asks_who,
    general_question,
    limit_question,
    names_a_record,
    question_after_records,
    reaction,
    record_sentences,
    rule_question,
    states_a_figure,
    text_work,
    wants_no_lookup,
)


@pytest.mark.parametrize(
    ("question", "general"),
    [
        ("what's FIFO vs FEFO in a warehouse?", True),
        ("can u explain cross-docking in simple words", True),
        ("what is a 3PL company?", True),
        ("what does demurrage mean", True),
        ("why is the last mile always the most expensive part?", True),
        ("how do companies usually decide on a reorder point?", True),
        ("do you think rail will replace trucks?", True),
        ("hypothetically if we went to a 4 day week, which day would you drop?", True),
        ("summarise this in one line: 'the yard is flooded'", True),
        ("Hello! What can you help me with?", True),
        ("who are you?", True),
        ("honest opinion: do u think pallet networks will still be a thing in 10 yrs?", True),
        ("just a thought experiment, nothing to look up: would you put the docks on one side?", True),
        ("is it just me or do suppliers always go quiet the week before christmas 😂", True),
        ("portex charged 38 euro for one parcel, overpriced imo, agree?", True),
        ("who painted the girl with a pearl earring? we're going to the mauritshuis on saturday", True),
        ("eli5 what incoterms are", True),
        ("if we opened a depot in lyon would you staff it with temps or our own people?", True),
        ("who approves a write-off above 1000 eur?", False),
        ("what can you help me with on ticket 4104?", False),
        ("what is the limit per claim for software?", False),
        ("what's the extension of the security desk", False),
        ("whats my leave balance", False),
        ("how many days do new joiners have for the training courses?", False),
        ("any good podcast recs for a 40 minute commute?", True),  # advice any colleague would give
        ("tips for lifting heavy boxes without wrecking your back?", True),
        ("whats the best way to deal with jet lag after a flight to singapore?", True),
        ("ideas for a team lunch for about 12 people on monday? something not pizza", True),
        ("what is the best time to call in sick?", False),
        ("what does 2/10 net 30 mean on an invoice?", True),  # a term of three words
        ("what's the german word for loading dock?", True),  # language help
        ("how do u say 'my laptop won't turn on' in german", True),
        ("general question: when you build a mixed pallet do the heaviest cases go at the bottom?", True),
        ("what sort of stuff can you actually help a buyer with?", True),  # about the assistant itself
        ("when i ask you about a shipment, are you looking at live data?", True),
        ("tell me a joke about accountants, noah's birthday card needs something", True),
        ("recommend a history podcast for a 2 hour train ride", True),
        ("be honest, is 25 days of holiday generous or stingy compared to other dutch tech companies?", True),
        ("imagine expense claims got approved on vibes alone. how fast would finance collapse", True),
        ("when you look a colleague up for me, do you keep that info somewhere afterwards?", True),
        ("can you also order lunch from the galley for me or is that not your thing?", True),
        ("do you keep a list of approved carriers?", False),  # the records, not the assistant
        ("need a birthday present idea for a colleague who loves hiking, budget about 30 euros", True),  # advice
        ("secret santa ideas under 20 euros? the draw is on the 18th", True),
        ("best ways to beat jet lag? flying to toronto on the 14th", True),
        ("any idea when SHP-204111 lands?", False),  # "any idea" asks for a record
        ("new guy asked me the speed limit for forklifts inside the building and i blanked. what is it", False),
    ("what time is it in singapore when it's 14:00 here?", True),  # facts about the world
    ("is portugal in the same time zone as us?", True),
    ("how many minutes do i bake a potato for?", True),
    ("how many cm is an inch again", True),
    ("what size is an A3 sheet?", True),
    ("how much does a full euro pallet weigh, roughly?", True),
    ("can you actually send emails, or do you only look things up?", True),  # about the assistant itself
    ("how much does a dock slot cost?", False),  # the company's price
    ("how many days of annual leave do I get per year?", False),
    ],
)
def test_general_questions_are_told_from_questions_about_the_company(question: str, general: bool):
    assert general_question(question) == general



@pytest.mark.parametrize(
    ("message", "reacts"),
    [
        ("thanks!! got the 86 euros for the train back already, that was quick", True),
        ("expense 3318 finally reimbursed, only took 3 weeks 🙄", True),
        ("i already booked bora for thursday myself, all good", True),
        ("ugh tram 23 was packed again this morning", True),
        ("stuck on the A16 with 26 pallets, not moved in 40 min. just needed to moan at someone", True),
        ("SUP-0427's first three deliveries all landed on time, receiving is genuinely impressed ngl", True),
        ("ticket 4103 is fine now, close it", False),  # an order after the news
        ("SHP-205066 got to the customer this morning, set it to delivered", False),
        ("thanks! can you also cancel slot 7866", False),  # a word that requests
        ("thanks, is SHP-205066 delivered yet?", False),  # a question
        ("company covers 60% of the 49 eur pass, what do i pay myself per month", False),  # asked mid-message
        ("slot 8124 isnt needed anymore, we moved that truck", False),  # no mark of a reaction: maybe a request
        # a request wrapped in thanks or a complaint asks for something
        ("thanks for yesterday 🙏 btw need a door at WH-02 tomorrow 9:00", False),
        ("WH-05 is almost out of SKU-41230 😬 order 300 from SUP-0458", False),
        ("SHP-204990 customer changed their mind, kill it. no need to email them", False),
        ("customer's been ringing all morning about SHP-204877 🙄 where is the thing", False),
        ("SHP-205102 arrived short 😤 reporter j.devries@harborfreight.example", False),  # an address to report with
        # an exclamation marks a complaint; "what a ..." exclaims rather than asks
        ("31 degrees in the hall at WH-03 today, brutal", True),
        ("12 pallets, 2 trucks late, 1 broken forklift... what a monday this wednesday is", True),
        ("hold off on the PO for SUP-0389, still waiting on a price from lena", True),  # do nothing yet
        ("wow what a day, whats the status of SHP-205066", False),
        ("hold SHP-205066 pls, wow", False),
        ("slot 7824 needs cancelling, the driver's truck broke down 😩", False),
        # what keeps happening, work reported done, a plan not yet made
        ("the label printer keeps crashing whenever i print a batch for WH-02", True),
        ("third time today portex sent the wrong paperwork for SHP-204411", True),
        ("stock take in aisle 4 at WH-01 is done, everything matched", True),
        ("just finished loading SHP-205210, 18 pallets, nothing missing", True),
        ("heads up, we might need to move PO-118390 to next week, will confirm", True),
        ("if the new carrier works out we'd probably send more loads to spain, we'll see", True),
        ("the stock figures for SKU-10442 keep looking off lately, can you pull them", False),  # a request after it
        ("we might need a door at WH-02 tomorrow 9:00, can you check", False),
        ("why is every delivery from portex late on fridays, ugh", True),  # a question nobody expects answered
        ("why is SHP-205077 late, ugh", False),  # a record asked about
        ("i should probably raise a ticket about my dock door at some point, not today", True),
        ("ticket 4112 can be closed, all good now", False),  # a request in the passive
        ("the new booking screen is so clunky, took me ages", True),
        ("funny how the counts for SKU-10442 always look off on mondays", True),  # "how" exclaims
        ("funny how it works, how many are on hand at WH-02?", False),
        ("portex 30 min late at WH-01, 2nd time this week, just venting", True),
        ("thinking of moving the slow movers out of aisle 12 sometime next week, havent decided", True),
        ("slot 7859 went smooth, in and out in 35 min", True),
        ("snowing since 6 at the yard, everyone's soaked", True),
        ("lost my badge again, does a new one cost anything", False),  # a question after a comma
        ("remember when we had to cancel shipments by fax? crazy times", True),  # a memory, not a question
        ("remember when i booked slot 7866? cancel it pls", False),
        ("our buyers create like 50 purchase orders a week, wild", True),
        ("portex was late AGAIN this morning, every single week the same", True),  # what happens every time
        ("great, 95 pallets loaded before noon, new record", True),
        ("nice! SHP-205066 made it in time", True),
        ("great, now book slot 7866 for SHP-205066", False),  # an order after it
        ("why is the scanner at dock 4 always broken", True),  # a rhetorical question about what keeps happening
        ("can't believe it's friday already", True),  # "can't" opens no question
        ("we moved the pickup to the afternoon so slot 7871 is free again", False),  # "again": maybe a request
        ("meanwhile check if we already have pallet suppliers in poland", False),  # an order after "meanwhile"
        ("thanks, that's exactly what i needed for 4102", True),  # "what" opens no question here
        ("meh, it's low prio anyway", True),  # a shrug
        ("nah, 4101 can wait till monday", True),
        ("meh, show me the low prio ones anyway", False),  # an order after it
        ("ok mark it delayed, and dont email the customer i'll send it myself", False),  # an order after "ok"
        ("k", True),  # only taken in
        ("ok great", True),
        ("got it.", True),
        ("ok cancel it", False),
        ("fine, book it", False),
        ("good?", False),
        ("ta", True),  # British thanks
        ("ok whatever. while youre here show me the delayed shipments out of WH-04", False),  # "show me" asks
        ("ok that worked, 4106 is in the system now. appreciate it!", True),
        ("i'd appreciate it if you could close 4106", False),  # a request put politely
        ("big news, the rotterdam site shipped 12,000 pallets this month", True),
        ("big news: can you check SHP-204611 is delivered?", False),  # news, then a request
        ("avg headcount over the 4 quarters: 212, 219, 225, 231. 2 decimals thx", False),  # a rounding asked
        ("average it to the nearest euro, thanks!", False),
    ],
)
def test_a_reaction_tells_news_or_thanks_and_asks_for_nothing(message: str, reacts: bool):
    assert reaction(message) == reacts


@pytest.mark.parametrize(
    ("question", "rule"),
    [
        ("a supplier wants to send me a gift, up to what value am i allowed to keep it", True),
        ("when do we have to sign the code of conduct again?", True),
        ("From which day of illness do I need a doctor's note?", True),
        ("how many free sessions with a counsellor do we get thru the assistance programme", True),
        ("where r we supposed to gather if the fire alarm goes off", True),
        ("a supplier wants to send me a gift, can i accept it?", True),
        ("up to what amount can we spend on a client dinner without approval?", True),
        ("write an email saying we have to postpone", False),  # no question
        ("should i learn python or go first? just your take", False),  # an opinion asked for
        ("whats my leave balance", False),  # a record, not a rule
        ("which warehouses r allowed to keep adr stuff", False),  # about sites, not staff: the records say
        ("do we have any site in poland that's allowed to store dangerous goods?", False),
        ("found a new one near izmir actually, what do they have to send us before we can order from them", True),
        ("feeling rough, if i'm sick tomorrow can i just text my shift lead in the morning?", True),
        ("can i claim the wine from our team dinner or is alcohol a no?", True),
        ("train or plane to frankfurt for the conference? whats the rule here", True),  # "here": the company's
        ("whats the rule of thumb for pallet height?", False),  # no rule of the company's staff
        ("can i book room bora for friday?", False),  # a request
        ("new supplier wants paying in 14 days instead of our usual term, can i just agree that as the buyer?", True),
        ("two pallets have a torn seal, what do i do before the driver signs and goes?", True),
        ("going down to 4 days a week from january. do i still get the full 25 days of holiday?", True),
        ("we got to sirocco 20 min late and they said our booking 'expired'?? is that a real rule", True),
],
)
def test_a_rule_question_asks_what_the_company_allows_or_expects(question: str, rule: bool):
    assert rule_question(question) == rule


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        ("split 120 between four of us", True),
        ("we need a dozen chairs", True),
        ("which one is cheaper, the first one?", False),  # "one" stands for a thing
        ("status of E1003", False),  # digits inside a code
        ("how much did we spend on travel last quarter?", False),  # a part of the year
        ("what did sales bring in over the second half of the year", False),
        ("how many minutes is a quarter of an hour?", True),
        ("our budget is 1200 per quarter, how much a month?", True),
    ],
)
def test_a_figure_is_a_number_or_a_number_word_not_a_code(text: str, figure: bool):
    assert states_a_figure(text) == figure


@pytest.mark.parametrize(
    ("text", "record"),
    [
        ("what's ticket 4103?", True),
        ("status of E1003", True),
        ("is SHP-207391 delivered", True),
        ("what's a 3PL company?", False),
        ("rail or road for a 900km run?", False),
        ("18.50 per hour", False),
        ("1234.5 kg", False),
        ("pls drop the old booking 7894.", True),  # a sentence's full stop ends the id
    ],
)
def test_a_record_id_has_three_digits_or_more_and_no_unit(text: str, record: bool):
    assert names_a_record(text) == record


@pytest.mark.parametrize(("text", "request_part"), [
    ("SHP-205077 is late, mark it delayed. is that over the limit?", "SHP-205077 is late, mark it delayed."),
    ("pls drop the old booking 7894. is that a no-show if its within 2 hrs?", "pls drop the old booking 7894."),
    ("which of my claims are still waiting for approval? E1001. is that normal?", None),  # the question comes first
    ("close ticket 4104. thanks!", None),  # what follows asks nothing
    ("close ticket 4104", None),  # one sentence: nothing to leave out
    ("is SHP-205077 late? is that over the limit?", "is SHP-205077 late?"),
    ("ticket 4104 closed. E1003 here.", None),  # every sentence names a record
])
def test_record_sentences_are_the_request_a_rule_question_follows(text: str, request_part: str | None):
    assert record_sentences(text) == request_part
    assert (question_after_records(text) is None) == (request_part is None)


def test_the_questions_after_sentences_naming_a_record_are_what_it_asks():
    text = "carrier says SHP-220417 lands 2 days late.  who do we tell? and by when?"
    assert question_after_records(text) == "who do we tell? and by when?"


@pytest.mark.parametrize(("text", "asks"), [
    ("how long do i have to report a damaged pallet?", True),
    ("who needs to sign PO-118390 off?", True),
    ("by when must the slot be booked", True),
    ("report damage on SKU-20931, 4 cartons crushed", False),
    ("how many cartons came in damaged?", False),
])
def test_a_question_for_how_long_by_when_or_who_is_told(text: str, asks: bool):
    assert asks_how_long_or_who(text) == asks


@pytest.mark.parametrize(("text", "asks"), [
    ("SHP-205077 quote came back 1,840 eur + 12.5% fuel surcharge. total pls", True),
    ("claim for SHP-198342: 14 ctns crushed, 24 pcs per ctn, unit value 3.75 eur. claim amount?", True),
    ("last 5 shipments were late by 2, 0, 5, 3 and 1 days. avg days late?", True),
    ("3 plts weigh 412, 388 and 455 kg, avg per plt to 1 decimal", True),
    ("drove to the client, 100 km total, at 0.23/km thats 23 eur, pls claim it", False),  # a total in passing
    ("how many shipments left WH-05 between 1 and 7 june? boss reckons we did 140 pallets", False),
    ("the training runs 13:10 to 15:00 with a 10 min break. how many minutes of real training time is that", True),
    ("how many hours is that meeting room booked for tomorrow, and by whom?", False),  # a record asked
])
def test_a_message_asks_for_an_amount_where_an_amount_word_ends_a_clause(text: str, asks: bool):
    assert asks_for_an_amount(text) is asks



@pytest.mark.parametrize(("text", "asks"), [
    ("i get 27 leave days this year and have already taken 11. how many are left?", True),
    ("meeting room 3B booked from 9:45 to 13:15, how long is that in minutes", True),
    ("How much would 3 licences at 40 each come to", True),
    ("headcount check: 240 ppl on Jan 1, 31 leavers since then and 47 new hires. where are we now?", True),
    ("split 732 between 6 of us", False),
    ("we are now 240 people", False),
])
def test_a_message_asks_how_many_how_much_or_how_long(text: str, asks: bool):
    assert asks_how_many(text) is asks


@pytest.mark.parametrize(("text", "named"), [
    ("they said our booking 'expired'?? is that a real rule", True),
    ("is there a rule for how long i can book bora?", True),
    ("what's the policy on gifts for us?", True),
    ("is bora free at 3? we need it", False),  # a record asked for
    ("whats the rule of thumb for pallet height?", False),  # no rule of the company's staff
])
def test_a_question_that_asks_for_the_rule_in_words_is_told(text: str, named: bool):
    assert asks_for_the_rule(text) == named


@pytest.mark.parametrize(("text", "limit"), [
    ("What's the maximum length of a single meeting room booking?", True),
    ("who signs off an expense claim thats over 1000 eur", True),
    ("whats the cut-off date to get my expenses paid with this month's salary", True),
    ("which meeting rooms have a screen?", False),
    ("the limit was fine, thanks", False),  # no question
    ("and whats the cut off for releasing adr orders at duisburg", True),
])
def test_a_question_for_a_rules_limit_deadline_or_approver_is_a_limit_question(text: str, limit: bool):
    assert limit_question(text) is limit


@pytest.mark.parametrize(("text", "works"), [
    ("hi, never claimed anything before, how do expense claims work here?", True),
    ("how does booking a room work for us", True),
    ("how does a reefer container work", False),  # how it works anywhere: general knowledge
    ("how do you work?", False),  # the assistant, not the company
    ("how does ticket 4102 work", False),  # a record named
    ("how do i book a room", False),
])
def test_a_question_how_a_thing_works_here_is_told_apart(text: str, works: bool):
    assert asks_how_it_works(text) is works


@pytest.mark.parametrize(("text", "follows"), [
    ("will that count as a no show? slot was at 11", True),
    ("does this mean the truck won't come?", True),
    ("ok would that affect my balance", True),
    ("would that be possible to cancel 7731 instead", False),  # a request put as a question
    ("will you cancel it", False),  # asks the assistant
    ("will that cancel the booking too? pls cancel it", False),  # and asks for it
    ("cancel that one too", False),
])
def test_a_question_about_what_the_thing_just_said_brings_is_told_from_a_request(text: str, follows: bool):
    assert asks_what_follows(text) is follows


@pytest.mark.parametrize(("text", "brings"), [
    ("will that count as a no show against them? it was for 15:00 today", True),
    ("is that gonna be a no show for them", True),
    ("does this mean the truck won't come?", True),
    ("is that one delayed?", False),  # a state a look-up answers
    ("does that include the cancelled ones?", False),  # a narrower look-up
    ("will that count against SHP-205066?", False),  # a record named
])
def test_what_the_thing_brings_is_asked_in_words_no_look_up_answers(text: str, brings: bool):
    assert asks_what_it_brings(text) is brings


@pytest.mark.parametrize(("text", "work"), [
    ("write a teams message to the crew saying SUP-0466 starts delivering next month", True),
    ("can you draft a polite email to portex about SHP-205077 being late", True),
    ("draft a short polite email to nordline about their slot times at WH-02", True),
    ("translate this for the driver: SHP-205210 leaves at 17:00", True),
    ("spell check pls: 'PO-118455 has been recieved'", True),
    ("make this shorter pls: 'your shipment SHP-205166 has left our warehouse today'", True),
    ("can you help me write a short msg to a driver telling him his dock slot moved to 14:00", True),
    ("is it 'a delay to the shipment' or 'a delay of the shipment'?", True),  # which wording is right
    ("is it delivered or not? SHP-205077", False),
    ("write off 12 units of SKU-10442", False),
    ("draft a PO for SUP-0458, 300 x SKU-41230", False),  # a record to create, not a text
    ("can u help me word a msg to IT asking for an update on ticket 4103", True),
    ("draft a short out-of-office for 22-26 june, back on the 29th, urgent stuff to E1006", True),
    ("thanks! can you draft an email to kessler letting them know the order is coming", True),
    ("can you write her a short email saying People is fine with it", True),
    ("can you write a short note for the team that the supplier demo is in bora tomorrow at 10", True),
    ("ok now write a reply to the customer saying we're on it", True),
    ("thanks, book bora for the demo too", False),
    ("can you note on SHP-206001 that the customer called", False),  # a note on a record, not a text
    ("can you put that in a two line summary for the leadership channel", True),
    ("summarise that for me pls", True),
    ("put SHP-205066 on hold", False),
    ("need to say sorry to hannah for running over into her zephyr slot - draft something short", True),
    ("slot 7866 on friday, write something in the note field about the late truck", False),  # a record's note
    ("sum up what i just told you for the shift log: 2 vans late, one forklift down", True),
    ("make this a bullet list pls: ring the carrier, chase PO-118204, book a slot for friday", True),
    ("give me a subject line for an email about 4 pallets of SKU-10442 that came in damaged", True),
    ("can you rewrite 'send me the report now' so it sounds friendlier", True),
    ("give me the list of open tickets", False),  # a record asked
    ("can u write a quick reminder for the team: dock at WH-01 closes at 17:00 on friday", True),
])
def test_work_on_a_text_is_told_from_a_request_for_a_record(text: str, work: bool):
    assert text_work(text) == work


@pytest.mark.parametrize(("text", "none"), [
    ("can you also look up stock or just dock slots? no need to check anything now, just asking", True),
    ("do you remember what we talked about yesterday regarding SHP-205102?", True),
    ("note to self: call SUP-0207 thursday about PO-118590", True),
    ("check SHP-205102 for me", False),
    ("is there any need to check SHP-205102 again?", False),
])
def test_a_message_can_say_that_nothing_is_to_be_looked_up(text: str, none: bool):
    assert wants_no_lookup(text) == none


@pytest.mark.parametrize(("text", "who"), [
    ("who has to sign off when we write off goods worth around 3k euros?", True),
    ("ok and who approves it if its over 500", True),
    ("whos on call this weekend", True),
    ("staff who left 3 days early get what share of 200?", False),  # "who" after a noun
    ("I paid 20 for someone who forgot their wallet, split 3 ways?", False),
])
def test_a_question_for_a_person_is_told_from_one_for_an_amount(text: str, who: bool):
    assert asks_who(text) == who
