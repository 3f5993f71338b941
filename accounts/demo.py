"""Invented persons for the demo identity provider and demo data: valid-format codes, no real people."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoPerson:
    personal_code: str
    first_name: str
    last_name: str
    email: str
    about: str


DEMO_PERSONS: tuple[DemoPerson, ...] = (
    DemoPerson(
        "12058512340",
        "Anna",
        "Bērziņa",
        "anna.berzina@example.lv",
        "fiziska persona ar saviem e-pakalpojumiem un pasūtījumiem (vecā parauga kods)",
    ),
    DemoPerson(
        "03039214561",
        "Jānis",
        "Kalniņš",
        "janis.kalnins@example.lv",
        "SIA „Zemes Mērnieki” administrators",
    ),
    DemoPerson(
        "32051741234",
        "Līga",
        "Ozola",
        "liga.ozola@example.lv",
        "SIA „Zemes Mērnieki” lietotāja (jaunā parauga kods, 32…)",
    ),
    DemoPerson(
        "35120278901",
        "Mārtiņš",
        "Liepa",
        "martins.liepa@example.lv",
        "SIA „Zemes Mērnieki” lietotājs (jaunā parauga kods, 35…)",
    ),
    DemoPerson(
        "27117817891",
        "Pēteris",
        "Zariņš",
        "peteris.zarins@example.lv",
        "AS „Būvprojekts” administrators un fiziska persona",
    ),
    DemoPerson(
        "15069010120",
        "Ilze",
        "Krūmiņa",
        "ilze.krumina@example.lv",
        "jauna lietotāja bez datiem — var pieteikt juridiskās personas kontu",
    ),
)

DEMO_LEGAL_PERSONS = (
    # registration number, name, address, administrator, users
    (
        "40003517893",
        "SIA „Zemes Mērnieki”",
        "Brīvības iela 100, Rīga, LV-1011",
        "03039214561",
        ("32051741234", "35120278901"),
    ),
    ("40103987655", "AS „Būvprojekts”", "Lielā iela 5, Jelgava, LV-3001", "27117817891", ()),
)
