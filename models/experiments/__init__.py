"""One-off measurements kept so their figures can be reproduced; nothing here is shipped."""
