"""A signed-in device's name from its User-Agent when the frontend gives none.

ua-parser (the Python port of uap-core, the rules Browserscope and many analytics tools
share, with its precompiled rule set) reads the header; here its answer becomes what a
person recognises in a list of devices: "iPhone · WeChat 8.0", "Chrome on Windows".
"""
import re
from functools import lru_cache

from ua_parser import parse

NAME_MAX = 100
_UNKNOWN = {"", "Other", "Generic Smartphone", "Generic Feature Phone"}
# WeChat's built-in browser and mini-programs say MicroMessenger/<version>; uap-core names it on
# iOS only (on Android it sees the system WebView), so it is looked for first.
_WECHAT = re.compile(r"MicroMessenger/(\d+)\.(\d+)")


def device_name(given: str, user_agent: str, *, fallback: str = "") -> str:
    """`given` when the frontend named the device; else a name from the User-Agent; else `fallback`."""
    if given:
        return given
    return _from_user_agent((user_agent or "")[:512]) or fallback


@lru_cache(maxsize=512)
def _from_user_agent(user_agent: str) -> str:
    if not user_agent.strip():
        return ""
    parsed = parse(user_agent)
    browser = parsed.user_agent
    os_name = parsed.os.family if parsed.os and parsed.os.family not in _UNKNOWN else ""
    device = ""
    if parsed.device and parsed.device.family not in _UNKNOWN and not (parsed.device.brand or "").startswith("Generic"):
        device = parsed.device.family
    wechat = _WECHAT.search(user_agent)
    if wechat:
        app = f"WeChat {wechat[1]}.{wechat[2]}"
    elif browser is not None and browser.family not in _UNKNOWN:
        app = browser.family
    else:
        return os_name[:NAME_MAX]
    # A phone or tablet is known by its model ("iPhone"), else by its system ("Android").
    mobile = os_name in ("iOS", "Android", "HarmonyOS", "iPadOS")
    if (device and device not in ("Mac", "Spider")) or mobile:
        return f"{device or os_name} · {app}"[:NAME_MAX]
    return (f"{app} on {os_name}" if os_name else app)[:NAME_MAX]
