"""Names and free text are data: ``md_text`` makes Streamlit's Markdown show them as typed.

The checks parse the escaped text with a CommonMark parser (markdown-it, with GitHub's
tables and strikethrough switched on) and require that nothing but plain text comes out:
no link, emphasis, code, heading, list, HTML or table, and the same characters as typed.
Streamlit's own extras (``:red[…]``, ``:material/…:``, ``$…$``) are checked on the escaped
string here and in the browser by ``tests/browser/test_markdown_names.py``.
"""

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from kompetens.present.formatting import NBSP, WORD_JOINER, md_text

PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
PLAIN_TOKENS = {"paragraph_open", "paragraph_close", "inline"}
PLAIN_INLINE = {"text", "softbreak", "hardbreak"}

#: Printable ASCII (all of Markdown's syntax) and a few Swedish letters and separators.
TEXT = st.text(
    alphabet=st.sampled_from([chr(c) for c in range(0x20, 0x7F)] + list("åäöÅÄÖé–·\t")),
    max_size=60,
)


def rendered_text(markdown: str) -> tuple[str, set[str]]:
    """The characters a reader sees, and every token type the parser produced."""
    tokens = PARSER.parse(markdown)
    kinds = {t.type for t in tokens}
    shown = []
    for token in tokens:
        for child in token.children or []:
            kinds.add(child.type)
            shown.append("\n" if child.type.endswith("break") else child.content)
    return "".join(shown).replace(WORD_JOINER, "").replace(NBSP, " "), kinds


@given(TEXT)
def test_any_one_line_text_renders_as_exactly_its_characters_and_nothing_else(text):
    shown, kinds = rendered_text(md_text(text))
    assert kinds <= PLAIN_TOKENS | PLAIN_INLINE
    # The parser drops a paragraph's trailing blanks; leading ones are kept as no-break spaces.
    rest = text.lstrip(" \t")
    assert shown == " " * (len(text) - len(rest)) + rest.rstrip(" \t")


@given(TEXT)
def test_no_colon_or_dollar_in_escaped_text_can_start_a_streamlit_directive(text):
    escaped = md_text(text)
    # Every ":" is escaped and followed by a word joiner, so ":red[", ":material/x:" and
    # ":smile:" never appear; every "$" is escaped, so no LaTeX span can open.
    assert escaped.count(":") == escaped.count("\\:" + WORD_JOINER) == text.count(":")
    assert escaped.count("$") == escaped.count("\\$") == text.count("$")


def test_a_link_an_emphasis_a_colour_and_latex_in_a_name_are_shown_as_typed():
    name = "**Fet** _skola_ :red[x] $x$ [logga in](http://evil.example)"
    escaped = md_text(name)
    assert escaped == (
        "\\*\\*Fet\\*\\* \\_skola\\_ \\:\u2060red\\[x\\] \\$x\\$ "
        "\\[logga in\\]\\(http\\:\u2060\\/\\/evil\\.example\\)"
    )
    assert "<a" not in PARSER.render(escaped)
    assert rendered_text(escaped)[0] == name


def test_free_text_keeps_its_lines_and_indentation_but_starts_no_list_heading_or_code():
    note = "Rad ett\n    - punkt\n# rubrik\n1. första\n> citat\n<b>fet</b>\n---"
    shown, kinds = rendered_text(md_text(note))
    assert kinds <= PLAIN_TOKENS | PLAIN_INLINE
    assert shown == note
    assert md_text(note).splitlines()[1] == "&nbsp;" * 4 + "\\- punkt  "


def test_none_is_empty_and_other_values_are_their_text():
    assert md_text(None) == ""
    assert md_text(12) == "12"
    assert md_text("Ekskolan") == "Ekskolan"


def test_a_chart_draws_a_name_with_html_tags_as_typed_and_keeps_its_own_templates():
    import plotly.graph_objects as go

    from kompetens.present.formatting import plotly_text
    from kompetens.ui.figures import plain_texts

    name = '<a href="http://evil.example">Skola</a> & Co'
    assert plotly_text(name) == '&lt;a href="http://evil.example"&gt;Skola&lt;/a&gt; &amp; Co'
    fig = go.Figure(
        go.Bar(x=[name, "Ekskolan"], y=[0.5, 0.7], name=name, customdata=["E9", "E1"],
               hovertemplate="%{x}<br>%{y}")
    )  # fmt: skip
    trace = plain_texts(fig.to_dict())["data"][0]
    assert list(trace["x"]) == [plotly_text(name), "Ekskolan"]
    assert trace["name"] == plotly_text(name)
    assert list(trace["y"]) == [0.5, 0.7]  # numbers untouched
    assert list(trace["customdata"]) == ["E9", "E1"]  # the click's unit id untouched
    assert trace["hovertemplate"] == "%{x}<br>%{y}"


def test_a_web_or_mail_address_in_a_name_cannot_become_an_autolink():
    # GitHub's autolinks are found in the parsed text, after the backslashes are gone:
    # "www" + "." and "x" + "@" + "domain" must not stand next to each other there.
    escaped = md_text("Se www.evil.example, WWW.x.se eller kontakt@evil.example")
    shown, _ = rendered_text(escaped)
    assert shown == "Se www.evil.example, WWW.x.se eller kontakt@evil.example"
    plain = rendered_with_joiners(escaped)
    assert "www." not in plain.lower()
    assert "@e" not in plain
    assert plain.count(WORD_JOINER) == 3  # www⁠. WWW⁠. @⁠


def rendered_with_joiners(markdown: str) -> str:
    """The parsed text with the word joiners kept (what Streamlit's autolink search reads)."""
    return "".join(
        child.content for token in PARSER.parse(markdown) for child in token.children or []
    )
