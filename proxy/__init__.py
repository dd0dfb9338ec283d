"""QuietPage: a local proxy that removes clutter from news pages."""
__version__ = "0.1.0"
