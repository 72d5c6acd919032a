# Ma CNSS — one image for the web process (gunicorn), the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint needs Pango and HarfBuzz subsetting (11x faster PDFs); Amiri shapes Arabic; flite speaks the captcha.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
      fonts-hosny-amiri fonts-dejavu-core gettext flite \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# The PDF documents' cut-down fonts, cut from the fonts installed above into /app/var/pdf-fonts
# (PDF_FONTS_DIR), owned by root: the workers only read them.
RUN DJANGO_SETTINGS_MODULE=macnss.settings.base python manage.py compilemessages --ignore=.venv -v0 \
 && DJANGO_SETTINGS_MODULE=macnss.settings.base python manage.py collectstatic --noinput -v0 \
 && DJANGO_SETTINGS_MODULE=macnss.settings.base python manage.py build_receipt_fonts -v0 \
 && useradd --create-home --uid 1000 macnss && mkdir -p /app/media && chown -R macnss /app/media

# The image runs production: gunicorn, the Celery worker and beat load macnss.settings.production, and
# macnss/celery.py refuses the development settings while DJANGO_ENV=production (after the build steps
# above, which need no secrets and use the development settings).
ENV DJANGO_ENV=production DJANGO_SETTINGS_MODULE=macnss.settings.production

USER macnss
EXPOSE 8000
CMD ["gunicorn", "macnss.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
