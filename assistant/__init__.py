"""AI practice sandbox for public officials."""
__version__ = "0.1.0"
