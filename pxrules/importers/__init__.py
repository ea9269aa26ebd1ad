"""Importers for the NHS's publications: FFT workbooks, KO41a, NOF metrics, CQC patient surveys, the Staff Survey.

Each reads the whole file first (every bad cell is reported with its sheet, row and column) and then stores
its items in one unit of work, so a file either imports completely or not at all.
"""

from pxrules.importers.common import shipped_file
from pxrules.importers.fft import import_fft, read_fft
from pxrules.importers.fft_summary import import_fft_summary, read_fft_summary
from pxrules.importers.ko41a import import_ko41a, read_ko41a
from pxrules.importers.nof import import_nof, read_nof
from pxrules.importers.npsp import import_npsp, read_npsp
from pxrules.importers.nss import import_staff_survey, read_nss_csv, read_nss_workbook
from pxrules.importers.storing import ImportResult

__all__ = [
    "ImportResult",
    "import_fft",
    "import_fft_summary",
    "import_ko41a",
    "import_nof",
    "import_npsp",
    "import_staff_survey",
    "read_fft",
    "read_fft_summary",
    "read_ko41a",
    "read_nof",
    "read_npsp",
    "read_nss_csv",
    "read_nss_workbook",
    "shipped_file",
]
