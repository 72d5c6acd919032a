"""The form renderer: the smallest widgets in Python (macnss.core.widget_html), the others through
Jinja2, anything only the Django engine has through it.

On the form pages, rendering widgets with Django's template engine was most of the request
(docs/PERFORMANCE.md); Django ships the same widget templates for Jinja2, which renders them about
three times faster. The admin's own widgets exist only as Django templates, hence the fallback.
"""

from django.forms.renderers import BaseRenderer, Jinja2, TemplatesSetting
from django.template import TemplateDoesNotExist
from django.utils.functional import cached_property

from macnss.core import widget_html


class _Jinja2Widgets(Jinja2):
    """Django's Jinja2 widget templates, then each app's jinja2/ folder (the captcha widget's is in
    macnss/core/jinja2/), with the project's environment (escaping as the Django templates do)."""

    @cached_property
    def engine(self):
        from pathlib import Path

        import django.forms

        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [Path(django.forms.__file__).parent / "jinja2"],
                "NAME": "djangoforms",
                "OPTIONS": {"environment": "macnss.core.jinja2env.environment"},
            }
        )


class PortalFormRenderer(BaseRenderer):
    @cached_property
    def jinja2(self) -> Jinja2:
        return _Jinja2Widgets()

    @cached_property
    def django(self) -> TemplatesSetting:
        return TemplatesSetting()

    def get_template(self, template_name):
        try:
            return self.jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self.django.get_template(template_name)

    def render(self, template_name, context, request=None):
        html = widget_html.render(template_name, context)
        if html is None:
            return super().render(template_name, context, request=request)
        return html
