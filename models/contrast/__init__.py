"""Our own functional contrast set: short synthetic posts written for this project."""
