"""RSS and Atom feeds: the sweep connector and the feed parser."""
