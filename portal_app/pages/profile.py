"""My profile: contact details, emergency contacts, name and birth date, insurance, notices, language."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import error_message, status_badge
from portal_app.components.forms import submit_button, text_field
from portal_app.components.page import page_header
from portal_app.components.theme import TOUCH_TARGET
from portal_app.components.uploads import file_picker
from portal_app.pages.language_picker import language_picker
from portal_app.pages.shell import patient_page
from portal_app.services import files, notification_prefs, profile
from portal_app.state.language import LanguageState, tr
from portal_app.state.profile import ProfileState

S = ProfileState


def _text(key: rx.Var) -> rx.Var:
    return LanguageState.strings[key.to(str)].to(str)


def _fact(label_key: str, value: rx.Var, empty_key: str = "profile.none") -> rx.Component:
    return rx.vstack(
        rx.text(tr(label_key), size="2", color=rx.color("gray", 11)),
        rx.text(rx.cond(value != "", value, tr(empty_key)), size="4", weight="medium",
                style={"overflow_wrap": "anywhere"}),
        spacing="0",
        width="100%",
    )


def _section(title_key: str, intro_key: str | None, *children: rx.Component, **props) -> rx.Component:
    return card(
        rx.heading(tr(title_key), as_="h2", size="5"),
        *([rx.text(tr(intro_key), size="3", color=rx.color("gray", 11))] if intro_key else []),
        *children,
        **props,
    )


def _select(field_id: str, name: str, label_key: str, options: list[tuple[str, str]]) -> rx.Component:
    return rx.vstack(
        rx.el.label(rx.text(tr(label_key), size="3", weight="medium"), html_for=field_id),
        rx.el.select(
            *[rx.el.option(tr(label), value=value) for value, label in options],
            id=field_id, name=name, min_height=TOUCH_TARGET, width="100%", padding_x="12px", font_size="16px",
            border_radius="8px", border=f"1px solid {rx.color('gray', 8)}", background=rx.color("gray", 1),
            color=rx.color("gray", 12),
        ),
        spacing="1",
        width="100%",
    )


def _form(handler, *fields: rx.Component, button_key: str, form_id: str) -> rx.Component:
    return rx.form(
        rx.vstack(*fields, submit_button(tr(button_key), width="100%"), spacing="3", width="100%"),
        on_submit=handler,
        reset_on_submit=False,
        key=S.form_key.to_string() + form_id,
        id=form_id,
        width="100%",
    )


def _ask_more(summary_key: str, form: rx.Component) -> rx.Component:
    """A form folded away under a plain button-like summary (native <details>: keyboard and screen reader ready)."""
    return rx.el.details(
        rx.el.summary(rx.icon("plus", size=18, aria_hidden="true", color=rx.color("accent", 11)),
                      rx.text(tr(summary_key), as_="span", size="3", weight="medium", color=rx.color("accent", 11)),
                      min_height=TOUCH_TARGET, display="flex", align_items="center", gap="8px", cursor="pointer"),
        rx.box(form, padding_top="8px"),
        width="100%",
    )


# ---- contact details ------------------------------------------------------------------------------


def _contact_card() -> rx.Component:
    return _section(
        "profile.contact.title", "profile.contact.intro",
        _fact("profile.contact.email", S.email),
        _fact("profile.contact.phone", S.phone),
        rx.cond(
            S.editing_contact,
            _form(
                S.save_contact,
                text_field(tr("profile.contact.email"), "email", type="email", autocomplete="email", required=False,
                           default_value=S.email, max_length=254),
                text_field(tr("profile.contact.phone"), "phone", type="tel", autocomplete="tel", required=False,
                           default_value=S.phone, max_length=32, hint=tr("profile.contact.phone_hint")),
                text_field(tr("profile.contact.password"), "password", type="password",
                           autocomplete="current-password", max_length=256, hint=tr("profile.contact.password_hint")),
                button_key="profile.contact.save",
                form_id="contact-form",
            ),
            rx.button(rx.icon("pencil", aria_hidden="true"), tr("profile.contact.change"), size="3", variant="soft",
                      min_height=TOUCH_TARGET, on_click=S.edit_contact(True), width="100%"),
        ),
        rx.cond(S.editing_contact,
                rx.button(tr("profile.cancel"), size="3", variant="ghost", color_scheme="gray",
                          on_click=S.edit_contact(False))),
    )


# ---- emergency contacts -----------------------------------------------------------------------------

RELATIONSHIP_OPTIONS = [(r, f"profile.relationship.{r}") for r in profile.RELATIONSHIPS]


def _emergency_row(row: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.vstack(
                rx.text(row["name"], size="4", weight="bold"),
                rx.text(_text(row["relationship_key"]), " · ", row["phone"], size="3"),
                spacing="0",
                flex="1",
            ),
            rx.button(tr("profile.remove"), aria_label=tr("profile.remove") + " " + row["name"].to(str),
                      size="3", variant="soft", color_scheme="red", min_height=TOUCH_TARGET,
                      on_click=S.remove_contact(row["id"])),
            align="center",
            width="100%",
            wrap="wrap",
        ),
        padding_y="10px",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        list_style="none",
    )


def _emergency_card() -> rx.Component:
    return _section(
        "profile.emergency.title", "profile.emergency.intro",
        rx.cond(S.contacts.length() > 0,
                rx.el.ul(rx.foreach(S.contacts, _emergency_row), padding="0", margin="0", id="emergency-contacts"),
                rx.text(tr("profile.emergency.none"), size="3")),
        _ask_more("profile.emergency.add", _form(
            S.add_contact,
            text_field(tr("profile.emergency.name"), "contact_name", autocomplete="off", max_length=200),
            _select("field-relationship", "relationship", "profile.emergency.relationship", RELATIONSHIP_OPTIONS),
            text_field(tr("profile.emergency.phone"), "contact_phone", type="tel", autocomplete="off", max_length=32),
            button_key="profile.emergency.save",
            form_id="emergency-form",
        )),
    )


# ---- name, birth date, insurance: asked for, then reviewed -------------------------------------------


def _birth_fields() -> rx.Component:
    def part(key: str, name: str, width: str, size: int) -> rx.Component:
        return rx.vstack(
            rx.el.label(rx.text(tr(key), size="3"), html_for=f"field-{name}"),
            rx.input(id=f"field-{name}", name=name, input_mode="numeric", pattern="[0-9]*", max_length=size,
                     required=True, size="3", min_height=TOUCH_TARGET, width="100%"),
            spacing="1",
            width=width,
        )

    return rx.el.fieldset(
        rx.el.legend(rx.text(tr("profile.identity.new_birth_date"), size="3", weight="medium")),
        rx.hstack(part("activation.dob.month", "bday_month", "5em", 2), part("activation.dob.day", "bday_day", "5em", 2),
                  part("activation.dob.year", "bday_year", "7em", 4), spacing="3"),
        border="none", padding="0", margin="0",
    )


def _identity_card() -> rx.Component:
    return _section(
        "profile.identity.title", "profile.identity.intro",
        _fact("profile.identity.name", S.name),
        _fact("profile.identity.birth_date", S.birth_date),
        _ask_more("profile.identity.change_name", _form(
            S.ask_name,
            text_field(tr("profile.identity.given_name"), "given_name", autocomplete="given-name", max_length=100),
            text_field(tr("profile.identity.family_name"), "family_name", autocomplete="family-name", max_length=100),
            button_key="profile.ask", form_id="name-form",
        )),
        _ask_more("profile.identity.change_birth_date", _form(
            S.ask_birth_date, _birth_fields(), button_key="profile.ask", form_id="birth-form",
        )),
    )


def card_photo(url: rx.Var, alt_key: str) -> rx.Component:
    """A card photo from the checking route (shared with the review queue)."""
    return rx.cond(url != "", rx.image(src=url, alt=tr(alt_key), width="100%", max_width="360px",
                                      border_radius="8px", border=f"1px solid {rx.color('gray', 6)}"))


def _card_picker(input_id: str, label_key: str, handler, chosen: rx.Var) -> rx.Component:
    policy = files.PURPOSES[profile.CARD_PURPOSE]
    return rx.vstack(
        file_picker(input_id, profile.CARD_PURPOSE, policy.max_bytes, tr(label_key), handler, accept="image/*",
                    icon="camera"),
        rx.cond(chosen != "", rx.text(tr("profile.insurance.chosen"), " ", chosen, size="2")),
        spacing="1",
        width="100%",
    )


def _insurance_card() -> rx.Component:
    return _section(
        "profile.insurance.title", "profile.insurance.intro",
        _fact("profile.insurance.plan", S.plan_name),
        _fact("profile.insurance.member_id", S.member_id),
        card_photo(S.card_front, "profile.insurance.front_alt"),
        card_photo(S.card_back, "profile.insurance.back_alt"),
        _ask_more("profile.insurance.change", rx.vstack(
            _card_picker("card-front", "profile.insurance.front", S.front_uploaded, S.new_front_name),
            _card_picker("card-back", "profile.insurance.back", S.back_uploaded, S.new_back_name),
            _form(
                S.ask_insurance,
                text_field(tr("profile.insurance.plan"), "plan_name", autocomplete="off", max_length=120),
                text_field(tr("profile.insurance.member_id"), "member_id", autocomplete="off", max_length=64,
                           hint=tr("profile.insurance.member_hint"), spell_check=False),
                button_key="profile.ask", form_id="insurance-form",
            ),
            spacing="3",
            width="100%",
        )),
    )


def _change_row(row: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.hstack(rx.text(_text(row["kind_key"]), size="3", weight="bold"),
                  rx.match(row["status"],
                           ("pending", status_badge(tr("profile.status.pending"), "warning")),
                           ("approved", status_badge(tr("profile.status.approved"), "good")),
                           status_badge(tr("profile.status.rejected"), "neutral")),
                  spacing="2", align="center", wrap="wrap"),
        rx.text(row["proposed"], size="3", style={"overflow_wrap": "anywhere"}),
        rx.cond(row["reason"] != "", rx.text(tr("profile.reason"), " ", row["reason"], size="3")),
        rx.text(row["when"], size="2", color=rx.color("gray", 11)),
        padding_y="10px",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        list_style="none",
    )


def _changes_card() -> rx.Component:
    return rx.cond(
        S.changes.length() > 0,
        _section("profile.changes.title", "profile.changes.intro",
                 rx.el.ul(rx.foreach(S.changes, _change_row), padding="0", margin="0", id="profile-changes")),
    )


# ---- notices and language ----------------------------------------------------------------------------


def _channel_box(row: rx.Var, channel: str) -> rx.Component:
    box_id = "notice-" + row["topic"].to(str) + "-" + channel
    return rx.el.label(
        rx.hstack(
            rx.checkbox(checked=row[channel] == "yes", id=box_id, size="3",
                        on_change=lambda value: S.set_channel(row["topic"], channel, value)),
            rx.text(tr(f"profile.channel.{channel}"), size="3"),
            align="center", spacing="2", min_height=TOUCH_TARGET,
        ),
        html_for=box_id,
    )


def _channel_row(row: rx.Var) -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(rx.text(_text("profile.topic." + row["topic"].to(str)), size="4", weight="bold")),
        rx.flex(*[_channel_box(row, channel) for channel in notification_prefs.CHANNELS], spacing="4", wrap="wrap"),
        border="none", padding="0", margin="0", padding_y="8px",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
    )


def _this_device() -> rx.Component:
    """Web push is per device: these buttons talk to this browser (assets/portal-push.js)."""
    return rx.vstack(
        rx.heading(tr("push.title"), as_="h3", size="4"),
        rx.text(tr("push.intro"), size="3"),
        rx.el.div(id="push-settings", custom_attrs={"data-key": S.push_key}, hidden=True),
        rx.flex(
            rx.button(rx.icon("bell-ring", aria_hidden="true"), tr("push.turn_on"), size="3", min_height=TOUCH_TARGET,
                      on_click=rx.call_script("portalPush(true)", callback=S.push_answer)),
            rx.button(rx.icon("bell-off", aria_hidden="true"), tr("push.turn_off"), size="3", variant="soft",
                      color_scheme="gray", min_height=TOUCH_TARGET,
                      on_click=rx.call_script("portalPush(false)", callback=S.push_answer)),
            spacing="3",
            wrap="wrap",
        ),
        spacing="2",
        width="100%",
        padding_top="8px",
    )


def _notices_card() -> rx.Component:
    return _section("profile.notices.title", "profile.notices.intro", rx.foreach(S.channels, _channel_row),
                    rx.text(tr("profile.notices.security"), size="2", color=rx.color("gray", 11)),
                    _this_device(),
                    id="notice-choices")


def _body() -> rx.Component:
    return rx.vstack(
        page_header(tr("profile.title"), tr("profile.subtitle")),
        rx.box(
            error_message(S.error),
            rx.cond(S.done != "", rx.callout.root(rx.callout.text(S.done), color_scheme="green", role="status",
                                                  high_contrast=True, size="2", width="100%")),
            aria_live="polite",
            width="100%",
        ),
        rx.cond(S.has_chart, rx.fragment(_contact_card(), _emergency_card(), _identity_card(), _insurance_card(),
                                         _changes_card())),
        _notices_card(),
        card(language_picker()),
        spacing="4",
        width="100%",
    )


@patient_page("/account/profile", on_load=[ProfileState.opened])
def my_profile() -> rx.Component:
    return _body()
