from tests.matrix import Case, answers

# «home» has its row in tests/colleges/matrix.py (HomeView lives in colleges).
CASES = [
    Case("healthz", answers(200)),
    Case("favicon", answers(200)),
    Case("readyz", answers(200)),
    Case("api:schema", answers(200)),
    Case("api:docs", answers(200)),
]
