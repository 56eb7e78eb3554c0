"""Client, emulator and command line for the AILabTools "AI Halloween Mask" API."""

__version__ = "0.1.0"
