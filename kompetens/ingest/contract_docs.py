"""Generate the alias/code reference section of ``docs/data-contract.md`` from ``contract.py``.

Run ``uv run python -m kompetens.ingest.contract_docs`` after changing the contract;
``tests/test_docs.py`` fails while the document is out of date.
"""

from __future__ import annotations

from kompetens.core import paths
from kompetens.core.contract import BOOL_FALSE, BOOL_TRUE, KINDS, NAME_HEADERS

MARKER = "<!-- generated from kompetens/core/contract.py: do not edit below this line -->"
DOC_PATH = paths.PROJECT_ROOT / "docs" / "data-contract.md"


def reference_markdown() -> str:
    lines = [MARKER, "", "## Reference: every accepted header and value (generated)", ""]
    lines.append(f"Boolean values: true = {', '.join(BOOL_TRUE)}; false = {', '.join(BOOL_FALSE)}.")
    lines.append(f"Name columns dropped with a warning: {', '.join(NAME_HEADERS)}.")
    lines.append("")
    for kind in KINDS.values():
        lines += [
            f"### {kind.name} — {kind.label_sv}",
            "",
            f"Grain: {kind.grain} Key: `{', '.join(kind.key)}`"
            + (
                " (a re-import replaces the whole snapshot date)."
                if kind.replace == "replace_snapshot"
                else " (a re-import replaces rows with the same key)."
            ),
            "",
        ]
        lines += [
            "| column | Swedish label | type | required | header aliases | values |",
            "|---|---|---|---|---|---|",
        ]
        for col in kind.columns:
            codes = ""
            if col.codes:
                codes = "; ".join(f"`{c}` ({', '.join(a) or '–'})" for c, a in col.codes.items())
            lines.append(
                f"| `{col.name}` | {col.label_sv} | {col.type} | {'yes' if col.required else 'no'} | "
                f"{', '.join(col.aliases) or '–'} | {codes or col.rule or ''} |"
            )
        if kind.rules:
            lines += ["", "Rules: " + "; ".join(kind.rules) + "."]
        lines.append("")
    return "\n".join(lines)


def render_document(current: str) -> str:
    head = current.split(MARKER)[0].rstrip() + "\n\n"
    return head + reference_markdown()


def main() -> None:
    DOC_PATH.write_text(render_document(DOC_PATH.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"Wrote {DOC_PATH}")


if __name__ == "__main__":
    main()
