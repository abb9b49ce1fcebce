"""Lapor: an open-source platform for SP4N-LAPOR!, Indonesia's national complaint system."""
