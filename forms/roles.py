"""Who may do what at the counter: one table for the app (the server enforces its own side too)."""

from __future__ import annotations

ROLES = ("clerk", "liaison", "supervisor")

PERMISSIONS: dict[str, frozenset[str]] = {
    "intake": frozenset(ROLES),
    "sync": frozenset(ROLES),
    "day_close": frozenset({"supervisor"}),
    "approve_override": frozenset({"supervisor"}),
    "review": frozenset({"supervisor"}),  # 受益人複查: many people's registers at once, a supervisor's call
    "manage_devices": frozenset({"supervisor"}),  # enrolment codes for new PCs, revoking lost ones
    "declare_closure": frozenset({"supervisor"}),  # 停止上班 (a typhoon day), from the city's announcement
    "decide": frozenset({"clerk", "supervisor"}),  # steps after intake (審核中 / 補件 / 核准 / 駁回): not liaisons
}


def may(role: str, action: str) -> bool:
    """Unknown roles and actions are refused."""
    return role in PERMISSIONS.get(action, frozenset())
