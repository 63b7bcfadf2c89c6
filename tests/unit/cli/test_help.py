"""Every command and every option of `accredit` says what it is for in --help."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from entrypoints.cli.main import parser


def commands(
    command: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser, str | None]]:
    """Each subcommand under `command`: its words, its parser, and its line in the help."""
    for action in command._actions:
        if isinstance(action, argparse._SubParsersAction):
            lines = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                yield (*path, name), sub, lines.get(name)
                yield from commands(sub, (*path, name))


def options(command: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    """Its options and positional arguments, but -h and the subcommand choice."""
    for action in command._actions:
        if not isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            yield action


def test_every_command_has_a_line_of_help() -> None:
    found = list(commands(parser()))

    assert len(found) > 20  # the walk reached the leaves
    assert [" ".join(path) for path, _, line in found if not line] == []


def test_every_option_and_argument_of_every_command_has_help() -> None:
    root = parser()
    everywhere = [(("accredit",), root), *((path, sub) for path, sub, _ in commands(root))]

    missing = [
        f"{' '.join(path)} {action.option_strings or action.dest}"
        for path, command in everywhere
        for action in options(command)
        if not action.help
    ]

    assert missing == []


def test_every_command_has_help_that_argparse_can_format() -> None:
    # A stray % in a help text only fails when --help is asked for.
    for path, command, _ in commands(parser()):
        assert command.format_help().startswith(f"usage: accredit {' '.join(path)}")
