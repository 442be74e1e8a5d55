"""API serializers of the official scores: they parse and present; every write goes through surveys.services.

Score values are taken raw, a JSON number or text (``843``, ``"890.7"``, ``"1,000"``), and parsed
by surveys.validators inside the services, so the API accepts what the entry form and the import
accept and refuses it with the same messages. A program is named by its code, a period by its
written form (``2010-Q1``, ``2010-02``, ``2010`` for the official full-year result), an item by its
code in the period's catalogue. Figures are rendered as decimal strings with two places
(``"874.50"``); a rank percentile, a fraction from 0 (last) to 1 (first), has four.

The package's modules: ``fields`` (shared fields and helpers), ``catalogue``, ``scores`` (official
and item scores), ``targets`` and ``summary``; the API views import from here.
"""

from .catalogue import ProgramSerializer, ScoreItemSerializer
from .scores import ItemScoreSerializer, ItemScoreWriteSerializer, OfficialScoreSerializer, OfficialScoreWriteSerializer
from .summary import ProgramYearSerializer, SummaryQuerySerializer
from .targets import TargetSerializer, TargetWriteSerializer

__all__ = [
    "ItemScoreSerializer",
    "ItemScoreWriteSerializer",
    "OfficialScoreSerializer",
    "OfficialScoreWriteSerializer",
    "ProgramSerializer",
    "ProgramYearSerializer",
    "ScoreItemSerializer",
    "SummaryQuerySerializer",
    "TargetSerializer",
    "TargetWriteSerializer",
]
