"""The police officer's form: the incident and the children of the household: one
chosen from TellOnce (from the child's page), and up to four given by their details."""

from __future__ import annotations

from typing import Any

from django import forms

from tellonce.core.forms import CheckedForm, GovukDateField
from tellonce.encompass.services import ChildDetails, IncidentDetails

#: Children the form takes (the API takes any number).
CHILD_BLOCKS = 4
_DETAILS = ("given_name", "family_name", "date_of_birth")
_ABOUT = ("present", "voice")


class IncidentForm(CheckedForm):
    police_ref = forms.CharField(label="Police reference", required=False)
    occurred_at = GovukDateField(
        label="When did the incident happen?",
        what="the time of the incident",
        with_time=True,
        when="past",
    )
    place = forms.CharField(label="Where it happened", required=False)

    def __init__(self, *args: Any, chosen: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: A child chosen from TellOnce (a Person), who takes the first block.
        self.chosen = chosen
        for n in range(CHILD_BLOCKS):
            prefix = f"children-{n}-"
            if not (n == 0 and chosen is not None):
                self.fields[prefix + "given_name"] = forms.CharField(
                    label="First name", required=False
                )
                self.fields[prefix + "family_name"] = forms.CharField(
                    label="Last name", required=False
                )
                self.fields[prefix + "date_of_birth"] = GovukDateField(
                    label="Date of birth", help_text="For example, 2 5 2018", when="past"
                )
            self.fields[prefix + "present"] = forms.TypedChoiceField(
                label="Was the child present?",
                choices=[("yes", "Yes"), ("no", "No")],
                coerce=lambda v: v == "yes",
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[prefix + "voice"] = forms.CharField(
                label="What the child said, or how they presented",
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
            )
        #: Which block each child of `details()` came from, for the service's errors.
        self.blocks_sent: list[int] = []

    def _filled(self, n: int) -> bool:
        prefix = self.add_prefix(f"children-{n}-")
        return any(
            str(value or "").strip() for key, value in self.data.items() if key.startswith(prefix)
        )

    @property
    def blocks(self) -> list[dict[str, Any]]:
        rows = []
        for n in range(CHILD_BLOCKS):
            prefix = f"children-{n}-"
            names = [prefix + f for f in (*_DETAILS, *_ABOUT) if prefix + f in self.fields]
            rows.append(
                {
                    "n": n,
                    "number": n + 1,
                    "chosen": self.chosen if n == 0 else None,
                    "fields": [self[name] for name in names],
                    "open": n == 0 or self._filled(n) or any(self[f].errors for f in names),
                }
            )
        return rows

    def details(self) -> IncidentDetails:
        data: dict[str, Any] = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        children = []
        self.blocks_sent = []
        for n in range(CHILD_BLOCKS):
            if n > 0 and not self._filled(n):
                continue
            prefix = f"children-{n}-"
            chosen = self.chosen if n == 0 else None
            children.append(
                ChildDetails(
                    person_id=chosen.pk if chosen is not None else None,
                    given_name=data.get(prefix + "given_name") or "",
                    family_name=data.get(prefix + "family_name") or "",
                    date_of_birth=data.get(prefix + "date_of_birth"),
                    present=data.get(prefix + "present"),
                    voice=data.get(prefix + "voice") or "",
                )
            )
            self.blocks_sent.append(n)
        return IncidentDetails(
            police_ref=data.get("police_ref") or "",
            occurred_at=data.get("occurred_at"),
            place=data.get("place") or "",
            children=children,
        )

    def fields_map(self) -> dict[str, str]:
        """The service's names for the children's fields, as this form names them."""
        names = {"children": "children-0-given_name" if self.chosen is None else "place"}
        for i, n in enumerate(self.blocks_sent):
            for field in (*_DETAILS, *_ABOUT, "person"):
                target = f"children-{n}-{field}"
                names[f"children-{i}-{field}"] = (
                    target if target in self.fields else f"children-{n}-present"
                )
        return names


class WithdrawForm(CheckedForm):
    reason = forms.CharField(
        label="Why was this incident recorded in error?",
        help_text="For example, the wrong child or the wrong household",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
