"""Project middleware."""

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Every HTML page needs a login, except those marked ``login_not_required``.

    The API is left to DRF, which authenticates tokens as well as sessions and answers
    401/403 in JSON rather than redirecting to the login page.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class ChineseByDefaultMiddleware:
    """Speak Simplified Chinese unless the user picked another language with the switch.

    The dealership's PCs often run an English Windows or browser; their Accept-Language header
    must not turn the department's system English. The language switch's cookie still wins.
    Sits just before Django's LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
