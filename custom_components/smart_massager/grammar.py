"""The voice grammar: what people say to a massager, as hassil expansion rules and sentences.

Designed as a grammar, not a list: for each intent the verbs people use, the objects (the
massage, the massager, "it" where it cannot mean another device, the device's name, nothing),
politeness, and the details (zone, minutes, intensity) in any order. The lists ({program}, {zone},
{routine}, ...) are filled from the loaded massagers by sentences.py.

Rules of thumb that keep other devices safe: a generic verb ("turn off", "switch on", "stop",
"pause") needs a massage word next to it, never a bare {name}, which would match any device; "it"
only goes with massage-only verbs ("make it stronger"); heat always names the massage, so
"turn on the heat" stays the thermostat's.
"""

from __future__ import annotations

RULES: dict[str, dict[str, str]] = {
    "en": {
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
    },
    "de": {
        "bitte": "[bitte] [mal] [jetzt]",
        "kannst": "[(kannst|könntest) du] [bitte] [mal]",
        "noun": (
            "(massage|massagegerät|massager|massagesessel|massagekissen|massagestuhl|bettmassage)"
        ),
        # One level zone's massage, one word in German: "die Fußmassage".
        "zonen_massage": "[die|meine] {zone_massage:zone}",
        "massager": "[die|der|das|den|dem|meine|mein|meinen|meiner] <noun>",
        "es_oder_massager": "(sie|es|ihn|<massager>)",
        "named": "[die|der|das|den|dem] {name}",
        "which": "[(auf|an|bei|mit|von) (<massager>|<named>)] [im {area}]",
        "zone_part": (
            "(am|an [den|die|der|meinen|meine|meiner]|auf [dem|den|die|meinem|meinen]|"
            "für [den|die|meinen|meine]|im|beim) {zone}"
        ),
        "minuten": "(minute|minuten|min)",
        "time_part": "[für|lang] {minutes} <minuten> [lang]",
        "stufe": "(stufe|intensität|stärke|level)",
        "level_part": "(auf|mit|in) [der] <stufe> {intensity}",
        "details": "([<zone_part>];[<time_part>];[<level_part>])",
        "artikel": "(eine|die|ein|einen|etwas|meine)",
        "starte": "(starte|beginne|start|mach|mache|gib mir|spiel|spiele)",
        "will": "(ich (will|möchte|hätte gern|hätte gerne|brauche)|gönn mir)",
        "um_stufen": "[um {levels} [stufe|stufen]]",
        "etwas": "[etwas|ein bisschen|ein wenig|ein klein wenig|viel|noch]",
        "sanfter": "(sanfter|schwächer|leichter|weicher|zarter|weniger fest|weniger stark)",
        "fester": "(fester|stärker|kräftiger|intensiver|härter|tiefer)",
        "waerme": "(wärme|heizung|wärmefunktion)",
        "waerme_obj": (
            "((die|meine) massagewärme|massagewärme|massageheizung|"
            "[die|meine] <waerme> (der|des|am|an der|beim|vom) <noun>)"
        ),
    },
}

# A sentence, or a block of sentences with fixed slot values ("läuft die Massage?" asks
# activity=running without saying it).
type Sentences = list[str | dict[str, object]]

SENTENCES: dict[str, dict[str, Sentences]] = {
    "en": {
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
            (
                "<polite> (<start>|<want>) [<article>] {minutes} <minutes_word> [long] massage "
                "<details>"
            ),
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
            (
                "<polite> (set|put|change|switch) <it_or_massager> (to|on|at) [<level_word>] "
                "{intensity}"
            ),
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
            (
                "<polite> (turn|dial|bring) [the] (massage|massager|intensity|pressure) down "
                "<by_levels>"
            ),
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
            (
                "<polite> (turn|crank|bring) [the] (massage|massager|intensity|pressure) up "
                "<by_levels>"
            ),
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
            (
                "<polite> (turn|switch) {heat_state} the (heat|heating|warmth) [on|of|for] "
                "<massager>"
            ),
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
    },
    "de": {
        "SmartMassagerStartProgram": [
            "<kannst> <starte> [<artikel>] {program} [massage|programm] <details> <which> <bitte>",
            "<will> [<artikel>] {program} [massage] <details> <bitte>",
            # Zone first: "massiere meine Schultern [mit Klopfen]".
            (
                "<kannst> massiere [mir] [meine|meinen|den|die|mein] {zone} "
                "[mit {program}] <details> <bitte>"
            ),
            "<kannst> massiere mich <details> <bitte>",
            # Verb last after a modal: "kannst du (bitte) eine Massage starten".
            "<kannst> [<artikel>] {program} [massage|programm] <details> (starten|beginnen|machen)",
            "<kannst> [<artikel>] [kurze|lange] massage <details> (starten|beginnen|machen)",
            "<kannst> [mir] [meine|meinen|den|die|mein] {zone} <details> massieren",
            "<kannst> mich <details> massieren",
            (
                "(<starte>|<will>) [<artikel>] massage (für|an|am) [den|die|meine|meinen] {zone} "
                "[mit {program}] <details>"
            ),
            # No program: the massager's own.
            (
                "<kannst> (<starte>|<will>) [<artikel>] [kurze|lange|schnelle] massage <details> "
                "<which> <bitte>"
            ),
            "<kannst> (schalte|mach|mache) <massager> (an|ein) <details> [im {area}]",
            "<massager> (an|ein|starten) <bitte>",
            "<kannst> starte <massager> <details>",
            "<kannst> <starte> [<artikel>] {program_name} massage <details>",
        ],
        "SmartMassagerRunRoutine": [
            (
                "<kannst> (starte|beginne|mach|mache|führe) [die|meine] {routine} [routine] "
                "[aus|durch] <bitte>"
            ),
            "<will> [die|meine] {routine} [routine]",
            "[die] {routine} routine <bitte>",
        ],
        "SmartMassagerSetIntensity": [
            (
                "<kannst> (stelle|stell|setze|setz) [<massager>] [die] [massage] <stufe> auf "
                "{intensity} [ein]"
            ),
            (
                "<kannst> (stelle|stell|setze|setz|mach|mache) <es_oder_massager> auf [<stufe>] "
                "{intensity} [ein]"
            ),
            "[massage] <stufe> {intensity} <bitte>",
        ],
        "SmartMassagerGentler": [
            (
                "<kannst> (mach|mache|stelle|stell) <zonen_massage> <etwas> <sanfter> <um_stufen> "
                "<bitte>"
            ),
            "<zonen_massage> <etwas> <sanfter> <um_stufen> <bitte>",
            "<kannst> (mach|mache) <es_oder_massager> <etwas> <sanfter> <um_stufen> <bitte>",
            "<kannst> (mach|mache) <es_oder_massager> um {levels} [stufe|stufen] <sanfter>",
            "<massager> um {levels} [stufe|stufen] <sanfter>",
            "<kannst> <es_oder_massager> <etwas> <sanfter> (machen|stellen)",
            "<massager> <etwas> <sanfter> <um_stufen> <bitte>",
            "<etwas> <sanfter> <bitte> <um_stufen>",
            (
                "<kannst> (verringere|reduziere|senke|verringer|reduzier|senk) [die] "
                "(massageintensität|intensität|stärke|stufe|druck|den druck) <um_stufen>"
            ),
            "weniger druck <bitte>",
            "<massager> ist [etwas|viel] zu (fest|stark|hart|intensiv)",
            "(das ist|es ist|das|es) [etwas|viel] zu (fest|stark|hart|intensiv)",
            "nicht so (fest|stark|hart) <bitte>",
        ],
        "SmartMassagerFirmer": [
            (
                "<kannst> (mach|mache|stelle|stell) <zonen_massage> <etwas> <fester> <um_stufen> "
                "<bitte>"
            ),
            "<zonen_massage> <etwas> <fester> <um_stufen> <bitte>",
            "<kannst> (mach|mache) <es_oder_massager> <etwas> <fester> <um_stufen> <bitte>",
            "<kannst> (mach|mache) <es_oder_massager> um {levels} [stufe|stufen] <fester>",
            "<massager> um {levels} [stufe|stufen] <fester>",
            "<kannst> <es_oder_massager> <etwas> <fester> (machen|stellen)",
            "<massager> <etwas> <fester> <um_stufen> <bitte>",
            "<etwas> <fester> <bitte> <um_stufen>",
            (
                "<kannst> (erhöhe|steigere|erhöh) [die] "
                "(massageintensität|intensität|stärke|stufe|den druck) <um_stufen>"
            ),
            "mehr druck <bitte>",
            "<massager> ist [etwas|viel] zu (sanft|schwach|leicht)",
            "(das ist|es ist|das|es) [etwas|viel] zu (sanft|schwach|leicht)",
            "ich spüre [(sie|es|die massage)] kaum",
        ],
        "SmartMassagerHeat": [
            "<kannst> (schalte|schalt|mach|mache|stelle) <waerme_obj> {heat_state} <bitte>",
            "<waerme_obj> {heat_state} <bitte>",
            (
                "<kannst> (schalte|schalt|mach|mache) [die] <waerme> (am|an der|beim) <noun> "
                "{heat_state}"
            ),
        ],
        "SmartMassagerPause": [
            "<kannst> (pausiere|unterbrich|pausier|halte) <massager> [an] <which> <bitte>",
            "<kannst> <massager> (pausieren|unterbrechen|anhalten)",
            "<massager> (pausieren|anhalten|unterbrechen) <bitte>",
            "(mach|mache) [mal] [eine] pause [mit|bei] [der] massage",
            "pause [bei der massage|mit der massage]",
        ],
        "SmartMassagerResume": [
            "<kannst> (setze|setz|führe|führ) <massager> fort <bitte>",
            "<kannst> <massager> (fortsetzen|weiterlaufen lassen)",
            "<massager> (fortsetzen|weiter|weitermachen|weiterlaufen lassen) <bitte>",
            "(mach|mache|fahre|fahr) [bitte] mit der massage weiter",
            "<kannst> weiter massieren <bitte>",
            "(massiere|massier) weiter <bitte>",
        ],
        "SmartMassagerStop": [
            "<kannst> (stoppe|stopp|beende|beend) <massager> <which> <bitte>",
            "<kannst> <massager> (stoppen|beenden|ausschalten|ausmachen|abschalten)",
            "<kannst> (schalte|schalt|mach|mache) <massager> aus [im {area}] <bitte>",
            "<massager> (aus|beenden|stoppen|abschalten|ausschalten) <bitte>",
            "hör auf zu massieren",
            "(genug|schluss mit der) massage [für heute] [danke]",
            "genug massiert [danke]",
        ],
        "SmartMassagerTimeLeft": [
            "wie lange (läuft|dauert|geht) <massager> [noch]",
            "wie lange (läuft|dauert|geht) [noch] <named>",
            (
                "wie (viele minuten|viel zeit|lange) (ist|sind|bleibt|bleiben) [es] noch "
                "[bei|auf|von] <massager>"
            ),
            "wann ist <massager> (fertig|zu ende|vorbei|aus)",
            "wann (endet|hört) <massager> [auf]",
            "[wie viel] restzeit der massage",
            # Bare questions also ask Home Assistant's timers (see the English ones).
            {
                "sentences": [
                    "wie lange [dauert|läuft|geht] [es] noch",
                    "wie viel zeit (ist|bleibt) [es] noch",
                    "wie viele minuten (sind|bleiben) [es] noch",
                    "[wie viel] restzeit",
                ],
                "slots": {"scope": "any"},
            },
        ],
        "SmartMassagerStatus": [
            "(läuft|ist) <massager> [noch|gerade|schon] {activity}",
            # "Läuft die Massage (noch)?" asks whether it runs.
            {
                "sentences": ["läuft <massager> [noch|gerade|schon]", "läuft [noch] <named>"],
                "slots": {"activity": "running"},
            },
            "was macht <massager> [gerade]",
            "wie ist der (status|zustand) (der|des|vom) <noun>",
            "(massage|massagegerät) status",
        ],
        "SmartMassagerWhatProgram": [
            "welches (programm|massageprogramm|technik) läuft [gerade] [auf <massager>]",
            "welche (massage|technik) läuft [gerade]",
            "was für eine massage läuft [gerade]",
        ],
    },
}

# "is the massager running / off / paused": what a yes/no question asks about.
ACTIVITIES: dict[str, dict[str, str]] = {
    "en": {
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
    },
    "de": {
        "an": "running",
        "eingeschaltet": "running",
        "aktiv": "running",
        "aus": "off",
        "fertig": "off",
        "pausiert": "paused",
    },
}

# Words a wildcard program name can never be ("start a massage" names no program).
NOT_A_PROGRAM = frozenset(
    {"a", "an", "the", "some", "my", "me", "one", "another", "quick", "short", "long", "new"}
    | {"eine", "ein", "die", "der", "das", "meine", "mir", "etwas", "kurze", "lange", "neue"}
)
