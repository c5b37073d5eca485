"""`make test-fast` leaves out tests marked `slow` or `race`. A test that starts a real worker or
subprocess, or races threads, must carry one of these marks, or it would slow the fast loop down.

Read statically (no import): a test module that imports a process or thread starter
(subprocess, threading, concurrent.futures, multiprocessing, the Celery worker helpers of the tests,
the bench helpers) is marked as a whole, or each test reaching such a name — directly, through a
helper function or through a fixture of the same module — is marked itself.
"""

import ast
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
FAST_LOOP_EXCLUDES = {"slow", "race"}
STARTERS = (
    "subprocess",
    "threading",
    "concurrent.futures",
    "multiprocessing",
    "tests.movement.workers",
    "tests.sferum_admin.worker",
    "tests.sockets.servers",
    "bench",
)

# Fixtures of tests/conftest.py that start processes: a test asking for one by name starts them.
STARTING_FIXTURES = {"asgi_server_pair"}


def _is_starter(module: str) -> bool:
    return any(module == starter or module.startswith(starter + ".") for starter in STARTERS)


def _starter_names(node: ast.AST) -> set[str]:
    """Names bound by `import`/`from … import` statements of a starter under `node`."""
    names = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Import):
            names |= {(a.asname or a.name).split(".")[0] for a in child.names if _is_starter(a.name)}
        elif isinstance(child, ast.ImportFrom) and child.module and not child.level and _is_starter(child.module):
            names |= {a.asname or a.name for a in child.names}
    return names


def _marks(decorators: list[ast.expr]) -> set[str]:
    """`pytest.mark.x` and `pytest.mark.x(...)` in a decorator list or a `pytestmark` value."""
    marks = set()
    for node in decorators:
        for child in ast.walk(node):
            if (
                isinstance(child, ast.Attribute)
                and isinstance(child.value, ast.Attribute)
                and child.value.attr == "mark"
            ):
                marks.add(child.attr)
    return marks


def _module_marks(tree: ast.Module) -> set[str]:
    return {
        mark
        for node in tree.body
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets)
        for mark in _marks([node.value])
    }


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    """Module-level functions and the methods of module-level classes, by name."""
    found = {}
    for node in tree.body:
        members = node.body if isinstance(node, ast.ClassDef) else [node]
        for member in members:
            if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef):
                found[member.name] = member
    return found


def _referenced(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Names the function reads, and its parameters (a parameter names a fixture)."""
    names = {n.id for n in ast.walk(function) if isinstance(n, ast.Name)}
    return names | {a.arg for a in function.args.args + function.args.kwonlyargs}


def unmarked_starting_tests(source: str) -> list[str]:
    """Names of the tests in `source` that start a process or thread and carry neither `slow` nor `race`."""
    tree = ast.parse(source)
    if _module_marks(tree) & FAST_LOOP_EXCLUDES:
        return []
    imports = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
    module_starters = _starter_names(ast.Module(body=imports, type_ignores=[])) | STARTING_FIXTURES
    functions = _functions(tree)
    starting = {
        name
        for name, function in functions.items()
        if _starter_names(function) or _referenced(function) & module_starters
    }
    # A helper or fixture that calls a starting helper starts one too.
    while True:
        more = {
            name for name, function in functions.items() if name not in starting and _referenced(function) & starting
        }
        if not more:
            break
        starting |= more
    marked_classes = {
        member.name
        for node in tree.body
        if isinstance(node, ast.ClassDef) and _marks(node.decorator_list) & FAST_LOOP_EXCLUDES
        for member in node.body
        if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    return sorted(
        name
        for name in starting
        if name.startswith("test")
        and name not in marked_classes
        and not _marks(functions[name].decorator_list) & FAST_LOOP_EXCLUDES
    )


def _test_modules() -> list[Path]:
    return sorted(p for p in TESTS_DIR.rglob("test_*.py") if "e2e" not in p.relative_to(TESTS_DIR).parts)


@pytest.mark.parametrize("path", _test_modules(), ids=lambda p: str(p.relative_to(TESTS_DIR)))
def test_tests_that_start_workers_subprocesses_or_threads_are_marked_slow_or_race(path):
    unmarked = unmarked_starting_tests(path.read_text(encoding="utf-8"))
    assert not unmarked, (
        f"{path.relative_to(TESTS_DIR)}: {', '.join(unmarked)} start a worker, subprocess or thread; "
        "mark them @pytest.mark.slow (or race) so `make test-fast` leaves them out"
    )


UNMARKED_SUBPROCESS = """
import subprocess

def _run():
    return subprocess.run(["true"])

@pytest.fixture
def server():
    yield _run()

def test_direct():
    subprocess.run(["true"])

def test_through_a_fixture(server):
    pass

@pytest.mark.slow
def test_marked():
    _run()

def test_plain():
    assert 1
"""


def test_the_check_finds_direct_helper_and_fixture_use_and_honours_the_marks():
    assert unmarked_starting_tests(UNMARKED_SUBPROCESS) == ["test_direct", "test_through_a_fixture"]
    assert unmarked_starting_tests("pytestmark = [pytest.mark.slow]\n" + UNMARKED_SUBPROCESS) == []


def test_the_check_finds_imports_inside_a_test_and_worker_helpers():
    inner = "def test_threads():\n    import threading\n    threading.Thread(target=print).start()\n"
    worker = "from tests.movement.workers import start_worker\n\ndef test_worker():\n    start_worker(queue='q')\n"
    bench = "from bench.invitations_dispatch import start_worker\n\ndef test_bench():\n    start_worker({}, 'log')\n"
    assert unmarked_starting_tests(inner) == ["test_threads"]
    assert unmarked_starting_tests(worker) == ["test_worker"]
    assert unmarked_starting_tests(bench) == ["test_bench"]
    assert unmarked_starting_tests("@pytest.mark.race\n" + inner) == []


def test_the_check_finds_a_test_asking_for_a_fixture_that_starts_servers():
    assert unmarked_starting_tests("def test_sockets(asgi_server_pair):\n    pass\n") == ["test_sockets"]
