"""The desk's pages, one module per page family, each exporting ``ROUTES`` (joined in
``review_ui.routes``). Views hold no SQL and write no audit events: they call ``monitor``."""
