"""The words a report's reader meets, defined once for all reports, and one name per target group.

:data:`TERMS` holds the definitions the section "Begrippen" shows (:func:`evaluatie.publish.report.glossary`):
plain Dutch for a board member, one or two sentences, no formulas. A report lists the terms it
uses; a term only one report needs is passed there as ``extra``.

:func:`target_group_name` gives the Flemish government's one name for each of its target groups
(kansengroepen), whatever variant a data file or an older source uses, so the streefcijfers report
and the survey report call a group the same. A user's own group names are returned unchanged.
"""

from __future__ import annotations

import re

__all__ = ["TERMS", "SIGN_CONVENTION", "TARGET_GROUPS", "target_group_name", "target_group_label", "with_definitions"]

#: The one sign convention for gaps, stated once in each report that shows a gap.
SIGN_CONVENTION = "kloof = referentie − groep, in procentpunt; positief = nadeel voor de groep"

TERMS: dict[str, str] = {
    "kloof": ("Het verschil tussen de referentie (de vergelijkingsgroep of het streefcijfer) en de groep, "
              "in procentpunt: referentie min groep. Een positieve kloof is een nadeel voor de groep, "
              "een negatieve een voordeel."),
    "procentpunt": ("Het verschil tussen twee percentages: van 12% naar 15% is 3 procentpunt (pp) meer, "
                    "of 25% meer in relatieve termen."),
    "betrouwbaarheidsinterval": ("Het gebied waarbinnen de echte waarde met {zekerheid} zekerheid ligt, gegeven "
                                 "het toeval in wie er in de steekproef of de test zat. Hoe kleiner de "
                                 "groep, hoe breder het betrouwbaarheidsinterval."),
    "p-waarde": ("De kans om een verschil van deze omvang of groter te zien als er in werkelijkheid geen "
                 "verschil is. Een kleine p-waarde (onder 0,05) maakt toeval als verklaring onwaarschijnlijk."),
    "significant": ("Een verschil heet (statistisch) significant als toeval het niet aannemelijk verklaart "
                    "(p-waarde onder 0,05). Het zegt niets over hoe groot of belangrijk het verschil is."),
    "relatieve kans": ("De kans op een positieve reactie voor de groep gedeeld door die voor de referentie: "
                       "0,80 betekent dat de groep 20% minder kans heeft, 1 betekent gelijke kansen."),
    "kansverhouding (odds ratio)": ("Een andere maat voor hetzelfde verschil, gebruikt in het statistische "
                                    "model: de verhouding van de 'odds' (kans op wel gedeeld door kans op "
                                    "niet) van de groep en de referentie. 1 betekent gelijke kansen; onder 1 "
                                    "is een nadeel. Ze ligt verder van 1 dan de relatieve kans."),
    "netto discriminatie": ("Van de vacatures waar minstens één van beide kandidaten een positieve reactie "
                            "kreeg: het aandeel waar alleen de referentiekandidaat er een kreeg, min het aandeel "
                            "waar alleen de kandidaat uit de groep er een kreeg."),
    "positieve reactie": ("Elke reactie van de werkgever die de kandidaat verder brengt: een uitnodiging "
                          "voor een gesprek, een vraag om meer informatie of een telefoontje."),
    "vacature": ("Op één vacature solliciteerden kandidaten die alleen verschillen in het kenmerk dat "
                 "wordt onderzocht."),
    "praktijktest": ("Een test waarbij op echte vacatures gelijkwaardige, fictieve kandidaten solliciteren "
                     "die alleen verschillen in één kenmerk, om discriminatie bij aanwerving te meten."),
    "nulmeting": "De eerste meting, waarmee latere metingen worden vergeleken.",
    "vervolgmeting": "Een latere meting met dezelfde opzet, om te zien of de toestand veranderde.",
    "onderscheidingsvermogen (power)": ("De kans dat de test een verschil van een bepaalde omvang aantoont "
                                        "als het echt bestaat. Gebruikelijk is 80%."),
    "meetreeks": ("Opeenvolgende jaren die op dezelfde manier zijn gemeten en dus onderling vergelijkbaar "
                  "zijn."),
    "breuk in de meetreeks": ("Een jaar waarin de manier van meten veranderde (een andere bron of "
                              "definitie). Cijfers voor en na de breuk zijn niet zonder meer vergelijkbaar."),
    "streefcijfer": "Het aandeel van een kansengroep in het personeel dat tegen een bepaald jaar bereikt moet zijn.",
    "projectie": ("Waar het aandeel uitkomt als de trend van de voorbije jaren van de meetreeks zich "
                  "doorzet. Geen voorspelling van beleid."),
    "voorspellingsinterval": ("Het gebied waarbinnen een toekomstige waarde met {zekerheid} zekerheid valt als de "
                              "trend zich doorzet; breder dan een betrouwbaarheidsinterval, omdat ook de "
                              "schommelingen van jaar tot jaar meetellen."),
    "kansengroep": ("Een groep die op de arbeidsmarkt minder kansen krijgt, zoals personen van buitenlandse "
                    "herkomst, personen met een handicap of kortgeschoolden. Een organisatie kan voor zulke groepen "
                    "streefcijfers vastleggen."),
    "gewogen schatting": ("Een schatting waarin elke respondent meetelt naar het aantal mensen of "
                          "organisaties dat hij vertegenwoordigt, zodat de uitkomst geldt voor de hele "
                          "populatie en niet alleen voor wie antwoordde."),
    "weging": ("Het toekennen van een gewicht aan elke respondent, zodat de respons dezelfde verdeling heeft "
               "als de populatie (bijvoorbeeld naar sector of grootte)."),
    "weet niet": ("Antwoorden als 'weet niet' en 'niet van toepassing' tellen niet mee in de percentages: "
                  "die gaan over wie een mening gaf. Hoeveel mensen zo antwoordden, staat erbij."),
    "uitvoeringsgraad": "Het deel van het begrote bedrag dat werkelijk werd uitgegeven, in procent.",
    "onderbesteding": ("Een afgesloten begrotingsjaar waarin minder werd uitgegeven dan begroot. Voor een jaar "
                       "dat nog loopt spreekt dit rapport van 'nog niet volledig besteed'."),
    "werkdagen": "De inzet van medewerkers, in dagen van een voltijdse werkdag.",
}

#: The Flemish government's names of its target groups, and the variants found in sources and data
#: (compared case-insensitively, spaces and hyphens collapsed).
TARGET_GROUPS: dict[str, tuple[str, ...]] = {
    "personen van buitenlandse herkomst": (
        "buitenlandse herkomst", "personen van buitenlandse herkomst", "allochtonen", "allochtoon",
        "allochtone personen", "migratieachtergrond", "personen met een migratieachtergrond",
    ),
    "personen met een handicap": (
        "handicap", "personen met een handicap", "personen met een arbeidshandicap", "arbeidshandicap",
        "personen met een handicap of chronische ziekte",
    ),
    "kortgeschoolden": (
        "kortgeschoold", "kortgeschoolde", "kortgeschoolden", "kortgeschoolde personen", "laaggeschoold",
        "laaggeschoolde", "laaggeschoolden",
    ),
    "vrouwen": ("vrouw", "vrouwen"),
}

_VARIANTS = {v: name for name, variants in TARGET_GROUPS.items() for v in variants}


def _key(label: str) -> str:
    return re.sub(r"[\s\-_]+", " ", str(label)).strip().casefold()


def target_group_name(label):
    """The one name of a Flemish target group for ``label`` (any known variant, any case):
    ``"Laaggeschoolden"`` → ``"kortgeschoolden"``. A label that names no target group is
    returned as it is, so a user's own groups keep their names."""
    if not isinstance(label, str):
        return label
    return _VARIANTS.get(_key(label), label)


def target_group_label(label):
    """:func:`target_group_name` with the label's capital kept, as a table or figure shows it:
    ``"Personen met een arbeidshandicap"`` → ``"Personen met een handicap"``; any other label as it is."""
    name = target_group_name(label)
    if name == label or not isinstance(label, str):
        return label
    return name[:1].upper() + name[1:] if label[:1].isupper() else name


def with_definitions(terms: list[str], own: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """A report's glossary terms and the definitions of those only it defines (``own``), the
    arguments of :func:`evaluatie.publish.report.glossary`."""
    return terms, {t: own[t] for t in terms if t in own}
