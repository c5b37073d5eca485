from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation

NULL_CHARACTER_MESSAGE = "В адресе запроса недопустимый символ (NUL). Проверьте ссылку или условия поиска."


class ChosenLanguageMiddleware:
    """Russian unless the person chose another language with the switch in the footer.

    Django's LocaleMiddleware also follows the browser's Accept-Language, so a
    college secretary whose phone is set to English would get a half-English
    interface. Here only the language cookie set by the switch counts.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


def wants_json(request) -> bool:
    """API clients get JSON errors; people get pages."""
    return request.path.startswith("/api/")


class RejectNullCharactersMiddleware:
    """A query string with a NUL byte answers 400 before any view sees it.

    No parameter of any page or endpoint can mean a NUL (PostgreSQL cannot
    even store one in text), so one check here covers every filter, search
    and choice, present and future; form fields refuse it in request bodies
    (Django's ProhibitNullCharactersValidator, DRF's CharField).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
            if wants_json(request):
                return JsonResponse({"detail": NULL_CHARACTER_MESSAGE}, status=400)
            return render(request, "errors/400.html", {"reason": NULL_CHARACTER_MESSAGE}, status=400)
        return self.get_response(request)
