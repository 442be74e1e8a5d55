"""The Chinese catalogue is complete and its compiled .mo matches the .po (a fresh machine has no gettext)."""

from __future__ import annotations

import gettext
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_every_message_has_a_chinese_translation_and_none_is_fuzzy():
    po = polib.pofile(str(LOCALE / "django.po"))
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []


def test_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(LOCALE / "django.po"))
    with open(LOCALE / "django.mo", "rb") as handle:
        mo = gettext.GNUTranslations(handle)
    stale = [
        entry.msgid
        for entry in po.translated_entries()
        if not entry.msgid_plural and mo.pgettext(entry.msgctxt, entry.msgid) != entry.msgstr
        if entry.msgctxt
    ] + [
        entry.msgid
        for entry in po.translated_entries()
        if not entry.msgid_plural and not entry.msgctxt and mo.gettext(entry.msgid) != entry.msgstr
    ]
    assert stale == [], "run `make messages` (or compilemessages) and commit the .mo"


def test_one_word_for_rejected_and_counts_never_read_as_a_creation_time():
    po = polib.pofile(str(LOCALE / "django.po"))
    # "Rejected" is 拒绝 everywhere (it was 已驳回 on one page and 拒绝 on another).
    assert [e.msgid for e in po if "驳回" in e.msgstr] == []
    assert po.find("Created", msgctxt="import count").msgstr == "已新建"
    assert po.find("Rejected", msgctxt="import count").msgstr == "已拒绝"


def test_the_omd_import_list_counts_read_created_and_rejected(client, admin_user):
    client.force_login(admin_user)
    html = client.get("/customers/omd/").content.decode()
    assert ">已新建<" in html and ">已拒绝<" in html and ">创建时间<" not in html
