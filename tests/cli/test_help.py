"""`--help` reads like a Unix tool: every option described, no type tags, real choices."""
from __future__ import annotations

import re

import pytest

from bin.cli.app import command, main
from tests.support.cli import run

GROUP = command()


def invoke(capsys, *args) -> tuple[int, str]:
    """The CLI in this process (as `bin/pipeline` runs it): exit code and everything printed."""
    with pytest.raises(SystemExit) as done:
        main(list(args))
    out = capsys.readouterr()
    return done.value.code or 0, out.out + out.err
TYPE_TAG = re.compile(r"<(str|int|bool|path|float|list\[[^\]]*\]|[a-z_]+\|[a-z_|]+)>", re.I)


@pytest.mark.parametrize("name", sorted(GROUP.commands))
def test_every_option_is_described_and_has_no_type_tag(name, capsys):
    sub = GROUP.commands[name]
    undescribed = [p.name for p in sub.params if not (p.help or "").strip()]
    assert not undescribed, f"{name}: options without a description: {undescribed}"
    code, text = invoke(capsys, name, "--help")
    assert code == 0
    assert f"Usage: pipeline {name}" in text
    assert not TYPE_TAG.search(text), f"{name} --help shows a type tag: {TYPE_TAG.search(text).group(0)}"


def test_choices_are_what_the_command_accepts(capsys):
    text = invoke(capsys, "train", "--help")[1]
    assert "--system xgboost|catboost|ensemble" in text and "--prop points|rebounds|assists" in text
    code, text = invoke(capsys, "train", "--system", "similarity")
    assert code == 2 and "'similarity'" in text


def test_defaults_are_shown(capsys):
    assert "[default: 8080" in invoke(capsys, "serve", "--help")[1]


def test_the_real_entry_point_prints_the_same_help(elsewhere):
    out = run("--help", cwd=elsewhere)
    assert out.returncode == 0 and "Commands:" in out.stdout and "--debug" in out.stdout
    assert not TYPE_TAG.search(out.stdout)
