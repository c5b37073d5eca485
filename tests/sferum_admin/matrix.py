from tests.matrix import LOGIN, Case, answers

# «home» has its row in tests/colleges/matrix.py (HomeView lives in colleges).
CASES = [
    Case("healthz", answers(200)),
    Case("favicon", answers(200)),
    Case("readyz", answers(200)),
    # The API's description is for signed-in people (integrations), not the internet.
    Case("api:schema", answers(200, anonymous=401)),
    Case("api:docs", answers(200, anonymous=LOGIN)),
]
