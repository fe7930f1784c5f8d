"""docgen: documents and forms for the Erasmus+ and international relations office."""

__version__ = "0.1.0"
