"""The ``hate-monitor`` command line (root group: ``monitor.cli.main``). Nothing imports it."""
