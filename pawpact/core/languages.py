"""`Accept-Language` as WeChat and Chinese phones send it, read as the standard form.

WeChat reports its language as `zh_CN` (an underscore, which the standard's pattern, and so
Django, does not accept: the whole header is then ignored), and phones send `zh`, `zh-CN`,
`zh-Hans-CN` or `zh-TW`. Every Chinese tag is read as `zh-hans`, the one Chinese the product is
written in; other tags pass unchanged. Runs before LocaleMiddleware and the API's language
choice, so pages and the API agree."""
import re

_TAG = re.compile(r"^\s*([A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*|\*)\s*(;.*)?$")


def accept_language_normalised(header: str) -> str:
    parts = []
    for part in header.split(","):
        match = _TAG.match(part)
        if match is None:
            parts.append(part.strip())
            continue
        tag, rest = match.group(1).replace("_", "-"), match.group(2) or ""
        if tag.lower() == "zh" or tag.lower().startswith("zh-"):
            tag = "zh-hans"
        parts.append(tag + rest.replace(" ", ""))
    return ",".join(part for part in parts if part)


class AcceptLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.META.get("HTTP_ACCEPT_LANGUAGE")
        if header:
            request.META["HTTP_ACCEPT_LANGUAGE"] = accept_language_normalised(header)
        return self.get_response(request)
