"""incidentmap's domain: incidents, known sites, extraction, geocoding and storage.

Nothing in this package imports Flask; the web layer calls into it.
"""

__version__ = "0.1.0"
