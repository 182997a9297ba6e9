"""German: what people say to a massager, and what it says back."""

from __future__ import annotations

from .language import Sentences

# hassil expansion rules: the parts sentences are built from (see __init__.py for the rules of
# thumb that keep other devices safe).
RULES: dict[str, str] = {
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
}

# A sentence, or a block of sentences with fixed slot values.
SENTENCES: dict[str, Sentences] = {
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
        ("<kannst> (mach|mache|stelle|stell) <zonen_massage> <etwas> <fester> <um_stufen> <bitte>"),
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
}

# "is the massager running / off / paused": what a yes/no question asks about.
ACTIVITIES: dict[str, str] = {
    "an": "running",
    "eingeschaltet": "running",
    "aktiv": "running",
    "aus": "off",
    "fertig": "off",
    "pausiert": "paused",
}

HEAT_STATES: dict[str, str] = {"ein": "on", "an": "on", "aus": "off"}

RESPONSES: dict[str, str] = {
    "started": "{program} am {zone} für {minutes} Minuten mit Stufe {intensity} gestartet.",
    "routine_started": "Starte {routine}: {steps} Schritte, {minutes} Minuten.",
    "gentler": "Sanfter: Stufe {intensity} von {max}.",
    "firmer": "Fester: Stufe {intensity} von {max}.",
    "at_limit_gentle": "Sanfter geht es nicht: Stufe {intensity}.",
    "at_limit_firm": "Fester geht es nicht: Stufe {intensity}.",
    "heat_on": "Wärme ist an.",
    "heat_off": "Wärme ist aus.",
    "paused": "Massage pausiert.",
    "resumed": "Massage fortgesetzt.",
    "stopped": "Massage gestoppt.",
    "time_left": "Noch {minutes} Minuten.",
    "intensity_set": "Stufe {intensity} von {max}.",
    "status_running": (
        "Es läuft {program} am {zone} mit Stufe {intensity}, noch {minutes} Minuten."
    ),
    "yes": "Ja. {summary}",
    "no": "Nein. {summary}",
    "time_left_paused": "Pausiert, noch {minutes} Minuten.",
    "program_running": "{program} am {zone}, Stufe {intensity}.",
    "not_running": "Es läuft keine Massage.",
    "unknown_program": "Das Programm {value} kenne ich nicht. Möglich sind {allowed}.",
    "unknown_zone": "{value} kann ich nicht massieren. Möglich sind {allowed}.",
    "invalid_intensity": "Die Stufe geht von {min} bis {max}.",
    "invalid_minutes": "Eine Sitzung dauert {min} bis {max} Minuten.",
    "heat_not_supported": "Dieses Massagegerät hat keine Wärme.",
    "intensity_not_supported": "Dieses Massagegerät hat keine Intensitätsstufen.",
    "no_zone_levels": "Die Zonen dieses Massagegeräts haben keine eigene Stufe.",
    "zone_level_unknown": (
        "Die Stufe für {zone} ist gerade nicht bekannt, deshalb kann ich sie nicht "
        "schrittweise ändern. Nenne bitte eine Stufe."
    ),
    "session_active": 'Es läuft schon eine Massage. Sage zuerst "stoppe die Massage".',
    "ambiguous": "Welches Massagegerät meinst du: {names}?",
    "no_massager": "Ich habe dieses Massagegerät nicht gefunden.",
    "not_ready": "{name} ist gerade nicht erreichbar.",
    "failed": "Das Massagegerät hat das nicht gemacht: {error}",
    "or": " oder ",
}

# Names for the reference catalogue's ids, so an answer does not switch language mid-sentence;
# other ids keep the device's name.
PROGRAM_NAMES: dict[str, str] = {
    "warm_up_glide": "Aufwärm-Streichen",
    "palm_circles": "Handflächenkreise",
    "finger_press": "Fingerdruck",
    "thumb_glide": "Daumenstreichen",
    "trigger_point": "Triggerpunkt",
    "ball_roll": "Ballrollen",
    "kneading": "Kneten",
    "shiatsu": "Shiatsu",
    "tapping": "Klopfen",
    "rolling": "Rollen",
}
ZONE_NAMES: dict[str, str] = {
    "shoulders": "Schultern",
    "upper_back": "oberer Rücken",
    "lower_back": "unterer Rücken",
    "full_back": "ganzer Rücken",
    "head": "Kopf",
    "foot": "Füße",
    "wave": "Lendenbereich",
}
# Other forms of a zone's name people say ("am unteren Rücken").
ZONE_ALIASES: dict[str, list[str]] = {
    "shoulders": ["schultern", "schulter"],
    "upper_back": ["oberen rücken", "oberer rücken"],
    "lower_back": ["unteren rücken", "unterer rücken"],
    "full_back": ["ganzen rücken", "ganzer rücken", "rücken"],
}
# What people call the zones that have levels of their own (a bed's head, foot and wave).
LEVEL_ZONE_WORDS: dict[str, list[str]] = {
    "head": ["kopf", "nacken", "oberkörper"],
    "foot": ["fuß", "füße", "füßen", "fuss", "füsse", "beine", "beinen", "waden"],
    "wave": ["welle", "lende", "lenden"],
}
# A level zone's massage said in one word ("die Fußmassage").
ZONE_MASSAGE: dict[str, list[str]] = {
    "head": ["kopfmassage", "nackenmassage"],
    "foot": ["fußmassage", "fussmassage", "beinmassage"],
    "wave": ["wellenmassage", "lendenmassage"],
}

ROUTINE_NAMES: dict[str, str] = {
    "evening_back_pain_relief": "Abendliche Rückenentlastung",
    "quick_shoulder_release": "Schnelle Schulterlockerung",
    "lower_back_recovery": "Erholung für den unteren Rücken",
}
ROUTINE_ALIASES: dict[str, list[str]] = {
    "evening_back_pain_relief": ["abendliche rückenentlastung", "abendroutine"],
    "quick_shoulder_release": ["schnelle schulterlockerung", "schulterlockerung"],
    "lower_back_recovery": ["erholung für den unteren rücken", "erholung"],
}

# Whether a zone's id reads as words too ("lower_back" as "lower back").
ZONE_IDS_SPOKEN = False
# Parts of a routine's name too plain to name it alone.
FILLER: frozenset[str] = frozenset({"den", "für", "der", "die", "routine"})
# Words a wildcard program name can never be ("start a massage" names no program).
NOT_A_PROGRAM: frozenset[str] = frozenset(
    {"eine", "ein", "die", "der", "das", "meine", "mir", "etwas", "kurze", "lange", "neue"}
)
