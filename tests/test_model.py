"""Plain text from record HTML (`html_to_text`): what search indexes and pages show as text."""

from __future__ import annotations

from fonds.model import html_to_text


def test_inline_tags_leave_no_space_inside_a_line() -> None:
    assert html_to_text("<p>the House (<em>Martin</em>)<sup>3</sup> said</p>") == (
        "the House (Martin) 3 said"
    )
    assert html_to_text('<p>the <abbr title="x">GRC</abbr>\'s <span class="sc">ChiCom</span>s') == (
        "the GRC's ChiComs"
    )
    assert html_to_text('<p><a href="#fn1">Telegram</a> 390 <strong>from</strong> Taipei</p>') == (
        "Telegram 390 from Taipei"
    )


def test_other_tags_still_separate_words_and_blocks_end_lines() -> None:
    assert html_to_text("<p>one</p><p>two<br>three</p>") == "one\ntwo\nthree"
    assert html_to_text("<table><tr><td>a</td><td>b</td></tr></table>") == "a b"
    assert html_to_text("<p>x<sub>2</sub>y</p>") == "x 2 y"
    assert html_to_text("<p>a<script>alert(1)</script>b <style>p{}</style></p>") == "a b"
    # Tags whose names start like an inline tag's are not taken for one.
    assert html_to_text("<p>a<section>b</section><area>c</p>") == "a b c"
    assert html_to_text("<p>&lt;em&gt; is a tag &amp; more</p>") == "<em> is a tag & more"
