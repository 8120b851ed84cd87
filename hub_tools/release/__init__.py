"""Versioned releases: a manifest of repos, an idempotent push (one atomic commit per changed repo), verification
at the pushed commits, tags, and the offline rehearsal of the whole pipeline (``gaokerena rehearse``)."""
