"""Setting up an account with an activation code: one step per screen, phone first, plain words."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import error_message
from portal_app.components.forms import primary_button, text_field
from portal_app.components.theme import TOUCH_TARGET
from portal_app.config import settings
from portal_app.pages.public_frame import public_frame
from portal_app.state.activation import TOTAL_STEPS, ActivationState
from portal_app.state.guards import GuardState
from portal_app.state.language import LanguageState, tr

S = ActivationState


def _progress() -> rx.Component:
    label = (
        LanguageState.strings["activation.step"].to(str)
        .replace("{number}", S.step_number.to_string())
        .replace("{total}", str(TOTAL_STEPS))
    )
    return rx.cond(
        S.screen != "done",
        rx.vstack(
            rx.text(label, size="3", weight="bold", color=rx.color("accent", 11)),
            rx.hstack(
                *[
                    rx.box(height="8px", flex="1", border_radius="4px",
                           background=rx.cond(S.step_number >= n, rx.color("accent", 9), rx.color("gray", 5)))
                    for n in range(1, TOTAL_STEPS + 1)
                ],
                spacing="1",
                width="100%",
                aria_hidden="true",
            ),
            spacing="2",
            width="100%",
        ),
    )


def _heading(key: str) -> rx.Component:
    return rx.heading(tr(key), as_="h1", size="7")


def _busy_button(label_key: str, **props) -> rx.Component:
    return primary_button(tr(label_key), type="submit", loading=S.busy, **props)


# ---- step 1: code and date of birth ------------------------------------------------------------


def _number_field(label_key: str, name: str, autocomplete: str, width: str, max_length: int) -> rx.Component:
    field_id = f"field-{name}"
    return rx.vstack(
        rx.el.label(rx.text(tr(label_key), size="3", weight="medium"), html_for=field_id),
        rx.input(id=field_id, name=name, input_mode="numeric", pattern="[0-9]*", auto_complete=autocomplete,
                 max_length=max_length, required=True, size="3", min_height=TOUCH_TARGET, width="100%",
                 aria_describedby="dob-hint"),
        spacing="1",
        width=width,
    )


def _birth_date_fields() -> rx.Component:
    month = _number_field("activation.dob.month", "bday_month", "bday-month", "5em", 2)
    day = _number_field("activation.dob.day", "bday_day", "bday-day", "5em", 2)
    year = _number_field("activation.dob.year", "bday_year", "bday-year", "7em", 4)
    return rx.el.fieldset(
        rx.el.legend(rx.text(tr("activation.dob.legend"), size="3", weight="medium")),
        rx.text(tr("activation.dob.hint"), id="dob-hint", size="2", color=rx.color("gray", 11)),
        # US order for English, day first for Spanish.
        rx.cond(
            LanguageState.language == "es",
            rx.hstack(day, month, year, spacing="3", padding_top="4px"),
            rx.hstack(month, day, year, spacing="3", padding_top="4px"),
        ),
        border="none",
        padding="0",
        margin="0",
    )


def _code_step() -> rx.Component:
    return rx.vstack(
        _heading("activation.code.heading"),
        rx.text(tr("activation.code.intro"), size="3"),
        rx.form(
            rx.vstack(
                error_message(S.error),
                text_field(tr("activation.code.label"), "code", hint=tr("activation.code.hint"), autocomplete="off",
                           max_length=40, auto_capitalize="characters", spell_check=False,
                           style={"font_family": "monospace", "font_size": "1.25rem", "letter_spacing": "0.05em"}),
                _birth_date_fields(),
                _busy_button("activation.continue"),
                spacing="4",
                width="100%",
            ),
            on_submit=S.start,
            reset_on_submit=False,
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


# ---- step 2: terms -----------------------------------------------------------------------------


def _terms_section(title_key: str, keys: list[str]) -> rx.Component:
    return rx.vstack(
        rx.heading(tr(title_key), as_="h2", size="4"),
        rx.el.ul(*[rx.el.li(rx.text(tr(key), size="3"), margin_bottom="6px") for key in keys],
                 padding_left="1.25em", margin="0"),
        spacing="2",
        width="100%",
    )


def _consent_step() -> rx.Component:
    return rx.vstack(
        _heading("terms.heading"),
        rx.text(tr("terms.intro"), size="3"),
        error_message(S.error),
        rx.box(
            rx.vstack(
                _terms_section("terms.use_title", ["terms.use_1", "terms.use_2", "terms.use_3"]),
                _terms_section("terms.account_title", ["terms.account_1", "terms.account_2", "terms.account_3"]),
                _terms_section("terms.privacy_title",
                               ["terms.privacy_1", "terms.privacy_2", "terms.privacy_3", "terms.privacy_4"]),
                rx.text(tr("terms.changes"), size="3"),
                spacing="4",
                width="100%",
            ),
            role="region",
            aria_label=tr("terms.region_label"),
            tab_index=0,  # keyboard users can scroll it
            max_height="50vh",
            overflow_y="auto",
            padding="16px",
            border=f"1px solid {rx.color('gray', 7)}",
            border_radius="8px",
            background=rx.color("gray", 2),
            width="100%",
        ),
        rx.text(tr("terms.agree_hint"), size="3"),
        primary_button(tr("terms.agree"), on_click=S.agree, type="button"),
        spacing="4",
        width="100%",
    )


# ---- step 3: username and password -------------------------------------------------------------


def _strength_meter() -> rx.Component:
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


def _password_field() -> rx.Component:
    return rx.vstack(
        rx.el.label(rx.text(tr("activation.password"), size="3", weight="medium"), html_for="field-password"),
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
        _strength_meter(),
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


def _account_step() -> rx.Component:
    return rx.vstack(
        _heading("activation.account.heading"),
        rx.text(tr("activation.account.intro"), size="3"),
        rx.form(
            rx.vstack(
                error_message(S.error),
                text_field(tr("activation.username"), "username", autocomplete="username", max_length=64,
                           hint=tr("activation.username_hint"), auto_capitalize="none", spell_check=False),
                _password_field(),
                _busy_button("activation.create_account"),
                spacing="4",
                width="100%",
            ),
            on_submit=S.create_account,
            reset_on_submit=False,
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


# ---- step 4: authenticator app -----------------------------------------------------------------


def _authenticator_step() -> rx.Component:
    return rx.vstack(
        _heading("activation.app.heading"),
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
                _busy_button("activation.app.confirm"),
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


# ---- step 5: recovery codes --------------------------------------------------------------------


def _recovery_step() -> rx.Component:
    file_text = tr("activation.recovery.file_title") + "\n\n" + S.recovery_codes.join("\n") + "\n"
    return rx.vstack(
        _heading("activation.recovery.heading"),
        rx.text(tr("activation.recovery.intro"), size="3"),
        rx.text(tr("activation.recovery.keep"), size="3", weight="medium"),
        card(
            rx.text(settings.clinic_name, " — ", tr("activation.recovery.file_title"), class_name="portal-print-only"),
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


# ---- done --------------------------------------------------------------------------------------


def _done_step() -> rx.Component:
    return rx.vstack(
        rx.center(rx.icon("circle-check", size=56, color=rx.color("green", 10), aria_hidden="true"), width="100%"),
        _heading("activation.done.heading"),
        rx.text(tr("activation.done.text"), size="3"),
        rx.button(
            rx.link(tr("activation.done.signin"), href="/signin", id="signin-link", underline="none"),
            as_child=True, size="3", min_height=TOUCH_TARGET, width="100%",
        ),
        spacing="4",
        width="100%",
    )


@rx.page(route="/activate", title=f"Set up your account · {settings.clinic_name}",
         on_load=[GuardState.public_page, ActivationState.opened])
def activate() -> rx.Component:
    return public_frame(
        _progress(),
        card(
            rx.match(
                S.screen,
                ("consent", _consent_step()),
                ("account", _account_step()),
                ("authenticator", _authenticator_step()),
                ("recovery", _recovery_step()),
                ("done", _done_step()),
                _code_step(),
            ),
        ),
        rx.cond(
            (S.screen != "code") & (S.screen != "done"),
            rx.button(rx.icon("rotate-ccw", aria_hidden="true"), tr("activation.start_over"),
                      on_click=S.start_over, variant="soft", size="3", min_height=TOUCH_TARGET,
                      type="button", color_scheme="gray", high_contrast=True),
        ),
        help_key="activation.help",
    )
