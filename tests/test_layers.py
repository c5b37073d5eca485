"""The layers of DESIGN.md, kept by reading every import of the project's code (function-level
imports included): an app imports only apps of lower layers and itself. `core` imports no project
app; `sferum_admin`, the shell, may import anything and nothing imports it but its own settings."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Lower number = lower layer. Apps of one layer do not import each other.
LAYERS = {
    "core": 0,
    "notifications": 1,  # delivery and the audit trail know no project model by import;
    "audit": 1,  # accounts uses both (sign-in codes by SMS, audited profile changes)
    "accounts": 2,
    "colleges": 3,
    "groups": 4,
    "movement": 5,
    "invitations": 6,
    "materials": 7,
    "chats": 7,
    "broadcasts": 8,
    "announcements": 8,
    "analytics": 9,
    "support": 9,
    "sferum_admin": 10,
}
# Lower apps may know the settings module by name (DJANGO_SETTINGS_MODULE); nothing else of the shell.
ALLOWED_UP = {"sferum_admin.settings", "sferum_admin.celery"}


def _app_of(module: str) -> str | None:
    top = module.split(".")[0]
    return top if top in LAYERS else None


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield node.lineno, module
            for alias in node.names:  # `from core import nav` imports core.nav
                yield node.lineno, f"{module}.{alias.name}"


def _project_files():
    for app in LAYERS:
        folder = ROOT / app
        if folder.is_dir():
            yield from (p for p in folder.rglob("*.py") if "migrations" not in p.parts)


def test_no_import_runs_up_the_layers():
    wrong = []
    for path in _project_files():
        own = _app_of(_module_name(path))
        for line, module in _imports(path):
            other = _app_of(module)
            if other is None or other == own or module in ALLOWED_UP:
                continue
            if LAYERS[other] >= LAYERS[own]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} ({own}) imports {module} ({other})")
    assert not wrong, "imports up or across the layers:\n" + "\n".join(sorted(set(wrong)))


@pytest.mark.parametrize("app", ["core"])
def test_the_kernel_imports_no_project_app(app):
    for path in (ROOT / app).rglob("*.py"):
        for line, module in _imports(path):
            other = _app_of(module)
            assert other in (None, app), f"{path.relative_to(ROOT)}:{line} imports {module}"
