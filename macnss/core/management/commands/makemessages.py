"""Django's makemessages, which also reads the Jinja2 templates (pages, e-mails, receipts).

Django turns a Django template into Python that xgettext can read; a Jinja2 template gets the same
treatment here, from Jinja2's own list of the messages a template translates: `_("…")`, `gettext`,
`ngettext`, `pgettext` and `{% trans %}` blocks. The admin's templates stay Django templates and are
read as before.
"""

from pathlib import Path

from django.core.management.commands import makemessages
from django.template import engines
from django.utils.functional import cached_property
from jinja2 import Environment


def jinja2_template_dirs() -> list[Path]:
    return [Path(d).resolve() for d in engines["jinja2"].template_dirs]


def jinja2_messages_as_python(source: str) -> str:
    """One gettext call per message, on (or just after) the template line it comes from."""
    environment = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    # As macnss.core.jinja2env: every message is a %-format string, a literal % written "%%".
    environment.newstyle_gettext = True
    lines: dict[int, str] = {}
    for lineno, function, message in environment.extract_translations(source):
        strings = message if isinstance(message, tuple) else (message,)
        if function == "ngettext":
            call = f"ngettext({strings[0]!r}, {strings[1]!r}, 1)"
        elif function == "pgettext":
            call = f"pgettext({strings[0]!r}, {strings[1]!r})"
        elif function == "npgettext":
            call = f"npgettext({strings[0]!r}, {strings[1]!r}, {strings[2]!r}, 1)"
        else:
            call = f"gettext({strings[0]!r})"
        while lineno in lines:
            lineno += 1
        lines[lineno] = call
    out, current = [], 1
    for lineno in sorted(lines):
        text = lines[lineno]
        start = lineno - text.count("\n")
        if start > current:
            out.append("\n" * (start - current))
            current = start
        out.append(text + "\n")
        current += text.count("\n") + 1
    return "".join(out)


class BuildFile(makemessages.BuildFile):
    @cached_property
    def is_jinja2(self) -> bool:
        path = Path(self.path).resolve()
        return any(path.is_relative_to(directory) for directory in jinja2_template_dirs())

    def preprocess(self):
        if not (self.is_templatized and self.is_jinja2):
            return super().preprocess()
        source = Path(self.path).read_text(encoding="utf-8")
        Path(self.work_path).write_text(jinja2_messages_as_python(source), encoding="utf-8")


class Command(makemessages.Command):
    build_file_class = BuildFile
