# Same formats in French and Arabic: see macnss/formats/common.py.
from macnss.formats.common import *  # noqa: F403
