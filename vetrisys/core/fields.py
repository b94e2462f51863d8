"""Model fields for personal identifiers: encrypted at rest, found through keyed hashes.

`EncryptedCharField` / `EncryptedEmailField` / `EncryptedTextField` read and write plain text
on the model (`client.email`) and store an AES-256-GCM envelope (core.crypto) in a text column.
They cannot be filtered on, except for emptiness: `email=""` and `isnull`; any other lookup is
an error rather than a query that silently finds nothing.

`BlindIndexField` is the companion column that finds them: the keyed hash of its source
field's value (optionally transformed, e.g. the part of an email before the @), scoped by the
row's organization, computed when the row is saved (also by `bulk_create`). Query it with
`blind_index(Model, "email_hash", value, organization_id)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.core import validators
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact, IsNull

from vetrisys.core import crypto

if TYPE_CHECKING:
    _CharBase = models.CharField[str | None, str]
    _EmailBase = models.EmailField[str | None, str]
    _TextBase = models.TextField[str | None, str]
else:
    _CharBase, _EmailBase, _TextBase = models.CharField, models.EmailField, models.TextField


def _email_local(value: str) -> str:
    return value.rpartition("@")[0] if "@" in value else ""


def _email_domain(value: str) -> str:
    return value.rpartition("@")[2] if "@" in value else ""


# How a blind index derives what it hashes from its source value (named, so migrations can
# refer to them). The source is stored already normalised by the services.
TRANSFORMS: dict[str, Callable[[str], str]] = {
    "": lambda value: value,
    "lower": str.lower,
    "email_local": _email_local,
    "email_domain": _email_domain,
}


class _ExactEmpty(Exact):
    """`field=""` (or None) only: a non-empty value has a fresh nonce on every encryption."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None):
            raise FieldError(
                f"{self.lhs.target.model.__name__}.{self.lhs.target.name} is encrypted: "
                "look it up through its hash column."
            )
        return super().get_prep_lookup()


class EncryptedMixin:
    """Plain text on the model, an envelope bound to "table.column" in the database."""

    model: type[models.Model]
    column: str
    name: str

    def encryption_context(self) -> str:
        return f"{self.model._meta.db_table}.{self.column}"

    def get_internal_type(self) -> str:
        return "TextField"  # the envelope is longer than the value: no length limit in SQL

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None:
            return None
        return crypto.decrypt(value, context=self.encryption_context())

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)  # type: ignore[misc]
        if value is None:
            return None
        return crypto.encrypt(str(value), context=self.encryption_context())

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return _ExactEmpty
        if lookup_name == "isnull":
            return IsNull
        return None  # FieldError: unsupported lookup


class EncryptedCharField(EncryptedMixin, _CharBase):  # type: ignore[misc]
    """A short personal identifier, encrypted; `max_length` limits the plain text."""


class EncryptedEmailField(EncryptedMixin, _EmailBase):  # type: ignore[misc]
    """An email address, encrypted."""

    default_validators = [validators.validate_email]


class EncryptedTextField(EncryptedMixin, _TextBase):  # type: ignore[misc]
    """A longer personal text, encrypted."""


class BlindIndexField(_CharBase):
    """The keyed hash of `source` (after `transform`), scoped by `scope` (the organization),
    kept up to date on save; "" when the source is empty."""

    def __init__(
        self,
        *args: Any,
        source: str = "",
        transform: str = "",
        scope: str = "organization_id",
        **kwargs: Any,
    ) -> None:
        if transform not in TRANSFORMS:
            raise ValueError(f"unknown blind index transform {transform!r}")
        self.source, self.transform, self.scope = source, transform, scope
        kwargs.setdefault("max_length", crypto.HASH_HEX_CHARS)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if self.transform:
            kwargs["transform"] = self.transform
        if self.scope != "organization_id":
            kwargs["scope"] = self.scope
        for key, value in {"max_length": crypto.HASH_HEX_CHARS, "editable": False}.items():
            if kwargs.get(key) == value:
                del kwargs[key]
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        if kwargs.get("default") == "":
            del kwargs["default"]
        return name, path, args, kwargs

    @property
    def purpose(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def hash_for(self, value: str | None, scope: Any, *, derived: bool = False) -> str:
        """The hash this column holds for a source value in a scope; with `derived`, `value`
        is already what the transform makes (e.g. the part before the @, to search by)."""
        text = (value or "") if derived else TRANSFORMS[self.transform](value or "")
        return crypto.blind_hash(text, purpose=self.purpose, scope=scope)

    def compute(self, instance: models.Model) -> str:
        return self.hash_for(getattr(instance, self.source), getattr(instance, self.scope))

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = self.compute(model_instance)
        setattr(model_instance, self.attname, value)
        return value


def blind_index(
    model: type[models.Model], field_name: str, value: str, scope: Any, *, derived: bool = False
) -> str:
    """The hash to look `value` up by in `model.field_name` within `scope` (the organization);
    `derived`: `value` is already transformed (the domain of an email, not the email)."""
    field = model._meta.get_field(field_name)
    if not isinstance(field, BlindIndexField):
        raise TypeError(f"{model.__name__}.{field_name} is not a blind index")
    return field.hash_for(value, scope, derived=derived)


def blind_index_fields(model: type[models.Model]) -> list[BlindIndexField]:
    """The model's blind index columns."""
    return [field for field in model._meta.concrete_fields if isinstance(field, BlindIndexField)]


def encrypted_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The model's encrypted columns."""
    return [field for field in model._meta.concrete_fields if isinstance(field, EncryptedMixin)]


def with_blind_indexes(
    model: type[models.Model], update_fields: Iterable[str] | None
) -> list[str] | None:
    """`update_fields` plus the blind indexes of the sources among them (None stays None), so
    that `save(update_fields=["email"])` also refreshes `email_hash`."""
    if update_fields is None:
        return None
    names = list(update_fields)
    for field in blind_index_fields(model):
        if (field.source in names or field.scope in names) and field.name not in names:
            names.append(field.name)
    return names


class BlindIndexQuerySet(models.QuerySet[Any]):
    """`update()` that keeps blind indexes right: emptying a source empties its hash; setting
    a non-empty value is refused (its hash depends on each row's organization: save the rows)."""

    def update(self, **kwargs: Any) -> int:
        for index in blind_index_fields(self.model):
            if index.source not in kwargs or index.name in kwargs:
                continue
            if kwargs[index.source] not in ("", None):
                raise FieldError(
                    f"update() cannot recompute {self.model.__name__}.{index.name}: "
                    f"save the rows to change {index.source}."
                )
            kwargs[index.name] = ""
        return super().update(**kwargs)
