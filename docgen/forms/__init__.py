"""Fillable PDF forms: build them from specs, prefill them, read returned ones back.

Modules: ``spec`` (the YAML specs), ``build`` (reportlab, deterministic), ``fieldfont``
and ``appearance`` (the embedded field font and the appearances docgen draws with it),
``prefill`` (the office's values as field values), ``acroform`` and ``flattened`` (reading
fields, or the text inside their boxes), ``pagecode`` (the QR and corner marks on every
page), ``pages``, ``identify``, ``ocr`` and ``scan`` (scans and photos: decode, find the
code, register, read), ``normalise`` and ``validate`` (typing, Romanian letters, checks),
``signatures`` (pyHanko, offline), ``parse`` (the pure core, ``parse_form(fp)``), ``worker``
and ``isolation`` (child processes with time, memory and size limits).

``docgen forms parse FILE.pdf --json`` prints one JSON object: a record (exit 0)

    {"form", "version", "status": "valid" | "needs_review" | "unrecognized",
     "method": "acroform" | "flattened", "reference", "values", "issues": [{"field",
     "code", "message"}], "signatures": [...], "source": {"sha256", "pages", "filename",
     "bytes", "warnings"}}

or an error (exit 2) ``{"error": {"code", "message"}}`` whose code is one of:

- ``unreadable``: the file cannot be opened (missing, no permission);
- ``not_pdf``: no ``%PDF-`` header in the first kilobyte, and not a JPEG, PNG, TIFF or HEIC
  image either;
- ``too_large``: larger than ``PARSE_MAX_MB`` (default 20 MB);
- ``encrypted``: needs a password, or uses public-key encryption;
- ``malformed``: the PDF structure cannot be read (broken xref, object streams, pages);
- ``xfa_only``: an XFA form with no AcroForm fields;
- ``timeout``: parsing took longer than ``PARSE_TIMEOUT`` (default 15 s); the child is killed;
- ``too_complex``: beyond the limits: ``PARSE_MEMORY_MB`` (default 1024 MiB of address
  space), more than 5,000 form fields or 2,000 pages, or a decompression limit;
- ``internal``: the parsing process died unexpectedly (a bug or a crash in a library).

Issue codes in a record: ``required``, ``invalid_date``, ``not_integer``, ``not_number``,
``not_a_choice``, ``below_min``, ``above_max``, ``too_long``, ``date_order``,
``days_in_period``, ``required_when``, ``below_min_when``, ``sum_mismatch``,
``required_with``, ``version_mismatch``, ``unknown_form``, ``signature_invalid``,
``active_content`` (JavaScript, launch or submit actions, embedded files: see
:mod:`docgen.forms.active`); and for scans (``"method": "scan"``) ``low_confidence``,
``letter_unsure`` (ş or ș, ţ or ț read on a ``lang: foreign`` field),
``signature_missing``, ``page_missing``, ``unidentified``.
"""
