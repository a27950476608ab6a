"""The release sign-off report (``--hacluster-report=DIR``): report.json, report.html and
diagnostics of failed tests.

``record`` turns scenarios into plain data, ``document`` merges a run into the versioned
report.json (schema in ``docs/report-schema.md``), ``html`` and ``plots`` draw the page,
``diagnostics`` and ``versions`` ask the nodes, ``plugin`` holds the pytest hooks.
"""
