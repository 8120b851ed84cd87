"""Hub cards: typed metadata plus packaged Jinja templates.

Model and adapter cards live in ``model``, dataset cards in ``dataset``.
"""
