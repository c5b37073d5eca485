"""Permission matrix rows of chats: every ``tests/chats/matrix_*.py`` module's ``CASES`` (the API's in
``matrix_api.py``; the pages' beside it), so each part adds its rows without editing this file."""

import importlib
import pkgutil

import tests.chats

CASES = []
for _module in sorted(pkgutil.iter_modules(tests.chats.__path__), key=lambda module: module.name):
    if _module.name.startswith("matrix_"):
        CASES.extend(importlib.import_module(f"tests.chats.{_module.name}").CASES)
