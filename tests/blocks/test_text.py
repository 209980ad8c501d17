"""The one place data enters mrkdwn: escaping, our own tokens, and the guard behind every builder."""

from blocks.notices import plain_notice
from blocks.text import compose, esc, field, guard, mention, mrkdwn

EVIL = "<!channel> <https://evil.example|click> <@U123> & \u202eoc"


def test_esc_escapes_slacks_three_characters_and_drops_bidi_controls():
    assert esc(EVIL) == "&lt;!channel&gt; &lt;https://evil.example|click&gt; &lt;@U123&gt; &amp; oc"


def test_compose_escapes_data_and_keeps_what_is_already_escaped():
    text = compose("*{name}* by {who}: {cut}", name=EVIL, who=mention("U0CSM"), cut=field("a & b", 5))
    assert text == f"*{esc(EVIL)}* by <@U0CSM>: a …"
    assert esc(EVIL) == compose("{x}", x=esc(EVIL))  # not escaped twice


def test_field_never_cuts_an_entity_in_half():
    assert field("a < b", 4) == "a …"
    assert field("a < b", 8) == "a &lt; b"
    assert field("ab & cd", 6) == "ab …"


def test_a_mention_is_written_only_from_a_slack_id():
    assert mention("U0CSM") == "<@U0CSM>"
    assert mention("U1> <!channel") == "U1&gt; &lt;!channel"
    assert mention(None) == "nobody" and mention("", nobody="no owner") == "no owner"


def test_the_guard_leaves_only_our_mentions_and_channel_links():
    text = "<@U0CSM> in <#C0ACME> <!channel> <!here> <!subteam^S1|@t> <https://evil.example|x> <@U1|x> a < b"
    assert guard(text) == ("<@U0CSM> in <#C0ACME> &lt;!channel> &lt;!here> &lt;!subteam^S1|@t> "
                           "&lt;https://evil.example|x> &lt;@U1|x> a &lt; b")


def test_a_builder_that_forgets_to_escape_still_forms_no_broadcast_or_link():
    forgot = f"Created *{EVIL}*."  # data put in without esc/field/compose
    notice = plain_notice(forgot)
    assert "<!channel>" not in notice.text and "<https" not in notice.text
    assert "<!channel>" not in str(notice.blocks) and "<https" not in str(notice.blocks)
    assert "<!channel>" not in mrkdwn(forgot).text
