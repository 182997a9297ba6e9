"""English: what people say to a massager, and what it says back."""

from __future__ import annotations

from .language import Sentences

# hassil expansion rules: the parts sentences are built from (see __init__.py for the rules of
# thumb that keep other devices safe).
RULES: dict[str, str] = {
    "polite": "[(can|could|would|will) you] [please] [just]",
    "please": "[please] [now]",
    "article": "(a|an|the|some|my|one|another)",
    "massage_noun": (
        "(massage|massager|massage chair|massage cushion|massage seat|massage pad|"
        "bed massage|bed massager)"
    ),
    # One level zone's massage: "the foot massage", "my head massage".
    "zone_massage": "[the|my] {zone} massage",
    "massager": "[the|my|this|our] <massage_noun>",
    "it_or_massager": "(it|<massager>)",
    "named": "[the] {name}",
    "which": "[(on|of|for|with) (<massager>|<named>)] [in [the] {area}]",
    "zone_part": "(on|for|at|to|of) [my|the|your] {zone}",
    "minutes_word": "(minute|minutes|min|mins)",
    "time_part": "[for] [a|an] {minutes} <minutes_word> [long]",
    "level_word": "(intensity|level|strength|power|setting|pressure)",
    "level_part": "(at|on|with|to) [a|the] [<level_word>] [of] {intensity}",
    "details": "([<zone_part>];[<time_part>];[<level_part>])",
    "start": "(start|begin|run|play|launch|give me|do|put on|queue up)",
    "want": "(i want|i would like|i'd like|i need|i fancy|i'm in the mood for|let's (have|do))",
    "by_levels": "[by {levels} [level|levels|step|steps|notch|notches]]",
    "bit": "[a (bit|little|touch|tad)|slightly|much|way|even]",
    "softer": "(gentler|softer|lighter|weaker|easier|less (intense|strong|firm|hard))",
    "harder": "(firmer|harder|stronger|deeper|more intense|more (firm|strong))",
    "heat_word": "(heat|heating|warmth|heater)",
    "heat_obj": (
        "([the|my] (massage|massager) <heat_word>|[the] <heat_word> (on|of|for|in) <massager>)"
    ),
    "left": "(left|remaining|to go)",
}

# A sentence, or a block of sentences with fixed slot values.
SENTENCES: dict[str, Sentences] = {
    "SmartMassagerStartProgram": [
        # Program first: "start shiatsu on my shoulders for 10 minutes".
        "<polite> <start> [<article>] {program} [massage|program] <details> <which> <please>",
        "<polite> <want> [<article>] {program} [massage] <details> <which> <please>",
        "<polite> <start> [<article>] {minutes} <minutes_word> {program} [massage] <details>",
        # Zone first, no program verb: "massage my shoulders [with tapping]".
        "<polite> massage [me on] [my|the] {zone} [(with|using) [some] {program}] <details>",
        "<polite> (<start>|<want>) [<article>] {zone} massage [with {program}] <details>",
        # No program at all: the massager's own.
        (
            "<polite> (<start>|<want>) [<article>] [quick|short|long] massage <details> "
            "<which> <please>"
        ),
        ("<polite> (<start>|<want>) [<article>] {minutes} <minutes_word> [long] massage <details>"),
        "<polite> <start> {minutes} <minutes_word> of {program} <details>",
        "<polite> (<start>|turn on|switch on) <massager> <details> [in [the] {area}]",
        "<polite> (turn|switch) <massager> on <details> [in [the] {area}]",
        "<polite> massage me <details>",
        # An unknown program still reaches the handler, which says which programs exist.
        "<polite> <start> [<article>] {program_name} massage <details>",
    ],
    "SmartMassagerRunRoutine": [
        "<polite> (start|run|begin|do|play|launch) [the|my] {routine} [routine] <which>",
        "<polite> <want> [the|my] {routine} routine",
        "[the] {routine} routine <please>",
    ],
    "SmartMassagerSetIntensity": [
        (
            "<polite> (set|put|change|turn|switch) [<massager>] [the] [massage] <level_word> "
            "(to|at|on) {intensity} <which>"
        ),
        ("<polite> (set|put|change|switch) <it_or_massager> (to|on|at) [<level_word>] {intensity}"),
        "<polite> make <it_or_massager> <level_word> {intensity}",
        "[massage|massager] <level_word> {intensity} <please>",
    ],
    "SmartMassagerGentler": [
        "<polite> make <zone_massage> <bit> <softer> <by_levels> <please>",
        "<zone_massage> <bit> <softer> <by_levels> <please>",
        "<polite> (turn|dial|bring) down <zone_massage> <by_levels>",
        "<polite> make <it_or_massager> <bit> <softer> <by_levels> <which> <please>",
        "<bit> <softer> [please] <by_levels>",
        "[the|my] (massage|massager) <bit> <softer> <by_levels> <please>",
        "<polite> (go|be) <bit> <softer> [(on|with) me] <by_levels>",
        (
            "<polite> (lower|reduce|decrease|drop) [the] [massage|massager] "
            "(intensity|pressure|strength|level|power) <by_levels>"
        ),
        ("<polite> (turn|dial|bring) [the] (massage|massager|intensity|pressure) down <by_levels>"),
        (
            "<polite> (turn|dial|bring) down [the] [massage|massager] "
            "(intensity|pressure|strength|level|power) <by_levels>"
        ),
        "(less|lower) (pressure|intensity) <please>",
        "<massager> is (too|a bit too|way too) (hard|firm|strong|intense|rough|much)",
        "(that's|it's|that is|it is) (too|a bit too) (hard|firm|strong|intense|rough)",
        "(ease|back) off [a bit|a little] [on the massage]",
        "not so (hard|firm|strong|rough) [please]",
    ],
    "SmartMassagerFirmer": [
        "<polite> make <zone_massage> <bit> <harder> <by_levels> <please>",
        "<zone_massage> <bit> <harder> <by_levels> <please>",
        "<polite> (turn|crank|bring) up <zone_massage> <by_levels>",
        "<polite> make <it_or_massager> <bit> <harder> <by_levels> <which> <please>",
        "<bit> <harder> [please] <by_levels>",
        "[the|my] (massage|massager) <bit> <harder> <by_levels> <please>",
        "<polite> go <bit> (harder|deeper|stronger|firmer) <by_levels>",
        (
            "<polite> (raise|increase|boost|up) [the] [massage|massager] "
            "(intensity|pressure|strength|level|power) <by_levels>"
        ),
        ("<polite> (turn|crank|bring) [the] (massage|massager|intensity|pressure) up <by_levels>"),
        (
            "<polite> (turn|crank|bring|dial) up [the] [massage|massager] "
            "(intensity|pressure|strength|level|power) <by_levels>"
        ),
        "more (pressure|intensity) <please>",
        "<massager> is (too|a bit too|way too) (soft|gentle|weak|light)",
        "(that's|it's|that is|it is) (too|a bit too) (soft|gentle|weak|light)",
        "i can't feel [anything|it|the massage]",
    ],
    "SmartMassagerHeat": [
        "<polite> (turn|switch|put) {heat_state} <heat_obj>",
        "<polite> (turn|switch|put) <heat_obj> {heat_state}",
        "<heat_obj> {heat_state} <please>",
        ("<polite> (turn|switch) {heat_state} the (heat|heating|warmth) [on|of|for] <massager>"),
        # "turn the heat off on the massager": the state between the heat and the massager.
        "<polite> (turn|switch|put) [the] <heat_word> {heat_state} (on|of|for|in) <massager>",
    ],
    "SmartMassagerPause": [
        "<polite> (pause|hold|freeze) <massager> <which>",
        "<polite> put <massager> on (pause|hold)",
        "<polite> pause [the] massaging",
        "<polite> take a (break|pause) from <massager>",
    ],
    "SmartMassagerResume": [
        "<polite> (resume|continue|unpause|un pause|restart) <massager> <which>",
        "<polite> (continue|resume) massaging [me]",
        "<polite> (carry on|go on|keep going|go ahead) with <massager>",
        "<polite> take <massager> off (pause|hold)",
    ],
    "SmartMassagerStop": [
        "<polite> (stop|end|cancel|finish|halt|kill) <massager> <which>",
        "<polite> (turn|switch|shut) off <massager> [in [the] {area}]",
        "<polite> (turn|switch|shut) <massager> off [in [the] {area}]",
        "<polite> stop massaging [me]",
        "(that's|that is) enough [massage|massaging] [for (now|today)] [thanks|thank you]",
        "no more massage [please]",
        "<massager> off",
    ],
    "SmartMassagerTimeLeft": [
        (
            "how (long|much time|many minutes|much longer) [is|are] [there] [still] <left> "
            "(on|in|for|of) (<massager>|<named>)"
        ),
        "how much longer (on|for) (<massager>|<named>)",
        "how long (until|till|before) <massager> (ends|stops|finishes|is (done|over|finished))",
        "when (does|will) <massager> (end|stop|finish|be done|be over)",
        "when is <massager> (done|over|finished)",
        "how long (does|will) <massager> (last|run|go) [for] [still]",
        "time <left> (on|for|in) <massager>",
        "minutes <left> (on|for|in) <massager>",
        # Bare questions also ask Home Assistant's timers: answered by a running massage,
        # else handed to the timers (intent.py).
        {
            "sentences": [
                "[how much] time <left>",
                "[how many] minutes <left>",
                "how (long|much time|many minutes|much longer) [is|are] [there] [still] <left>",
                "how much longer",
            ],
            "slots": {"scope": "any"},
        },
    ],
    "SmartMassagerStatus": [
        "is <massager> [still|already] {activity} [right now|now]",
        "is <named> [still|already] {activity} [right now|now]",
        "are you [still] {activity} [me]",
        "what('s| is) <massager> doing [right now|now]",
        "what('s| is) the (status|state) of <massager>",
        "[the] (massage|massager) (status|state)",
    ],
    "SmartMassagerWhatProgram": [
        (
            "(what|which) (program|massage|mode|technique) is [<massager>|<named>] "
            "(running|doing|on|using|set to)"
        ),
        "(what|which) (program|massage|mode|technique) is (this|that|it)",
        "what am i getting",
    ],
}

# "is the massager running / off / paused": what a yes/no question asks about.
ACTIVITIES: dict[str, str] = {
    "running": "running",
    "on": "running",
    "going": "running",
    "working": "running",
    "active": "running",
    "massaging": "running",
    "off": "off",
    "stopped": "off",
    "idle": "off",
    "done": "off",
    "finished": "off",
    "paused": "paused",
    "on pause": "paused",
    "on hold": "paused",
}

HEAT_STATES: dict[str, str] = {"on": "on", "off": "off"}

RESPONSES: dict[str, str] = {
    "started": ("Started {program} on your {zone} for {minutes} minutes at intensity {intensity}."),
    "routine_started": "Starting {routine}: {steps} steps, {minutes} minutes.",
    "gentler": "Gentler: intensity {intensity} of {max}.",
    "firmer": "Firmer: intensity {intensity} of {max}.",
    "at_limit_gentle": "It is already as gentle as it goes: intensity {intensity}.",
    "at_limit_firm": "It is already as firm as it goes: intensity {intensity}.",
    "heat_on": "Heat is on.",
    "heat_off": "Heat is off.",
    "paused": "Paused the massage.",
    "resumed": "Resumed the massage.",
    "stopped": "Stopped the massage.",
    "time_left": "{minutes} minutes left.",
    "intensity_set": "Intensity {intensity} of {max}.",
    "status_running": (
        "It is running {program} on your {zone} at intensity {intensity}, {minutes} minutes left."
    ),
    "yes": "Yes. {summary}",
    "no": "No. {summary}",
    "time_left_paused": "Paused, with {minutes} minutes left.",
    "program_running": "{program} on your {zone}, intensity {intensity}.",
    "not_running": "No massage is running.",
    "unknown_program": "I don't know the program {value}. You can choose {allowed}.",
    "unknown_zone": "I can't massage {value}. You can choose {allowed}.",
    "invalid_intensity": "Intensity goes from {min} to {max}.",
    "invalid_minutes": "A session can be {min} to {max} minutes.",
    "heat_not_supported": "This massager has no heat.",
    "intensity_not_supported": "This massager has no intensity levels.",
    "no_zone_levels": "This massager's zones have no intensity of their own.",
    "zone_level_unknown": (
        "I can't tell the {zone} level right now, so I can't step it. Say a level instead."
    ),
    "session_active": 'A massage is already running. Say "stop the massage" first.',
    "ambiguous": "Which massager do you mean: {names}?",
    "no_massager": "I could not find that massager.",
    "not_ready": "{name} is not reachable right now.",
    "failed": "The massager did not do that: {error}",
    "or": " or ",
}

# Names for the reference catalogue's ids, so an answer does not switch language mid-sentence;
# other ids keep the device's name.
PROGRAM_NAMES: dict[str, str] = {}
ZONE_NAMES: dict[str, str] = {}
# Other forms of a zone's name people say ("am unteren Rücken").
ZONE_ALIASES: dict[str, list[str]] = {}
# What people call the zones that have levels of their own (a bed's head, foot and wave).
LEVEL_ZONE_WORDS: dict[str, list[str]] = {
    "head": ["head", "neck", "upper body"],
    "foot": ["foot", "feet", "legs", "leg", "calves"],
    "wave": ["wave", "lumbar"],
}
# A level zone's massage said in one word ("die Fußmassage").
ZONE_MASSAGE: dict[str, list[str]] = {}

ROUTINE_NAMES: dict[str, str] = {
    "evening_back_pain_relief": "evening back-pain relief",
    "quick_shoulder_release": "quick shoulder release",
    "lower_back_recovery": "lower-back recovery",
}
ROUTINE_ALIASES: dict[str, list[str]] = {
    "evening_back_pain_relief": ["evening back pain relief", "evening back pain", "evening"],
    "quick_shoulder_release": ["quick shoulder release", "shoulder release"],
    "lower_back_recovery": ["lower back recovery", "recovery"],
}

# Whether a zone's id reads as words too ("lower_back" as "lower back").
ZONE_IDS_SPOKEN = True
# Parts of a routine's name too plain to name it alone.
FILLER: frozenset[str] = frozenset({"for", "the", "routine"})
# Words a wildcard program name can never be ("start a massage" names no program).
NOT_A_PROGRAM: frozenset[str] = frozenset(
    {"a", "an", "the", "some", "my", "me", "one", "another", "quick", "short", "long", "new"}
)
