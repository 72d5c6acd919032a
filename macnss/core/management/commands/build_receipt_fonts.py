"""Cut the PDF documents' fonts down into settings.PDF_FONTS_DIR: run at image build (Dockerfile) or deploy."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from macnss.core.pdf import RECEIPT_FONTS, build_receipt_fonts


class Command(BaseCommand):
    help = "Builds the cut-down fonts of the PDF receipts into PDF_FONTS_DIR (or --directory)."

    def add_arguments(self, parser):
        parser.add_argument("--directory", help="where to write them (default: settings.PDF_FONTS_DIR)")

    def handle(self, *args, directory=None, **options):
        target = Path(directory or settings.PDF_FONTS_DIR)
        written = build_receipt_fonts(target)
        if options["verbosity"]:
            self.stdout.write(f"{len(written)} of {len(RECEIPT_FONTS)} receipt fonts written to {target}")
