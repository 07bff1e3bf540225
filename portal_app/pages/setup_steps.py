"""Screens shared by patient activation and staff first sign-in: progress, a new password, the
authenticator app and the recovery codes.

Each takes the state class that drives it, which must offer the same variables and handlers
(``step_number``, ``error``, ``busy``, ``show_password``, ``strength``, ``password_advice``,
``qr_svg``, ``secret``, ``otpauth_uri``, ``recovery_codes``, ``codes_saved``; ``toggle_password``,
``password_typed``, ``confirm_app``, ``set_codes_saved``, ``finish``).
"""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import error_message
from portal_app.components.forms import primary_button, text_field
from portal_app.components.theme import TOUCH_TARGET
from portal_app.config import settings
from portal_app.state.language import LanguageState, tr


def progress(S, total: int) -> rx.Component:
    label = (
        LanguageState.strings["activation.step"].to(str)
        .replace("{number}", S.step_number.to_string())
        .replace("{total}", str(total))
    )
    return rx.vstack(
        rx.text(label, size="3", weight="bold", color=rx.color("accent", 11)),
        rx.hstack(
            *[
                rx.box(height="8px", flex="1", border_radius="4px",
                       background=rx.cond(S.step_number >= n, rx.color("accent", 9), rx.color("gray", 5)))
                for n in range(1, total + 1)
            ],
            spacing="1",
            width="100%",
            aria_hidden="true",
        ),
        spacing="2",
        width="100%",
    )


def heading(key: str) -> rx.Component:
    return rx.heading(tr(key), as_="h1", size="7")


def busy_button(S, label_key: str, **props) -> rx.Component:
    return primary_button(tr(label_key), type="submit", loading=S.busy, **props)


def _strength_meter(S) -> rx.Component:
    level = LanguageState.strings["password.strength." + S.strength.to_string()].to(str)
    colour = rx.cond(S.strength <= 1, rx.color("red", 9), rx.cond(S.strength == 2, rx.color("amber", 9), rx.color("green", 9)))
    return rx.cond(
        S.strength >= 0,
        rx.vstack(
            rx.hstack(
                *[
                    rx.box(height="8px", flex="1", border_radius="4px",
                           background=rx.cond(S.strength >= n, colour, rx.color("gray", 5)))
                    for n in range(0, 5)
                ],
                spacing="1",
                width="100%",
                aria_hidden="true",
            ),
            rx.text(tr("activation.strength"), " ", rx.text.strong(level), size="3", id="password-strength"),
            spacing="1",
            width="100%",
        ),
    )


def password_field(S, label_key: str = "activation.password") -> rx.Component:
    """A new password with show/hide, strength meter and advice while typing (never kept in state)."""
    return rx.vstack(
        rx.el.label(rx.text(tr(label_key), size="3", weight="medium"), html_for="field-password"),
        rx.hstack(
            rx.debounce_input(
                rx.input(
                    id="field-password",
                    name="password",
                    type=rx.cond(S.show_password, "text", "password"),
                    auto_complete="new-password",
                    required=True,
                    size="3",
                    width="100%",
                    min_height=TOUCH_TARGET,
                    max_length=256,
                    aria_describedby="field-password-hint password-advice",
                    on_change=S.password_typed,
                ),
                debounce_timeout=400,
            ),
            rx.button(
                rx.cond(S.show_password, tr("activation.hide_password"), tr("activation.show_password")),
                type="button",
                variant="soft",
                size="3",
                min_height=TOUCH_TARGET,
                on_click=S.toggle_password,
                aria_controls="field-password",
                aria_pressed=S.show_password,
            ),
            width="100%",
        ),
        rx.text(tr("activation.password_hint"), id="field-password-hint", size="2", color=rx.color("gray", 11)),
        _strength_meter(S),
        rx.box(
            rx.cond(
                S.password_advice != "",
                rx.text(S.password_advice, size="3", color=rx.color("red", 11), weight="medium"),
                rx.cond(S.strength >= 2, rx.text(tr("activation.password_ok"), size="3", color=rx.color("green", 11))),
            ),
            id="password-advice",
            aria_live="polite",
            width="100%",
        ),
        spacing="2",
        width="100%",
        align="stretch",
    )


def authenticator_step(S) -> rx.Component:
    """Add the app: a tappable otpauth:// link, the QR code, the text key, then its first code."""
    return rx.vstack(
        heading("activation.app.heading"),
        rx.text(tr("activation.app.intro"), size="3"),
        rx.text(tr("activation.app.need_app"), size="3"),
        card(
            rx.text(tr("activation.app.same_phone"), size="3", weight="medium"),
            rx.button(
                rx.link(rx.icon("smartphone", aria_hidden="true"), tr("activation.app.open_link"),
                        href=S.otpauth_uri, id="otpauth-link", underline="none"),
                as_child=True, size="3", variant="outline", min_height=TOUCH_TARGET, width="100%",
                height="auto", padding_y="8px", white_space="normal", text_align="center",
            ),
            rx.text(tr("activation.app.scan"), size="3", weight="medium"),
            rx.center(
                rx.image(src=S.qr_svg, alt=tr("activation.app.qr_alt"), width="220px", height="220px",
                         background="white", padding="8px", border_radius="8px"),
                width="100%",
            ),
            rx.text(tr("activation.app.key"), size="3", weight="medium"),
            rx.code(S.secret, id="totp-key", size="5", variant="ghost", weight="bold", high_contrast=True,
                    style={"word_spacing": "0.3em", "line_height": "1.6", "overflow_wrap": "anywhere"}),
        ),
        rx.form(
            rx.vstack(
                error_message(S.error),
                text_field(tr("activation.app.code_label"), "otp", autocomplete="one-time-code", input_mode="numeric",
                           pattern="[0-9 ]*", max_length=7, hint=tr("activation.app.code_hint"),
                           style={"font_size": "1.5rem", "letter_spacing": "0.2em"}),
                busy_button(S, "activation.app.confirm"),
                spacing="4",
                width="100%",
            ),
            on_submit=S.confirm_app,
            reset_on_submit=True,
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


def recovery_step(S, file_title_key: str = "activation.recovery.file_title") -> rx.Component:
    """The ten recovery codes, shown once: download, print, and 'I have saved these codes'."""
    file_text = tr(file_title_key) + "\n\n" + S.recovery_codes.join("\n") + "\n"
    return rx.vstack(
        heading("activation.recovery.heading"),
        rx.text(tr("activation.recovery.intro"), size="3"),
        rx.text(tr("activation.recovery.keep"), size="3", weight="medium"),
        card(
            rx.text(settings.clinic_name, " — ", tr(file_title_key), class_name="portal-print-only"),
            rx.el.ol(
                rx.foreach(S.recovery_codes, lambda code: rx.el.li(
                    rx.code(code, size="4", variant="ghost", high_contrast=True), margin_bottom="4px")),
                aria_label=tr("activation.recovery.list_label"),
                id="recovery-codes",
                padding="0",
                margin="0",
                list_style="none",
                text_align="center",
            ),
            class_name="portal-printable",
        ),
        rx.hstack(
            rx.button(rx.icon("download", aria_hidden="true"), tr("activation.recovery.download"), type="button",
                      size="3", variant="outline", min_height=TOUCH_TARGET, flex="1",
                      on_click=rx.download(data=file_text, filename="recovery-codes.txt")),
            rx.button(rx.icon("printer", aria_hidden="true"), tr("activation.recovery.print"), type="button",
                      size="3", variant="outline", min_height=TOUCH_TARGET, flex="1",
                      on_click=rx.call_script("window.print()")),
            spacing="3",
            width="100%",
        ),
        rx.el.label(
            rx.hstack(
                rx.checkbox(default_checked=False, on_change=S.set_codes_saved, size="3", id="codes-saved"),
                rx.text(tr("activation.recovery.saved"), size="3", weight="medium"),
                align="center",
                spacing="3",
                min_height=TOUCH_TARGET,
            ),
            html_for="codes-saved",
        ),
        error_message(S.error),
        primary_button(tr("activation.recovery.finish"), on_click=S.finish, type="button", disabled=~S.codes_saved),
        spacing="4",
        width="100%",
    )
