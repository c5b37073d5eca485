"""Every callback after commit is robust: a callback that fails (the broker down) must not turn a
committed change into a 500, nor stop the callbacks after it (issue #14). The behaviour itself:
tests/invitations/test_broker_down.py."""

import ast
from pathlib import Path

from tests.test_layers import LAYERS

ROOT = Path(__file__).resolve().parent.parent


def test_every_callback_after_commit_is_robust():
    """A callback that fails (the broker down) must not turn a committed change into a 500, nor stop the
    callbacks after it: every ``transaction.on_commit`` of the project passes ``robust=True``."""
    fragile = []
    for app in LAYERS:
        for path in (ROOT / app).rglob("*.py") if (ROOT / app).is_dir() else ():
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "on_commit"
                    and not any(k.arg == "robust" and getattr(k.value, "value", None) is True for k in node.keywords)
                ):
                    fragile.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert fragile == []
