"""The one place this app imports the shared upload checks from (content sniffing, active content,
antivirus). Branch `uploads` moves them to macnss.core.uploads: switching is this file only."""

from taawidaty.antivirus import ScannerUnavailable, Verdict, scan
from taawidaty.uploads import CheckedFile, check_content, read_limited

__all__ = ["CheckedFile", "ScannerUnavailable", "Verdict", "check_content", "read_limited", "scan"]
