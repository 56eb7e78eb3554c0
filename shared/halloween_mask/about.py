"""What this copy of the client runs on: versions, platform, TLS library, where trusted certificates come from.

Read by the log (its first line of each run) and by the diagnostics (``halloween-mask doctor``, the
plug-in's Diagnostics dialog). Standard library and ``requests`` only; paths shown with ``~``.
"""

from __future__ import annotations

import os
import platform
import re
import ssl
import sys
import sysconfig
from pathlib import Path

import requests
import urllib3

CA_ENV = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")  # requests reads these (when trust_env), in this order


def versions() -> dict[str, str]:
    """Project, Python, platform, OpenSSL, requests and urllib3, each as one short text."""
    from . import __version__

    return {
        "halloween-mask": __version__,
        "Python": f"{platform.python_version()} ({platform.python_implementation()})",
        "platform": f"{sysconfig.get_platform()} ({platform.platform(terse=True)})",
        "OpenSSL": ssl.OPENSSL_VERSION,
        "requests": requests.__version__,
        "urllib3": urllib3.__version__,
    }


def one_line() -> str:
    """``halloween-mask 0.2.0, Python 3.13.5, linux-x86_64, OpenSSL 3.5.1, requests 2.34.2, urllib3 2.8.0``."""
    v = versions()
    return ", ".join(
        [
            f"halloween-mask {v['halloween-mask']}",
            f"Python {platform.python_version()}",
            sysconfig.get_platform(),
            v["OpenSSL"],
            f"requests {v['requests']}",
            f"urllib3 {v['urllib3']}",
        ]
    )


def ca_bundle() -> str:
    """Where the certificates ``requests`` trusts come from, e.g. ``certifi 2026.10.19 (~/…/cacert.pem)``."""
    for name in CA_ENV:
        value = os.environ.get(name)
        if value:
            return f"{name}={home_as_tilde(value)}" + ("" if os.path.exists(value) else " (missing!)")
    try:
        import certifi

        return f"certifi {certifi.__version__} ({home_as_tilde(certifi.where())})"
    except ImportError:
        paths = ssl.get_default_verify_paths()
        return f"the system's ({paths.cafile or paths.capath or 'no file'})"


def home_as_tilde(text: str) -> str:
    """``text`` with the user's home folder written ``~`` (the folder's real path too, and both slashes)."""
    for home in _homes():  # only a whole folder name: "/home/ann" in "/home/anna" stays
        text = re.sub(re.escape(home) + r"(?=$|[/\\\s'\",;:)\]])", "~", text)
    return text


def _homes() -> list[str]:
    try:
        home = str(Path.home())
    except (RuntimeError, KeyError):
        return []
    found = {home, os.path.realpath(home)}
    if os.sep == "\\":
        found |= {h.replace("\\", "/") for h in found}
    # Longest first, and never a bare root: "/" must not turn every path into "~".
    return sorted((h.rstrip("/\\") for h in found if len(h.rstrip("/\\")) > 2), key=len, reverse=True)


def python_line() -> str:
    """Python's version and where it runs from (GIMP's own Python shows here), home as ``~``."""
    return f"Python {sys.version.split()[0]} at {home_as_tilde(sys.executable or '?')}"
