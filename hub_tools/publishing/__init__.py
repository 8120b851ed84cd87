"""The publishing engine: one way to stage, diff, commit and check what goes to a Hub.

``gaokerena publish dataset``, ``gaokerena space deploy`` and ``gaokerena release push`` all publish through
:mod:`hub_tools.publishing.engine`; :mod:`hub_tools.publishing.artifacts` declares, per artifact type, the allow-list
of what may be published (a new type is one ``register`` call); :mod:`hub_tools.publishing.sanitize` rewrites the
local paths of shipped metadata into repo ids or relative paths and refuses files that would leak the token or a
path of this machine.
"""
