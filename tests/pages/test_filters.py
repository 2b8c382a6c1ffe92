"""The filters that write lists, asides and file sizes in the reader's language (core/templating.py)."""
from flask import render_template_string

TEMPLATE = '{{ ["甲", "<b>"]|separated }}|{{ "浦东新区"|in_brackets }}|{{ "<i>"|in_brackets }}|{{ 83|file_size }}|{{ 5000|file_size }}'


def test_lists_asides_and_sizes_in_chinese_and_in_english(app):
    with app.test_request_context("/?lang=zh"):
        assert render_template_string(TEMPLATE) == "甲；&lt;b&gt;|（浦东新区）|（&lt;i&gt;）|83 字节|4.9 KB"
    with app.test_request_context("/?lang=en"):
        assert render_template_string(TEMPLATE) == "甲; &lt;b&gt;|(浦东新区)|(&lt;i&gt;)|83 bytes|4.9 KB"
