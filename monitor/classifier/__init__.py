"""Classifier versions known to this installation, and labels from officer decisions."""
