"""One module per use case, shared by the three doors (the API, the pages, the CLI).

Plain functions taking the settings they need, the store's session and validated input;
they return results or raise :mod:`docgen.errors`, flush and leave the commit to the door.
``documents`` (generate, batch), ``batch`` (a job's status and ZIP), ``forms`` (blank and
prefilled forms), ``records`` (receive an upload, complete it from the parser, read it
again, correct, approve), ``grants`` (the final grant), ``selection`` (rank),
``registry`` (partners, agreements, EWP).
"""
