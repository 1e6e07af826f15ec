"""A supervisor's written reason (an override, a void, a correction, leave to go on offline): one rule, here."""

from __future__ import annotations

from forms.errors import ValidationError

REASON_MIN = 5  # characters: enough to say why, short enough for a busy counter


def checked_reason(reason: str) -> str:
    """The reason without surrounding spaces. Raises ValidationError(override_reason_short) when it says too little."""
    text = reason.strip()
    if len(text) < REASON_MIN:
        raise ValidationError("override_reason_short", min=REASON_MIN)
    return text
