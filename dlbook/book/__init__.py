"""The book's build machinery: chapter execution, its cache, and the MkDocs plugin.

Nothing here is imported by ``import dlbook``; MkDocs loads :mod:`dlbook.book.plugin`
through the ``mkdocs.plugins`` entry point and the ``dlbook`` command loads the rest.
"""
