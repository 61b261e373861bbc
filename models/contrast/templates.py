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

# --- Added in v3: negated positives, pronouns, questions, opinions, swearing, slurs, spelling ----
# The v2 model missed hate phrased as a negated compliment, carried by a pronoun into a later
# clause, asked as a question or offered as an opinion, and hate written with swearing or a slur.
# Each hateful family below has matching non-hateful contrasts further down (the same frames
# aimed at targets the law does not protect, negations, warm or neutral mentions, swearing with
# no target, and harmless homonyms of slurs), so no surface pattern alone signals hate.
# Template ids for these families start "v3_" so they can never collide with v1/v2 ids.

# One member of each group, as a noun phrase, for first-person identity statements ({A}).
GROUP_SINGULAR: dict[str, str] = {
    "Black people": "a Black man", "immigrants": "an immigrant", "refugees": "a refugee",
    "Asian people": "a British Asian woman", "Travellers": "an Irish Traveller",
    "Polish people": "a Polish woman", "Pakistanis": "a British Pakistani",
    "asylum seekers": "an asylum seeker", "Muslims": "a Muslim", "Jews": "a Jewish man",
    "Sikhs": "a Sikh", "Hindus": "a Hindu", "gay men": "a gay man", "lesbians": "a lesbian",
    "bisexual people": "a bisexual woman", "gay people": "a gay lad",
    "disabled people": "a disabled man", "autistic people": "an autistic woman",
    "wheelchair users": "a wheelchair user",
    "people with learning disabilities": "someone with a learning disability",
    "trans people": "a trans man", "trans women": "a trans woman",
    "non-binary people": "a non-binary person", "women": "a woman", "girls": "a teenage girl",
}

# Common English slurs, plural, by strand ({S}). Needed so the model learns what they look
# like; ``SLUR_HOMONYMS`` and the reclaimed uses are the contrasts.
SLURS: dict[str, tuple[str, ...]] = {
    "race": ("niggers", "pakis", "wogs", "coons", "chinks", "gyppos", "pikeys", "darkies"),
    "religion": ("kikes", "yids", "towelheads", "ragheads", "muzzies"),
    "sexual_orientation": ("faggots", "fags", "poofs", "poofters", "dykes", "queers"),
    "disability": ("retards", "spastics", "mongs", "spazzes", "cripples"),
    "transgender": ("trannies", "shemales", "he-shes"),
    "sex_gender": ("bitches", "sluts", "whores", "slags"),
}

# Hateful families by category, then severity ({G} is a group, plural).
V3_HATEFUL: dict[str, dict[str, tuple[str, ...]]] = {
    "hate_negated_positive": {
        "derogation": (
            "I will never respect {G}, not in a million years",
            "{G} are not welcome in this town and never will be",
            "not one of the {G} I've ever met was worth knowing",
            "{G} have never contributed a single thing to this country",
            "I'd never let {G} anywhere near my children",
            "{G} can't be trusted, not even a little bit",
            "nobody round here wants {G} living on their street",
            "you won't ever catch me sitting next to {G} on the bus",
            "{G} don't deserve the same rights as the rest of us",
            "no employer in their right mind would hire {G}",
            "{G} will never belong here, however long they stay",
            "don't want {G} in my shop. Simple as.",
            "{G} are not equal to us and they never will be",
            "there's nothing decent about {G}, nothing at all",
        ),
        "dehumanisation": (
            "{G} aren't real people as far as I'm concerned",
            "I don't see {G} as human, sorry not sorry",
        ),
    },
    "hate_pronoun_reference": {
        "derogation": (
            "I've worked with plenty of {G}. Not one of them could be trusted.",
            "Went into town today and it was heaving with {G}. They make the whole place stink.",
            "{G} moved in across the road last year and they've been nothing but filth since.",
            "My cousin married one of the {G}. Biggest mistake of her life, they're all the same.",
            "There were {G} on the train again this morning, and honestly they disgust me.",
            "Met some {G} at the bus stop. Thick as mince, every one of them.",
            "The council keeps giving houses to {G} when all they do is scrounge.",
            "Don't talk to me about {G}. I'd see them all deported tomorrow if I could.",
            "Ask anyone who's lived near {G}: they ruin everything they touch.",
            "The new neighbours are {G}. Give it a month and they'll have wrecked the place.",
            "we had {G} working at our place once. Lazy, dishonest, you name it, they were it",
            "Read an article about {G} today. Makes my blood boil that they're even allowed here.",
        ),
        "dehumanisation": (
            "Seen the {G} down the high street? They're vermin, the lot of them.",
            "Sat behind some {G} at the match. Animals, they are.",
            "My mum says to be kind to {G}. She's wrong, they're a plague.",
        ),
        "threat": (
            "{G} keep hanging round the school gates. Someone should give them a kicking.",
        ),
    },
    "hate_question": {
        "derogation": (
            "why do we let {G} live here at all?",
            "how much longer do we have to put up with {G}?",
            "who actually wants {G} as neighbours? Nobody, that's who",
            "can someone explain why {G} get treated like they matter?",
            "what's the point of {G} anyway?",
            "when are we finally going to kick {G} out for good?",
            "is there anything more pathetic than {G}?",
            "why can't {G} just disappear?",
            "seriously, has anyone ever met one of the {G} who wasn't a thief?",
            "wouldn't this country be better off without {G}?",
        ),
        "dehumanisation": (
            "are {G} even human? Genuine question",
        ),
    },
    "hate_opinion": {
        "derogation": (
            "I think {G} are a danger to our kids",
            "in my view, {G} should be kept out of public life",
            "personally I reckon {G} are a stain on this country",
            "my honest opinion? {G} are scroungers and always will be",
            "if you ask me, {G} are the root of every problem round here",
            "call me old-fashioned but I think {G} are disgusting",
            "I feel like {G} are ruining Britain and nobody dares say it",
            "in my opinion {G} ought to be banned from the high street",
            "I've always thought {G} were sly and dishonest",
        ),
        "dehumanisation": (
            "I genuinely believe {G} are less than human",
            "for what it's worth, I think {G} are vermin",
        ),
    },
    "hate_profanity": {
        "derogation": (
            "{G} are fucking scum",
            "fuck {G}, every last one of them",
            "bloody {G} everywhere, sick to death of them",
            "{G} are a bunch of worthless shits",
            "get these fucking {G} out of my country",
            "I hate {G} so fucking much it's unreal",
            "{G} can all piss off back where they belong",
            "shitty {G} ruining our town again",
            "nobody gives a shit about {G} and nor should they",
            "{G} are thick as shit and twice as useless",
            "another load of bastard {G} on the estate, for fuck's sake",
            "fuck me, {G} really are the lowest of the low",
        ),
        "dehumanisation": (
            "{G}? Fucking parasites, the lot",
        ),
    },
    # Threats phrased as what "should" happen rather than what the writer will do.
    "hate_threat": {
        "threat": (
            "{G} should be shot",
            "it would be right to hang {G}",
            "{G} ought to be lined up against a wall",
            "the only answer to {G} is a bullet",
            "honestly it'd be best for everyone if {G} were burnt out of their homes",
            "{G} deserve a good kicking, every one of them",
            "it's about time {G} were put down like dogs",
            "hanging's too good for {G}",
            "bring back public floggings, starting with {G}",
            "somebody needs to take a baseball bat to {G}",
            "what {G} need is a knife in the ribs",
        ),
    },
}

# Slurs in a hateful frame ({S} is a plural slur from ``SLURS``); all derogation.
SLUR_TEMPLATES: tuple[str, ...] = (
    "{S} everywhere on this estate now, sick of it",
    "get the {S} out of our town",
    "another bunch of {S} moved in next door, great",
    "who let all these {S} into the pub?",
    "can't even walk to the shops without bumping into {S}",
    "{S} shouldn't be allowed near normal people",
    "I'd never let my kids play with {S}",
    "the whole high street's been taken over by {S}",
    "typical {S}, always whinging about something",
    "bloody {S}, ship the lot of them out",
    "no {S} in my house, end of",
)

# Words the spelling variants aim at (with the group's own words and the slurs).
SPELLING_KEYWORDS: frozenset[str] = frozenset((
    "hate", "scum", "vermin", "filth", "filthy", "parasites", "rats", "animals", "disgusting",
    "disgust", "despise", "kill", "shot", "shoot", "stab", "hang", "hanging", "burn", "burnt",
    "bullet", "knife", "kicking", "liar", "liars", "thief", "thieves", "criminals", "plague",
    "disease", "subhuman", "human", "sick", "worthless", "fucking", "welcome", "respect",
    "trusted", "belong", "deported", "scroungers", "stink", "useless", "lazy", "pathetic",
    "dishonest", "disappear", "rights", "problem", "harm", "safe", "love", "proud", "brilliant",
))

NEGATED_V3: tuple[str, ...] = (
    "nobody thinks {G} are less than us",
    "it's not true that {G} ruin anything",
    "{G} are no worse than anyone else",
    "I've never had a problem with {G}",
    "not once have {G} caused any bother on our road",
    "{G} aren't taking anyone's jobs, that's a myth",
    "I can't think of a single reason to dislike {G}",
    "there's no reason at all to be afraid of {G}",
    "{G} are not the problem here and never have been",
    "none of the {G} I know are anything like the stereotypes",
    "I'd never call {G} names, that's just cruel",
    "who says {G} don't belong? Not me",
    "{G} don't ruin neighbourhoods. Neglect and underfunding do.",
    "I was never raised to look down on {G} and I'm not starting now",
    "the idea that {G} are dangerous is rubbish",
    "never once felt unsafe around {G}",
    "{G} are not a burden, whatever the tabloids say",
    "honestly I don't get why anyone would hate {G}",
    "no, {G} are not 'taking over', that's a conspiracy theory",
    "{G} have never done me any harm",
    "you won't hear me say a bad word about {G}",
    "I don't think {G} are any less capable than the rest of us",
    "it isn't {G} who are wrecking this town",
)

NEUTRAL_V3: tuple[str, ...] = (
    "the census shows the number of {G} in the county has grown since 2011",
    "are there any groups for {G} that meet in town on Thursdays?",
    "{G} were at the council meeting last night asking about bus routes",
    "a report out today looks at how {G} use local health services",
    "my nan taught a lot of {G} at the primary school back in the 80s",
    "anyone know if the leisure centre runs sessions aimed at {G}?",
    "the survey asked {G} about their experience of renting",
    "BBC piece tonight on {G} living in rural Wales",
    "the university is running a study on {G} and employment",
    "{G} make up a fair chunk of the members at our running club",
    "the GP surgery has a new leaflet for {G}",
    "how many {G} live in Cardiff? Asking for a school project",
    "the museum's new exhibition tells the story of {G} in the north east",
    "MPs debated housing for {G} yesterday afternoon",
    "a local author has written a book about {G} after the war",
    "{G} can get free advice at the town hall on Tuesdays",
    "our office has just set up a staff network for {G}",
    "this week's podcast talks to {G} about their first jobs",
    "the guidance for {G} was updated in March",
    "I'm writing my dissertation on {G} and the media",
    "there were {G} and their families at the fun run on Sunday",
    "the helpline also takes calls from {G}",
    "{G} who want to join the allotment society can sign up at the shed",
    "new figures on {G} in the labour market came out this morning",
    "does anyone have the number for the charity that works with {G}?",
    "Radio 4 had a phone-in with {G} about the cost of living",
)

POSITIVE_V3: tuple[str, ...] = (
    "{G} have made this town a better place, full stop",
    "so grateful to the {G} who ran the bake sale",
    "{G} are some of the kindest people I know",
    "massive respect to {G} for the community clean-up today",
    "the {G} on our street always look out for my mum",
    "big thanks to the {G} who volunteered at the hospice",
    "{G} belong here as much as anyone",
    "what a brilliant night celebrating {G} at the town hall",
    "I've learned so much from the {G} at work",
    "honoured to have marched alongside {G} today",
    "{G} bring so much to this country",
    "we're lucky to have {G} as part of our community",
    "the {G} at my church are the warmest bunch you'll meet",
    "proud of the {G} who spoke at the school assembly",
    "cheers to the {G} who helped push my car out of the snow",
    "{G} are valued here, never forget that",
    "nothing but love for {G}",
    "the fundraiser run by {G} smashed its target!",
    "hats off to {G} for the way they've handled this year",
    "{G}, you're welcome in our pub any time",
    "my life is richer for the {G} I count as friends",
    "the {G} in my class are absolute legends",
    "loved meeting {G} at the open day, such a welcoming crowd",
    "a town with {G} in it is a better town",
    "it's great to see {G} represented on the council at last",
    "the {G} who run the corner cafe make the best bacon butties going",
)

# First-person identity statements ({A} is a ``GROUP_SINGULAR`` phrase).
IDENTITY_V3: tuple[str, ...] = (
    "I'm {A} and I've lived on this estate for twenty years",
    "as {A}, I'd love to see more events like this",
    "I'm {A} and my local has always been lovely to me",
    "speaking as {A}, the new community hub is brilliant",
    "being {A} in a small town has its ups and downs",
    "I'm {A} and I work nights as a nurse at the General",
    "I'm {A}, ask me anything",
    "as {A} I've found this group really supportive",
    "I'm {A} and a massive rugby fan, come on Wales!",
    "hi all, I'm {A} and new to the area, any tips for good walks?",
    "I'm proud to be {A}",
    "grew up {A} in Swansea and wouldn't change a thing",
    "I'm {A}. My neighbours know and nobody cares, which is how it should be",
    "I'm {A} and I help run the Saturday parkrun",
    "as {A}, it means a lot to see the council take hate seriously",
    "I'm {A} and I've just been elected to the parish council!",
)

COUNTER_FRAMES_V3: tuple[str, ...] = (
    'A lad outside the shop yelled "{h}" at my sister. I\'ve reported it to the police.',
    'Screenshotting "{h}" and sending it straight to the mods.',
    '"{h}" was sprayed on the underpass last night. The council painted over it this morning.',
    'My son came home upset because a boy at school said "{h}". The school is dealing with it.',
    'Whoever posted "{h}" in the village group: the police have your details now.',
    'Imagine typing "{h}" and thinking you\'re one of the good guys.',
    'Found a leaflet saying "{h}" through our door. Handed it in at the station.',
    '"{h}"? Get a grip. This kind of hate does real damage.',
    'The comments under that news story are full of "{h}". Report them, don\'t engage.',
    'Heard a man on the train say "{h}" and half the carriage told him to shut up. Good.',
)

COUNTER_SPEECH_V3: tuple[str, ...] = (
    "a man called my neighbours vermin because they're {G}. I reported it.",
    "someone spat at a group of {G} outside the station. If you saw it, please call 101",
    "the graffiti about {G} on the bridge has been reported, please don't share photos of it",
    "if you're one of the {G} and you've been abused online, you can report it to True Vision",
    "we stand with {G} after last night's attack",
    "the chants aimed at {G} at the match were disgraceful, well done to the stewards",
    "this group will not tolerate abuse of {G}. Posts like that get removed and reported.",
    "they called my mate a parasite for being one of the {G}. He's pressed charges.",
    "blaming {G} for the housing crisis is lazy and dangerous",
    "the leaflets attacking {G} are a disgrace and I've passed them to the police",
)

PROFANE_SUPPORT_V3: tuple[str, ...] = (
    "{G} are bloody brilliant and anyone who says otherwise can do one",
    "fuck the haters, {G} are staying right here",
    "damn, the talk by {G} at the library last night was powerful",
    "whoever trashed the stall run by {G} at the fair is a fucking coward",
    "love {G}, hate bigots, simple as fuck",
    "the pricks shouting at {G} outside the station got moved on, good",
    "bloody proud of the {G} who volunteer at our food bank",
    "fucking hell, the food at the festival put on by {G} was unreal",
    "shit, I nearly cried at the art show by {G}, it was that good",
    "{G} deserve better than this bollocks from the press",
)

# Words that are also slurs, used in their harmless sense; no protected group in sight.
SLUR_HOMONYMS: tuple[str, ...] = (
    "just nipping out for a fag, back in five",
    "faggots and mushy peas for tea tonight, proper comfort food",
    "our bitch has just had a litter of eight puppies",
    "the walk along Offa's Dyke was stunning this morning",
    "a chink of light was coming through the curtains at 5am",
    "there's a chink in their defence down the left, get it wide",
    "the old slag heap by the colliery is a nature reserve now",
    "you need to retard the ignition timing a couple of degrees",
    "the new fire doors have a flame retardant coating",
    "bought a bundle of faggots for the bonfire, all nice dry wood",
    "the greyhound bitch in trap four won the 7.45 at Romford",
    "grandad always said he felt a bit queer after a big Sunday dinner",
    "we cycled along the dyke all the way to the sluice gate",
    "grab me a spade from the shed, I'm digging the spuds up",
    "half a fag packet on the pavement outside the pub, bin it please",
)

# Reclaimed in-group uses, with their strand.
RECLAIMED_V3: tuple[tuple[str, str], ...] = (
    ("the queer film night at the arts centre was packed", "sexual_orientation"),
    ("dyke march this Saturday, see you all there", "sexual_orientation"),
    ("us crips have to stick together when the lifts are broken again", "disability"),
    ("queer and here, loud and proud", "sexual_orientation"),
    ("my wife and I are the most boring dykes you'll ever meet", "sexual_orientation"),
    ("just a couple of queers doing our big weekly shop", "sexual_orientation"),
    ("the crip punk gig was the best night out I've had all year", "disability"),
    ("being a queer trans lass in Yorkshire is a whole adventure", "transgender"),
    ("spoonies and crips unite, the accessible disco is on Friday", "disability"),
)

PROFANITY_V3: tuple[str, ...] = (
    "who the fuck parks across two spaces at Tesco",
    "bloody hell, the price of a pint round here",
    "shit shit shit, left my lunch on the bus",
    "absolute bollocks of a day, going to bed",
    "can't be arsed with the gym today",
    "fuck me that curry was hot",
    "Wi-Fi's down again and I'm losing my shit",
    "that penalty decision was a load of crap",
    "piss-poor service at the garage again",
    "goddamn it, the dishwasher's leaking",
    "for fuck's sake, another parking ticket",
    "well pissed off that the chippy's closed on Mondays now",
    "the bins stink like shit in this heat",
    "holy fuck, did anyone see that sunset tonight",
    "the match was so shit I left at half time",
    "arse, missed the last train home",
)

# Abuse aimed at things ({O} is one of ``ABUSED_OBJECTS``).
ABUSE_OBJECT: tuple[str, ...] = (
    "this {O} is a useless piece of junk, I hate it",
    "I swear this {O} is out to get me",
    "worst {O} I've ever owned, absolute garbage",
    "the {O} died again. Pathetic.",
    "I despise this bloody {O}",
    "the {O} is a disgrace, total waste of money",
    "chucking the {O} in the skip, it's dead to me",
    "what a worthless heap of scrap this {O} is",
    "this {O} makes me want to scream",
    "honestly the {O} is the bane of my life",
    "I'd happily smash this {O} with a hammer",
    "the stupid {O} has eaten my work AGAIN",
)
ABUSED_OBJECTS: tuple[str, ...] = (
    "printer", "laptop", "kettle", "washing machine", "self-checkout", "router", "car",
    "phone", "microwave", "hoover", "boiler", "parking app",
)

# Abuse aimed at one person, for what they did, not who they are ({P} is one of
# ``ABUSED_PEOPLE``), and a few aimed straight at "you".
ABUSE_INDIVIDUAL: tuple[str, ...] = (
    "{P} is a lying snake",
    "{P} is a pathetic loser",
    "can't stand {P}, absolute waste of space",
    "{P} is a spineless little weasel",
    "honestly {P} is the most selfish person alive",
    "{P} is a total moron and everyone knows it",
    "{P} is a greedy, useless parasite",
    "never met anyone as thick as {P}",
    "{P} can go and jump in a lake",
    "{P} is a nasty piece of work",
    "{P} is scum for what they did to me",
)
ABUSED_PEOPLE: tuple[str, ...] = (
    "my ex", "my boss", "the bloke who nicked my parking space", "my landlord",
    "my brother", "the lad who keyed my car", "our useless MP", "my flatmate",
)
ABUSE_YOU: tuple[str, ...] = (
    "you're a pathetic loser",
    "you're an absolute clown, mate",
    "you are a liar and everyone on this thread knows it",
    "get a life, you sad little troll",
    "you're as thick as two short planks",
    "what a spineless idiot you are",
)

# More targets the law does not protect. (Vegans are left out on purpose: ethical veganism
# has been held a protected belief under the Equality Act, so the label would be arguable.)
NON_PROTECTED_V3_TARGETS: tuple[str, ...] = (
    "people who drive BMWs", "Millwall fans", "United fans", "tourists", "influencers",
    "e-scooter riders", "bailiffs", "water companies", "people who play music on the bus",
    "golfers", "cold callers",
)
# The same shapes as the new hateful families, aimed at unprotected targets ({N}).
NON_PROTECTED_V3: tuple[str, ...] = (
    "{N} are the lowest form of life",
    "I genuinely can't stand {N}",
    "{N} should be banned from the town centre",
    "why are {N} always so smug?",
    "{N} are a plague on this town",
    "in my opinion {N} are all crooks",
    "{N} are fucking scum",
    "I will never respect {N}",
    "{N} are not welcome round here",
    "I've met lots of {N}. Every one of them was a liar.",
    "wouldn't the world be better off without {N}?",
    "{N}? Thieving parasites, the lot of them",
    "honestly {N} make my blood boil",
    "nobody wants {N} on their street",
    "{N} are thick as shit",
    "keep {N} well away from me",
)

# --- Added in v4: implicit hate, questions, negated positives, veiled threats, "you" abuse ------
# A model tuned on v1-v3 still missed hate with no insult word in it (dehumanising comparisons,
# "burden" and "send them back" talk, denial of trans identity), hate asked as a question or put
# as a negated compliment, threats with no violent verb, and abuse addressed to a group as "you".
# Each family has matched non-hateful contrasts below (benign questions, short warm statements,
# the same idioms used harmlessly, counter-speech naming the implicit hate, and negations), so
# the surface form never decides the label. Template ids start "v4_".

V4_HATEFUL: dict[str, dict[str, tuple[str, ...]]] = {
    "hate_dehumanisation": {
        "dehumanisation": (
            "{G} should be in a zoo, not living next door to decent people",
            "someone should open a safari park for {G}, that's where they belong",
            "{G} aren't fit to live among civilised folk",
            "{G} are more like livestock than neighbours",
            "{G} multiply faster than anyone can count them, it's like an infestation",
            "you can put {G} in nice clothes but you'll never make them civilised",
            "fence off a field for {G} and feed them through the bars",
            "{G} don't think like people do, it's all instinct with them",
            "{G} can't help the way they are, it's bred into them",
        ),
    },
    "hate_derogation": {
        "derogation": (
            "{G} are a burden the rest of us are forced to carry",
            "every penny spent on {G} is money taken off hard-working families",
            "{G} are bleeding the NHS dry",
            "half the waiting list at the hospital is {G}, no wonder nobody else gets seen",
            "{G} should be kept well away from children",
            "I wouldn't let {G} work in a school, not with kids about",
            "it's in their blood, {G} are born like it and they'll never change",
            "send {G} back, all of them, no exceptions",
            "stick {G} on the next plane home and be done with it",
            "{G} are ruining this country bit by bit",
            "this country was a far better place before {G} turned up",
            "my town was lovely until {G} started moving in",
            "remember when you could walk down the high street without seeing {G}? Good times",
            "{G} only take, they never give anything back",
            "{G} are the reason nothing works in this country any more",
            "shame on any landlord who rents to {G}",
            "{G} shouldn't be allowed to have kids",
            "we'd all be better off if {G} kept to their own kind",
            "{G} aren't real women, and they aren't real men either. Just confused.",
            "{G} will never be the real thing, however many operations they have",
            "{G} are just blokes in frocks, don't fall for it",
            "there's no such thing as {G}, it's a fad that'll pass",
            # Second-person abuse aimed at the whole group.
            "you {G} are all the same, liars the lot of you",
            "get out of our town, you filthy {G}",
            "nobody wants you here, {G}. Take the hint.",
            "you {G} make me want to throw up",
            "go home, you {G}, you're not wanted",
            "you {G} are the reason this place is going down the pan",
            "you {G} should be ashamed to show your faces in public",
            "oi, {G}, pack your bags. You're done here.",
            "you {G} will never be one of us",
            "do us all a favour, {G}, and just disappear",
        ),
    },
    "hate_question": {
        "derogation": (
            "why do we let {G} anywhere near our schools?",
            "am I the only one who thinks {G} are ruining everything?",
            "how long before {G} outnumber the rest of us round here?",
            "what is it with {G} and lying?",
            "why do {G} always have to make everything about themselves?",
            "does anyone else cross the road when they see {G} coming?",
            "how many more {G} are we expected to pay for?",
            "why are taxpayers footing the bill for {G}?",
            "what exactly are {G} good for? Anyone?",
            "is it just me or do {G} bring trouble wherever they go?",
            "why should my kids have to share a classroom with {G}?",
            "when did we decide {G} get to run the show?",
            "can we please stop pretending {G} are normal?",
            "who told {G} they were equal to the rest of us?",
            "honestly, has one of the {G} ever done an honest day's work?",
            "why hasn't anyone sent {G} packing yet?",
            "anyone else sick of {G} getting everything handed to them on a plate?",
            "why does every bad thing in this town lead back to {G}?",
        ),
        "dehumanisation": (
            "should {G} really count as people? Asking seriously",
            "why do we keep feeding {G} when they're basically strays?",
        ),
    },
    "hate_negated_positive": {
        "derogation": (
            "{G} will never be equal to people like us",
            "I've never met a decent one of the {G}, not one",
            "{G} don't deserve rights, simple as",
            "{G} aren't worth the air they breathe",
            "not a single one of the {G} has ever earned their place here",
            "I'd never shake hands with {G}",
            "{G} will never be British, whatever their passport says",
            "there isn't an honest bone in the body of any of the {G}",
            "{G} don't deserve a seat at the table",
            "no decent family would let their daughter marry one of the {G}",
            "{G} can never be proper parents",
            "I don't want {G} treated the same as normal people",
            "{G} aren't capable of holding down a real job",
            "{G} will never be anything but second class",
            "never trust {G}, not for a second",
        ),
        "dehumanisation": (
            "{G} aren't people, not in any way that matters",
        ),
    },
    # Threats with no violent verb: the menace is in the knowledge, the warning or the deadline.
    "hate_threat": {
        "threat": (
            "we know where the {G} live. Sleep tight.",
            "{G} won't be safe round here much longer",
            "watch your back, {G}, we've got your number",
            "the {G} had better leave before something happens to them",
            "tick tock, {G}. Your time round here is nearly up.",
            "the {G} on Elm Road should keep their curtains shut tonight, "
            "if they know what's good for them",
            "{G} on this estate should start packing while they still can",
            "we've got the addresses of every one of the {G} in town. You'll see.",
            "be a shame if something happened to the shop the {G} run, wouldn't it",
            "{G}, you've been warned. Next time there won't be a warning.",
            "the lads are coming for the {G} this weekend, just saying",
            "any {G} still here by Friday will regret it",
            "keep an eye on your kids, {G}. We are.",
            "the {G} at the end of our road won't be there for long, we'll make sure of that",
            "if I were one of the {G} I wouldn't go out after dark from now on",
            "we'll be paying the {G} a little visit soon. They know why.",
        ),
    },
}

# Templates that only make sense for some strands or groups (template -> strands or groups).
V4_POOLS: dict[str, tuple[str, ...]] = {
    "send {G} back, all of them, no exceptions": ("race", "religion"),
    "stick {G} on the next plane home and be done with it": ("race", "religion"),
    "this country was a far better place before {G} turned up": ("race", "religion"),
    "go home, you {G}, you're not wanted": ("race", "religion"),
    "{G} will never be British, whatever their passport says": ("race", "religion"),
    "it's in their blood, {G} are born like it and they'll never change": ("race", "religion"),
    "{G} aren't real women, and they aren't real men either. Just confused.": ("transgender",),
    "{G} will never be the real thing, however many operations they have":
        ("trans people", "trans women"),
    "{G} are just blokes in frocks, don't fall for it": ("trans women",),
    "there's no such thing as {G}, it's a fad that'll pass": ("transgender",),
    "{G} are exactly who they say they are, and that's that": ("transgender",),
    "nobody should be sent back for being one of the {G}": ("race", "religion"),
    "{G} are real women and real men, whatever the trolls say":
        ("trans people", "trans women"),
    "{G} are valid. Their identities aren't up for debate.": ("transgender",),
    "people saying this country was better before {G} need to read a history book":
        ("race", "religion"),
    "it's not in anyone's blood to be bad, and that includes {G}": ("race", "religion"),
}

NEUTRAL_V4: tuple[str, ...] = (
    "why do {G} face so much abuse online?",
    "how can we help {G} feel safer in town?",
    "what support is out there for {G} who've been harassed?",
    "does the council ever ask {G} before changing the bus routes?",
    "am I the only one who thinks {G} get a raw deal from the papers?",
    "how long before {G} get proper representation in parliament?",
    "what is it with the council and never asking {G} what they need?",
    "why do we let people get away with abusing {G}?",
    "how many {G} work at the hospital? Trying to plan a staff event",
    "where can {G} go for free legal advice round here?",
    "why are {G} more likely to be stopped by the police?",
    "has anyone actually asked {G} what they think of the new scheme?",
    "is the new community centre set up for {G}?",
    "what can schools do to stop the bullying of {G}?",
    "how are {G} finding the job market at the moment?",
    "are any {G} up for joining our five-a-side team?",
    "why don't more {G} stand for the council?",
    "who should {G} contact if they're abused on the bus?",
    "how long have {G} lived in this part of Leeds?",
    "can anyone recommend a GP who's good with {G}?",
    "do {G} get enough say in how the town is run?",
)

POSITIVE_V4: tuple[str, ...] = (
    "I love {G}.",
    "{G} are wonderful.",
    "so glad {G} live on our street",
    "{G}? Absolute diamonds.",
    "{G} make this place feel like home",
    "thank God for {G}",
    "three cheers for {G}!",
    "{G} make brilliant neighbours",
    "our town would be poorer without {G}",
    "proud to call {G} my friends",
    "{G} are the heart of this community",
    "couldn't ask for better colleagues than the {G} on my team",
    "{G} belong in this country as much as I do",
    "the {G} who moved in next door brought us round a cake, so lovely",
    "shout out to {G}, you're amazing",
    "{G} deserve the world",
    "my kids adore the {G} who run the youth club",
    "{G} rock.",
    "nothing but admiration for {G}",
    "glad to see so many {G} at the carnival today",
    "{G} are exactly who they say they are, and that's that",
    "{G} are real women and real men, whatever the trolls say",
)

COUNTER_SPEECH_V4: tuple[str, ...] = (
    "saying {G} belong in a zoo is dehumanising. Reported.",
    "calling {G} a burden on the NHS is a lie, and a nasty one",
    "someone in the village group said {G} should be 'sent back'. "
    "That's hate, and it's been reported.",
    "'we know where the {G} live' isn't banter, it's a threat. The police have been told.",
    "'{G} can't help it, it's in their blood' is the oldest bigotry going",
    "asking 'why do we let {G} live here?' isn't a question, it's hate with a question mark",
    "telling {G} to 'watch their back' is intimidation and I've reported it to 101",
    "the claim that {G} should be kept away from children is a vile smear",
    "people saying this country was better before {G} need to read a history book",
    "'you {G} are all the same' - no, they're not, and saying so is prejudice",
    "{G} are valid. Their identities aren't up for debate.",
)

NEGATED_V4: tuple[str, ...] = (
    "{G} aren't a burden on anyone",
    "nobody should be sent back for being one of the {G}",
    "{G} don't belong in a zoo, they belong on our street like everyone else",
    "{G} are not ruining this country, whatever the headlines say",
    "there's no reason on earth to keep {G} away from children",
    "it's not in anyone's blood to be bad, and that includes {G}",
    "{G} are no drain on the NHS, plenty of them keep it running",
    "I'd never tell {G} to watch their back, they're my neighbours",
    "no one here knows or cares where {G} live, and that's how it should be",
    "{G} aren't any less deserving of rights than I am",
    "never met one of the {G} I didn't get on with",
    "{G} will never be unwelcome in my house",
    "{G} are not second class, and nobody should treat them like they are",
    "I don't see {G} as any different from the rest of us",
    "{G} don't need to go anywhere, this is their home",
    "nobody is coming for {G}, they're safe here",
)

# The veiled-threat idioms used harmlessly; no group in sight.
NO_TARGET_V4: tuple[str, ...] = (
    "we know where you live, Gran, so expect us for Sunday dinner",
    "good news, we know where the parcel lives now: round the back in the green bin",
    "watch your back, City, we're coming for that top spot",
    "watch your back on the stairs, the carpet's come loose again",
    "you won't be safe round here much longer, Steve, the quiz champs want their trophy back",
    "the slugs had better leave my lettuces alone before something happens",
    "tick tock, only three days left to get your entries in for the village show",
    "you've been warned: the karaoke starts at 8 and Dad's doing Tom Jones",
    "the lads are coming for the darts trophy this weekend, just saying",
    "keep an eye on your kids at the fair, it gets really busy by the rides",
    "we know where all the best chippies are round here, follow us",
    "sleep tight everyone, see you at the car boot sale in the morning",
)

# Words the v4 spelling variants aim at (with the v3 words, the group's words and the slurs).
V4_SPELLING_KEYWORDS: frozenset[str] = SPELLING_KEYWORDS | frozenset((
    "zoo", "burden", "drain", "blood", "ruining", "ruin", "children", "kids", "decent", "equal",
    "deserve", "filthy", "civilised", "infestation", "warned", "warning", "back", "real",
    "wonderful", "glad", "adore", "amazing", "abuse", "safer",
))

# --- Added in v5: threats as their own signal, roles and places, implicit hate, misogyny, emoji,
# multi-sentence posts ---------------------------------------------------------------------------
# A threat or call to violence against anyone is a possible crime and must surface, whether or
# not a protected group is named: ``build.py`` gives every row a ``threat`` field, set per template
# list (never by keyword). The same threat frames are filled with protected groups, roles and
# places (hateful, threat) and with people and places the law does not protect (not hateful,
# threat), and the violent words also appear in news, fiction, sport, idioms, quotes that
# condemn and negations (no threat). Template ids for these families start "v5_".
#
# Placeholders: {T} a target (its pool depends on the use), {R} one person or household picked
# out by a protected role, {L} a place tied to a protected group, {G} a protected group (plural),
# {W} women as a group, {h} a quoted sentence.

# Protected roles: one person or household, singular, with the strand the role points at.
V5_ROLES: tuple[tuple[str, str], ...] = (
    ("religion", "the imam from the mosque on Leeds Road"),
    ("religion", "the rabbi on Bury Old Road"),
    ("religion", "the vicar at St Mark's"),
    ("religion", "the halal butcher on Church Street"),
    ("religion", "the Sikh lad who runs the garage"),
    ("religion", "the woman in the hijab at the school gate"),
    ("religion", "the Jewish family on Park Avenue"),
    ("race", "the Polish family at number 12"),
    ("race", "the Romanian lad at the car wash"),
    ("race", "the Black family who moved in opposite"),
    ("race", "the Pakistani taxi driver on the rank"),
    ("race", "the Nigerian family above the chippy"),
    ("race", "the asylum seeker staying at the hotel"),
    ("disability", "the wheelchair user on the 42 bus"),
    ("disability", "the deaf lad at the bus stop"),
    ("disability", "the lad from the special school"),
    ("disability", "the blind fella with the guide dog"),
    ("disability", "the autistic lad at number 3"),
    ("sexual_orientation", "the gay couple at number 7"),
    ("sexual_orientation", "the lesbian couple who run the café"),
    ("sexual_orientation", "the gay lad from the chippy"),
    ("transgender", "the trans woman on the till at Boots"),
    ("transgender", "the trans kid at the high school"),
)
# Places tied to a protected group.
V5_PLACES: tuple[tuple[str, str], ...] = (
    ("religion", "the mosque on Leeds Road"),
    ("religion", "the synagogue on Bury Old Road"),
    ("religion", "the gurdwara on Soho Road"),
    ("religion", "the Hindu temple on Belgrave Road"),
    ("religion", "the halal butcher's on Church Street"),
    ("sexual_orientation", "the Pride stall in the market square"),
    ("sexual_orientation", "the gay bar on Canal Street"),
    ("sexual_orientation", "drag story hour at the library"),
    ("race", "the hotel where the refugees are staying"),
    ("race", "the Polish deli on the high street"),
    ("race", "the Romanian car wash on the bypass"),
    ("race", "the traveller site by the tip"),
    ("disability", "the special school on Mill Lane"),
    ("disability", "the deaf club on Victoria Street"),
    ("transgender", "the trans support group at the community centre"),
    ("transgender", "the gender clinic on Hope Street"),
)
# People, groups and places the law does not protect (targets of threat_unprotected rows).
V5_UNPROTECTED_ONE: tuple[str, ...] = (
    "Dave next door", "the councillor who voted for the bus lane", "my landlord",
    "the ref from Saturday", "that journalist from the Echo", "that Rovers fan in the away end",
    "the bailiff who came round", "the traffic warden on Market Street",
    "the bloke who dented my car", "that lad from the Meadows estate", "my ex's new fella",
    "the head of planning at the council", "the manager at the Co-op", "our MP",
)
V5_UNPROTECTED_MANY: tuple[str, ...] = (
    "councillors", "landlords", "Rovers fans", "journalists", "bailiffs", "referees",
    "lads from the Meadows estate", "estate agents", "traffic wardens", "Tory voters",
    "water company bosses", "cyclists on the canal path", "planning committee",
    "Wanderers fans",
)
V5_UNPROTECTED_PLACES: tuple[str, ...] = (
    "the council offices", "the Echo's offices on Queen Street",
    "the estate agents on the high street", "the bookies on Station Road",
    "the letting agency on King Street", "the planning department", "the away end",
    "the Labour office on King Street", "the Tory club", "the water company depot",
)

# Threat frames, plural target ({T}: a protected group, or ``V5_UNPROTECTED_MANY``). Indirect
# forms: calls for someone else to act, arson, weapons, maiming, family, time and place.
V5_THREAT_MANY: tuple[str, ...] = (
    "it's time someone did something about the {T} round here, and I don't mean a petition",
    "somebody needs to go round and sort the {T} out with a bat",
    "who's going to sort out the {T} on Albert Road? Because I will if nobody else does",
    "the {T} are all in the Crown on a Friday. Lads, you know what to do.",
    "I know where the {T} drink on a Friday. Bring a brick.",
    "petrol and a rag through the letterbox, that's all the {T} need",
    "firebomb the houses the {T} live in and see how fast they leave",
    "someone should burn the {T} out while they're asleep",
    "take a machete to the {T} and be done with it",
    "a bit of acid in the face would sort the {T} out",
    "I'll be carrying a knife from now on, and the {T} know why",
    "the {T} will be limping home if they show their faces tonight",
    "break the legs of a few {T} and the rest will get the message",
    "the {T} should keep their kids indoors this summer, that's all I'm saying",
    "a house fire would sort the {T} out, nobody would miss them",
    "outside the Co-op at 8 tonight. Any {T} we find get what's coming.",
    "meet at the bus station Saturday, 2pm. We're going after the {T}.",
    "a brick through every window the {T} have got, starting tonight",
    "the {T} won't be smiling when they're picking glass out of their faces",
    "whoever finally stabs one of the {T} gets a pint off me",
    "let's see how the {T} like it when their houses go up in flames",
    "tool up lads, the {T} are getting it tonight",
    "one of the {T} is going to end up in hospital soon, and it'll be me that put them there",
    "can't wait to see the {T} bleed",
    "if the police won't sort the {T} out, we'll do it ourselves. Tonight.",
    "I'd run the {T} off the road given half a chance, and I mean it",
    "the {T} had better enjoy this weekend, it'll be their last one walking",
    "somebody hand me a can of petrol and point me at the {T}",
    "mark my words, the {T} will be dragged out of their beds one night soon",
    "we'll be waiting for the {T} at the school gates on Monday, with bats",
    "a few broken jaws and the {T} would soon learn their place",
    "all it takes is one lad with a blade and the {T} stop being a problem",
    "their wives, their kids, their houses. The {T} will lose the lot.",
    "sharpening the machete tonight. The {T} know who they are.",
    "the {T} meet on Thursdays. I'll be parked outside with a full tank and no brakes.",
    "every one of the {T} deserves a blade in the back and I'd gladly do the honours",
)
# Threat frames, one person or household ({T}: a ``V5_ROLES`` person or ``V5_UNPROTECTED_ONE``).
V5_THREAT_ONE: tuple[str, ...] = (
    "I know where {T} lives. Petrol through the letterbox tonight.",
    "I know where {T} lives and I know what car they drive. Tick tock.",
    "someone needs to pay {T} a visit with a baseball bat",
    "it's time somebody taught {T} a lesson they won't walk away from",
    "who's going to sort {T} out? I'll drive.",
    "{T} has got kids. Be a shame if something happened on the way to school.",
    "one firebomb through the front window and {T} won't be a problem any more",
    "I'll take a machete to {T} if I see them in town again",
    "{T} is getting acid in the face, mark my words",
    "a brick's going through the window of {T} tonight",
    "I'll break every bone {T} has got",
    "outside the Co-op at 8, that's when {T} does the shopping. Be there.",
    "{T} won't see the weekend, I'll make sure of it",
    "follow {T} home tonight and finish it",
    "someone should burn down the house where {T} lives, with them inside",
    "I'm going to glass {T} the next time I see them in the pub",
    "tell {T} to watch their back, and their kids' backs",
    "the address of {T} is going round the group. Do what you want with it.",
    "{T} is going to end up in A&E, and I'll be the reason",
    "just saying, {T} walks the dog on the canal path every night at 10. On their own.",
    "knock on the door of {T} tonight lads, and don't be gentle",
    "I'd wait by the car of {T} with a knife, that's what I'd do",
)
# Threat frames, one place ({T}: a ``V5_PLACES`` place or ``V5_UNPROTECTED_PLACES``).
V5_THREAT_PLACE: tuple[str, ...] = (
    "burn {T} down with them all inside",
    "someone should put a petrol bomb through the door of {T}",
    "Friday night, outside {T}. Bring what you need.",
    "it's time someone torched {T}, and I know a lad who'll do it",
    "a car driven through {T} at opening time would solve a lot",
    "I've got the petrol, who's driving to {T}?",
    "lads, {T}, 8 o'clock. You know what to do.",
    "smash every window in {T} and drag out whoever's inside",
    "{T} is going up in flames one of these nights, watch",
    "next time I pass {T} a brick's going through the window, and I hope it hits someone",
    "shame if {T} burned down with everyone in it",
    "whoever's in {T} on Saturday had better have a good doctor",
)
# Hateful threats whose time, place or target only fits one group ((text, strand)).
V5_THREAT_FIXED: tuple[tuple[str, str], ...] = (
    ("Friday after prayers, outside the mosque on Leeds Road. Bring the petrol.", "religion"),
    ("they all come out of the synagogue at the same time on a Saturday. Easy pickings.",
     "religion"),
    ("drag story hour on Saturday. Someone needs to turn up with a bat and end it.",
     "sexual_orientation"),
    ("Pride parade goes down the high street at 2. Be a shame if a van lost control.",
     "sexual_orientation"),
    ("the boats land at Dungeness at first light. Take the lads and a few bats.", "race"),
    ("the hotel with the asylum seekers has one fire exit. Just saying.", "race"),
    ("the traveller site is all caravans. One match and it's gone.", "race"),
    ("the special school bus stops outside my house at 8.15. I'll be waiting.", "disability"),
    ("the trans lot meet at the community centre on Tuesdays. Let's give them a send-off "
     "they won't forget.", "transgender"),
    ("Diwali on the rec tonight. Plenty of fireworks, we'll aim a few at them.", "religion"),
    ("Eid prayers in the park Sunday morning. Bring the dogs and the bats, lads.", "religion"),
    ("the gurdwara does free food on Sundays. Let's bring them something they won't like, "
     "a can of petrol.", "religion"),
)

# Derogation and dehumanisation of one person picked out by a protected role ({R}).
V5_ROLE_HATEFUL: dict[str, tuple[str, ...]] = {
    "derogation": (
        "{R} and all their sort are ruining this town",
        "nobody wants {R} here. Their kind never fit in.",
        "typical of {R}, that lot are all the same",
        "I wouldn't let {R} near my kids, you know what their sort are like",
        "can't believe we have to put up with {R} and their kind on our street",
        "{R} is a disgrace, that lot always are",
        "the sooner {R} and the rest of their lot clear off, the better",
        "of course it was {R}. It's always one of them.",
        "someone should tell {R} that people like them aren't wanted round here",
        "shame what's happened to the street since {R} turned up, their kind drag everything down",
    ),
    "dehumanisation": (
        "{R} is vermin like the rest of their kind",
        "{R} and that lot are animals, not neighbours",
        "{R}? Filthy rat, the whole breed is",
        "{R} is a parasite, same as every one of their sort",
        "there's a nest of them now, and {R} is only the start of the infestation",
    ),
}
V5_PLACE_HATEFUL: dict[str, tuple[str, ...]] = {
    "derogation": (
        "{L} is a disgrace to this town, full of their lot",
        "shut {L} down, nobody round here wants that sort",
        "since {L} opened the whole area has gone to the dogs, their kind always ruin it",
        "{L} should never have been allowed, we don't want them here",
    ),
    "dehumanisation": (
        "{L} is a breeding ground for vermin",
        "{L}: the rats' nest at the heart of town",
    ),
}
# The same roles and places, neutral or warm, some with the threat frames' surface words.
V5_ROLE_NEUTRAL: tuple[str, ...] = (
    "{R} has organised a litter pick for Sunday, all welcome",
    "massive thanks to {R} for helping when my car broke down",
    "{R} was on Look North tonight talking about the food bank",
    "{R} brought round a lasagne when my mum was poorly, absolute star",
    "does anyone have a number for {R}? Want to invite them to the street party",
    "{R} has been here twenty years and knows everyone",
    "{R} won the raffle at the school fair, well deserved",
    "shout out to {R}, always a smile and a wave",
    "{R} is doing a sponsored walk for the hospice, link below",
    "spoke to {R} about the parking, lovely chat, all sorted",
    "{R} has lived on our road for years and never caused a minute's bother",
    "I know where {R} lives, I'll drop the parcel round to them later",
    "someone needs to pay {R} a visit and say thank you for everything they did at the gala",
    "it's time someone gave {R} an award for all that volunteering",
    "who's going to sort out a leaving card for {R}? I'll chip in",
    "knock on the door of {R} if you need a ladder, they've always got one",
)
V5_PLACE_NEUTRAL: tuple[str, ...] = (
    "{L} is holding a charity curry night on Friday, tickets £5",
    "lads, {L}, 8 o'clock, we're doing the litter pick round the back. Bring gloves.",
    "{L} needs volunteers for the summer fete",
    "took my nan to {L} for the open day, she loved it",
    "roadworks outside {L} till Tuesday, park on the side streets",
    "{L} raised £2,000 for the children's ward",
    "big turnout at {L} on Saturday, lovely atmosphere",
    "I've got the cakes, who's driving to {L}?",
    "Friday night, outside {L}: carol singing for the hospice. Bring a lantern.",
    "{L} is going up in the world, new roof and everything",
    "we did a bake sale outside {L} and sold out in an hour",
    "anyone know what time {L} opens on a Sunday?",
)

# Local news, court reports and police appeals about attacks: violent words, reported form.
V5_NEWS_ATTACK: tuple[str, ...] = (
    "police are treating the fire at {L} as a hate crime and have appealed for witnesses",
    "a man has been charged after threats were made against {L}",
    "extra patrols around {L} this weekend after last week's attack, say police",
    "court hears two men planned to firebomb {L}; both deny conspiracy to commit arson",
    "{L} has been given funding for CCTV after a run of bricks through the windows",
    "CCTV released after graffiti and a smashed window at {L}",
    "a man who threatened to burn down {L} has been jailed for three years",
    "people at {L} thank neighbours for their support after the arson attempt",
)
V5_NEWS_ROLE: tuple[str, ...] = (
    "police appeal after {R} was attacked with a brick on Tuesday night",
    "man jailed for threatening to burn down the home of {R}",
    "{R} says the threats have stopped since the arrests, and thanks everyone for their support",
    "a teenager has admitted sending death threats to {R} and will be sentenced next month",
    "officers are with {R} after a note threatening them was pushed through the door",
)
V5_NEWS_NO_GROUP: tuple[str, ...] = (
    "man, 34, jailed for six years after petrol was poured through a letterbox in Rotherham",
    "police appeal after a machete was found in bushes near the canal in Salford",
    "a teenager has been charged with threatening to kill a referee after Sunday's under-16s game",
    "court hears a councillor received threats to burn down her home; the defendant denies it",
    "two men arrested after a brick was thrown through a shop window on Station Road overnight",
    "acid attack victim speaks about her recovery, a year on",
    "knife amnesty bin at the police station collected 200 blades this month",
    "arson suspected after fire at a derelict pub; fire service says no one was inside",
    "jury told the defendant said 'I know where you live' before the assault",
    "officers appeal for dashcam footage after a man was stabbed outside a takeaway",
    "Crown Court: man who sent death threats to a journalist given a suspended sentence",
    "the man who firebombed a neighbour's car has been jailed for four years",
    "police issue a dispersal order after fights between rival fans on Saturday",
    "woman, 52, in hospital after being hit with a brick; police want to speak to three men",
    "sentencing today for the gang who threatened shopkeepers with a machete",
    "if you get a threat online, screenshot it and report it to 101 or online",
    "knife crime down 8% in the county this year, new figures show",
    "inquest hears the house fire started when an e-bike battery overheated",
    "police say the 'hunt them down' video being shared is from 2019 and not local",
    "magistrates hear the man shouted he would 'burn the place down' before being restrained",
    "campaign launched to stop acid sales to under-18s after last year's attacks",
    "the court was told he posted the landlord's address with the words 'you know what to do'",
    "man arrested on suspicion of making threats to kill after posts about a local landlord",
    "fire crews spent the night at the tyre depot blaze; arson has been ruled out",
)
V5_FICTION: tuple[str, ...] = (
    "in tonight's D&D session my barbarian took a greataxe to the goblin king",
    "the bit in Peaky Blinders where Tommy burns the pub down is still the best episode",
    "finished the new Hitman level, took out the target with a poisoned drink, so satisfying",
    "my rogue is going to stab the innkeeper and take the key, the DM has no idea",
    "watched Taken again, 'I will find you and I will kill you' never gets old",
    "the zombies in this game just keep coming, had to torch the whole village",
    "chapter 12 of my novel: the detective finds the letterbox burned and the family gone",
    "GTA online last night: we firebombed the whole car park, absolute carnage",
    "our paladin wants to smite every necromancer in the realm, he's unbearable",
    "the knife fight in the last act of the play was brilliantly choreographed",
    "am-dram are doing Macbeth and I'm the one who murders Banquo",
    "reading a thriller where the killer leaves a brick on every victim's doorstep, so creepy",
    "in Fortnite I just took out three squads with a shotgun, get in",
    "the dragon burned the whole town down in episode 6, didn't see that coming",
    "my warlock's going to curse the orc clan and then set fire to their camp",
    "writing a horror story about a man who knows where everyone in the village lives",
    "lads, you know what to do: the raid starts at 8, bring potions",
    "just killed the final boss with a rusty machete, took me forty tries",
    "true crime podcast this week is about the acid bath murderer, grim but fascinating",
    "horror film night: The Purge, where everyone hunts each other down for one night",
    "the villain in the panto threatened to feed the kids to his crocodile, they loved it",
    "our Warhammer army got absolutely wiped out, burned to the last model",
)
V5_SPORT: tuple[str, ...] = (
    "we'll murder them Saturday, no doubt about it",
    "Rovers are going to get slaughtered at the weekend",
    "our lads absolutely battered Town 4-0, get in",
    "we're going to destroy their defence on Sunday",
    "the darts team are going to annihilate the Red Lion on Thursday",
    "United killed us on the break all afternoon",
    "Friday, 8pm, Co-op car park: five-a-side grudge match. Be there.",
    "we're coming for you, Wednesday, and we're taking the three points",
    "the netball girls slaughtered Bridgend 40-12, brilliant stuff",
    "our winger is going to tear their full back to pieces",
    "hunt them down, lads, press high from the first whistle",
    "got hammered in the quiz league again, bloody Farmers Arms",
    "bowls club massacred the visitors this afternoon, 21-3",
    "our opener smashed their bowlers all over the ground",
    "the rugby lads are going to flatten Pontypridd on Saturday",
    "we'll take them apart in the cup, you watch",
    "their keeper's going to get bombarded from every corner, mark my words",
    "we got butchered at home again, three down by half time",
    "we're going to kill it at the relay on sports day",
    "the under-12s went out there and crushed them, so proud",
)
V5_IDIOMS: tuple[str, ...] = (
    "I could kill for a brew",
    "my feet are killing me after that shift",
    "mum's going to murder me when she sees the carpet",
    "she absolutely slayed in that dress",
    "I'm dying to see the new Bond film",
    "this heat is murder on my hay fever",
    "he'll kill me if I'm late for the wedding",
    "the queue at the post office was a bloodbath",
    "I'm going to strangle my brother if he eats my yoghurt again",
    "that hot wing challenge nearly finished me off",
    "my boss is going to have my head on a plate for this",
    "the kids are going to be the death of me",
    "the hairdresser butchered my fringe",
    "I've got a bone to pick with whoever ate the last biscuit",
    "you're dead to me for spoiling the ending",
    "the garden centre sale is to die for",
    "I'll burn that bridge when I come to it",
    "going to take a hammer to this flat-pack wardrobe in a minute",
    "that quiz question was a knife to the heart",
    "I'd give my right arm for a lie-in",
)
# Frames that quote a threat to condemn or report it ({h} is a threat sentence).
V5_COUNTER_FRAMES: tuple[str, ...] = (
    'Someone posted "{h}" in the estate group. That\'s a threat, and it\'s gone to the police.',
    'Reported to 101: "{h}". Crime reference received, thanks to everyone who flagged it.',
    '"{h}" is not banter. People get hurt when this stuff is left up.',
    'Mods, please remove the comment that says "{h}" and ban the account.',
    'A note came through my neighbour\'s door saying "{h}". The police have been brilliant.',
    'Anyone defending "{h}" as a joke needs to have a word with themselves.',
    'The man who wrote "{h}" has been arrested, according to the police page.',
    'Screenshots of "{h}" have gone to the police. Please don\'t share it any further.',
)
V5_NEGATED_THREATS: tuple[str, ...] = (
    "nobody is putting petrol through anyone's letterbox, the {G} on this estate are safe",
    "I'd never lay a finger on {G}, whatever some of the idiots in this group say",
    "it's not 'time someone did something' about {G}. It's time some of you grew up.",
    "nobody's going to the Co-op at 8 to 'sort out' {G}. The police have seen the post.",
    "we won't stand by while anyone threatens {G}",
    "nobody needs to sort {G} out. Leave them alone.",
    "there'll be no 'visit' to the {G} tonight or any night, the police are watching this group",
    "no one's bringing bricks or bats anywhere near {G}, not on my watch",
)

# Implicit hate with no group noun, or with a coded one ((text, strand, severity)).
V5_IMPLICIT_FIXED: tuple[tuple[str, str, str], ...] = (
    ("funny how the banks, the BBC and the council all answer to the same people. You know who "
     "I mean.", "religion", "derogation"),
    ("the Rothschilds own the Bank of England, look it up", "religion", "derogation"),
    ("(((they))) run the media and you're not allowed to say it", "religion", "derogation"),
    ("every war in history was funded by the same (((bankers)))", "religion", "derogation"),
    ("the globalists want our town flooded with foreigners, and we all know which globalists",
     "religion", "derogation"),
    ("ask yourself who owns the papers. Always the same surnames.", "religion", "derogation"),
    ("the council's been bought by the Jewish lobby, they pull every string in this town",
     "religion", "derogation"),
    ("notice how the Jews always end up on top whatever happens?", "religion", "derogation"),
    ("Jewish money is behind the new development, same as always", "religion", "derogation"),
    ("the great replacement isn't a theory, just walk down the high street in Bradford",
     "race", "derogation"),
    ("they're replacing us bit by bit and the council's helping them do it", "race",
     "derogation"),
    ("someone's behind the boats, and it isn't hard to work out who's paying", "religion",
     "derogation"),
    ("remigration is the only answer. All of them, back.", "race", "derogation"),
    ("14 words, lads. Never forget.", "race", "derogation"),
    ("hope the next dinghy sinks halfway across", "race", "threat"),
    ("someone should sink the dinghies before they get anywhere near Dover", "race", "threat"),
    ("certain communities in this town need sending home, you know the ones", "race",
     "derogation"),
    ("lovely bit of enrichment on the high street last night, two stabbings and a mugging",
     "race", "derogation"),
    ("cultural enrichment: what they call it when your town stops being yours", "race",
     "derogation"),
    ("diversity is just a code word for fewer of us", "race", "derogation"),
    ("more vibrancy down the market today, couldn't hear a word of English", "race",
     "derogation"),
    ("the boats keep coming and the hotels keep filling. Fighting-age men, every one.", "race",
     "derogation"),
    ("funny how it's always the same community in the grooming cases, isn't it", "race",
     "derogation"),
    ("groomers reading to kids at the library again, where are the parents?",
     "sexual_orientation", "derogation"),
    ("keep the groomers out of our schools, no more rainbow lanyards", "sexual_orientation",
     "derogation"),
    ("the alphabet people are after your kids, wake up", "sexual_orientation", "derogation"),
    ("the alphabet mafia have taken over the council", "sexual_orientation", "derogation"),
    ("it's not Pride, it's grooming, and the school's in on it", "sexual_orientation",
     "derogation"),
    ("trans is a contagion spreading through the sixth form", "transgender", "dehumanisation"),
    ("a beard, a wig and a deep voice. Nobody's fooled, mate.", "transgender", "derogation"),
    ("special school bus is here, brace yourselves for the noise and the smell", "disability",
     "derogation"),
    ("funny how there's always a 'disability' when it's time to sign on", "disability",
     "derogation"),
    ("blue badge brigade are all faking it, every one of them", "disability", "derogation"),
    ("another hotel full of 'children' with beards. We know what they're here for.", "race",
     "derogation"),
    ("a rat with a passport is still a rat", "race", "dehumanisation"),
    ("the Cohens and the Goldbergs run this country, the rest of us just pay for it",
     "religion", "derogation"),
)
# "Always", "every single one", "funny how" generalisations ({G}); all derogation.
V5_IMPLICIT_GENERAL: tuple[str, ...] = (
    "funny how it's always {G}, isn't it",
    "{G} always manage to get the council house first, don't they",
    "every single one of the {G} I've met was on the fiddle",
    "notice how wherever {G} move in, crime goes up? Just saying.",
    "it's always {G} in the court reports. Always.",
    "they always stick together, {G}. Ask yourself why.",
    "not saying anything, but the street was fine before {G} arrived",
    "funny how {G} never seem to pay for anything",
    "I'm not being funny but {G} just aren't the same as us",
    "{G}. Every. Single. Time.",
    "strange how the trouble only started once {G} turned up",
    "you'll notice {G} never get turned down for anything",
    "ask any landlord what happens when you let to {G}",
    "they say diversity is our strength. Tell that to anyone living next to {G}.",
)
# Counter-speech naming a trope, and factual or academic mentions ((text, strand)).
V5_IMPLICIT_COUNTER: tuple[tuple[str, str], ...] = (
    ("the 'Jews control the banks' line is a centuries-old antisemitic conspiracy theory, and "
     "it still does damage", "religion"),
    ("when someone says 'globalists' and means Jewish people, call it out", "religion"),
    ("triple brackets round a name are an antisemitic signal; if you see them in the group, "
     "report them", "religion"),
    ("'great replacement' is a far-right conspiracy theory. The immigration figures are "
     "published every year, go and read them.", "race"),
    ("'remigration' is just a politer word for deporting people who live here legally. Not on.",
     "race"),
    ("calling gay and trans people 'groomers' is a smear, and the police take it seriously",
     "sexual_orientation"),
    ("'14 words' is a white supremacist slogan. If it's in your bio, we're blocking you.",
     "race"),
    ("people wishing the dinghies would sink are talking about children drowning. Think on.",
     "race"),
    ("saying 'certain communities' instead of naming them doesn't make it any less racist",
     "race"),
    ("the sarcastic 'enrichment' posts are racism with a wink, and everyone can see it", "race"),
    ("'alphabet people' is a sneer, not a joke. Pack it in.", "sexual_orientation"),
    ("the Rothschild conspiracy theory goes back to the 1840s; good lecture on it at the "
     "university tonight", "religion"),
    ("our history group is looking at how the Protocols forgery spread myths about Jewish "
     "bankers", "religion"),
    ("fact-checkers looked at the 'great replacement' claims and found nothing in them", "race"),
    ("the Home Office publishes small boats figures every week, handy for checking the rumours",
     "race"),
    ("research paper on how coded hate like triple brackets spreads online, link below",
     "religion"),
    ("my dissertation is on the history of antisemitic conspiracy theories in Britain",
     "religion"),
    ("the Holocaust Memorial Day talk covered how the 'Jewish control' myth fed Nazi propaganda",
     "religion"),
    ("the 'groomer' smear against gay teachers was everywhere in the 80s too, under Section 28",
     "sexual_orientation"),
    ("the police training day covered dog whistles: 14 words, 88, triple brackets", "race"),
    ("'they're faking it' is said about disabled people every day, and it's cruel",
     "disability"),
    ("trans kids aren't a 'contagion', they're kids. Leave them alone.", "transgender"),
)
V5_RECLAIMED: tuple[tuple[str, str], ...] = (
    ("proud dyke, proud mum, proud Yorkshire lass", "sexual_orientation"),
    ("we crips take up space and we're not sorry", "disability"),
    ("me and the other queers are doing the Pride litter pick on Sunday", "sexual_orientation"),
    ("dyke night at the Lescar this Friday, who's in?", "sexual_orientation"),
    ("crip solidarity at the bus station today, the lift's broken again", "disability"),
    ("queer as folk and twice as loud, see you at Pride", "sexual_orientation"),
)
# Negations and warm uses of the same "always" and "funny how" shapes ({G}).
V5_IMPLICIT_NEGATED: tuple[str, ...] = (
    "I'd never say {G} always stick together, everyone looks after their own",
    "it's not 'always {G}', that's just what the papers choose to print",
    "nobody's replacing anyone, {G} are just our neighbours",
    "no one controls anything in secret, least of all {G}",
    "{G} aren't behind the boats or anything else, give over",
    "crime didn't go up when {G} moved in, I checked the figures",
    "it's not true that every single one of the {G} is on the fiddle, not even close",
    "there's no 'certain community' about it, {G} are just people",
)
V5_IMPLICIT_POSITIVE: tuple[str, ...] = (
    "funny how it's always {G} who turn up first to help after the floods",
    "{G} always make the best neighbours, in my experience",
    "every single one of the {G} at the allotments has given me veg this summer",
    "notice how wherever {G} set up, the high street gets busier? Love it.",
)

# Misogyny: women as a group ({W}), with severity; strand sex_gender.
V5_WOMEN: tuple[str, ...] = (
    "women", "females", "girls", "women drivers", "women footballers", "mums", "female MPs",
)
V5_MISOGYNY: dict[str, tuple[str, ...]] = {
    "derogation": (
        "{W} should stay in the kitchen where they belong",
        "{W} are only good for one thing",
        "nobody asked {W} for an opinion, shut up and look pretty",
        "{W} can't think logically, it's a fact",
        "{W} are all gold-diggers underneath",
        "{W} should never have been given the vote",
        "{W} are emotional wrecks, not fit to be in charge of anything",
        "{W} lie about being attacked for attention, all of them",
        "{W} are thick, the lot of them",
        "never trust {W}, they're manipulative by nature",
    ),
    "dehumanisation": (
        "{W}? Property, that's all they are",
        "{W} are like dogs, they need a firm hand",
    ),
    "threat": (
        "{W} need putting back in their place, by force if it comes to it",
        "a good slap is what {W} like that need",
        "{W} who answer back should get a fist in the mouth",
    ),
}
V5_MISOGYNY_FIXED: tuple[tuple[str, str], ...] = (
    ("women footballers are a disgrace to the game, stick to making the half-time tea",
     "derogation"),
    ("women drivers should have their licences taken off them, every one's a danger",
     "derogation"),
    ("females don't belong in the workplace, simple as", "derogation"),
    ("female MPs should be at home raising kids, not running the country", "derogation"),
    ("girls who dress like that are asking for it", "derogation"),
    ("never hire women, they just go off and have babies", "derogation"),
    ("the women's team getting the same pitch time as the lads? Waste of grass.",
     "derogation"),
    ("mums on the school run can't drive, can't park, can't think", "derogation"),
    ("that woman MP needs a good slap to shut her up, and I know where her surgery is. "
     "Saturday, 10am.", "threat"),
    ("someone should teach that mouthy woman from the council what happens to women who "
     "don't know their place", "threat"),
    ("women are a lower form of life, just ask anyone who's married one", "dehumanisation"),
    ("a woman's only use is cooking and cleaning", "derogation"),
)
V5_MISOGYNY_MIRROR: tuple[str, ...] = (
    "{W} deserve respect and equal pay",
    "{W} should be heard, not talked over",
    "huge respect to {W} who put up with the abuse online and keep going",
    "{W} are brilliant and anyone who says otherwise is stuck in the past",
    "no one has the right to lay a finger on {W}",
    "{W} get judged so harshly online, it's exhausting",
    "{W} can do anything blokes can do, often better",
    "the idea that {W} can't think logically is rubbish",
    "nobody needs putting in their place, {W} least of all",
    "so proud of the {W} in our town who set up the support network",
)
V5_MISOGYNY_MIRROR_FIXED: tuple[str, ...] = (
    "women footballers are packing out the stadiums, the Lionesses are class",
    "women drivers get cheaper insurance for a reason, the stats don't lie",
    "mums' running club meets at 6 on Tuesdays, all paces welcome",
    "the woman MP for our area held a brilliant surgery on Saturday, sorted my housing issue",
    "I know where our MP holds her surgery, it's at the library every other Saturday at 10",
    "women belong in every boardroom in the country",
    "the girls' football team won the county cup, so proud of them",
    "nobody should tell women to get back in the kitchen, it's not the 1950s",
    "calling women 'females' like they're a different species is weird and rude",
    "'a woman's place is in the kitchen'? Tell that to my nan, who ran the union",
    "mums are the backbone of this school, the PTA raised £4k",
    "women MPs get the worst of the abuse online; if you see threats, report them",
    "the women in my office run the place, thank God",
    "my daughter's the only girl in the woodwork class and she's top of it",
)

# Emoji: vermin and animal emoji aimed at groups ({G}, with severity) and their mirrors.
V5_EMOJI_HATEFUL: dict[str, tuple[str, ...]] = {
    "dehumanisation": (
        "{G} \U0001f400\U0001f400\U0001f400",
        "{G} = \U0001f400",
        "more {G} arriving every day \U0001f400\U0001f400 infestation",
        "{G} \U0001f412\U0001f412 back to the zoo",
        "{G} are \U0001f40d\U0001f40d, never trust them",
        "{G} \U0001f9a0 spreading through the town",
        "our street's been taken over by \U0001f400 {G} \U0001f400",
        "look at all the {G} \U0001f412\U0001f412\U0001f412 in the park",
        "\U0001f400 alert: {G} just moved in next door",
        "{G}? \U0001f412",
        "spotted some {G} in town today \U0001f400\U0001f400\U0001f92e",
    ),
    "threat": (
        "{G} \U0001f9a0\U0001f9a0 need wiping out \U0001f52a",
        "rat poison for the {G} \U0001f400\u2620\ufe0f",
    ),
}
V5_EMOJI_BENIGN: tuple[str, ...] = (
    "big love to {G} in our town \u2764\ufe0f\U0001f389",
    "{G} welcome here \U0001f44f\U0001f44f",
    "thinking of {G} after last night \U0001f64f",
    "brilliant turnout from {G} at the fun run \U0001f389\U0001f44f",
    "so proud of the {G} who ran the bake sale \u2764\ufe0f",
    "{G} = family \u2764\ufe0f",
)
V5_EMOJI_BENIGN_FIXED: tuple[tuple[str, str], ...] = (
    ("Eid Mubarak to all our Muslim neighbours \U0001f54c\u262a\ufe0f\u2764\ufe0f", "religion"),
    ("Chag sameach to the Jewish families on our road \u2721\ufe0f\U0001f389", "religion"),
    ("Trans Day of Visibility \U0001f3f3\ufe0f\u200d\u26a7\ufe0f love to all our trans mates",
     "transgender"),
    ("Pride this Saturday \U0001f3f3\ufe0f\u200d\U0001f308\U0001f389 see you at the park",
     "sexual_orientation"),
    ("Diwali fireworks on the rec tonight \U0001fa94\U0001f389 everyone welcome", "religion"),
    ("the mosque open day was lovely \U0001f54c\U0001f64f thank you for the samosas",
     "religion"),
    ("my gay uncle's wedding was the best day ever \U0001f3f3\ufe0f\u200d\U0001f308\u2764\ufe0f",
     "sexual_orientation"),
    ("welcome to the refugee families who arrived this week \u2764\ufe0f\U0001f44f", "race"),
    ("the deaf choir signed the whole of Jerusalem \U0001f44f\U0001f44f\U0001f64f",
     "disability"),
    ("happy Vaisakhi to the gurdwara crew \U0001f389\U0001f64f", "religion"),
)
# The same emoji about real animals and objects; no group in sight.
V5_EMOJI_ANIMALS: tuple[str, ...] = (
    "found a \U0001f400 in the shed, calling pest control",
    "the \U0001f412 at the safari park nicked my sunglasses",
    "\U0001f40d spotted at the nature reserve, it was an adder!",
    "half the office has got this \U0001f9a0, stay home if you're ill",
    "rats \U0001f400\U0001f400 in the bins behind the chippy again, council please",
    "the kids loved the monkeys \U0001f412 at Twycross",
    "grass snake \U0001f40d in the pond, harmless apparently",
    "flu season \U0001f9a0 get your jab at the chemist",
    "my daughter's pet rat \U0001f400 had babies",
    "\U0001f412\U0001f412 swinging about at the zoo, best day out",
    "the snake \U0001f40d at the reptile show was six foot long",
    "norovirus \U0001f9a0 on the ward, visiting's restricted",
    "pest control sorted the \U0001f400 under the decking, finally",
    "\U0001f400 infestation at the allotments, keep your sheds shut",
)

# v6: each hateful emoji template above, the same group with a friendly emoji (``build.py``).
V6_EMOJI_TWINS: tuple[str, ...] = (
    "{G} \U0001f64c\U0001f64c\U0001f64c",
    "{G} = \U0001f451",
    "more {G} joining the choir every week \U0001f3b6\U0001f3b6 love it",
    "{G} \U0001f389\U0001f389 back at the community centre",
    "{G} are \U0001f4af\U0001f4af, always got your back",
    "{G} \U0001f60a spreading good vibes round the town",
    "our street party was run by \U0001f388 {G} \U0001f388",
    "look at all the {G} \U0001f9fa\u2600\ufe0f having a picnic in the park",
    "\U0001f389 alert: {G} just moved in next door, lovely lot",
    "{G}? \U0001f970",
    "spotted some {G} at the parkrun today \U0001f44b\U0001f60a",
)
# v6: the emoji the obfuscated spellings use for violent words, about food, music and sport.
V6_EMOJI_OBJECTS: tuple[str, ...] = (
    "new chef at the Crown has proper \U0001f52a skills, carved the Sunday roast at the table",
    "this curry is \U0001f525\U0001f525\U0001f525 get yourselves down there",
    "that new album is \U0001f525 front to back",
    "\U0001f52b water fight on the rec at 2, bring towels",
    "bonfire night on the green \U0001f525\U0001f386 starts 7pm, sparklers for the kids",
    "sharpened every \U0001f52a in the kitchen before the in-laws arrive, onions beware",
    "the new striker is \U0001f525 scored twice in ten minutes",
    "Halloween at the community centre \U0001f383\u26b0\ufe0f\U0001f47b fancy dress for the kids",
    "my nan's Sunday dinner is \U0001f92e said no one ever \U0001f602",
    "\U0001f400 costume for the school play sorted, she's a proper Roland Rat",
    "the \U0001f40d at the reptile rescue open day was gorgeous, kids held it",
    "hot sauce challenge at the chippy \U0001f525\U0001f975 lasted two wings",
)

# Multi-sentence posts, composed by ``build.py``. Openers name a protected group ({G}) or an
# unprotected one ({N}); follow-ups refer back with "they"/"them"/"that lot".
V5_OPENERS_GROUP: tuple[str, ...] = (
    "New family moved in at number 14, and they're {G}.",
    "Another lot of {G} moved onto our road this week.",
    "Went past the community centre and it was full of {G}.",
    "The council's opening a new drop-in for {G} on Mill Lane.",
    "Saw a group of {G} outside the Co-op this morning.",
    "Apparently the new flats are going to {G}.",
    "There's a meeting for {G} at the library on Thursday.",
    "Our street's had {G} living on it for about a year now.",
    "Heard the old pub is being turned into a centre for {G}.",
    "The new neighbours are {G}.",
)
V5_OPENERS_UNPROTECTED: tuple[str, ...] = (
    "The {N} have been at it again.",
    "Saw the {N} outside the Co-op this morning.",
    "The council's letting the {N} have their way over the car park.",
    "It's the {N} we've got to thank for the new parking charges.",
    "Guess who's behind the rent rises? The {N}.",
    "Had another run-in with the {N} today.",
)
V5_FOLLOW_HATE: dict[str, tuple[str, ...]] = {
    "derogation": (
        "Give it a month and they'll have ruined the place.",
        "They're not like us and they never will be.",
        "Why do we keep letting them in?",
        "Every single one of them is on the fiddle.",
        "Place will stink within a week.",
        "Filthy, all of them. Can't stand it.",
        "House prices will be through the floor, their sort always drag it down.",
        "Lock your doors, you know what that lot are like.",
    ),
    "dehumanisation": (
        "Vermin, the lot of them.",
        "They breed like rats, you watch.",
        "Absolute parasites.",
        "More animals for the zoo.",
    ),
}
V5_FOLLOW_THREAT: tuple[str, ...] = (
    "Someone needs to pay them a visit with a can of petrol.",
    "Lads, you know what to do.",
    "Bricks through their windows Friday night, who's in?",
    "I know which house. Letterbox, petrol, job done.",
    "Time someone sorted them out properly.",
    "Be outside the Co-op at 8 if you want to help sort them.",
    "Bring the machete.",
    "Should've driven straight through them.",
    "Burn the lot of them out, I say.",
    "They won't be there by Christmas, one way or another.",
    "I'll be waiting for them with a bat.",
    "Whoever sets fire to the place first gets a pint.",
)
V5_FOLLOW_BENIGN: tuple[str, ...] = (
    "Popped round with a cake and they were so welcoming.",
    "Hope they settle in well.",
    "If anyone gives them grief, report it.",
    "Anyone want to help with a welcome pack?",
    "Good, the town needs more of this.",
    "They've already joined the residents' association.",
    "Lads, you know what to do: pop round and say hello.",
    "Someone needs to pay them a visit with a tin of biscuits.",
    "Time someone sorted them out a proper welcome.",
    "Be outside the Co-op at 8 if you want to help carry their boxes in.",
    "Lovely to see the street so mixed.",
    "Nobody had a bad word to say about them.",
)
# A benign opener with no group, then a sentence about a group ({G}).
V5_OPENERS_PLAIN: tuple[str, ...] = (
    "Lovely sunny day down the market.",
    "Just got back from the school run.",
    "Busy one at the Co-op this morning.",
    "Took the dog round the park after work.",
    "Match was decent on Saturday.",
    "Town's heaving today.",
    "Walked past the new flats on the way home.",
    "Bus was late again.",
)
V5_SECOND_HATE: dict[str, tuple[str, ...]] = {
    "derogation": (
        "Shame it's crawling with {G} now.",
        "Couldn't move for {G}, it's like a foreign country.",
        "Every year there's more {G} and less of us.",
        "Honestly, {G} ruin everything they touch.",
        "Used to be nice before {G} took over.",
    ),
    "dehumanisation": (
        "Place is infested with {G}.",
        "It's {G} everywhere, like rats.",
    ),
    "threat": (
        "Next {G} I see are getting a brick in the face.",
        "Someone needs to torch the houses the {G} live in.",
        "Time we ran the {G} out with bats.",
        "I'd run over the {G} on the crossing if I could get away with it.",
        "The {G} outside the chippy want stabbing.",
    ),
}
V5_SECOND_BENIGN: tuple[str, ...] = (
    "Lovely to see so many {G} at the stalls.",
    "Bumped into some {G} from the running club, nice chat.",
    "There's a fundraiser for {G} on Saturday, worth a look.",
    "The {G} who run the café gave the kids free ice lollies.",
    "Good to see {G} out enjoying the sunshine.",
    "Signed the petition for better support for {G}.",
    "The new mural about {G} by the station is brilliant.",
)
# Quote or report hate, then condemn it ({G}).
V5_COUNTER_OPENERS: tuple[str, ...] = (
    "Someone wrote on the bus shelter that {G} should be burnt out.",
    "A bloke in the pub said all {G} were vermin.",
    "There's a post going round saying {G} need 'sorting out' on Friday.",
    "My lad heard kids at school saying {G} should be gassed.",
    "A leaflet came through the door calling {G} parasites.",
    "Someone in the village group said they know where the {G} live.",
)
V5_COUNTER_FOLLOW: tuple[str, ...] = (
    "Disgusting. Reported to the police.",
    "Not on. The landlord threw him out, good.",
    "The police know about it and are keeping an eye out.",
    "That's hate, plain and simple. Don't share it, report it.",
    "If you see anything like this, call 101 or use True Vision.",
    "Screenshotted and sent to the mods. It's been removed.",
)
# News of an attack over two or three sentences ({L}: a protected place).
V5_NEWS_MULTI: tuple[str, ...] = (
    "Police were called to {L} last night after a brick was thrown. Nobody was hurt.",
    "Fire crews were called to {L} just after midnight. Police are treating it as arson.",
    "Two men have been arrested after threats were made against {L}. They've been bailed.",
    "There'll be extra patrols near {L} this week. Police say it's to reassure people.",
    "Graffiti was sprayed on {L} overnight. The council cleaned it off by lunchtime.",
)
V5_NEWS_MULTI_FOLLOW: tuple[str, ...] = (
    "Anyone with information should call 101.",
    "Thoughts with everyone there.",
    "Sending love from the residents' association.",
    "Dashcam footage is wanted from anyone driving past at the time.",
)

# v5 templates that only make sense for some strands (template -> strands).
V5_POOLS: dict[str, tuple[str, ...]] = {
    "nobody's replacing anyone, {G} are just our neighbours": ("race", "religion"),
    "no one controls anything in secret, least of all {G}": ("race", "religion"),
    "{G} aren't behind the boats or anything else, give over": ("race", "religion"),
    "there's no 'certain community' about it, {G} are just people": ("race", "religion"),
}
