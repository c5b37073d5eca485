from django.conf import settings
from django.utils import translation


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
