"""Lifecycles as tables, and the one helper that moves a row through its table.

Every stateful model has a ``Lifecycle`` next to its app (``<app>/lifecycle.py``): the
table of the states each state may become, and which columns record when and by whom a
state was reached. Services keep their own guards (who may act, what the input must be)
and then make one call::

    membership = MEMBERSHIP.transition(
        membership, S.ACTIVE, by=actor, audit_action=MemberAction.MEMBERSHIP_ADMITTED
    )

``transition`` does the rest, always in this order:

1. locks the row (``werkstation.locks``, in the global lock order), unless the
   transaction holds it already — then the instance passed in is the locked one;
2. checks the table against the row's stored state: a move the table does not list is a
   ``Conflict`` (code ``invalid_transition``, field ``status``) and nothing is written;
3. sets the state and, where the table names them, the time (``at``, default now) and
   the person (``by``) that reached it;
4. saves with ``update_fields`` (the state, the stamps and ``extra_update_fields``: what
   the caller changed on the instance as part of the same step);
5. writes one audit row (``audit_action``, with ``data``), when an action is given.

A step that may only start from some of the states the table allows (admitting is from
``applied`` only, while ``suspended`` may also become ``active``) names them in
``sources``; the refusal then uses the step's own message and code when given, so the
message a person reads stays the one that names what they tried.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit_record
from .errors import Conflict
from .locks import holds, lock_one

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import datetime
    from enum import StrEnum

    from django.db.models import Field, Model
    from django.utils.functional import Promise

_UNSET: Any = object()


@dataclass(frozen=True)
class Stamp:
    """Columns that record reaching a state: when (``at``) and by whom (``by``)."""

    at: str | None = None
    by: str | None = None


@dataclass(frozen=True)
class Lifecycle:
    """The table of one model's states: ``transitions[state]`` lists what it may become."""

    model: str  # "app.Model", as in werkstation.locks.LOCK_ORDER
    transitions: Mapping[str, frozenset[str]]
    stamps: Mapping[str, Stamp] = field(default_factory=dict)
    field: str = "status"
    # "%(current)s"/"%(target)s": the states' labels. None: the one generic sentence
    # (a refusal a step does not name itself is one no person should normally meet).
    refusal: str | Promise | None = None

    def __post_init__(self) -> None:
        states = set(self.transitions)
        for source, targets in self.transitions.items():
            unknown = set(targets) - states
            if unknown:
                msg = f"{self.model}: {source} → {sorted(unknown)} is not a state"
                raise ValueError(msg)
        unknown = set(self.stamps) - states
        if unknown:
            msg = f"{self.model}: stamps for unknown states {sorted(unknown)}"
            raise ValueError(msg)
        _REGISTRY[(self.model.lower(), self.field)] = self

    # -- the table ---------------------------------------------------------------------

    @property
    def states(self) -> list[str]:
        return list(self.transitions)

    def allows(self, current: str, to: str) -> bool:
        return to in self.transitions.get(current, frozenset())

    def pairs(self) -> list[tuple[str, str]]:
        """Every allowed move, as (from, to)."""
        return [(a, b) for a, targets in self.transitions.items() for b in sorted(targets)]

    def _label(self, obj: Model, state: str) -> str:
        # The status is a concrete field (never a relation's reverse side or a generic key).
        status_field = cast("Field[Any, Any]", obj._meta.get_field(self.field))
        choices = dict(status_field.flatchoices)
        return str(choices.get(state, state))

    def check(
        self,
        obj: Model,
        to: str,
        *,
        current: str | None = None,
        sources: Iterable[str] | None = None,
        message: str | Promise | None = None,
        code: str | None = None,
    ) -> None:
        """Refuse (``Conflict``) a move the table, or the step's ``sources``, do not allow."""
        now = getattr(obj, self.field) if current is None else current
        allowed = self.allows(now, to) and (sources is None or now in set(sources))
        if allowed:
            return
        if message is None:
            labels = {"current": self._label(obj, now), "target": self._label(obj, to)}
            if self.refusal is not None:
                message = str(self.refusal) % labels
            else:
                message = _("This is %(current)s and cannot become %(target)s.") % labels
        raise Conflict(message, code=code or "invalid_transition", field="status")

    # -- the step ----------------------------------------------------------------------

    def transition(
        self,
        obj: Any,
        to: str,
        *,
        by: Any,
        audit_action: StrEnum | None = None,
        data: Mapping[str, object] | None = None,
        extra_update_fields: Iterable[str] = (),
        at: datetime | None = None,
        stamp: bool = True,
        sources: Iterable[str] | None = None,
        message: str | Promise | None = None,
        code: str | None = None,
        cooperative_id: Any = _UNSET,
        audit_target: Model | None = None,
    ) -> Any:
        """Move ``obj`` to ``to`` (see the module's docstring); returns ``obj``, saved."""
        label = self.model
        if obj._meta.label_lower != label.lower():
            msg = f"{obj._meta.label} is not a {label}"
            raise TypeError(msg)
        if holds(label, obj.pk):
            current = getattr(obj, self.field)
        else:
            locked = lock_one(label, obj.pk)
            if locked is None:
                msg = f"{label} {obj.pk} does not exist"
                raise type(obj).DoesNotExist(msg)
            current = getattr(locked, self.field)
        self.check(obj, to, current=current, sources=sources, message=message, code=code)
        setattr(obj, self.field, to)
        fields = [self.field, *extra_update_fields]
        marks = self.stamps.get(to)
        if stamp and marks is not None:
            if marks.at:
                setattr(obj, marks.at, at or timezone.now())
                fields.append(marks.at)
            if marks.by:
                setattr(obj, marks.by, by if getattr(by, "is_authenticated", False) else None)
                fields.append(marks.by)
        # A column that records every change (auto_now) records this one too.
        fields += [f.name for f in obj._meta.concrete_fields if getattr(f, "auto_now", False)]
        obj.save(update_fields=list(dict.fromkeys(fields)))
        if audit_action is not None:
            audit_record(
                actor=by,
                action=audit_action,
                target=audit_target if audit_target is not None else obj,
                cooperative_id=(
                    getattr(obj, "cooperative_id", None)
                    if cooperative_id is _UNSET
                    else cooperative_id
                ),
                data=data,
            )
        return obj


_REGISTRY: dict[tuple[str, str], Lifecycle] = {}


def lifecycle_of(obj_or_model: Any, field: str = "status") -> Lifecycle:
    return _REGISTRY[(obj_or_model._meta.label_lower, field)]


def registered_lifecycles() -> list[Lifecycle]:
    return list(_REGISTRY.values())


def transition(obj: Any, to: str, *, by: Any, field: str = "status", **kwargs: Any) -> Any:
    """``lifecycle_of(obj, field).transition(obj, to, by=by, ...)``."""
    return lifecycle_of(obj, field).transition(obj, to, by=by, **kwargs)


def table(pairs: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    """``{state: [targets]}`` written plainly, made into the frozen table."""
    return {state: frozenset(targets) for state, targets in pairs.items()}
