"""What the tests share: fakes and posts (``fakes``), the web client (``web``: one app builder,
one login, one ``csrf_of``), browser and SMTP helpers, and the fixtures each part of the suite
uses (registered in tests/conftest.py)."""
