"""PictoVoz: an offline AAC communicator (pictograms -> sentences -> speech)."""

__version__ = "0.1.0"
