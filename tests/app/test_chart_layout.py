"""The picture's layout (pure): every contact in the right quadrant and under the right manager, at
any size; the drawn PNG decodes, has sane dimensions and is the same bytes for the same data."""

from __future__ import annotations

import io
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from app.core.domain import ContactStatus, Influence, Level, Relationship, Sentiment, StakeholderType
from app.render.chart import draw_chart
from app.render.chart.layout import (
    CELL,
    MAX_BOXES,
    MAX_HEIGHT,
    MAX_REPORTS,
    MAX_WIDTH,
    STACK_STEP,
    Quadrant,
    alt_text,
    cell_of,
    grid_layout,
    managers,
    org_layout,
    quadrant_bounds,
    quadrant_of,
)
from app.services.demo import SEED_TODAY, acme
from tests.factories import contact, from_demo

H, M, L = Influence.HIGH, Influence.MEDIUM, Influence.LOW


def acme_contacts():
    _account, contacts, _touches = from_demo(acme(SEED_TODAY), SEED_TODAY)
    by_name = {c.display_name: c for c in contacts}
    for spec, person in zip(acme(SEED_TODAY).contacts, contacts, strict=True):
        person.reports_to_id = by_name[spec.reports_to].id if spec.reports_to else None
    return by_name


def crowd(size: int, seed: int = 7, unrated: bool = True) -> list:
    """`size` contacts with random types, ratings, statuses and a random reports-to tree."""
    rng = random.Random(seed)
    people = []
    for index in range(size):
        person = contact(
            name=f"Person {index:03d}", type=rng.choice(list(StakeholderType)), title=rng.choice(["CFO", "VP Sales", "Analyst"]),
            level=rng.choice(list(Level)), influence=rng.choice(([None] if unrated else []) + list(Influence)),
            interest=rng.choice(list(Influence)), relationship=rng.choice(list(Relationship)),
            sentiment=rng.choice(list(Sentiment)),
            status=rng.choice([ContactStatus.ACTIVE] * 6 + [ContactStatus.NOT_ENGAGED, ContactStatus.LEFT]))
        if people:
            person.reports_to_id = rng.choice(people[: 1 + index // 4]).id
        people.append(person)
    return people


# --- quadrants -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("influence", "interest", "quadrant"), [
    (H, H, Quadrant.MANAGE_CLOSELY), (H, M, Quadrant.MANAGE_CLOSELY), (M, H, Quadrant.MANAGE_CLOSELY),
    (M, M, Quadrant.MANAGE_CLOSELY), (H, L, Quadrant.KEEP_SATISFIED), (M, L, Quadrant.KEEP_SATISFIED),
    (L, H, Quadrant.KEEP_INFORMED), (L, M, Quadrant.KEEP_INFORMED), (L, L, Quadrant.MONITOR),
    (None, H, None), (H, None, None), (None, None, None),
])
def test_medium_counts_on_the_high_side_and_unset_is_not_guessed(influence, interest, quadrant):
    assert quadrant_of(influence, interest) == quadrant


def test_acme_lands_in_the_seeds_quadrants():
    people = acme_contacts()
    grid = grid_layout(list(people.values()))
    placed = {name: grid.mark_for(person.id).quadrant for name, person in people.items()}
    assert placed == {"Tom Chen": Quadrant.MANAGE_CLOSELY, "Sarah Kim": Quadrant.KEEP_SATISFIED,
                      "Lisa Park": Quadrant.MANAGE_CLOSELY, "CTO (name unknown)": Quadrant.MANAGE_CLOSELY,
                      "Operations Manager (name unknown)": Quadrant.KEEP_INFORMED}
    assert all(mark.named for mark in grid.marks)


def _inside(mark, contact) -> bool:
    column, row = cell_of(contact.influence, contact.interest)
    x0, y0, x1, y1 = quadrant_bounds(mark.quadrant)
    in_quadrant = x0 <= mark.x <= x1 and y0 <= mark.y <= y1
    in_cell = column * CELL <= mark.x <= (column + 1) * CELL and row * CELL <= mark.y <= (row + 1) * CELL
    return in_quadrant and in_cell


@pytest.mark.parametrize("size", [3, 150, 400])
def test_every_rated_contact_is_placed_once_in_its_quadrant_and_cell(size):
    people = crowd(size)
    grid = grid_layout(people)
    by_id = {p.id: p for p in people}
    placed = [mark.contact_id for mark in grid.marks]
    assert len(placed) == len(set(placed))
    for person in people:
        if person.status == ContactStatus.LEFT:
            assert person.id in grid.departed and person.id not in placed
        elif person.influence is None or person.interest is None:
            assert person.id in grid.unrated and person.id not in placed
        else:
            mark = grid.mark_for(person.id)
            assert mark.quadrant == quadrant_of(person.influence, person.interest)
            assert _inside(mark, by_id[mark.contact_id]), (mark, person.influence, person.interest)
    assert len({(m.x, m.y) for m in grid.marks}) == len(grid.marks)  # no two marks on the same spot


# --- org chart -----------------------------------------------------------------------------------


def test_acme_org_chart_follows_reports_to():
    people = acme_contacts()
    org = org_layout(list(people.values()))
    box = {name: org.box_for(person.id) for name, person in people.items()}
    assert box["Tom Chen"].parent == box["CTO (name unknown)"].key
    assert box["Lisa Park"].parent == box["Tom Chen"].key
    assert {name for name, b in box.items() if b.parent is None} == {
        "CTO (name unknown)", "Sarah Kim", "Operations Manager (name unknown)"}
    assert all(b.contact_id is not None for b in org.boxes)  # five people: nobody is collapsed


def _nearest_shown(person_id, manager, org):
    boss = manager[person_id]
    while boss is not None and org.box_for(boss).contact_id != boss:
        boss = manager[boss]
    return boss


def assert_org_invariants(people):
    org = org_layout(people)
    manager = managers(people)
    keys = {box.key: box for box in org.boxes}
    for person in people:
        box = org.box_for(person.id)
        boss = _nearest_shown(person.id, manager, org)
        if box.contact_id == person.id:  # shown: hangs under its manager's box (which is shown)
            assert box.parent == (f"c{boss}" if boss is not None else None)
            assert boss == manager[person.id]
        else:  # counted in the "+N more" box under its nearest shown manager
            assert box.parent == (f"c{boss}" if boss is not None else None)
            assert box.key == f"more:{box.parent or 'top'}"
        assert box.parent is None or box.parent in keys
    shown = [box for box in org.boxes if box.contact_id is not None]
    members = sum(len(box.members) for box in org.boxes)
    assert len(shown) + members == len(people)
    assert len(shown) <= MAX_BOXES and org.width <= MAX_WIDTH and org.height <= MAX_HEIGHT
    reports = [box.parent for box in shown if box.parent]
    assert all(reports.count(parent) <= MAX_REPORTS for parent in reports)
    for index, one in enumerate(org.boxes):  # no two boxes on top of each other
        for other in org.boxes[index + 1:]:
            assert abs(one.x - other.x) >= 1 or abs(one.y - other.y) >= STACK_STEP, (one, other)
    return org


@pytest.mark.parametrize("size", [3, 40, 150])
def test_every_contact_is_under_its_manager_or_counted_there(size):
    org = assert_org_invariants(crowd(size))
    if size == 150:
        assert any(box.members for box in org.boxes)  # grouped beyond what fits


def test_cycles_and_foreign_managers_end_at_the_top():
    a, b, c = contact(name="A"), contact(name="B"), contact(name="C")
    a.reports_to_id, b.reports_to_id, c.reports_to_id = b.id, a.id, 999_999
    assert managers([a, b, c]) == {a.id: None, b.id: a.id, c.id: None}
    assert_org_invariants([a, b, c])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=-1, max_value=60), min_size=1, max_size=60))
def test_any_reports_to_graph_gives_a_legible_consistent_chart(bosses):
    people = [contact(name=f"P{i}", type=list(StakeholderType)[i % 9]) for i in range(len(bosses))]
    for person, boss in zip(people, bosses, strict=True):
        person.reports_to_id = people[boss].id if 0 <= boss < len(people) else None
    assert_org_invariants(people)


# --- the picture -----------------------------------------------------------------------------------


def test_the_png_decodes_with_sane_dimensions_and_is_deterministic():
    people = crowd(150)  # the three-contact picture is decoded by the Slack tests
    chart = draw_chart("Big Corp", people, SEED_TODAY)
    image = Image.open(io.BytesIO(chart.png))
    assert image.format == "PNG"
    width, height = image.size
    assert 1000 <= width <= 2600 and 900 <= height <= 2600
    assert draw_chart("Big Corp", people, SEED_TODAY).png == chart.png
    assert b"tIME" not in chart.png and b"Software" not in chart.png  # no timestamp, no version
    assert chart.filename == "stakemap-big-corp.png"


def test_names_with_dollar_signs_and_emoji_are_drawn_as_text():
    person = contact(name="$ales $uperstar 🚀", influence=H, interest=H)
    chart = draw_chart("Acme $$", [person], SEED_TODAY)
    assert Image.open(io.BytesIO(chart.png)).size[0] > 0


def test_alt_text_says_who_is_where():
    people = acme_contacts()
    contacts = list(people.values())
    text = alt_text("Acme", contacts, org_layout(contacts), grid_layout(contacts))
    assert "Keep satisfied: Sarah Kim." in text
    assert "Keep informed: Operations Manager (name unknown)." in text
    assert "Monitor: nobody." in text
    many = crowd(400)
    assert len(alt_text("Big", many, org_layout(many), grid_layout(many))) <= 1000
