"""Ways reporting names a topic without the taxonomy's keywords ("a pledge of tanks", "budget
support from the bloc"), for the topic slugs of the timeline's taxonomy.

Each is a regular expression matched, case-insensitively, on word boundaries. They are the
tagger's second source after the configured keywords; a taxonomy without a slug ignores its
entry. Keep them specific: a phrase here must name the topic in nearly every sentence it fits.
"""

from __future__ import annotations

GIVE = (r"(?:pledg\w*|promis\w*|deliver\w*|donat\w*|hand(?:s|ed|ing)?\s+over|supplie[sd]|supply|"
        r"supplying|provid\w*|sen(?:d|ds|ding|t)|gave\s+(?:ukraine|kyiv)|"
        r"transfer\w*|ship(?:s|ped|ping)?|approv\w*|earmark\w*|unveil\w*|commit\w*|offer\w*|"
        r"paid\s+out|pays?\s+out|paying\s+out|disburs\w*|releas\w*|allocat\w*)")
MATERIEL = (r"(?:tanks?|jets?|fighter\s+jets?|warplanes?|weapons?|arms|ammunition|shells|"
            r"air[- ]defen[cs]e\s+systems?|launchers?|howitzers?|armou?red\s+vehicles|vehicles|"
            r"equipment|generators|transformers|loans?|grants?|tranches?|billion|million)")

PARAPHRASES: dict[str, tuple[str, ...]] = {
    "aid": (
        rf"{GIVE}\b(?:[^.;]|\.(?=\d)){{0,60}}?\b{MATERIEL}",  # "1.5 billion": a decimal point
        r"(?:budget|budgetary|financial|macro-?financial|military|humanitarian|security|"
        r"economic|winter)\s+(?:support|assistance|help)",
        r"(?:aid|assistance|support|weapons|arms|military|ammunition|defen[cs]e)\s+packages?",
        r"packages?\s+(?:of|worth)(?!\s+(?:sanctions|measures|reforms|restrictions))",
        r"(?:weapons?|arms|tanks?|air[- ]defen[cs]e|ammunition|military|jets?)\s+deliver(?:y|ies)",
        r"lend-lease", r"tranches?\s+of",
        r"(?:ramstein|contact group)\b[^.;]{0,40}\b(?:donors?|allies)",
    ),
    "casualties": (r"kill(?:s|ing)", r"died", r"dies", r"dead", r"deaths", r"lost\s+their\s+lives",
                   r"death\s+toll", r"injur(?:y|ies|ing)", r"hurt", r"bodies"),
    "strikes": (r"struck(?!\s+(?:a|an|the)\s+(?:deal|agreement|note|balance|chord|tone))",
                r"strikes?\s+(?:on|at|hit)", r"air\s?strikes?", r"bomb(?:s|ed|ing)",
                r"explosions?", r"blasts?", r"cruise\s+missiles?", r"ballistic",
                r"shells?\s+(?:hit|fell)"),
    "energy-grid": (r"power\s+(?:station|stations|lines?|plants?)", r"substations?",
                    r"without\s+(?:power|light|heat)", r"lights?\s+(?:went|go|going)\s+out",
                    r"grid", r"heating\s+plants?", r"emergency\s+(?:shutdowns?|power cuts)"),
    "air-defence": (r"(?:shoot|shoots|shooting|shot)\s+(?:\w+\s+){0,3}down", r"interceptors?",
                    r"intercept(?:s|ing|ion)",
                    r"patriot\s+(?:systems?|batter\w+)",
                    r"iris-t", r"nasams", r"anti-aircraft", r"air[- ]defen[cs]e"),
    "drones": (r"unmanned", r"quadcopters?", r"loitering\s+munitions?", r"attack\s+drones?"),
    "diplomacy": (r"negotiat\w+", r"envoys?", r"ceasefire", r"truce", r"foreign\s+ministers",
                  r"(?:met|meets|meeting)\s+(?:with\s+)?(?:his|her|their)\s+\w+\s+counterparts?",
                  r"summit\w*", r"delegations?",
                  r"(?:met|meets|meeting|hosted|hosts|hosting|welcomed)\s+(?:with\s+)?(?:the\s+)?"
                  r"(?:\w+\s+)?(?:leaders?|presidents?|prime\s+ministers?|chancellor|counterparts?)",
                  r"sign(?:ed|s|ing)?\s+(?:an?|the)\s+(?:\w+\s+){0,2}(?:agreement|accord|treaty|"
                  r"memorandum)",
                  r"ministers\s+(?:will\s+|are\s+to\s+|are\s+due\s+to\s+)?(?:meet|met|meeting)"),
    "frontline": (r"counter-?offensive", r"(?<!in\s)front(?!\s+(?:of|door|page|desk))",
                  r"recaptur\w+", r"retook", r"retak\w+", r"trenches",
                  r"pushed\s+\w+\s+(?:troops|forces)\s+back",
                  r"(?:troops|forces|units)\s+(?:advanced|pushed|withdrew|retreated)"),
    "belarus": (r"lukashenka",),
    "civilian-life": (r"schools?", r"volunteers?", r"evacuat\w+", r"pensioners?", r"children"),
    "economy": (r"inflation", r"exports?", r"central\s+bank", r"gdp", r"budget\s+deficit",
                r"grain\s+(?:prices|exports)", r"oil\s+prices?", r"tariffs?"),
    "nuclear": (r"iaea", r"atomic", r"reactors?", r"warheads?"),
    "military-command": (r"mobili[sz]ation", r"conscription",
                         r"commander-in-chief",
                         r"defen[cs]e\s+minister\s+\w+\s+(?:sacked|dismissed)"),
}
