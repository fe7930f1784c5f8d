"""One function per use case, shared by the web layer and the command line."""
