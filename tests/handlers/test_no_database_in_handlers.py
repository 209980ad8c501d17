"""Handlers never work the database themselves: each read or write a listener needs is one service call that
opens and commits its own unit of work (app/services/). import-linter already keeps sqlalchemy, sqlmodel and
app.platform.db out of handlers/; this check closes the other door, the runtime's database handle: no
`<anything>.db.<attribute>` (a session, a read, the engine) in handlers/. Handing the handle on to a service
that takes a database (`capture_message(runtime.db, ...)`) is the service's unit of work, and allowed."""

import ast
from pathlib import Path

import handlers


def database_uses(source: str) -> list[tuple[int, str]]:
    """(line, code) of each use of a `.db` handle's attributes (runtime.db.session(), request.runtime.db.engine...)."""
    tree = ast.parse(source)
    return [(node.lineno, ast.unparse(node)) for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) and node.value.attr == "db"]


def test_handlers_open_no_session():
    root = Path(handlers.__file__).parent
    found = [f"{path.relative_to(root.parent)}:{line}: {code}" for path in sorted(root.rglob("*.py"))
             for line, code in database_uses(path.read_text())]
    assert found == [], "move these into a service that owns the unit of work (app/services/):\n" + "\n".join(found)


def test_the_check_sees_sessions_reads_and_the_engine_but_not_the_handle_handed_on():
    source = '''
def listener(runtime, request):
    with runtime.db.session() as session:
        pass
    with request.runtime.db.reading() as session:
        pass
    runtime.db.engine.dispose()
    capture_message(runtime.db, parsed)
'''
    assert [line for line, _ in database_uses(source)] == [3, 5, 7]
