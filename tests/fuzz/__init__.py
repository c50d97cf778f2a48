"""The project-owned bad-input suite (issue 10, section 7).

- ``surface.py`` finds every public name (the ``__all__`` of every public
  module: the packages, then each submodule) and every public method of the
  public classes; ``test_public_api.py`` fails when one has no
  entry in ``registry.py`` (one valid call each, built from ``samples.py``)
  or when the registry names something that is gone.
- ``badvalues.py`` holds the classes of bad value; ``harness.py`` replaces one
  argument at a time with each, under a 10 s alarm, and judges: only a
  ``SalesflowError`` escapes, the message names the parameter and shows the
  value, an accepted result can still be read, and a refused command leaves
  its object as it was (the same valid call afterwards gives the same result).
- ``documents.py`` mutates real documents; ``test_documents.py`` requires every
  reader to refuse every mutation (the few harmless ones are listed with why).
- ``test_record_fields.py`` puts each bad value in each field of a row a metric reads.
- ``python tests/fuzz/count.py`` prints how many calls and classes it makes.

New public API: add one valid call to ``REGISTRY`` (crib it from the docs).
"""
