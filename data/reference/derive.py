"""Derive the project's own copy of the reference data from ``../shared/reference/``.

Run once when the shared research changes (``python data/reference/derive.py``), review the
diff, commit the CSVs. The loader (``manage.py load_reference_data``) reads only the CSVs
in this folder, so a deployment never depends on the research folder. What was decided
along the way (codes, mappings, exclusions) is documented in ``docs/data-sources.md``.
"""

import csv
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SHARED = ROOT.parent / "shared" / "reference"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()
from django.utils import translation  # noqa: E402
from django_countries import countries  # noqa: E402

# Names django-countries (ISO 3166 English short names) does not match by name.
ISO3_ALIASES = {
    "Democratic People's Republic of Korea": "PRK",
    "Republic of Korea": "KOR",
    "Republic of Moldova": "MDA",
    "United Republic of Tanzania": "TZA",
    "State of Palestine": "PSE",
}
# The European Union has no ISO 3166-1 alpha-3 code; EUU is the code the World Bank and
# several UN statistical datasets use for it.
EU_CODE = "EUU"
GROUPS = {
    "African States": "african",
    "Asia-Pacific States": "asia-pacific",
    "Eastern European States": "eastern-european",
    "Latin American and Caribbean States": "latin-american-caribbean",
    "Western European and other States": "western-european-others",
}


# State names in French, Spanish and Arabic come from CLDR through django-countries. Where its
# entry is an inverted ISO list form ("Palestine, État de"), a misspelling or not the UN's usage,
# the UN short name in that language replaces it (the project's own choice, docs/decisions.md
# D-13-1). The European Union is not a country in CLDR: its names are the EU's own.
NAME_LANGUAGES = ("fr", "es", "ar")
NAME_OVERRIDES = {
    "CZE": {"fr": "Tchéquie"},
    "TUR": {"fr": "Türkiye", "es": "Türkiye"},
    "PSE": {"fr": "État de Palestine", "ar": "دولة فلسطين"},
    "SWZ": {"fr": "Eswatini", "es": "Eswatini"},
    "FSM": {"fr": "Micronésie", "es": "Micronesia", "ar": "ميكرونيسيا"},
    "SAU": {"ar": "المملكة العربية السعودية"},
    "ZAF": {"ar": "جنوب أفريقيا"},
    "TZA": {"ar": "تنزانيا"},
    "CIV": {"es": "Côte d'Ivoire", "ar": "كوت ديفوار"},
    EU_CODE: {"fr": "Union européenne", "es": "Unión Europea", "ar": "الاتحاد الأوروبي"},
}


def translated_names(code):
    names = {}
    alpha2 = countries.alpha2(code) if code != EU_CODE else None
    for language in NAME_LANGUAGES:
        override = NAME_OVERRIDES.get(code, {}).get(language)
        if override:
            names[f"name_{language}"] = override
            continue
        with translation.override(language):
            names[f"name_{language}"] = str(countries.name(alpha2)) if alpha2 else ""
    return names


def read(name):
    with open(SHARED / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write(name, fieldnames, rows):
    with open(HERE / name, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{name}: {len(rows)} rows")


def iso3(name, official=""):
    if name in ISO3_ALIASES:
        return ISO3_ALIASES[name]
    alpha2 = countries.by_name(name) or countries.by_name(official)
    if not alpha2:
        raise SystemExit(f"No ISO code for {name!r}: add it to ISO3_ALIASES")
    return countries.alpha3(alpha2)


def first_url(text):
    match = re.search(r"https?://\S+", text or "")
    return match.group(0).rstrip(";,)") if match else ""


def states():
    notes = {}
    for row in read("un_regional_groups.csv"):
        if row["note"]:
            notes.setdefault(row["country"], []).append(row["note"])
    rows, code_by_name = [], {}
    for row in read("un_member_states.csv"):
        code = iso3(row["country"], row["official_name"])
        code_by_name[row["country"]] = code
        kind = "member" if row["status"] == "UN Member State" else "observer"
        group_text = row["regional_group"]
        note = " ".join(dict.fromkeys(notes.get(row["country"], [])))
        if row["country"] == "Türkiye":
            # Listed in both groups; counts as WEOG for electoral purposes (ask.un.org 14521).
            group = GROUPS["Western European and other States"]
        elif group_text.endswith("(observer)"):
            group = GROUPS[group_text.removesuffix(" (observer)")]
        else:
            group = GROUPS.get(group_text, "")
        rows.append(
            {
                "code": code,
                "name": row["country"],
                **translated_names(code),
                "official_name": row["official_name"],
                "kind": kind,
                "regional_group": group,
                "regional_group_note": note,
                "un_member_since": row["admission_date"],
                "observer_since": row["observer_status_since"],
                "name_note": row["name_note"]
                if not row["name_note"].startswith("verified")
                else "",
                "source": row["source"]
                + (
                    f" Admission date cross-check: {row['admission_date_crosscheck']}."
                    if row["admission_date_crosscheck"]
                    else ""
                ),
            }
        )
    rows.append(
        {
            "code": EU_CODE,
            "name": "European Union",
            **translated_names(EU_CODE),
            "official_name": "European Union",
            "kind": "regional-organisation",
            "regional_group": "",
            "regional_group_note": "A regional organisation, not a member of a UN regional group.",
            "un_member_since": "",
            "observer_since": "",
            "name_note": "",
            "source": "Has an R2P focal point: https://www.globalr2p.org/publications/statement-on-the-seventh-annual-meeting-of-the-global-network-of-r2p-focal-points/",
        }
    )
    write(
        "states.csv",
        [
            "code",
            "name",
            *(f"name_{language}" for language in NAME_LANGUAGES),
            "official_name",
            "kind",
            "regional_group",
            "regional_group_note",
            "un_member_since",
            "observer_since",
            "name_note",
            "source",
        ],
        rows,
    )
    code_by_name["European Union (regional organization)"] = EU_CODE
    return code_by_name


SOURCE_NAMES = {
    "globalr2p.org": "Global Centre for the Responsibility to Protect",
    "www.globalr2p.org": "Global Centre for the Responsibility to Protect",
    "www.un.int": "Permanent Mission of Ghana to the UN (joint press statement)",
    "www.gaamac.org": "Global Action Against Mass Atrocity Crimes (GAAMAC)",
    "gaamac.org": "Global Action Against Mass Atrocity Crimes (GAAMAC)",
    "reliefweb.int": "ReliefWeb",
    "www.gov.si": "Ministry of Foreign Affairs of Slovenia",
    "auschwitzinstitute.org": "Auschwitz Institute for Peace and Reconciliation",
    "www.auschwitzinstitute.org": "Auschwitz Institute for Peace and Reconciliation",
    "undocs.org": "United Nations Official Document System",
    "documents.un.org": "United Nations Official Document System",
}


def urls(text):
    return [u.rstrip(";,)") for u in re.findall(r"https?://[^\s;]+", text or "")]


def source_name(url):
    host = re.sub(r"^https?://", "", url).split("/")[0]
    return SOURCE_NAMES.get(host, host)


def focal_points(code_by_name):
    """One evidence row per State: what kind of evidence, of which year, seen where. Never a
    current appointment: only the secretariat records those (docs/decisions.md D-13-3)."""
    rows, memberships, previous_source = [], [], ""
    for row in read("r2p_focal_points_partial.csv"):
        if row["member"] not in code_by_name:
            print(f"  skipped (not a State in this tracker): {row['member']}")
            continue
        source = row["source"]
        if source.startswith("same"):
            source = previous_source
        previous_source = source
        dates = re.findall(r"\d{4}-\d{2}-\d{2}", row["date"])
        code = code_by_name[row["member"]]
        found = urls(source)
        latest = found[-1] if found else ""
        rows.append(
            {
                "state": code,
                "evidence": row["evidence"],
                "evidence_kind": row["evidence_kind"],
                "reported_year": row["reported_year"],
                "evidence_as_of": dates[-1] if dates else "",
                "source_name": source_name(latest) if latest else "",
                "source_url": latest,
                "source": source,
                "verification": row["grade"].lower(),
            }
        )
        role = "member"
        if "Steering Group" in row["evidence"]:
            role = "steering-group"
        elif "Launched" in row["evidence"] or "Co-launched" in row["evidence"]:
            role = "founder"
        elif "hosted" in row["evidence"].lower():
            role = "host"
        memberships.append(
            {
                "network": "global-network-r2p-focal-points",
                "state": code,
                "role": role,
                "since": "",
                "evidence": row["evidence"],
                "source_url": latest,
                "verification": row["grade"].lower(),
            }
        )
    write(
        "focal_points.csv",
        [
            "state",
            "evidence",
            "evidence_kind",
            "reported_year",
            "evidence_as_of",
            "source_name",
            "source_url",
            "source",
            "verification",
        ],
        rows,
    )
    return memberships


LATAM = "Argentina, Bolivia, Brazil, Chile, Colombia, Costa Rica, Dominican Republic, Ecuador, El Salvador, Guatemala, Honduras, Mexico, Nicaragua, Panama, Paraguay, Peru, Uruguay, Venezuela"


def networks(code_by_name, memberships):
    networks = [
        {
            "slug": "global-network-r2p-focal-points",
            "name": "Global Network of R2P Focal Points",
            "description": "Network of national R2P focal points launched in September 2010 by Denmark and Ghana; Costa Rica joined soon after and co-convened the first meeting in May 2011, and Australia later joined the facilitating group. The Global Centre for the Responsibility to Protect serves as its secretariat.",
            "source_url": "https://www.globalr2p.org/publications/second-annual-meeting-of-the-global-network-of-r2p-focal-points-new-york-usa-2012/",
        },
        {
            "slug": "group-of-friends-r2p",
            "name": "Group of Friends of R2P",
            "description": "Informal group of States supporting R2P, in New York and Geneva.",
            "source_url": "https://www.globalr2p.org/publications/united-nations-general-assembly-holds-ninth-informal-interactive-dialogue-on-the-responsibility-to-protect/",
        },
        {
            "slug": "gaamac",
            "name": "Global Action Against Mass Atrocity Crimes (GAAMAC)",
            "description": "Launched in 2013 as a Swiss initiative; global meetings in Costa Rica (March 2014, 52 States), Manila (February 2016, 52 States) and Uganda (May 2018, more than 50 States); Geneva secretariat since October 2017; chair passed from Switzerland to Argentina in November 2020. 2018 steering group: Argentina, Costa Rica, Denmark, Switzerland, Tanzania.",
            "source_url": "http://www.gaamac.org/about-gaamac/history",
        },
        {
            "slug": "latin-american-network",
            "name": "Latin American Network for Genocide and Mass Atrocity Prevention",
            "description": "Launched in Buenos Aires on 29–30 March 2012 by 18 States; the Auschwitz Institute serves as secretariat. 17 States per the 2015/2016 annual reports (Bolivia absent from the 2015 list).",
            "source_url": "https://auschwitzinstitute.org/news/press-release",
        },
        {
            "slug": "icglr-regional-committee",
            "name": "ICGLR Regional Committee for the Prevention and Punishment of Genocide, War Crimes, Crimes against Humanity and all forms of Discrimination",
            "description": "Protocol signed 29 November 2006; committee established in Kampala in September 2010 and formalised in Kinshasa on 25–26 November 2010; 12 member States (2017).",
            "source_url": "http://www.icglr.org/index.php/en/genocide-prevention",
        },
    ]
    write("networks.csv", ["slug", "name", "description", "source_url"], networks)
    for name in LATAM.split(", "):
        memberships.append(
            {
                "network": "latin-american-network",
                "state": code_by_name[name],
                "role": "founder",
                "since": "2012-03-30",
                "evidence": "One of the 18 founding States (Buenos Aires, 29–30 March 2012).",
                "source_url": "https://auschwitzinstitute.org/news/press-release",
                "verification": "verified",
            }
        )
    for name in [
        "Argentina",
        "Costa Rica",
        "Denmark",
        "Switzerland",
        "United Republic of Tanzania",
    ]:
        memberships.append(
            {
                "network": "gaamac",
                "state": code_by_name[name],
                "role": "steering-group",
                "since": "",
                "evidence": "Member of the 2018 GAAMAC steering group.",
                "source_url": "http://www.gaamac.org/about-gaamac/history",
                "verification": "verified",
            }
        )
    write(
        "network_memberships.csv",
        ["network", "state", "role", "since", "evidence", "source_url", "verification"],
        memberships,
    )


FIGURES = [
    # key, topic, network, value, at_least, statement, as_of, as_of_text, source_name, source_url
    (
        "gn-2012-09-29",
        "network",
        "global-network-r2p-focal-points",
        17,
        False,
        "17 countries in the Global Network of R2P Focal Points",
        "2012-09-29",
        "",
        "Global Centre for the Responsibility to Protect",
        "https://www.globalr2p.org/publications/second-annual-meeting-of-the-global-network-of-r2p-focal-points-new-york-usa-2012/",
    ),
    (
        "gn-2015-08-27",
        "network",
        "global-network-r2p-focal-points",
        50,
        False,
        "50 States (Rwanda the 50th) in the Global Network",
        "2015-08-27",
        "",
        "Global Centre for the Responsibility to Protect",
        "https://globalr2p.org/publications/50th-state-joins-the-global-network-of-r2p-focal-points",
    ),
    (
        "gn-2017-04-28",
        "focal-points",
        "global-network-r2p-focal-points",
        58,
        False,
        "58 States and the European Union have appointed an R2P focal point",
        "2017-04-28",
        "",
        "Global Centre for the Responsibility to Protect",
        "https://www.globalr2p.org/publications/statement-on-the-seventh-annual-meeting-of-the-global-network-of-r2p-focal-points/",
    ),
    (
        "gn-2021-05-11",
        "focal-points",
        "global-network-r2p-focal-points",
        61,
        False,
        "61 countries, the European Union and the Organization of American States have appointed an R2P focal point",
        "2021-05-11",
        "",
        "Steering Group of the Global Network of R2P Focal Points",
        "https://globalr2p.org/resources/statement-on-behalf-of-the-steering-group-of-the-global-network-of-r2p-focal-points",
    ),
    (
        "gof-ny-2017-09-06",
        "network",
        "group-of-friends-r2p",
        50,
        False,
        "50 members of the Group of Friends of R2P (New York)",
        "2017-09-06",
        "",
        "Global Centre for the Responsibility to Protect",
        "https://www.globalr2p.org/publications/united-nations-general-assembly-holds-ninth-informal-interactive-dialogue-on-the-responsibility-to-protect/",
    ),
    (
        "gof-ge-2018-04-10",
        "network",
        "group-of-friends-r2p",
        51,
        False,
        "51 members of the Group of Friends of R2P (Geneva statement)",
        "2018-04-10",
        "",
        "Global Centre for the Responsibility to Protect",
        "https://www.globalr2p.org/publications/r2p-and-outcomes-of-the-human-rights-council-37th-session/",
    ),
    (
        "gof-ge-2018-10-19",
        "network",
        "group-of-friends-r2p",
        49,
        False,
        "49 members of the Group of Friends of R2P (Geneva statement)",
        "2018-10-19",
        "",
        "Global Centre for the Responsibility to Protect",
        "https://www.globalr2p.org/publications/r2p-and-outcomes-of-the-human-rights-councils-39th-session/",
    ),
    (
        "latam-2012-03-30",
        "network",
        "latin-american-network",
        18,
        False,
        "18 founding States of the Latin American Network",
        "2012-03-30",
        "",
        "Auschwitz Institute for Peace and Reconciliation",
        "https://auschwitzinstitute.org/news/press-release",
    ),
    (
        "icglr-2017-11-15",
        "network",
        "icglr-regional-committee",
        12,
        False,
        "12 member States of the ICGLR Regional Committee",
        "2017-11-15",
        "",
        "AllAfrica",
        "http://allafrica.com/stories/201711150288.html",
    ),
    (
        "sc-res-2021-06",
        "resolutions-sc",
        "",
        92,
        False,
        "92 Security Council resolutions referring to R2P",
        "",
        "June 2021",
        "Global Centre for the Responsibility to Protect",
        "",
    ),
    (
        "sc-prst-2021-06",
        "statements-sc",
        "",
        21,
        False,
        "21 Security Council presidential statements referring to R2P",
        "",
        "June 2021",
        "Global Centre for the Responsibility to Protect",
        "",
    ),
    (
        "hrc-res-2020-07",
        "resolutions-hrc",
        "",
        50,
        True,
        "More than 50 Human Rights Council resolutions referring to R2P",
        "",
        "July 2020",
        "Global Centre for the Responsibility to Protect",
        "",
    ),
    (
        "sg-2017-sc",
        "resolutions-sc",
        "",
        50,
        True,
        "More than 50 Security Council resolutions referring to R2P",
        "",
        "2017",
        "Secretary-General, A/71/1016–S/2017/556",
        "https://undocs.org/A/71/1016",
    ),
    (
        "sg-2017-hrc",
        "resolutions-hrc",
        "",
        20,
        True,
        "More than 20 Human Rights Council resolutions referring to R2P",
        "",
        "2017",
        "Secretary-General, A/71/1016–S/2017/556",
        "https://undocs.org/A/71/1016",
    ),
]


FIGURES += [
    (
        "sg-2017-focal-points",
        "focal-points",
        "global-network-r2p-focal-points",
        59,
        False,
        "59 Member States and the European Union had appointed an R2P focal point",
        "2017-08-10",
        "",
        "Secretary-General, A/71/1016–S/2017/556 (para. 3, as cited)",
        "https://undocs.org/A/71/1016",
    ),
    (
        "gof-ny-2021-05-17",
        "network",
        "group-of-friends-r2p",
        52,
        False,
        "52 States and the European Union in the Group of Friends of R2P (New York)",
        "2021-05-17",
        "",
        "Global Centre for the Responsibility to Protect",
        "https://www.globalr2p.org/resources/statement-delivered-on-behalf-of-members-of-the-group-of-friends-of-r2p-at-the-2021-un-general-assembly-debate-on-r2p/",
    ),
    (
        "gof-ny-2024",
        "network",
        "group-of-friends-r2p",
        55,
        False,
        "55 Member States and the European Union in the Group of Friends of R2P (New York)",
        "",
        "2024",
        "Global Centre for the Responsibility to Protect",
        "https://globalr2p.org/resources/gof-r2p-statement-unga-meeting-onsg-report-on-work-of-the-organization",
    ),
]
# Grades and notes from networks_and_counts.csv (default: verified, no note).
FIGURE_GRADES = {
    "sg-2017-focal-points": (
        "unverified",
        "Recorded as cited by a reviewer: paragraph 3 of the report could not be read. It fits "
        "the verified count of 58 States and the EU in April 2017.",
    ),
    "gof-ny-2024": (
        "verified",
        "Year inferred from the statement's subject; exact date not shown.",
    ),
}


def figures():
    keys = [
        "key",
        "topic",
        "network",
        "value",
        "at_least",
        "statement",
        "as_of",
        "as_of_text",
        "source_name",
        "source_url",
    ]
    rows = []
    for figure in FIGURES:
        row = dict(zip(keys, figure, strict=True))
        row["verification"], row["note"] = FIGURE_GRADES.get(row["key"], ("verified", ""))
        rows.append(row)
    write("figures.csv", [*keys, "verification", "note"], rows)


RESOLUTION_STATES = {
    "S/RES/1706 (2006)": "SDN",
    "S/RES/1970 (2011)": "LBY",
    "S/RES/1973 (2011)": "LBY",
    "S/RES/1975 (2011)": "CIV",
    "S/RES/2009 (2011)": "LBY",
    "S/RES/2085 (2012)": "MLI",
    "S/RES/2149 (2014)": "CAF",
    "S/RES/2187 (2014)": "SSD",
    "S/RES/2196 (2015)": "CAF",
    "S/RES/2252 (2015)": "SSD",
    "S/RES/2304 (2016)": "SSD",
    "S/RES/2339 (2017)": "CAF",
    "S/RES/2387 (2017)": "CAF",
    "S/RES/2514 (2020)": "SSD",
    "A/HRC/RES/37/1": "SYR",
    "A/HRC/RES/36/20": "SYR",
    "A/HRC/RES/38/16": "SYR",
    "S/RES/2262 (2016)": "CAF",
    "A/HRC/RES/49/2": "SSD",
}


def resolutions():
    rows = []
    for row in read("r2p_resolutions.csv"):
        symbol = row["symbol"]
        if "?" in symbol:
            print(f"  excluded (symbol not verified): {symbol}")
            continue
        note = ""
        if "(adopted" in symbol:
            note = "Adopted as draft A/HRC/37/L.1; the final resolution symbol is not verified."
            symbol = symbol.split(" (")[0]
        text = row["verification"]
        if "UNVERIFIED" in text:
            verification = "unverified"
        elif (
            text.startswith("verified (secondary")
            or text.startswith("secondary")
            or "indirect" in text
        ):
            verification = "inferred"
        else:
            verification = "verified"
        state = RESOLUTION_STATES.get(symbol, "")
        thematic = not state
        body, kind = row["body"], "resolution"
        if body == "SC-PRST":
            body, kind = "SC", "presidential-statement"
        official = "https://undocs.org/" + symbol.replace(" ", "")
        rows.append(
            {
                "body": body,
                "kind": kind,
                "symbol": symbol,
                "adopted_on": row["date"],
                "title": row["subject"],
                "situation": "" if thematic else row["subject"],
                "states": state,
                "r2p_reference": row["r2p_reference_paraphrased"],
                "official_url": official,
                "verification": verification,
                "verification_note": "; ".join(filter(None, [text, note])),
                "source": row["source"],
            }
        )
    write("resolutions.csv", list(rows[0]), rows)


def risk_factors():
    rows = []
    for row in read("framework_of_analysis_risk_factors.csv"):
        # The grade is the re-check's: no factor was read in the UN text itself.
        rows.append(
            {
                "number": row["number"],
                "name": row["name"],
                "kind": row["type"],
                "crime": "all atrocity crimes" if row["crime"] == "all" else row["crime"],
                "summary": row["gist_paraphrased"],
                "un_document": "Framework of Analysis for Atrocity Crimes (United Nations, 2014;"
                " A/70/741–S/2016/71)",
                "verification": row["grade"].lower(),
                "verification_note": f"{row['verification']}. UN text seen: "
                f"{row['un_document_seen'].split(' (copies')[0]}.",
                "source": row["source"],
            }
        )
    write("risk_factors.csv", list(rows[0]), rows)


# Our catalogue codes and the re-checked research's step ids (sg_report_2017_steps.csv). The
# framework rows (F1–F5) and the report's three section headings (N0, I0, U0) describe the report;
# they are not steps a State can pledge, so they are not in the catalogue.
STEP_SOURCES = {
    "N1": "N1",
    "N2": "N2",
    "N3": "N3",
    "N4": "N4",
    "I1": "I1",
    "I2": "I2",
    "I3": "I3",
    "I4": "I4",
    "I5": "I5",
    "I6": "I6",
    "U1": "U1",
    "U2": "U2",
    "U3": "U3",
    "U4": "U4",
    "HRC49-16": "I3",
    "HRC49-17": "I3",
    "HRC49-18": "N9",
    "HRC48-NAP": "N5",
    "HRC48-HATE": "N6",
    "N1b": "N1b",
    "N7": "N7",
    "N8": "N8",
    "I7": "I7",
    "U5": "U5",
}
# Steps the re-check added: our own short titles and descriptions of the research's paraphrase.
NEW_STEPS = [
    {
        "code": "N1b",
        "title": "Appoint a genocide-prevention focal point",
        "description": "Consider appointing focal points on the prevention of genocide who "
        "exchange information and good practice with each other and with the Special Adviser.",
        "level": "national",
        "actor": "Member States",
        "basis": "political",
        "channels": "human-rights-council;un-special-advisers",
    },
    {
        "code": "N7",
        "title": "Use accountability and guarantees of non-recurrence",
        "description": "Use accountability and other guarantees of non-recurrence (truth and "
        "reconciliation, human rights education, memorialisation) for their deterrent effect.",
        "level": "national",
        "actor": "Member States",
        "basis": "political",
        "channels": "courts;nhri;civil-society",
    },
    {
        "code": "N8",
        "title": "Build national capacity to prevent genocide",
        "description": "Build national capacity to prevent genocide through individual "
        "expertise and dedicated offices within government.",
        "level": "national",
        "actor": "Member States",
        "basis": "political",
        "channels": "parliament;nhri",
    },
    {
        "code": "I7",
        "title": "Cooperate with UN bodies on risk analysis",
        "description": "Cooperate with UN bodies and mechanisms to intensify the analysis of "
        "conflict risk that feeds assessments of the risk of genocide.",
        "level": "intergovernmental",
        "actor": "Member States with UN bodies",
        "basis": "political",
        "channels": "human-rights-council;un-special-advisers",
    },
    {
        "code": "U5",
        "title": "Keep a roster of focal points and networks",
        "description": "Draw up a roster of genocide-prevention focal points and networks from "
        "the information Member States provide.",
        "level": "un-system",
        "actor": "Secretary-General",
        "basis": "political",
        "channels": "sg-annual-report;human-rights-council",
    },
]
IN_2017 = {
    "yes": "yes",
    "yes (heading only)": "heading-only",
    "per secondary": "per-secondary",
    "not seen": "not-seen",
    "not seen (but see I1)": "not-seen",
    "no (other document)": "other-document",
}
STEP_COLUMNS = [
    "code",
    "title",
    "description",
    "level",
    "actor",
    "basis",
    "channels",
    "source_document",
    "source_paragraph",
    "source_url",
    "in_2017_report",
    "para_2017",
    "basis_stated",
    "channels_stated",
    "verification",
    "verification_note",
]


def steps():
    """Our catalogue (codes, own titles and descriptions, the project's channel judgement) with
    the research's source columns: where each step is really found and what the 2017 report says
    of it."""
    research = {row["id"]: row for row in read("sg_report_2017_steps.csv")}
    with open(HERE / "steps.csv", newline="", encoding="utf-8") as handle:
        curated = {row["code"]: row for row in csv.DictReader(handle)}
    for row in NEW_STEPS:
        curated.setdefault(row["code"], row)
    rows = []
    for code, row in curated.items():
        found = research[STEP_SOURCES[code]]
        links = urls(found["source"])
        rows.append(
            {
                **{key: row[key] for key in STEP_COLUMNS[:7]},
                "source_document": found["source_document"],
                "source_paragraph": found["report_location"],
                "source_url": links[0] if links else "",
                "in_2017_report": IN_2017[found["in_2017_report"]],
                "para_2017": found["para_2017"],
                "basis_stated": found["basis_of_responsibility"],
                "channels_stated": found["accountability_channels"],
                "verification": found["verification"].lower(),
                "verification_note": found["verification_note"],
            }
        )
    write("steps.csv", STEP_COLUMNS, rows)


SOURCE_NAMES.update(
    {
        "www.mzv.cz": "Ministry of Foreign Affairs of the Czech Republic",
        "lawsdocbox.com": "Copy of an academic chapter (T. O. Hansen)",
    }
)


# Copies of documents hosted elsewhere: named by the document, with where the copy was read.
PRACTICE_SOURCES = {
    "docslib.org/doc/12466273": "Auschwitz Institute booklet on national mechanisms for "
    "prevention (2017; copy on docslib.org)",
    "docslib.org/doc/4534234": "UN document A/73/192 (copy on docslib.org)",
    "vdocuments.us/integration-into-the-state-architecture": "Auschwitz Institute booklet "
    "(2018; copy on vdocuments.us)",
    "scribd.com/document/236202990": "JSC committee report on the International Crimes "
    "Division of the High Court (30 Oct 2012; copy on Scribd)",
    "bledstrategicforum.org": "Bled Strategic Forum (Slovenian Ministry of Foreign Affairs)",
}


def practice_source_name(url):
    for fragment, name in PRACTICE_SOURCES.items():
        if fragment in url:
            return name
    return source_name(url)


def documented_practice():
    """The 35 sourced examples of what States have done, keyed ``<ISO3>-<year>-<n>`` (n counts
    the State's rows of that year in file order, so keys survive a reload)."""
    rows, seen = [], {}
    for row in read("documented_practice.csv"):
        base = f"{row['state_iso3']}-{row['year']}".lower()
        seen[base] = seen.get(base, 0) + 1
        found = urls(row["source_url"])
        rows.append(
            {
                "key": f"{base}-{seen[base]}",
                "state": row["state_iso3"],
                "year": row["year"],
                "summary": row["practice_summary"],
                "step": row["step_code"],
                "source_name": practice_source_name(found[0]) if found else "",
                "source_url": found[0] if found else "",
                "sources": row["source_url"],
                "page_or_section": row["page_or_section"],
                "source_type": row["source_type"],
                "verification": row["verification"].lower(),
            }
        )
    write("documented_practice.csv", list(rows[0]), rows)


# The project's own French, Spanish and Arabic translations of the catalogue and the headline
# statements (data/reference/translations.csv, edited by hand; docs/decisions.md D-13-2), merged
# into each table as <field>_fr, <field>_es, <field>_ar. A missing one stays empty: the site then
# shows the English, marked "not yet translated".
TRANSLATED = {
    "steps.csv": ("steps", "code", ("title", "description")),
    "channels.csv": ("channels", "code", ("name",)),
    "risk_factors.csv": ("risk_factors", "number", ("name",)),
    "networks.csv": ("networks", "slug", ("name", "description")),
    "figures.csv": ("figures", "key", ("statement",)),
}


def apply_translations():
    with open(HERE / "translations.csv", newline="", encoding="utf-8") as handle:
        known = {(r["table"], r["key"], r["field"]): r for r in csv.DictReader(handle)}
    for name, (table, key, fields) in TRANSLATED.items():
        with open(HERE / name, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            columns = [c for c in reader.fieldnames if c[-3:] not in ("_fr", "_es", "_ar")]
        for row in rows:
            for field in fields:
                found = known.get((table, row[key], field), {})
                for language in NAME_LANGUAGES:
                    row[f"{field}_{language}"] = found.get(language, "")
        extra = [f"{field}_{language}" for field in fields for language in NAME_LANGUAGES]
        write(name, [*columns, *extra], rows)


if __name__ == "__main__":
    code_by_name = states()
    memberships = focal_points(code_by_name)
    networks(code_by_name, memberships)
    figures()
    resolutions()
    risk_factors()
    steps()
    documented_practice()
    apply_translations()
