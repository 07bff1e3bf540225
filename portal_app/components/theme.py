"""Sizes and spacing shared by the components (Radix Themes supplies colours and dark mode)."""

import reflex as rx

TOUCH_TARGET = "48px"  # WCAG 2.5.8 asks 24px; older thumbs deserve more
CONTENT_MAX_WIDTH = "720px"
TAB_BAR_HEIGHT = "68px"
SIDEBAR_WIDTH = "248px"


def phone_or_wide(phone: str, wide: str):
    """One value on phones and small tablets, another from 1024px (where the sidebar appears)."""
    return rx.breakpoints(initial=phone, md=wide)
