"""The command line as an operator uses it: export → import into an empty workspace → export gives
the same files; bad files import nothing and name their lines; charts and erasure from a shell."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner
from PIL import Image
from sqlalchemy import select

from app.core.models import Contact, Erasure
from app.edge.cli import cli


@pytest.fixture
def stakemap(db_url, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    env = {"DATABASE_URL": db_url, "SLACK_BOT_TOKEN": "", "STAKEMAP_DEBUG": ""}

    def run(*args: str, input: str | None = None):
        return CliRunner().invoke(cli, list(args), env=env, input=input, catch_exceptions=False)

    assert run("demo", "--team", "TA").exit_code == 0
    return run


def test_round_trip_through_files_gives_identical_files(stakemap, tmp_path):
    assert stakemap("export", "--team", "TA", "-o", "first").exit_code == 0
    imported = stakemap("import", "first", "--team", "TB")
    assert imported.exit_code == 0, imported.output
    assert "contacts.csv: 12 contacts rows: created 12, updated 0, unchanged 0." in imported.stdout
    assert stakemap("export", "--team", "TB", "-o", "second").exit_code == 0
    for name in ("accounts.csv", "contacts.csv", "touches.csv"):
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes()
    again = stakemap("import", "second/touches.csv", "second/contacts.csv", "second/accounts.csv", "--team", "TB")
    assert again.stdout.splitlines() == [
        "accounts.csv: 3 accounts rows: created 0, updated 0, unchanged 3.",
        "contacts.csv: 12 contacts rows: created 0, updated 0, unchanged 12.",
        "touches.csv: 10 touches rows: created 0, updated 0, unchanged 10."]


def test_a_dry_run_checks_every_file_and_writes_nothing(stakemap, tmp_path):
    stakemap("export", "--team", "TA", "-o", "files")
    dry = stakemap("import", "files", "--team", "TC", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "touches.csv: 10 touches rows: would create 10, would update 0, unchanged 0. Dry run" in dry.stdout
    assert stakemap("export", "--team", "TC", "--kind", "accounts").output == "Error: No workspace TC in this database.\n"


def test_a_bad_file_imports_nothing_and_names_its_lines(stakemap, tmp_path):
    (tmp_path / "bad.csv").write_text("account,name,type\nAcme,Ann,Champion\nAcme,Bob,Wizard\nAcmee,Cy,Champion\n")
    result = stakemap("import", "bad.csv", "--team", "TA")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "bad.csv line 3: type: 'Wizard' is not one of: Champion, Economic Buyer, Decision Maker, Executive Sponsor, "
        "Detractor, Technical Lead, End User Champion, Influencer, Gatekeeper",
        "bad.csv line 4: account: no account named 'Acmee' in this workspace (import the accounts file first).",
        "Error: bad.csv: 2 bad rows in this contacts file; nothing was imported."]
    assert "Ann" not in stakemap("export", "--team", "TA", "--kind", "contacts").stdout


def test_export_formats(stakemap):
    assert "CSV export writes three files" in stakemap("export", "--team", "TA").output
    contacts = stakemap("export", "--team", "TA", "--account", "acme", "--kind", "contacts").stdout
    assert contacts.splitlines()[0].startswith("account,name,title,type") and contacts.count("\n") == 6
    markdown = stakemap("export", "--team", "TA", "--format", "markdown").stdout
    assert markdown.count("## Stakeholder Map: ") == 3
    assert '"name": "Globex"' in stakemap("export", "--team", "TA", "--format", "json").stdout
    assert "No account named 'Acne'" in stakemap("export", "--team", "TA", "--account", "Acne").output


def test_chart_writes_a_png(stakemap, tmp_path):
    result = stakemap("chart", "Acme", "--team", "TA", "-o", "acme.png")
    assert result.exit_code == 0 and result.stdout.startswith("Wrote acme.png (")
    assert Image.open(io.BytesIO((tmp_path / "acme.png").read_bytes())).format == "PNG"


def test_forget_asks_erases_and_records(stakemap, runtime):
    refused = stakemap("forget", "Acme", "Sarah Kim", "--team", "TA", input="n\n")
    assert refused.exit_code == 1 and "Aborted" in refused.output
    done = stakemap("forget", "Acme", "sarah kim", "--team", "TA", "--by", "dpo@acme.example", input="y\n")
    assert done.exit_code == 0, done.output
    assert "Erased Sarah Kim at Acme: 1 touches" in done.stdout
    with runtime.db.session() as session:
        erasure = session.scalar(select(Erasure))
        contact = session.get(Contact, erasure.contact_id)
        assert (erasure.erased_by, contact.name, contact.title) == ("dpo@acme.example", "Erased contact", None)
    assert "No contact 'Sarah Kim' at Acme." in stakemap("forget", "Acme", "Sarah Kim", "--team", "TA", "--yes").output
