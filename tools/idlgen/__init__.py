"""The generator of the aionl protocol's code: see tools/aionlgen.py."""
