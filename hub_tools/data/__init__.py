"""Dataset building: readers, the Persian normaliser, redaction, build reports, builders and the folder writer.

Modules (import what you need; nothing heavy is imported here):

- :mod:`hub_tools.data.normalize`  ``normalize_persian`` (the one normaliser every builder uses)
- :mod:`hub_tools.data.redact`     ``redact_personal_data`` (phones, e-mails, URLs, national-ID-like numbers)
- :mod:`hub_tools.data.readers`    ``read_xlsx`` / ``read_jsonl`` with located ``DataError``s and quarantine
- :mod:`hub_tools.data.report`     ``BuildReport`` (read = kept + dropped for every source file)
- :mod:`hub_tools.data.output`     ``write_dataset`` (parquet per config/split, report, card; SCHEMAS.md §1)
- :mod:`hub_tools.data.builders`   ``BuildOptions``, the registry and one module per dataset
- :mod:`hub_tools.data.cli`        ``gaokerena data build|list|check-contamination``
"""
