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
        if row["country"] == "Turkey":
            # Listed in both groups; counts as WEOG for electoral purposes (ask.un.org 14521).
            group = GROUPS["Western European and other States"]
        elif group_text.endswith("(observer)"):
            group = GROUPS[group_text.removesuffix(" (observer)")]
        else:
            group = GROUPS.get(group_text, "")
        rows.append(
            {
                "code": code,
                "name": "Türkiye" if row["country"] == "Turkey" else row["country"],
                "official_name": row["official_name"],
                "kind": kind,
                "regional_group": group,
                "regional_group_note": note,
                "un_member_since": row["admission_date"],
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
            "official_name": "European Union",
            "kind": "regional-organisation",
            "regional_group": "",
            "regional_group_note": "A regional organisation, not a member of a UN regional group.",
            "un_member_since": "",
            "source": "Has an R2P focal point: https://www.globalr2p.org/publications/statement-on-the-seventh-annual-meeting-of-the-global-network-of-r2p-focal-points/",
        }
    )
    write(
        "states.csv",
        [
            "code",
            "name",
            "official_name",
            "kind",
            "regional_group",
            "regional_group_note",
            "un_member_since",
            "source",
        ],
        rows,
    )
    code_by_name["European Union (regional organization)"] = EU_CODE
    return code_by_name


def focal_points(code_by_name):
    rows, memberships, previous_source = [], [], ""
    for row in read("r2p_focal_points_partial.csv"):
        if row["member"] not in code_by_name:
            print(f"  skipped (not a State in this tracker): {row['member']}")
            continue
        source = row["source"]
        if source.startswith("same"):
            source = previous_source + source.removeprefix("same as Denmark").removeprefix("same")
        previous_source = row["source"] if not row["source"].startswith("same") else previous_source
        confidence = row["confidence"]
        verification = "verified" if confidence.startswith("verified member") else "inferred"
        dates = re.findall(r"\d{4}-\d{2}-\d{2}", row["date"])
        code = code_by_name[row["member"]]
        rows.append(
            {
                "state": code,
                "evidence": f"{row['evidence']} (dated {row['date']}; confidence: {confidence})",
                "evidence_as_of": dates[-1] if dates else "",
                "source_url": first_url(source),
                "source": source,
                "verification": verification,
            }
        )
        role = "member"
        if "Steering Group" in row["evidence"]:
            role = "steering-group"
        elif "Co-launched" in row["evidence"]:
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
                "source_url": first_url(source),
                "verification": verification,
            }
        )
    write(
        "focal_points.csv",
        ["state", "evidence", "evidence_as_of", "source_url", "source", "verification"],
        rows,
    )
    return memberships


LATAM = "Argentina, Bolivia, Brazil, Chile, Colombia, Costa Rica, Dominican Republic, Ecuador, El Salvador, Guatemala, Honduras, Mexico, Nicaragua, Panama, Paraguay, Peru, Uruguay, Venezuela"


def networks(code_by_name, memberships):
    networks = [
        {
            "slug": "global-network-r2p-focal-points",
            "name": "Global Network of R2P Focal Points",
            "description": "Network of national R2P focal points launched in September 2010 by Denmark, Ghana, Australia and Costa Rica; the Global Centre for the Responsibility to Protect serves as its secretariat.",
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
    write("figures.csv", keys, [dict(zip(keys, figure, strict=True)) for figure in FIGURES])


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
    "A/HRC/37/L.1": "SYR",
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
        text = row["verification"]
        verification = (
            "unverified" if "unverified" in text.lower() or "NOT seen" in text else "verified"
        )
        rows.append(
            {
                "number": row["number"],
                "name": row["name"],
                "kind": row["type"],
                "crime": "all atrocity crimes" if row["crime"] == "all" else row["crime"],
                "summary": row["gist_paraphrased"],
                "verification": verification,
                "verification_note": text,
                "source": row["source"],
            }
        )
    write("risk_factors.csv", list(rows[0]), rows)


if __name__ == "__main__":
    code_by_name = states()
    memberships = focal_points(code_by_name)
    networks(code_by_name, memberships)
    figures()
    resolutions()
    risk_factors()
