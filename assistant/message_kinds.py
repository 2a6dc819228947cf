"""What kind of message a chat message is, read from its words: the router's checks weigh these beside the
sentence embedding, which places a message by its topic ("ticket 4103", "leave request 507") and hardly by what
the person does with it (asks for a record, tells news, asks what the company allows, asks for an opinion).

- `general_question`: general knowledge, an opinion (`opinion`) or work on a text the message gives ("what's FIFO
  vs FEFO?", "translate this", "draft a reminder to a supplier"), not what the company's documents say;
- `reaction`: news, thanks or a complaint that asks for nothing ("yay my leave request 507 got approved!!",
  "ticket 4103 is fine now btw, nothing to do"): a call would change or read a record nobody asked about;
- `rule_question`: what the company allows or expects of its staff ("up to what value may I accept a gift?",
  "where r we supposed to gather if the fire alarm goes off"), the handbook's subject;
- `names_a_record`: an id a record could have; `states_a_figure`: a figure a calculation could start from;
- `follow_up`: a message that says it goes on from the one before it ("and 4102?", "same for E1003 pls").
"""

from __future__ import annotations

import re

from assistant.slots import is_question

#: A figure a calculation could start from: a number or a number word ("one week", "a dozen", "half"); digits
#: inside a code are none ("3PL", "B2B", "E1003", "WH-05").
_FIGURE = re.compile(
    r"(?<![A-Za-z\d])(?<![A-Za-z]-)(?<!\d[.,])\d(?![\d.,]*[A-Z]{2})|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve|dozen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|half|"
    r"quarter|third|twice|double|triple)\b",
    re.IGNORECASE,
)
#: "one" that stands for a thing, not a count: "the first one", "a new one", "which one".
_PRONOUN_ONE = re.compile(r"\b(?:the (?:first|last|next|same|old|new)|this|that|which|each|every|any|no|a new|"
                          r"another|the other)\s+one\b", re.IGNORECASE)
#: A part of the year, no fraction to calculate with: "how much did we spend on travel last quarter?".
_PERIOD = re.compile(r"\b(?:last|this|next|previous|past|current|each|every|per|that|the|first|second|third|fourth|"
                     r"final)\s+(?:quarter|half)\b", re.IGNORECASE)
#: A question for what a term of up to three words means: "what does 2/10 net 30 mean", "what does ASN stand for".
_TERM_MEANT = r"\bwhat does \S+(?: \S+){0,2} (?:mean|stand for)\b"
_GENERAL = re.compile(
    r"^\W*(?:(?:can|could) (?:u|you) |pls |please )?(?:explain|define|describe|summari[sz]e|translate|rephrase|reword"
    r"|proofread|eli5)\b"
    r"|\b(?:what(?:'s|s| is| are)|whats) (?:a |an )?(?!(?:the|our|my|your|we|i|it|this|that|these|those|they|he|she|"
    r"there)\b)[\w-]+(?: [\w-]+)?"
    r"(?: (?:vs\.?|versus|in|mean)\b[^?]*)?\??\s*$"
    rf"|{_TERM_MEANT}|\bgeneral question\b"
    r"|\bwhat(?:'?s| is) the (?:\w+ )?word for\b|\bhow do (?:you|u|i) say\b"
    r"|\bdifference between\b|\b(?:vs\.?|versus)\s|\bsame thing as\b|\btell (?:me|us) a joke\b"
    r"|\b(?:in general|generally(?: speaking)?|usually)\b|^\W*why (?:is|are|do|does)\b"
    r"|^\W*who (?:painted|wrote|invented|discovered|composed|directed|founded|sang|said)\b"
    r"|^\W*(?:(?:can|could) (?:u|you) |pls |please )?(?:help me )?(?:write|draft|compose)\b(?! off)",
    re.IGNORECASE,
)
#: What asks a fact about the world that no company document or record holds: time zones and the calendar, a
#: recipe or how long to cook something, a unit in another ("how many km is a mile"), a standard size or weight
#: ("what size is an A4 sheet", "how much does an empty 40ft container weigh"), a general rule of health or
#: safety ("as a general rule", "what the WHO recommends").
_WORLD = re.compile(
    r"\btime ?zones?\b|\btime difference\b|\bwhat time is it in\b|\bjet ?lag\b|\bdaylight saving"
    r"|\bpublic holidays? in (?:most|many|all) (?:of |countries)|\bwhen is (?:easter|christmas|ramadan|diwali|carnival|"
    r"thanksgiving|black friday|chinese new year)\b|\bleap year\b"
    r"|\brecipe (?:for|to make)\b"
    r"|\bhow (?:long|many minutes) (?:do (?:i|you|u) |to |should (?:i|you) )?(?:boil|cook|bake|roast|fry)\b"
    r"|\bhow many \w+ (?:is|are|in) (?:a|an|one) (?:mile|km|kilomet\w*|inch|foot|yard|pound|lb|kg|kilo|gallon|litre|"
    r"liter|ounce|stone|tonne|ton)\b"
    r"|\bwhat size is (?:an? )?\w+|\bhow much does an? (?:empty |standard |full )?[\w-]+(?: \w+)? weigh\b"
    r"|\bas a (?:general )?rule\b|\bnormally recommended\b|\bthe who\b|\bin most (?:of europe|countries)\b",
    re.IGNORECASE,
)
#: What asks for advice or ideas any colleague would give: "any good podcast recs", "tips for lifting boxes",
#: "whats the best way to deal with jet lag", "a birthday present idea for a colleague", "secret santa ideas".
_ADVICE = re.compile(
    r"\b(?:any|some|good)\s+(?:\w+\s+)?(?:tips|advice|recs|recommendations|suggestions|ideas)\b|^\W*recommend\b"
    r"|^\W*(?:tips|ideas|advice)\s+(?:for|on)\b|\bwhat(?:'s|s| is) the best way to\b|^\W*(?:the )?best ways? to\b"
    r"|\b(?:an?|some|few|good)\s+(?:[\w-]+\s+){0,2}ideas?\s+(?:for|to)\b"
    r"|\b(?:gift|present|birthday|christmas|xmas|santa|lunch|dinner|party|costume|outing|team[- ]building)\s+ideas?\b",
    re.IGNORECASE,
)
#: What asks for the assistant's own view ("do you think", "your opinion", "hypothetically", "imo ..., agree?")
#: or about the assistant itself ("what can you help me with?", "who are you?").
_OPINION = re.compile(r"\b(?:do|would) (?:you|u) think\b|\b(?:your|ur|honest) (?:opinion|view|take)\b"
                      r"|\bhypothetical(?:ly)?\b|\bthought experiment\b|\bnothing to look up\b|\bis it just me\b"
                      r"|\bwould you (?:rather|prefer|pick|choose|drop)\b"
                      r"|\b(?:is it|would it be) (?:better|smarter|wiser)\b"
                      r"|\bwhat (?:can|could|do) (?:u|you) (?:do|help(?: me| us)? with)(?: for (?:me|us))?\W*$"
                      r"|\bwhat (?:sort|kind|type)s? of (?:stuff|things?|questions?) (?:can|could|do) (?:u|you) "
                      r"(?:\w+ )?(?:do|help|answer)\b|\bwhen i ask (?:you|u)\b"
                      r"|\bbe honest\b|^\W*imagine\b|\byour thing\b"
                      r"|\b(?:do|will) (?:you|u) (?:keep|store|remember|save|log) (?:that|this|it|my|what)\b"
                      r"|\bwho (?:are|r) (?:u|you)\W*$|\bimh?o\b|\bagree\?|\bdon'?t you think\b"
                      r"|\bor (?:do )?(?:you|u) (?:only|just) (?:look|search|answer|read)\b"
                      r"|\bhow do (?:you|u) know (?:which|who|what|where)\b|\bdo (?:you|u) see my\b"
                      r"|\bif (?:we|i|they|you|u)\b[^?]{0,80}\bwould (?:you|u)\b", re.IGNORECASE)
#: What marks news, thanks or a complaint: thanks, cheers, praise ("you're a star"), an exclamation ("wow", "brutal",
#: "what a monday", "fed up", "so annoying"), "btw", "all good", "nothing to do", "hold off", "finally",
#: "already", a shrug ("meh", "nah", "anyway", "it can wait"), what one may do later ("not yet", "i'll let you
#: know", "we'll see", "heads up, we might need to"),
#: what keeps happening ("keeps freezing", "always seems", "3rd time this week", "lately", "funny how"),
#: plans not made ("thinking of", "prob gonna", "havent decided"), work reported done ("is done, the numbers
#: matched", "went smooth"), praise of work ("nice job"), the weather, an emoji; what happens every time ("late
#: AGAIN today. every single week"), a record day ("new record"), an opening "great," or "nice!".
_REACTS = re.compile(
    r"\b(?:thanks|thank you|thx|ty|cheers|yay|hooray|woo+|btw|fyi|just saying|just so you know|all good|all sorted|"
    r"big news|huge news|exciting news|"
    r"nothing to do|no need|never ?mind|nvm|so happy|ugh|finally|myself|haha+|lol|great news|good news|hold off|"
    r"wow|omg|yikes|phew|sigh|meh|nah|eh|anyways?|whatever|(?:it|that) can wait|brutal|damn|crazy|wild|insane|"
    r"nightmare|killing me|what an? \w+|appreciate it(?! if)|(?:much |really )?appreciated|"
    r"you'?re (?:a star|the best|a legend|a lifesaver)|legend|lifesaver|impressive|can'?t wait|fed up|"
    r"driving me (?:nuts|crazy|mad)|already|not yet|i'?ll let (?:you|u) know|might have to|"
    r"i'?ll probably|(?:we|i)(?:'?d| would) probably|(?:we'?ll|will) see|heads up|lately|bane|"
    r"(?:so|i'?m|im) done with|sick of|tired of|(?:funny|weird|strange|odd) how|keeps? \w+ing|"
    r"always (?:seems?|looks?)|tbh|ngl|just venting|venting|moan(?:ing)? at|(?:genuinely |really )?impressed|"
    r"so+ (?:annoying|confusing|slow|frustrating|complicated|clunky|buggy)|at some point|not today|sometime|"
    r"(?:i|we) should probably|(?:prob|probably) (?:gonna|going to)|thinking (?:of|about)|"
    r"ha(?:ve)?n'?t decided|not decided|not sure yet|"
    r"(?:second|third|fourth|fifth|2nd|3rd|4th|5th) time (?:this|today|in a row)|"
    r"(?:is|are|was|were) (?:all )?done|just finished|matched|went (?:fine|well|smooth(?:ly)?)|"
    r"nothing (?:damaged|missing|broken)|no damage|feels like|(?:nice|good|great) job|well done|"
    r"rain(?:ing|ed)?|snow(?:ing|ed)?|soaked|heat ?wave|sunny|windy|every single \w+|new record)\b|!!|"
    r"^\W*(?:great|nice|awesome|brilliant|excellent|perfect|sweet|amazing|cool|lovely|fantastic)\s*[,.!]|"
    r"[\U0001F300-\U0001FAFF\u2600-\u27BF]",
    re.IGNORECASE,
)
#: A question nobody expects answered, which a reaction's mark makes a complaint: "why is every meeting at 9, ugh".
#: A memory shared rather than a question ("remember when we had to cancel shipments by fax? crazy times").
_RHETORICAL = re.compile(r"^\W*(?:why (?:is|are|does|do|did|must|has|have)|remember when)\b", re.IGNORECASE)
#: What makes a rhetorical question a complaint on its own: what keeps happening ("why is the coffee machine at
#: WH-02 always broken").
_RECURS = re.compile(r"\b(?:always|never|again|every (?:single )?(?:time|day|week|month|morning|shift))\b",
                     re.IGNORECASE)
#: A question word that exclaims rather than asks: "funny how the stock figures always look off on mondays".
_EXCLAIMED = re.compile(r"\b(?:funny|weird|strange|odd|amazing|crazy) how\b", re.IGNORECASE)
#: What asks for something in the middle of a message ("company covers 60% of the pass, what do i pay myself",
#: "customer's been ringing about SHP-204877 🙄 where is the thing", "lost my badge again, does a new one cost
#: anything"), or writes an address a report needs.
_ASKS_FOR = re.compile(r"\b(?<!exactly )(?<!just )(?:what(?:'?s)?(?! an? )|which|who|where(?:'?s)?|when|how)\b|@|"
                       r"(?:^|[,;.]\s*)(?:does|do|did|can|could|will|would|should|is|are)\s+(?:a|an|the|it|i|we|you|u|"
                       r"they|this|that|there|my|our|your)\b", re.IGNORECASE)
#: What makes a message a request even without a question: a word that asks ("can you", "pls", "i need", "you can
#: mark it resolved", "2 decimals": a rounding asked) or a verb that opens a clause as an order ("..., set it to
#: delivered", "and close it").
_REQUESTS = re.compile(
    r"\b(?:(?:can|could|would|will)\s+(?:you|u|i|we|someone|somebody|anyone)|pls|plz|please|i'?d\s+like|"
    r"i\s+want|i\s+need|we\s+need|(?<!no )(?<!might )(?<!may )needs?\b|let\s+me|go\s+ahead|"
    r"(?:you|u)\s+can\s+(?:now\s+)?(?:mark|close|set|cancel|resolve|book|order|file|log|update|put|move|change)\b|"
    r"can\s+be\s+(?:closed|cancell?ed|deleted|removed|resolved|marked|approved|rejected|reopened)|"
    r"(?:show|tell|give|find|get|send|pull)\s+(?:me|us)\b(?!\s+(?:know|think|guess|see)\b)|"
    r"\d\s*(?:decimals?|decimal places|dp)|to the (?:cent|nearest \w+))\b"
    r"|(?:^|[,.;:!]\s*|[\U0001F300-\U0001FAFF\u2600-\u27BF]\s*|\b(?:and|then|so|but|now|btw|pls|meanwhile|"
    r"also|ok|okay|alright|right|fine|great|cool|thanks|thx)\s+)"
    r"(?:set|mark|close|cancel|book|update|change|create|open|raise|log|submit|file|report|show|list|find|get|"
    r"check|look|pull|tell|send|add|remove|delete|reopen|move|order|approve|reject|make|put|register|record|note|"
    r"kill|drop|scrap|release|reserve|grab|hold(?! off)|chase|free|ship)\b",
    re.IGNORECASE,
)
#: A rule asked for in words: "is that a real rule", "what's the policy on gifts".
_RULE_NAMED_WORDS = (r"is (?:that|this|there|it) (?:a |an )?(?:real |actual |official |proper )?(?:rule|policy)"
                     r"|what(?:'?s| is) the (?:rule|policy) (?:on|for|about)")
#: What a question about the company's rules for its staff asks: whether one is allowed, supposed, required or
#: entitled to something, or must do it.
_RULE = re.compile(
    r"\b(?:allowed|supposed to|permitted|entitled|required to|obliged|have to|has to|must (?:i|we)|"
    r"(?:am|may|must|should) i|(?:may|must|should) we|do (?:i|we) (?:still |even |also |really |actually )?"
    rf"(?:need|have to|get)|{_RULE_NAMED_WORDS}|"
    r"are we (?:allowed|supposed|meant)|can (?:i|we) (?:just |still )?(?:accept|keep|claim|expense|bring|text|agree)|"
    r"what (?:do|should|must) (?:i|we) do|"
    r"up to what (?:value|amount)|what(?:'?s| is| are) the (?:rules?|polic(?:y|ies))(?= here\b))\b",
    re.IGNORECASE,
)
#: A record's id: three digits or more, alone or after a letter prefix, not run into a unit or decimals (a
#: sentence's full stop may follow).
_RECORD_ID = re.compile(r"(?<![\w.])(?:[A-Za-z]+-?)?\d{3,}(?!\w|\.\d)")
#: Who a rule question is about: the one asking or their colleagues ("which warehouses r allowed to keep adr stuff"
#: asks about sites, which the records tell).
_STAFF = re.compile(r"\b(?:i|we|me|us|my|our|here)\b", re.IGNORECASE)
#: A question asked in its word order anywhere in a message: "a supplier wants to send me a gift, up to what value
#: am i allowed to keep it", "found a new one near izmir, what do they have to send us before we can order".
_ASKED = re.compile(r"\b(?:am|may|must|should|do|are|can) (?:i|we)\b"
                    r"|\b(?:what|which|when|how) (?:do|does|must|should) (?:they|we|i|you|u)\b", re.IGNORECASE)


#: Work on a text the message asks for, which stays work on a text when it names a record: "write a teams message
#: to the crew saying SUP-0466 starts next month", "translate this note for SHP-205077", "can you help me write a
#: short msg to a driver ...", "thanks! can you draft an email to kessler ...", "can you write her a short email
#: saying ...", "write a short note for the team that the demo is in bora", "can you sum that up in 2 lines for my
#: team whatsapp", or which of two wordings it gives is right ("is it 'a delay to' or 'a delay of'?").
_TEXT_WORK = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|thanks|thank you|thx|ty|great|cool|perfect|nice|right|also|and|now|ugh|hm+|oh|so|hey)\W+)*"
    r"(?:(?:can|could|would) (?:u|you) |pls |please )?(?:help me )?(?:translate|rephrase|reword|proofread|"
    r"spell ?check|grammar check|fix the (?:spelling|grammar)|shorten|make (?:this|it|that) (?:shorter|clearer|nicer)|"
    r"(?:write|draft|compose|word|phrase) (?:me |him |her |them |us )?(?:a |an |the |my )?(?:(?:short|quick|"
    r"friendly|polite|formal|firm|brief|nice) )*(?:teams |slack |chat |whatsapp )?(?:message|msg|e-?mail|mail|sms|"
    r"txt|reply|response|text|letter|announcement|memo|note|reminder|post|paragraph|out[- ]of[- ]office|ooo|"
    r"auto-?reply)"
    r"|summari[sz]e (?:that|this|it|them|those)|(?:sum|boil) (?:that|this|it|them|those) (?:up|down)|"
    r"sum up what (?:i|we) (?:just )?(?:said|told (?:you|u)|wrote)|rewrite\b|"
    r"(?:give|suggest) (?:me )?(?:a |an )?(?:good |short |catchy )?(?:subject(?: line)?|title|heading) for|"
    r"make (?:this|that|it) (?:in)?to (?:a |an )?(?:bullet(?:ed)? |numbered |short )?(?:list|table)|"
    r"make (?:this|that|it) (?:a |an )?(?:bullet(?:ed)? |numbered )(?:list|points)|"
    r"(?:recap|condense) (?:that|this|it)|tl;?dr|(?:put|turn|make) (?:that|this|it|them|those) (?:in|into) (?:a |an )?"
    r"(?:[\w-]+ ){0,3}(?:summary|message|msg|e-?mail|mail|note|bullet|bullets|list|table|sentence|paragraph|post))\b"
    r"|[-,.;:]\s*(?:pls |please )?(?:draft|write) (?:me )?(?:something|a few lines|a line)\b(?!\s+(?:in|on|into)\b)"
    r"|^\W*(?:is it|should it be|do (?:i|we|you) (?:say|write)|which is (?:right|correct)\W*)\s*"
    r"[\"'\u2018\u201c][^\"'\u2019\u201d]+[\"'\u2019\u201d]\s*or\s*[\"'\u2018\u201c]",
    re.IGNORECASE)
#: What says no record is to be looked at: "no need to check anything now, just asking", "do you remember what we
#: talked about yesterday regarding SHP-205102?" (the conversation, not the record), a note to self.
_NO_LOOKUP = re.compile(r"\bjust asking\b|\bno need to (?:check|look|do)\b|\bdon'?t (?:check|look)\b|"
                        r"\bdo (?:you|u) remember\b|\bwhat we (?:talked|spoke|chatted) about\b|"
                        r"\b(?:note|reminder|memo) (?:to|for) (?:self|myself|me)\b", re.IGNORECASE)


#: What goes on from the message before: an opening "and" (typed "n" too: "n venlo"), "for", "what/how about",
#: "same", "then", "or" (after an "ok" or "thanks" too), "also", "the same", "as well", "instead" anywhere, a closing
#: "too", and what was said before named as "that", "it" or "them" ("can u do the same for sofia", "ok and if i take
#: 5 of them in july?", "pls check E1003 too", "what's 15% of that?").
_GOES_ON = re.compile(r"^\W*(?:(?:ok(?:ay)?|great|thanks|thx|cool|right|so|hm+|oh|ah)\W+)?"
                      r"(?:and|n|for|plus|or|then|same|what about|how about|what if)\b"
                      r"|\b(?:also|the same|as well|instead)\b|\b(?:too|then)\W*$"
                      r"|\b(?:of|from|with|on|to|by|in|for) (?:that|it|them|those|these)\b"
                      r"|\b(?:that|it|them|those|these)\W*$", re.IGNORECASE)


def follow_up(text: str) -> bool:
    """Whether `text` says in words that it goes on from the message before it."""
    return _GOES_ON.search(text) is not None


def word_count(text: str) -> int:
    """The words of `text`, ids and addresses one word each."""
    return len(re.findall(r"[\w'@.-]+", text))


def text_work(text: str) -> bool:
    """Whether `text` asks for work on a text (to write a message, to translate or rephrase one, to say which of two
    wordings is right), whatever records it names."""
    return _TEXT_WORK.search(text) is not None


def wants_no_lookup(text: str) -> bool:
    """Whether `text` says that nothing is to be looked up, or asks about the conversation itself."""
    return _NO_LOOKUP.search(text) is not None


def general_question(text: str) -> bool:
    """Whether `text` asks for general knowledge, an opinion or work on a text it gives, not for what the
    company's documents say: "what's FIFO vs FEFO?", "explain safety stock", "why is the last mile so
    expensive?", "do you think rail will replace trucks?", "summarise this: '...'", "hypothetically, which day
    would you drop?"."""
    return _GENERAL.search(text) is not None or asks_for_advice(text) or opinion(text) or world_fact(text)


def world_fact(text: str) -> bool:
    """Whether `text` asks a fact about the world that no company document or record holds ("what time is it in
    shanghai when it's 09:00 here", "is poland in the same time zone as the netherlands?", "how many minutes do i
    boil an egg", "how many km is a mile again"): its figures and names are the world's, for no call or sum."""
    return _WORLD.search(text) is not None


def asks_for_advice(text: str) -> bool:
    """Whether `text` asks for advice or ideas any colleague would give ("tips for lifting boxes without hurting
    your back", "secret santa ideas under 20 euros?"): its figures bound the advice, they make no sum."""
    return _ADVICE.search(text) is not None


#: A question for what a term means: a term of up to three words, or "what is meant by".
_MEANING = re.compile(rf"{_TERM_MEANT}|\bwhat is meant by\b", re.IGNORECASE)


def asks_a_meaning(text: str) -> bool:
    """Whether `text` asks what a term means ("what does 2/10 net 30 mean on an invoice?"): its figures are the
    term's, not a sum's."""
    return _MEANING.search(text) is not None


def opinion(text: str) -> bool:
    """Whether `text` asks for the assistant's own view or about the assistant itself: "do you think rail
    freight will replace trucks?", "hypothetically, which day would you drop?", "what can you help me with?"."""
    return _OPINION.search(text) is not None


def reaction(text: str) -> bool:
    """Whether `text` tells news, thanks or a complaint and asks for nothing: no question (but one nobody expects
    answered: "why is every meeting at 9, ugh"), no word that requests and no order ("set it to delivered"), and a
    mark of a reaction (thanks, "btw", "all good", "finally", "!!", an emoji). "thanks!! got the 86 euros back
    already" and "ticket 4103 is fine now btw, nothing to do" are reactions; "ticket 4103 is fine now, close it"
    and "slot 8124 isnt needed anymore" are not."""
    rhetorical = _RHETORICAL.match(text) is not None and not names_a_record(text)
    asks = (is_question(text) or _ASKS_FOR.search(_EXCLAIMED.sub(" ", text)) is not None) and not rhetorical
    marked = _REACTS.search(text) is not None or rhetorical and _RECURS.search(text) is not None or \
        _ACKNOWLEDGED.fullmatch(text) is not None
    return not asks and not requests_something(text) and marked


#: A message that only says it took in what was said: "k", "ok", "kk", "noted", "got it", "fine", "perfect", "ta".
_ACKNOWLEDGED = re.compile(r"\W*(?:(?:o?k+|ok(?:ay|ie)?|ta|noted|got it|understood|fine|sure|alright|right|cool|"
                           r"perfect|great|nice|good|makes sense|will do|roger)\W*)+", re.IGNORECASE)


#: A thing, not a person, said to be allowed: "any site in poland that's allowed to store dangerous goods" (not
#: "which rooms are we allowed to eat in", where the staff are).
_THING_ALLOWED = re.compile(r"\b(?:sites?|warehouses?|carriers?|suppliers?|rooms?|locations?|depots?|trucks?|vans?|"
                            r"zones?)\b(?:(?!\b(?:i|we|you|u)\b)[^.?!]){0,30}\b(?:allowed|permitted|licensed|"
                            r"certified)\b", re.IGNORECASE)


def requests_something(text: str) -> bool:
    """Whether `text` has a word that asks for something ("can you", "pls", "need") or an order opening a clause
    ("..., set it to delivered")."""
    return _REQUESTS.search(text) is not None


#: A question how a thing is done here, which the handbook answers: "how do expense claims work here?", "how does
#: booking a room work for us". Without a word of the company it may ask how a thing works anywhere ("how does a
#: reefer work"): general knowledge.
_WORKS_HOW = re.compile(r"\bhow (?:do|does) (?:(?!\b(?:you|u)\b)[^.?!,]){1,40}? work\b", re.IGNORECASE)
_HERE = re.compile(r"\b(?:here|our|ours|we|us|in this company|at this company|at work)\b", re.IGNORECASE)


def asks_how_it_works(text: str) -> bool:
    """Whether `text` asks how a thing works at the company ("how do expense claims work here?"): the documents'
    question, no record's."""
    return _WORKS_HOW.search(text) is not None and _HERE.search(text) is not None and not names_a_record(text)


def rule_question(text: str) -> bool:
    """Whether `text` asks what the company allows, expects or gives its staff: "up to what value am i allowed to
    keep a gift", "when do we have to sign the code of conduct again?", "from which day of illness do I need a
    doctor's note?"; a general question is none, nor one about things rather than staff ("which warehouses r
    allowed to keep adr stuff")."""
    return (is_question(text) or _ASKED.search(text) is not None) and _RULE.search(text) is not None and \
        _STAFF.search(text) is not None and not general_question(text) and _THING_ALLOWED.search(text) is None


def asks_for_the_rule(text: str) -> bool:
    """Whether `text` asks in words for the company's rule on what it tells ("they said our booking 'expired'?? is
    that a real rule"): the handbook's question, whatever record it names."""
    return rule_question(text) and _RULE_NAMED.search(text) is not None


_RULE_NAMED = re.compile(rf"\b(?:{_RULE_NAMED_WORDS})\b", re.IGNORECASE)


def limit_question(text: str) -> bool:
    """Whether `text` asks for a rule's limit, deadline or approver rather than for records: "what's the maximum
    length of a single meeting room booking?", "whats the longest i can book a meeting room for in one go", "who
    signs off an expense claim thats over 1000 eur", "whats the cut-off date to get my expenses paid", "how much
    notice does the people team want for parental leave?"."""
    return (is_question(text) or _ASKS_FOR.search(text) is not None) and _LIMIT.search(text) is not None and \
        not general_question(text)


_LIMIT = re.compile(
    r"\b(?:max(?:imum)?|longest|shortest|minimum|limit|cap|cut[- ]?off|deadline|how far ahead|how far in advance|"
    r"how long in advance|how much notice|notice period|short notice|signs? off|approves?|entitled|allowance)\b",
    re.IGNORECASE)


#: A question for a person, which no amount answers: "who has to sign off when we write off goods worth around 3k
#: euros?", "ok and who approves it if its over 500". Not "who" after a noun ("staff who left 3 days early").
_ASKS_WHO = re.compile(r"(?:^|[,;.?!]\s*|\b(?:and|so|but|then)\s+)who(?:'?s| is| are| has| must| should| can| do| does| will|"
                       r" signs?| approves?| decides?| pays?| needs?| gets?)\b", re.IGNORECASE)


def asks_who(text: str) -> bool:
    """Whether `text` asks who does or may do something: a person answers it, not a calculation."""
    return _ASKS_WHO.search(text) is not None


#: What a question asks that no change to a record answers, whatever verb it writes: how long, how soon, by when.
_HOW_LONG = re.compile(r"\bhow (?:long|soon)\b|\bby when\b|\bdeadline\b", re.IGNORECASE)


def asks_how_long_or_who(text: str) -> bool:
    """Whether `text` asks how long, by when or who ("how long have i got to file the damage report?", "who needs
    to approve it?"): a rule answers it, not a change to a record."""
    return asks_who(text) or _HOW_LONG.search(text) is not None


#: A yes/no question about what the thing just said brings or means: "will that count as a no show? slot was at
#: 11", "does this mean the truck won't come?", "would that affect my bonus". Not an offer to do it ("would that be
#: possible"), nor an ask of the assistant ("will you cancel it").
_WHAT_FOLLOWS = re.compile(r"^\W*(?:(?:ok(?:ay)?|and|so|but|hmm|wait)\W+)*(?:will|would|does|did|do|is|was|could|might)"
                           r" (?:that|this)\b(?!\s+(?:be possible|be ok|be okay|work)\b)", re.IGNORECASE)


def asks_what_follows(text: str) -> bool:
    """Whether `text` asks what something said before brings or means ("will that count as a no show?") and asks
    for nothing besides: no change to a record answers it."""
    # "will that one need approval?": the thing's need, not the person's
    return _WHAT_FOLLOWS.search(text) is not None and not requests_something(_ITS_NEED.sub(" ", text))


#: A need of the thing a question is about, which asks for nothing: "will that one need approval?".
_ITS_NEED = re.compile(r"\b(?:that|this|it)(?: one)? needs?\b", re.IGNORECASE)


#: What a question about what the thing just said brings asks of it, which no look-up answers either: whether it
#: counts as, means, affects, needs or will be something ("is that gonna be a no show for them", "will that one need
#: approval?").
_BRINGS = re.compile(r"\b(?:count|counts|mean|means|affect|affects|impact|matter|hurt|trigger|need|needs|"
                     r"(?:gonna|going to|will|would) be an?)\b", re.IGNORECASE)


def asks_what_it_brings(text: str) -> bool:
    """Whether `text` asks what something said before brings (`asks_what_follows`) in words no look-up answers
    either ("will that count as a no show against them?", "is that gonna be a no show for them"), naming no record:
    no call reads it ("is that one delayed?" may still look the shipment up)."""
    return asks_what_follows(text) and _BRINGS.search(text) is not None and not names_a_record(text)


def names_a_record(text: str) -> bool:
    """Whether `text` writes what reads like a record's id: three digits or more, alone or after a prefix
    ("ticket 4103", "E1003", "SHP-207391"); a unit ("900km") or a code with fewer digits ("3PL") is none."""
    return _RECORD_ID.search(text) is not None


def states_a_figure(text: str) -> bool:
    """A digit or a number word ("one week", "a dozen", "half"), not "one" that stands for a thing nor a part of
    the year ("last quarter", "the second half")."""
    return _FIGURE.search(_PERIOD.sub(" ", _PRONOUN_ONE.sub(" ", text))) is not None


def asks_for_an_amount(text: str) -> bool:
    """Whether `text` asks for a sum's result: a word for an amount that ends a clause, as a question or a
    request ("total pls", "claim amount?", "avg days late?", "avg per plt to 1 decimal"), not one in passing ("100 km
    total, at 0.23/km thats 23 eur, pls claim it")."""
    return _AMOUNT_ASKED.search(text) is not None


_AMOUNT_ASKED = re.compile(r"\b(?:total|amount|avg|average|mean|sum|how much|cost|price|share|score|gross|owed?|"
                           r"reorder (?:point|pt|level)|rate in %|how many (?:minutes|mins|hours|hrs)(?: late)?)\b"
                           r"[^.?!,;]{0,25}"
                           r"(?:\?|\bpls\b|\bplease\b|$)|"
                           r"\bhow many (?:minutes|mins|hours|hrs)\b[^.?!,;]{0,40}\b(?:is|was) (?:that|it)\s*\??\s*$",
                           re.IGNORECASE)  # "how many minutes of actual session time is that"


def asks_how_many(text: str) -> bool:
    """Whether `text` asks how many, how much or how long, or where a count stands ("how many are left?", "how long
    is that in minutes", "headcount ... where are we now?"): with figures that make a sum, it asks for the sum; on its
    own it may ask for a record ("how many cartons came in damaged?")."""
    return _HOW_MANY.search(text) is not None


_HOW_MANY = re.compile(r"\bhow (?:many|much|long)\b|\bwhere are we (?:now|at)\b", re.IGNORECASE)


#: A sentence's end inside a message: its mark and the space after it.
_SENTENCE_BREAK = re.compile(r"(?<=[.?!])\s+")


def sentences(text: str) -> list[str]:
    """`text`'s sentences, each with its closing mark: split where a full stop, question or exclamation mark is
    followed by a space."""
    return [sentence for sentence in _SENTENCE_BREAK.split(text.strip()) if sentence]


def record_sentences(text: str) -> str | None:
    """The sentences `text` opens with that name a record (`names_a_record`), when every sentence after them asks
    a question naming none: "SHP-205077 is 3 days late, mark it delayed. is that over the limit where it goes to
    the head of transport?" asks for the change first. None otherwise: "which of my claims are still waiting?
    E1001." asks its question first."""
    parts = _records_then_questions(text)
    return None if parts is None else parts[0]


def question_after_records(text: str) -> str | None:
    """The questions `text` asks after the sentences it opens with naming a record (`record_sentences`): "do we have
    to escalate that to anyone?" after "carrier says SHP-220417 will land 3 working days late."; None when it
    does not open that way."""
    parts = _records_then_questions(text)
    return None if parts is None else parts[1]


def _records_then_questions(text: str) -> tuple[str, str] | None:
    """`text` as the sentences naming a record it opens with and the questions naming none after them, or None."""
    parts = sentences(text)
    opening = 0
    while opening < len(parts) and names_a_record(parts[opening]):
        opening += 1
    rest = parts[opening:]
    if not opening or not rest or not all(is_question(s) and not names_a_record(s) for s in rest):
        return None
    return " ".join(parts[:opening]), " ".join(rest)
