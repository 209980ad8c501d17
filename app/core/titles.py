"""A job title read as the method reads people: level, department and a suggested stakeholder type.

"VP Engineering" → VP, Engineering, Decision Maker; "CFO" → C-level, Finance, Economic Buyer;
"Head of Ops" → Director, Operations. Pure: used to prefill the contact modal for someone seen in Slack
(the CSM can change every guess before saving). Unknown words guess nothing; the type is always given
(Influencer when the title says nothing: "identify and monitor").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.core.domain import Level, StakeholderType

# Shorthand people write, as whole words, to the word the rules below know.
_SHORTHAND = {
    "sr": "senior", "snr": "senior", "jr": "junior", "mgr": "manager", "mngr": "manager", "dir": "director",
    "eng": "engineering", "engg": "engineering", "ops": "operations", "svp": "vp", "evp": "vp", "avp": "vp",
    "vicepresident": "vp", "hr": "people", "fpa": "finance", "gc": "counsel", "cxo": "chief",
}

# C-suite acronyms: the level is C-level; the department is the one they run ("" for the whole company).
_CHIEFS = {
    "ceo": "", "cfo": "Finance", "cto": "Engineering", "coo": "Operations", "cio": "IT",
    "ciso": "Security", "cso": "Security", "cmo": "Marketing", "cro": "Sales", "cpo": "Product",
    "cdo": "Data", "chro": "People", "cco": "Customer Success", "clo": "Legal", "cao": "Finance",
}

# Words naming a department, first match in the title wins (after a C-suite acronym).
_DEPARTMENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Procurement", ("procurement", "purchasing", "sourcing", "vendor")),
    ("Legal", ("legal", "counsel", "compliance", "contracts")),
    ("Security", ("security", "infosec", "information security")),
    ("Finance", ("finance", "financial", "controller", "accounting", "accountant", "treasury", "treasurer")),
    ("Engineering", ("engineering", "engineer", "developer", "software", "devops", "sre", "tech", "technology", "technical",
                     "architect", "platform", "r&d")),
    ("IT", ("it", "information", "infrastructure", "systems", "sysadmin")),
    ("Data", ("data", "analytics", "bi")),
    ("Product", ("product",)),
    ("Design", ("design", "designer", "ux")),
    ("Marketing", ("marketing", "growth", "brand", "communications")),
    ("Sales", ("sales", "revenue", "business development", "account executive")),
    ("Customer Success", ("customer", "support", "success", "service")),
    ("People", ("people", "talent", "recruiting", "recruiter", "human")),
    ("Operations", ("operations", "operating", "logistics", "supply")),
)

_C_LEVEL = ("chief", "founder", "cofounder", "president", "managing director")
_VP = ("vp",)
_DIRECTOR = ("director", "head", "general manager")
_MANAGER = ("manager", "lead", "supervisor", "team leader", "leader")
_INDIVIDUAL = ("engineer", "developer", "analyst", "specialist", "associate", "administrator", "consultant",
               "architect", "designer", "coordinator", "scientist", "representative", "accountant", "counsel",
               "buyer", "recruiter", "executive", "assistant", "intern", "officer", "agent", "controller")
_HANDS_ON_LEADS = ("tech lead", "technical lead", "lead engineer", "lead developer", "staff", "principal")
_TECHNICAL = frozenset({"Engineering", "IT", "Security", "Data"})
_GATEKEEPING = frozenset({"Procurement", "Legal"})


@dataclass(frozen=True)
class TitleGuess:
    level: Level | None
    department: str | None
    type: StakeholderType


def read_title(title: str | None) -> TitleGuess:
    """What a job title suggests; every field may be wrong and is only a prefill."""
    text = _normalised(title)
    chief_of = next((_CHIEFS[word] for word in text.split() if word in _CHIEFS), None)
    level = Level.C_LEVEL if chief_of is not None else _level(text)
    department = chief_of or _department(text) or None
    return TitleGuess(level, department, _type(level, department, text))


def _normalised(title: str | None) -> str:
    """Lower case, words only ("Sr. VP, Eng & Ops" → "senior vp engineering & operations")."""
    text = (title or "").lower().replace("vice-president", "vp").replace("vice president", "vp")
    text = text.replace("co-founder", "cofounder").replace("r & d", "r&d")
    words = re.sub(r"[^a-z0-9&]+", " ", text).split()
    return " ".join(_SHORTHAND.get(word, word) for word in words)


def _has(text: str, phrases: tuple[str, ...]) -> bool:
    padded = f" {text} "
    return any(f" {phrase} " in padded for phrase in phrases)


def _level(text: str) -> Level | None:
    if _has(text, ("vp",)) or text.startswith("vp"):
        return Level.VP
    if _has(text, ("managing director",)):
        return Level.C_LEVEL
    if _has(text, _C_LEVEL) and not _has(text, ("chief of staff",)):
        return Level.C_LEVEL
    if _has(text, _DIRECTOR):
        return Level.DIRECTOR
    if _has(text, _HANDS_ON_LEADS):
        return Level.INDIVIDUAL
    if _has(text, _MANAGER):
        return Level.MANAGER
    if _has(text, _INDIVIDUAL) or _has(text, ("chief of staff",)):
        return Level.INDIVIDUAL
    return None


def _department(text: str) -> str | None:
    padded = f" {text} "
    found = [(padded.find(f" {word} "), -len(word), name) for name, words in _DEPARTMENTS for word in words
             if f" {word} " in padded]
    return min(found)[2] if found else None  # the first named; of two at one place, the longer phrase


def _type(level: Level | None, department: str | None, text: str) -> StakeholderType:
    if department in _GATEKEEPING:
        return StakeholderType.GATEKEEPER
    if department == "Finance" and level in (Level.C_LEVEL, Level.VP):
        return StakeholderType.ECONOMIC_BUYER
    if level == Level.C_LEVEL:
        return StakeholderType.EXECUTIVE_SPONSOR
    if level == Level.VP:
        return StakeholderType.DECISION_MAKER
    if department in _TECHNICAL and (level in (Level.DIRECTOR, Level.MANAGER) or _has(text, _HANDS_ON_LEADS)):
        return StakeholderType.TECHNICAL_LEAD
    if level == Level.INDIVIDUAL:
        return StakeholderType.END_USER_CHAMPION
    return StakeholderType.INFLUENCER
