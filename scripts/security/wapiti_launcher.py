#!/usr/bin/python3
"""Debian's wapiti 3.0.4, with its `-x` (exclude URL) patterns working on Python 3.11.

wapiti 3.0.4 builds each exclusion as `re.compile(pattern + r"\\Z(?ms)")`; since Python 3.11 a global
flag that is not at the start of a pattern is an error, so any `-x` crashes the scan. This launcher
puts the flags first, then runs wapiti's own entry point unchanged. It runs under the system Python
(/usr/bin/python3), which is where Debian installs wapitiCore.
"""

import re
import sys

from wapitiCore.net import crawler


def wildcard_translate(pattern: str) -> re.Pattern:
    """`*` matches anything, every other character itself (same meaning as wapiti's own function)."""
    return re.compile("(?ms)" + "".join(".*" if char == "*" else re.escape(char) for char in pattern) + r"\Z")


crawler.wildcard_translate = wildcard_translate

from wapitiCore.main.wapiti import wapiti_main  # noqa: E402

if __name__ == "__main__":
    sys.exit(wapiti_main())
