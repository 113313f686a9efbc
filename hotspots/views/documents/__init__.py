"""The document stack: every printed product is built from the same pieces.

- :mod:`~hotspots.views.documents.static_map`: matplotlib map frame, north arrow, scale bar,
  headings, PNG bytes;
- :mod:`~hotspots.views.documents.html`: the page shell (escaped text, tables, inline images,
  printable CSS);
- :mod:`~hotspots.views.documents.pdf`: PDF pages (A4 table pages, figures → one PDF);
- :mod:`~hotspots.views.documents.tables`: cells as display text, for both.

Documents built on them: the meeting pack (:mod:`~hotspots.views.documents.meeting_pack`,
formerly ``hotspots.views.report``), the patrol briefing
(:mod:`~hotspots.views.documents.briefing`, formerly ``hotspots.products.patrol.briefing``) and
the CCTV tasking sheet (:mod:`~hotspots.views.documents.tasking_sheet`). Writers follow
:mod:`hotspots.core.io`: they return bytes, and write them to ``dest`` when given.
"""
