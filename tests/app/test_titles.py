"""The title parser on real job titles: level, department and the suggested stakeholder type."""

import pytest

from app.core.domain import Level, StakeholderType
from app.core.titles import read_title

C, VP, DIR, MGR, IC = Level.C_LEVEL, Level.VP, Level.DIRECTOR, Level.MANAGER, Level.INDIVIDUAL
EB, SPONSOR, DM = StakeholderType.ECONOMIC_BUYER, StakeholderType.EXECUTIVE_SPONSOR, StakeholderType.DECISION_MAKER
TECH, USER = StakeholderType.TECHNICAL_LEAD, StakeholderType.END_USER_CHAMPION
INFL, GATE = StakeholderType.INFLUENCER, StakeholderType.GATEKEEPER

TITLES = [
    # the issue's own examples
    ("VP Engineering", VP, "Engineering", DM),
    ("CFO", C, "Finance", EB),
    ("Head of Ops", DIR, "Operations", INFL),
    # C-suite, acronyms and spelled out
    ("CEO", C, None, SPONSOR),
    ("CEO & Co-Founder", C, None, SPONSOR),
    ("Co-founder and CTO", C, "Engineering", SPONSOR),
    ("Chief Financial Officer", C, "Finance", EB),
    ("Chief Technology Officer", C, "Engineering", SPONSOR),
    ("Chief Operating Officer", C, "Operations", SPONSOR),
    ("Chief Information Security Officer", C, "Security", SPONSOR),
    ("CISO", C, "Security", SPONSOR),
    ("Chief Marketing Officer", C, "Marketing", SPONSOR),
    ("Chief Revenue Officer", C, "Sales", SPONSOR),
    ("CRO", C, "Sales", SPONSOR),
    ("Chief Product Officer", C, "Product", SPONSOR),
    ("Chief People Officer", C, "People", SPONSOR),
    ("CIO", C, "IT", SPONSOR),
    ("President", C, None, SPONSOR),
    ("Founder", C, None, SPONSOR),
    ("Managing Director", C, None, SPONSOR),
    # vice presidents
    ("Vice President of Finance", VP, "Finance", EB),
    ("VP, Finance", VP, "Finance", EB),
    ("SVP Sales", VP, "Sales", DM),
    ("EVP, Operations", VP, "Operations", DM),
    ("Senior Vice President, Marketing", VP, "Marketing", DM),
    ("Vice-President Product", VP, "Product", DM),
    ("VP of Customer Success", VP, "Customer Success", DM),
    ("Sr. VP Engineering", VP, "Engineering", DM),
    ("AVP, IT Infrastructure", VP, "IT", DM),
    # directors and heads
    ("Director of Engineering", DIR, "Engineering", TECH),
    ("Engineering Director", DIR, "Engineering", TECH),
    ("Director, IT", DIR, "IT", TECH),
    ("Head of Data", DIR, "Data", TECH),
    ("Head of Procurement", DIR, "Procurement", GATE),
    ("Director of Finance", DIR, "Finance", INFL),
    ("Head of People", DIR, "People", INFL),
    ("Head of Marketing", DIR, "Marketing", INFL),
    ("Sr. Director, Product Management", DIR, "Product", INFL),
    ("General Manager", DIR, None, INFL),
    ("Head of Customer Support", DIR, "Customer Success", INFL),
    # managers and leads
    ("Engineering Manager", MGR, "Engineering", TECH),
    ("Manager, Customer Success", MGR, "Customer Success", INFL),
    ("IT Manager", MGR, "IT", TECH),
    ("Procurement Lead", MGR, "Procurement", GATE),
    ("Sr. Mgr, Marketing Operations", MGR, "Marketing", INFL),
    ("Product Manager", MGR, "Product", INFL),
    ("Finance Manager", MGR, "Finance", INFL),
    ("Team Lead, Support", MGR, "Customer Success", INFL),
    ("Security Operations Manager", MGR, "Security", TECH),
    # hands-on technical leads
    ("Tech Lead", IC, "Engineering", TECH),
    ("Staff Software Engineer", IC, "Engineering", TECH),
    ("Principal Engineer", IC, "Engineering", TECH),
    ("Lead Developer", IC, "Engineering", TECH),
    # individual contributors
    ("Software Engineer", IC, "Engineering", USER),
    ("Senior Software Engineer", IC, "Engineering", USER),
    ("Data Analyst", IC, "Data", USER),
    ("Solutions Architect", IC, "Engineering", USER),
    ("Financial Analyst", IC, "Finance", USER),
    ("Legal Counsel", IC, "Legal", GATE),
    ("General Counsel", IC, "Legal", GATE),
    ("Account Executive", IC, "Sales", USER),
    ("Customer Support Specialist", IC, "Customer Success", USER),
    ("Systems Administrator", IC, "IT", USER),
    ("Buyer", IC, None, USER),
    ("Executive Assistant", IC, None, USER),
    ("Chief of Staff", IC, None, USER),
    # spacing and case people really type
    ("  vp   engineering ", VP, "Engineering", DM),
    ("HEAD OF OPS", DIR, "Operations", INFL),
    ("cfo / coo", C, "Finance", EB),
    # nothing to go on
    ("Ninja", None, None, INFL),
    ("", None, None, INFL),
]


def test_the_table_holds_at_least_sixty_real_titles():
    assert len({title.strip().casefold() for title, *_ in TITLES if title.strip()}) >= 60


@pytest.mark.parametrize(("title", "level", "department", "kind"), TITLES)
def test_a_title_suggests_level_department_and_type(title, level, department, kind):
    guess = read_title(title)
    assert (guess.level, guess.department, guess.type) == (level, department, kind)


def test_no_title_guesses_nothing_but_a_type():
    assert read_title(None).level is None and read_title(None).department is None
