"""Outbox topics are named once (a ``Topic`` enum in ``<app>/topics.py``) and every one of
them has a handler: an emit site can never name a topic nobody listens to."""

import ast
import importlib
from enum import StrEnum
from pathlib import Path

from django.apps import apps
from django.conf import settings

from werkstation.outbox import outbox_handlers

ROOT = Path(settings.BASE_DIR)


def _ours(path: Path) -> bool:
    return path.is_relative_to(ROOT) and not {".venv", "site-packages"} & set(path.parts)


OUR_APPS = [config for config in apps.get_app_configs() if _ours(Path(config.path))]


def _topic_enums() -> dict[str, type[StrEnum]]:
    found = {}
    for config in OUR_APPS:
        if (Path(config.path) / "topics.py").exists():
            found[config.name] = importlib.import_module(f"{config.name}.topics").Topic
    return found


def _outbox_calls():
    """Every call of ``outbox_emit``/``outbox_register`` in the project's code: (where,
    function, the topic argument's node)."""
    files = {path for config in OUR_APPS for path in Path(config.path).rglob("*.py")}
    for path in sorted(files):
        if "migrations" not in path.parts:
            yield from _calls_in(path)


def _calls_in(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", None))
        if name == "outbox_emit":
            topic = next(k.value for k in node.keywords if k.arg == "topic")
        elif name == "outbox_register" and node.args:
            topic = node.args[0]
        else:
            continue
        yield f"{path.relative_to(ROOT)}:{node.lineno}", name, topic


def test_every_topic_constant_has_a_handler():
    enums = _topic_enums()
    assert enums, "no <app>/topics.py found"
    for app, topic_enum in enums.items():
        for topic in topic_enum:
            assert outbox_handlers(topic), f"{app}: {topic!r} is emitted but nobody handles it"


def test_emit_and_register_sites_name_a_topic_constant():
    """No bare strings: each site names a member of a ``Topic`` enum, which exists, and
    what is emitted is registered."""
    members = {topic.name: topic for enum in _topic_enums().values() for topic in enum}
    calls = list(_outbox_calls())
    assert {name for _, name, _ in calls} == {"outbox_emit", "outbox_register"}
    for where, name, node in calls:
        named = f"{where}: {name} names its topic as {ast.unparse(node)}; use a Topic member"
        assert isinstance(node, ast.Attribute), named
        assert getattr(node.value, "id", "") == "Topic", named
        assert node.attr in members, f"{where}: Topic.{node.attr} does not exist"
        if name == "outbox_emit":
            assert outbox_handlers(members[node.attr]), f"{where}: nobody handles {node.attr}"


def test_topic_values_are_the_stored_ones():
    """The values are what outbox rows store: renaming one would strand unfinished rows."""
    from jobs.topics import Topic

    assert {topic.value for topic in Topic} == {"timesheet.approved", "dispatch.requested"}
    assert outbox_handlers(Topic.TIMESHEET_APPROVED) == (
        "jobs.tasks.timesheet_approved",
        "payouts.tasks.settle_timesheet",
    )
    assert outbox_handlers(Topic.DISPATCH_REQUESTED) == ("jobs.tasks.dispatch_run",)
