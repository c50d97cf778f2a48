"""The metrics reading layer: every metric input is read here, into internal rows.

``fields`` holds the field primitives (one definition each); one reader per
input kind (``orders``, ...) turns every accepted shape into one row type.
"""
