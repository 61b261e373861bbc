"""Fetching the one post a reported URL points at: which URLs and hosts may be fetched
(``hosts``) and the dispatch to each platform's ``fetch`` module (``dispatch``)."""
