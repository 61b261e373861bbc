"""Sentences and templates of the contrast set, written for hate-monitor (no test suite copied).

Each hateful template carries its severity; the non-hateful families are the classifier's known
failure modes: counter-speech and quotes, negation, neutral or warm mentions of a group,
reclaimed terms, profanity with no protected target, and abuse of targets the law does not
protect. ``build.py`` expands them into ``contrast.jsonl``.
"""

from __future__ import annotations

GROUPS: dict[str, tuple[str, ...]] = {
    "race": ("Black people", "immigrants", "refugees", "Asian people", "Travellers",
             "Polish people", "Pakistanis", "asylum seekers"),
    "religion": ("Muslims", "Jews", "Sikhs", "Hindus"),
    "sexual_orientation": ("gay men", "lesbians", "bisexual people", "gay people"),
    "disability": ("disabled people", "autistic people", "wheelchair users",
                   "people with learning disabilities"),
    "transgender": ("trans people", "trans women", "non-binary people"),
    "sex_gender": ("women", "girls"),
}

# Targets with no protected characteristic: abuse of them is not hate crime.
NON_PROTECTED: tuple[str, ...] = (
    "politicians", "landlords", "traffic wardens", "bankers", "estate agents", "cyclists",
    "spammers", "referees", "city fans", "the council", "scammers", "tax dodgers",
    "people who don't indicate", "my neighbours", "journalists", "lawyers",
)

HATEFUL: dict[str, tuple[str, ...]] = {
    "threat": (
        "{G} deserve to be shot, every last one of them",
        "someone should put a bullet in all the {G} round here",
        "we will hunt {G} down and make them pay in blood",
        "round up the {G} and string them up",
        "if I see any {G} on my street tonight I will stab them",
        "time to get the petrol cans out for the {G} on our estate",
        "{G} should be wiped off the face of the earth",
        "I want to see {G} hanging from lampposts",
        "next {G} I see gets a brick through their window",
        "burn every house where {G} live",
        "I'd happily run over a crowd of {G}",
        "we should gas the lot of {G}",
        "any {G} who walk past my house tonight will get a beating",
        "it's time someone dealt with {G} the old-fashioned way, with a rope",
        "{G} will be dragged out of their homes soon enough",
        "let's torch the place where the {G} meet",
    ),
    "dehumanisation": (
        "{G} are vermin",
        "{G} are nothing but parasites feeding off us",
        "{G} are animals, not people",
        "{G} are a disease spreading through this country",
        "{G} are subhuman filth",
        "{G} breed like rats",
        "{G} are closer to apes than to humans",
        "{G} are cockroaches and should be treated like it",
        "{G} are a plague on society",
        "{G} are rubbish that needs taking out",
        "{G} are a cancer that needs cutting out",
        "{G} are mongrels, not humans",
        "{G} crawl out of the sewers like rats",
    ),
    "derogation": (
        "I can't stand {G}, they are all disgusting",
        "{G} are all thieves and liars",
        "{G} are too stupid to be trusted with anything",
        "never hire {G}, they are lazy and useless",
        "{G} ruin every place they move into",
        "{G} have no place in this country",
        "{G} make me sick",
        "I despise {G}",
        "{G} shouldn't be allowed to vote",
        "{G} are a drain on everyone else",
        "honestly {G} are the worst kind of people",
        "I hate {G} so much",
        "{G} need to go back where they came from",
        "{G} are inferior and always will be",
        "keep {G} away from our schools",
        "why are {G} always so disgusting?",
        "isn't it obvious that {G} are a curse on this country?",
        "I met some {G} today. Filth, the lot of them.",
        "{G}? Every single one of them is a criminal",
        "there is nothing worse than {G}",
    ),
}

# Frames that quote or report hate in order to condemn it ({h} is a hateful sentence).
COUNTER_FRAMES: tuple[str, ...] = (
    'Saying "{h}" is vile and you should be ashamed.',
    'Someone wrote "{h}" under my post. Reported, and I hope they get banned.',
    'I can\'t believe people still think "{h}". Shameful.',
    '"{h}" - no. This is hate and it needs calling out.',
    'Posts like "{h}" are exactly why we need better moderation.',
    'A man on the bus shouted "{h}". I told him to stop and the driver threw him off.',
    'If your view is "{h}" then you are the problem, not them.',
    'Reminder that "{h}" is not free speech, it is bigotry.',
)

COUNTER_SPEECH: tuple[str, ...] = (
    "attacks on {G} have doubled this year and it is terrifying",
    "my friend was called vermin just for being one of the {G} on our road. Awful.",
    "anyone spreading lies about {G} should be challenged every time",
    "the abuse {G} get online is disgusting and has to stop",
    "stand up for {G} when you see them harassed",
    "I'm sick of seeing {G} treated like criminals",
    "hate against {G} has no place in our town",
    "calling {G} animals is dehumanising and dangerous",
    "the way the press talks about {G} fuels real violence",
    "threats against {G} should be reported to the police",
)

# Warm or supportive posts that swear, and anger aimed at those who attack a group.
PROFANE_SUPPORT: tuple[str, ...] = (
    "{G} are fucking brilliant",
    "fuck yeah, rights for {G}!",
    "fuck the thugs who attacked {G} last night",
    "the bastards harassing {G} on the high street need locking up",
    "so bloody proud of the {G} who organised the fundraiser",
    "damn right {G} belong here",
    "bloody hell, the {G} choir was amazing tonight",
    "shit, I forgot the {G} history talk was today, gutted",
    "hell yes, a new community centre for {G}",
    "fucking love how supportive this town is of {G}",
)

IDENTITY: tuple[str, ...] = (
    "as one of the {G} in this village I feel safe here",
    "we're {G} and we're looking for a flat near the station",
    "speaking as one of the {G}, the new policy helps us",
    "why do some people hate {G}?",
    "what is life like for {G} in the UK today?",
)

NEGATED: tuple[str, ...] = (
    "{G} are not vermin and never were",
    "I would never hurt {G}",
    "I don't hate {G} at all",
    "it is simply not true that {G} are lazy",
    "{G} are no threat to anyone",
    "I don't think {G} are disgusting in the slightest",
    "nobody should say {G} are less than human",
    "{G} are not a drain on anything, they pay their way like everyone",
    "there is nothing wrong with {G}",
    "{G} don't deserve any of the abuse they get",
    "I'm not saying {G} should leave, I'm saying they belong here",
    "no one here thinks {G} are filth",
    "{G} aren't criminals, stop saying that",
    "I refuse to believe {G} are any worse than the rest of us",
    "it's wrong to call {G} parasites",
    "we will never let anyone hurt {G} in this town",
    "{G} are not animals, they are our neighbours",
    "there's no way I'd ever want {G} gone",
    "I never said {G} were disgusting, I said the food was",
    "{G} shouldn't have to put up with threats",
)

NEUTRAL: tuple[str, ...] = (
    "I have a lot of respect for {G}",
    "{G} are welcome here",
    "our street party had loads of {G} and it was lovely",
    "proud to support {G} in our community",
    "there's a talk about the history of {G} in Britain at the library tonight",
    "my best mate's family are {G}",
    "how can we make the town safer for {G}?",
    "{G} deserve the same rights as everyone else",
    "love my {G} neighbours",
    "the council is asking {G} what they think of the new plans",
    "a new support group for {G} opens next week",
    "{G} have been part of this city for generations",
    "the documentary about {G} was really moving",
    "I'm one of the {G} in this town and most people are kind",
    "the charity is raising money for {G}",
    "many {G} volunteer at the food bank",
)

RECLAIMED: tuple[str, ...] = (
    "as a queer woman I love our queer book club",
    "proud dyke and proud of it",
    "we're here, we're queer, get used to it",
    "me and my fellow crips had a great day at the disability pride march",
    "being a queer kid in a small town was hard but I made it",
    "queer joy is resistance",
    "the dykes on bikes always lead the pride parade",
    "my queer friends are my family",
    "crip time is real, I'm running late again",
    "just a fat queer trying to get through monday",
    "our queer choir sings on Saturday",
    "I call myself a dyke and that's my choice",
)

PROFANITY: tuple[str, ...] = (
    "this fucking weather is shit",
    "fuck mondays",
    "holy shit that match was incredible",
    "I'm so fucking tired",
    "what a bloody mess the roadworks are",
    "shit happens, move on",
    "damn this traffic",
    "that was a fucking brilliant gig",
    "my car broke down again, for fuck's sake",
    "bollocks, I forgot my keys",
    "this printer is a piece of shit",
    "fucking hell, the trains are cancelled again",
    "oh crap I missed the bus",
    "the new album is shit hot",
    "what the hell was that ending",
    "pissing it down all day",
    "I burnt the toast, ffs",
    "this exam is going to kill me",
    "that comedian absolutely killed it last night",
    "I could murder a pizza right now",
)

NON_PROTECTED_ABUSE: tuple[str, ...] = (
    "{G} are vermin",
    "{G} are parasites",
    "I can't stand {G}, they are all disgusting",
    "{G} are all thieves and liars",
    "{G} make me sick",
    "I despise {G}",
    "{G} should all be sacked",
    "{G} are the worst kind of people",
    "I hate {G} so much",
    "{G} are useless, every single one",
)

# Obfuscations applied to hateful sentences (and, for balance, to some neutral ones).
EMOJI_SWAPS: dict[str, str] = {
    "vermin": "\U0001f400",  # rat
    "rats": "\U0001f400\U0001f400",
    "cockroaches": "\U0001fab3",
    "stab": "\U0001f52a",
    "shot": "\U0001f52b",
    "burn": "\U0001f525",
    "animals": "\U0001f412\U0001f412",
    "disgusting": "\U0001f92e",
    "make me sick": "make me \U0001f922",
    "hanging": "\u26b0\ufe0f",
}
EMOJI_GROUPS: dict[str, str] = {
    "gay people": "\U0001f3f3\ufe0f\u200d\U0001f308 people",
    "trans people": "\U0001f3f3\ufe0f\u200d\u26a7\ufe0f people",
    "Muslims": "\u262a\ufe0f people",
    "Jews": "\u2721\ufe0f people",
    "wheelchair users": "\u267f people",
    "Black people": "\U0001f44b\U0001f3ff people",
}

# --- Added in v2: threats, places, individuals, benign text with no target ----------------------
# The v1 model missed explicit threats against a group when its generic p(hate) head was unsure;
# these widen the phrasing (first person, "someone should", conditional, places, one person
# picked out by a protected characteristic) and add the matching non-hateful contrasts.

MORE_HATEFUL: dict[str, tuple[str, ...]] = {
    "threat": (
        "I'm going to smash the heads in of the {G} who moved in down the road",
        "someone needs to stab a few {G} to teach the rest a lesson",
        "I'll shoot the next one of those {G} who comes near my kids",
        "the {G} on our road won't see Christmas, I promise you that",
        "let's go and batter some {G} after the pub tonight",
        "we know where the {G} live and we are coming for them",
        "any of you {G} show your face in town again and you're dead",
        "I hope someone kills the {G} round the corner, I'd do it myself",
        "kill all {G}",
        "I am going to hurt the {G} in the flats upstairs, filthy lot",
        "bring your bats lads, we're paying the {G} a visit tonight",
        "petrol through the letterbox of the {G}, that's the plan for Friday",
        "we should drive the {G} out of this town with fists and fire",
        "one day soon the {G} will get what's coming to them, a knife each",
        "I swear I will knock out the first of the {G} I see tomorrow",
        "somebody ought to run the {G} over, they're scum",
    ),
    "dehumanisation": (
        "{G} are filth, not people",
        "those {G} are vermin infesting our streets",
        "{G} are an infestation and need exterminating like pests",
        "{G}? Scum, parasites, the lot of them",
    ),
    "derogation": (
        "{G} are scum",
        "typical {G}, always causing trouble",
        "{G} secretly control everything in this town",
        "we don't want {G} in our pub",
        "{G} are all the same, dirty and dishonest",
        "get the {G} out of our neighbourhood",
    ),
}

# One person picked out by a protected characteristic ({G} is one of these).
INDIVIDUALS: dict[str, tuple[str, ...]] = {
    "race": ("Black family", "Polish lad", "Asian shopkeeper", "asylum seeker",
             "Pakistani taxi driver", "Traveller family"),
    "religion": ("Muslim family", "Jewish lad", "Sikh man", "Hindu couple"),
    "sexual_orientation": ("gay couple", "lesbian couple", "gay lad"),
    "disability": ("disabled man", "autistic boy", "blind woman", "wheelchair user"),
    "transgender": ("trans woman", "trans lad", "non-binary kid"),
    "sex_gender": ("woman",),
}
INDIVIDUAL_HATEFUL: dict[str, tuple[str, ...]] = {
    "threat": (
        "I'm going to kill the {G} next door",
        "someone should knife that {G} at the bus stop",
        "the {G} on our road is getting a brick through the window tonight",
        "I'll burn the {G}'s house down, filth",
        "gonna beat the {G} at work black and blue on Monday",
        "if that {G} walks past me again I will stab them",
    ),
    "dehumanisation": (
        "the {G} at work is a filthy animal",
        "that {G} across the road is subhuman",
    ),
    "derogation": (
        "that {G} in the corner shop is a disgusting thief like all of them",
        "the {G} upstairs is scum, they all are",
    ),
}
INDIVIDUAL_NEUTRAL: tuple[str, ...] = (
    "the {G} next door helped me carry my shopping in",
    "lovely chat with the {G} at the bus stop this morning",
    "the {G} from the cafe won the pub quiz",
    "a {G} was attacked on the high street, please share if you saw anything",
    "shout out to the {G} who found my wallet",
    "the {G} on our road organised the litter pick",
)

# Places tied to a protected group ({G} is one of these).
PLACES: dict[str, tuple[str, ...]] = {
    "religion": ("mosque", "synagogue", "gurdwara", "Hindu temple"),
    "sexual_orientation": ("gay bar", "Pride centre"),
    "race": ("asylum hotel", "Polish shop", "Traveller site"),
    "transgender": ("trans support group",),
    "disability": ("disability centre",),
}
PLACE_HATEFUL: dict[str, tuple[str, ...]] = {
    "threat": (
        "burn the {G} to the ground",
        "someone should torch the {G} on the high street",
        "that {G} needs a petrol bomb through the window tonight",
        "we'll smash up the {G} and anyone inside it",
    ),
    "derogation": (
        "shut the {G} down, only scum go there",
        "that {G} is a nest of filth and should be closed",
    ),
}
PLACE_NEUTRAL: tuple[str, ...] = (
    "the {G} is holding an open day on Saturday",
    "roadworks outside the {G} all week, use the side entrance",
    "the {G} raised money for the hospice",
    "someone vandalised the {G} last night, police are asking for witnesses",
    "the {G} needs volunteers for the food bank",
)

NEGATED_THREATS: tuple[str, ...] = (
    "nobody should ever hurt {G}",
    "I would never threaten {G}",
    "threatening to kill {G} is a crime and I've reported the post",
    "the man who said he'd stab {G} has been arrested, good",
    "no one is going to burn anything, {G} are safe here",
    "if anyone threatens {G} on this street, call 999",
    "stop saying {G} should be shot, it's sick",
)

# Ordinary posts with violent idioms or no target at all: nothing here is about a group.
NO_TARGET: tuple[str, ...] = (
    "kill the lights when you leave the hall please",
    "shoot me a message if you want the spare ticket",
    "we are going to smash the quiz on Friday",
    "the band absolutely blew the roof off",
    "fire drill at 3pm, everyone out to the car park",
    "road closure on Station Road from Monday for resurfacing",
    "recycling is collected a day late because of the holiday",
    "the bonfire and fireworks start at 7, bring a torch",
    "my phone battery is dead again",
    "lost cat, ginger, answers to Biscuit, near the park",
    "the chippy on the corner does the best fish in town",
    "traffic lights broken at the junction, drive carefully",
    "the library is closed for the bank holiday",
    "anyone know a good mechanic? my clutch is killing me",
    "the gym's new boxing class is brutal, loved it",
    "the football club is looking for a new goalkeeper",
    "we are hunting for a cheap sofa, any ideas?",
    "the hedge needs cutting back before it takes over the path",
    "can't wait for the darts tonight, going to destroy my brother",
    "water main burst on Mill Lane, expect delays",
)

# Violent verbs aimed at things, chores and games, not people: the threat head must learn that
# "kill" or "smash" alone is not a threat. ({O} is one of ``IDIOM_OBJECTS``.)
VIOLENT_IDIOMS: tuple[str, ...] = (
    "kill the {O} before you go to bed",
    "I'm going to smash the {O} tomorrow",
    "someone should shoot a video of the {O}",
    "we'll burn through the {O} in no time",
    "time to destroy the {O} once and for all",
    "I will murder the {O} tonight",
    "let's attack the {O} first thing Monday",
    "I could strangle the {O} sometimes",
    "going to knock the {O} out of the park",
    "the {O} is killing me",
)
IDIOM_OBJECTS: tuple[str, ...] = (
    "lights", "engine", "music", "quiz", "exam", "interview", "ironing", "weeds", "to-do list",
    "printer", "washing up", "leftover curry", "speech", "marathon", "crossword", "laptop",
)
