"""Keep the documentation honest (in the style of datasette's test_docs)."""

from kompetens.core.contract import KINDS
from kompetens.ingest import contract_docs


def test_the_data_contract_document_lists_every_column_and_alias_of_the_code():
    text = contract_docs.DOC_PATH.read_text(encoding="utf-8")
    assert text == contract_docs.render_document(text), (
        "run: uv run python -m kompetens.ingest.contract_docs"
    )
    for kind in KINDS.values():
        for col in kind.columns:
            assert f"`{col.name}`" in text
            for alias in col.aliases:
                assert alias in text


def test_the_readme_names_both_set_up_commands_and_ci_runs_the_same_test_command():
    from kompetens.core import paths

    readme = (paths.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    ci = (paths.PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "uv run streamlit run app.py" in readme
    assert "uv run pytest" in readme
    assert "\nuv run pytest\n" in ci
    assert "docs/data-contract.md" in readme
