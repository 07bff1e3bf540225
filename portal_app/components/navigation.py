"""The shell's navigation: a bottom tab bar on phones, a sidebar on wide screens."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from portal_app.components.theme import SIDEBAR_WIDTH, TAB_BAR_HEIGHT, TOUCH_TARGET, phone_or_wide


@dataclass(frozen=True)
class NavItem:
    route: str
    icon: str
    label: rx.Var | str
    badge: rx.Var | None = None  # e.g. an unread count; hidden when 0
    show: rx.Var | None = None  # e.g. only for some roles (a page still checks on its own)
    tab_bar: bool = True  # False: sidebar only (the phone tab bar has room for a few items)


def _shown(item: NavItem, link: rx.Component) -> rx.Component:
    return link if item.show is None else rx.cond(item.show, link)


def _badge(item: NavItem) -> list[rx.Component]:
    if item.badge is None:
        return []
    return [rx.cond(item.badge > 0, rx.badge(item.badge, color_scheme="red", radius="full", size="1"))]


def bottom_tab_bar(items: list[NavItem], active: str, label: rx.Var | str) -> rx.Component:
    """Fixed to the bottom of a phone screen, within thumb reach; hidden on wide screens."""
    return rx.el.nav(
        rx.hstack(
            *[
                _shown(item, rx.link(
                    rx.vstack(
                        rx.hstack(rx.icon(item.icon, size=24, aria_hidden="true"), *_badge(item), spacing="1"),
                        rx.text(item.label, size="1", weight="bold" if item.route == active else "regular"),
                        spacing="1",
                        align="center",
                    ),
                    href=item.route,
                    underline="none",
                    color=rx.color("accent", 11) if item.route == active else rx.color("gray", 11),
                    aria_current="page" if item.route == active else None,
                    flex="1",
                    min_height=TOUCH_TARGET,
                    display="flex",
                    justify_content="center",
                    align_items="center",
                ))
                for item in items
                if item.tab_bar
            ],
            width="100%",
            height="100%",
            spacing="0",
        ),
        aria_label=label,
        position="fixed",
        bottom="0",
        left="0",
        right="0",
        height=TAB_BAR_HEIGHT,
        padding_bottom="env(safe-area-inset-bottom)",
        background=rx.color("gray", 1),
        border_top=f"1px solid {rx.color('gray', 6)}",
        z_index="10",
        display=phone_or_wide("block", "none"),
    )


def sidebar(items: list[NavItem], active: str, title: rx.Var | str, label: rx.Var | str, footer: rx.Component) -> rx.Component:
    """The same destinations as the tab bar, for tablets and desktops."""
    return rx.el.nav(
        rx.vstack(
            rx.hstack(
                rx.icon("heart-pulse", size=28, aria_hidden="true", color=rx.color("accent", 10)),
                rx.text(title, weight="bold", size="4"),
                align="center",
                spacing="2",
                padding_bottom="16px",
            ),
            *[
                _shown(item, rx.link(
                    rx.hstack(
                        rx.icon(item.icon, size=22, aria_hidden="true"),
                        rx.text(item.label, size="3"),
                        *_badge(item),
                        align="center",
                        spacing="3",
                    ),
                    href=item.route,
                    underline="none",
                    color=rx.color("accent", 12) if item.route == active else rx.color("gray", 12),
                    background=rx.color("accent", 4) if item.route == active else "transparent",
                    aria_current="page" if item.route == active else None,
                    border_radius="10px",
                    padding_x="12px",
                    min_height=TOUCH_TARGET,
                    display="flex",
                    align_items="center",
                    width="100%",
                    _hover={"background": rx.color("accent", 3)},
                ))
                for item in items
            ],
            rx.spacer(),
            footer,
            height="100%",
            spacing="1",
            padding="16px",
        ),
        aria_label=label,
        position="fixed",
        top="0",
        left="0",
        bottom="0",
        width=SIDEBAR_WIDTH,
        border_right=f"1px solid {rx.color('gray', 6)}",
        background=rx.color("gray", 2),
        display=phone_or_wide("none", "block"),
    )
