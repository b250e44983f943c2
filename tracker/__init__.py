"""tracker: finds internet censorship events in news and regulators' statements."""

__version__ = "0.1.0"
