"""The documentation keeps up with the commands, as sqlite-utils' test_docs does: every command has help
with an example, and the README tells how to use it."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from tracker.cli import main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, cmd in sorted(group.commands.items()):
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))
        else:
            yield " ".join((*prefix, name)), cmd


COMMANDS = dict(_commands(main))


def test_there_are_commands_to_document():
    assert {"annotate", "crawl", "run", "events", "export events", "train", "corpus check"} <= set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help_with_an_example(name):
    text = COMMANDS[name].help or ""
    assert text.strip(), f"tracker {name} has no help"
    assert "Example:" in text, f"tracker {name}: add an `Example:` line to its help"
    # the project's contracts and any folder beside the checkout are not where a user's copy has them
    assert "contracts" not in text and "../" not in text, f"tracker {name} points at files users lack"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_is_in_the_readme(name):
    assert f"tracker {name}" in README, f"README.md never mentions `tracker {name}`"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_has_help(name):
    for param in COMMANDS[name].params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help, f"tracker {name} {param.opts[0]} has no help text"
