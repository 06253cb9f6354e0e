"""Compliance, in the back office: every finding of the publication checks on the draft
(the CNIL's and the GDPR's rules, inventory/publication/compliance.py), counted by severity,
filtered by rule, each linked to the record to fix. Everyone who reads the back office
reads it; errors stop a publication unless an administrator waives them there."""

from flask import request
from flask_admin import BaseView, expose

from inventory.publication.checks import ERROR, WARNING

from .access import READ_ROLES, AccessMixin
from .findings import counts, draft_findings, link_of


class ComplianceView(AccessMixin, BaseView):
    allowed_roles = READ_ROLES

    @expose("/")
    def index(self):
        findings = draft_findings()
        rules = {}
        for finding in findings:
            entry = rules.setdefault(
                finding.rule, {"rule": finding.rule, "severity": finding.severity, "count": 0, "source": finding.source}
            )
            entry["count"] += 1
        rule = request.args.get("rule", "")
        severity = request.args.get("severity", "")
        shown = [
            f
            for f in findings
            if (not rule or f.rule == rule) and (severity not in (ERROR, WARNING) or f.severity == severity)
        ]
        return self.render(
            "admin/compliance/index.html",
            findings=shown,
            totals=counts(findings),
            rules=sorted(rules.values(), key=lambda r: (r["severity"] != ERROR, r["rule"])),
            rule=rule if rule in rules else "",
            severity=severity if severity in (ERROR, WARNING) else "",
            link_of=link_of,
        )
