"""The private reading layer: metric inputs, in every shape, read into internal rows."""
