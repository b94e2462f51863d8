"""VetriSys: veterinary clinic management for one clinic or a whole chain."""

__version__ = "0.1.0"
