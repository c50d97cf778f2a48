"""The metrics reading layer: every metric input is read here, into internal rows.

``fields`` holds the field primitives (one definition each); one reader per
input kind (``orders``, ``sessions``, ``emails``, ``surveys``, ...) turns every
accepted shape into one row type.
"""
