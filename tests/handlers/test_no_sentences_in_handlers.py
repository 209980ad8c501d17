"""Every sentence a user reads is built in blocks/: handlers/ hold no sentence-like string literal.

Sentence-like: two words of letters in a row. Left out, as nobody but us reads them: docstrings, the
messages of log calls, and a TypeError raised at registration (a programming mistake)."""

import ast
import re
from pathlib import Path

import handlers

SENTENCE = re.compile(r"[A-Za-z]{2,}[,:;]? +[A-Za-z]{2,}")
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical"}
FOR_US = {"TypeError"}


def _docstrings(tree: ast.AST) -> set[int]:
    kinds = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return {id(node.body[0].value) for node in ast.walk(tree) if isinstance(node, kinds) and node.body
            and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}


def _for_us(node: ast.Call) -> bool:
    func = node.func
    logged = isinstance(func, ast.Attribute) and func.attr in LOG_METHODS and isinstance(func.value, ast.Name)
    return logged or (isinstance(func, ast.Name) and func.id in FOR_US)


def sentences(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    skipped = _docstrings(tree)
    for call in (node for node in ast.walk(tree) if isinstance(node, ast.Call) and _for_us(node)):
        skipped |= {id(node) for arg in call.args for node in ast.walk(arg)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped
            and SENTENCE.search(node.value)]


def test_handlers_hold_no_sentence():
    root = Path(handlers.__file__).parent
    found = [f"{path.relative_to(root.parent)}:{line}: {text!r}" for path in sorted(root.rglob("*.py"))
             for line, text in sentences(path.read_text())]
    assert found == [], "build these in blocks/ (blocks/notices.py or the surface's module):\n" + "\n".join(found)


def test_the_check_sees_sentences_in_plain_and_formatted_strings_but_not_in_logs_or_docstrings():
    source = '''"""A module."""
import logging
log = logging.getLogger(__name__)
def f(name):
    """Says things."""
    log.info("could not tell %s", name)
    ok = ("account_id", "view_submission", "ephemeral")
    return f"*{name}* has left the company.", "Pick the account."
'''
    assert sorted(sentences(source)) == [(8, "* has left the company."), (8, "Pick the account.")]
