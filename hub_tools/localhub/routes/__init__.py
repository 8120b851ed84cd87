"""The local Hub's endpoints, one mixin per resource; :class:`hub_tools.localhub.api.HubApp` composes them.

    base         what every route shares: the app's attributes, visibility, write rights, revisions in URLs
    users        whoami
    repos        repo CRUD, settings, listing and repo info (with ``.eval_results`` as ``evalResults``)
    spaces       the Space management endpoints (runtime, hardware, secrets, variables)
    files        tree, paths-info, resolve, validate-yaml, preupload and the LFS batch/upload/verify API
    commits      NDJSON commits, the commit list and commit pages
    refs         branches, tags, refs, and pull requests with their discussions

Collections (``collections.py``) and the Xet CAS (``xet.py``) are their own classes, routed by ``HubApp``.
"""
