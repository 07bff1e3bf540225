"""The admin's clinic set-up (/console/setup): a tab each for visit types, working hours, time off,
locations and the clinic's time zone. Each tab lists what there is and has one form to add a row or
change the one picked."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import error_message, loading_block, status_badge
from portal_app.components.forms import submit_button, text_field
from portal_app.components.page import page_header
from portal_app.components.theme import TOUCH_TARGET
from portal_app.pages.medication_parts import bare_list, item, success
from portal_app.pages.shell import staff_page
from portal_app.services import clinic_setup
from portal_app.state.clinic_setup import TABS, ClinicSetupState
from portal_app.state.language import tr

S = ClinicSetupState
SELECT = dict(min_height=TOUCH_TARGET, font_size="16px", padding_x="8px", width="100%", border_radius="8px",
              border=f"1px solid {rx.color('gray', 8)}", background=rx.color("gray", 1), color=rx.color("gray", 12))
WEEKDAYS = range(7)
# Plain names for the zones offered first (clinic_setup.COMMON_ZONES); the rest show their IANA name.
ZONE_WORDS = {"America/New_York": "eastern", "America/Chicago": "central", "America/Denver": "mountain",
              "America/Phoenix": "arizona", "America/Los_Angeles": "pacific", "America/Anchorage": "alaska",
              "Pacific/Honolulu": "hawaii", "America/Puerto_Rico": "atlantic"}


def _draft(name: str) -> rx.Var:
    return S.draft[name].to(str)


def _select(label_key: str, name: str, options, default=None) -> rx.Component:
    field_id = f"field-{name}"
    return rx.vstack(
        rx.el.label(rx.text(tr(label_key), size="3", weight="medium"), html_for=field_id),
        rx.el.select(*options, id=field_id, name=name, default_value=default, **SELECT),
        spacing="1", width="100%")


def _option(key: str, value: str) -> rx.Component:
    return rx.el.option(tr(key), value=value)


def _checkbox(label_key: str, name: str, checked) -> rx.Component:
    return rx.el.label(rx.hstack(
        rx.el.input(type="checkbox", name=name, default_checked=checked, width="22px", height="22px"),
        rx.text(tr(label_key), size="3"), align="center", spacing="2", min_height=TOUCH_TARGET))


def _row_button(label_key: str, on_click, name, tone: str = "gray") -> rx.Component:
    return rx.button(tr(label_key), on_click=on_click, variant="soft", color_scheme=tone, size="2",
                     min_height=TOUCH_TARGET, aria_label=tr(label_key) + ": " + name)


def _row(title, details: list, actions: list, retired=None) -> rx.Component:
    return item(rx.box(rx.flex(
        rx.vstack(
            rx.hstack(rx.text(title, size="3", weight="bold"),
                      *([rx.cond(retired, status_badge(tr("clinic_setup.retired"), "neutral"))] if retired is not None
                        else []), spacing="2", align="center", wrap="wrap"),
            *[rx.text(line, size="2", color=rx.color("gray", 11)) for line in details],
            spacing="1", flex="1", min_width="200px"),
        rx.hstack(*actions, spacing="2", wrap="wrap"),
        gap="8px", wrap="wrap", align="center", width="100%"),
        border=f"1px solid {rx.color('gray', 6)}", border_radius="10px", padding="10px", width="100%"))


def _form_buttons(form: str, add_key: str) -> rx.Component:
    return rx.hstack(
        submit_button(rx.cond(S.editing == form, tr("clinic_setup.save_changes"), tr(add_key))),
        rx.cond(S.editing == form, rx.button(tr("clinic_setup.cancel"), type="button", on_click=S.cancel_edit,
                                             variant="soft", color_scheme="gray", size="3", min_height=TOUCH_TARGET)),
        spacing="2", wrap="wrap")


def _form_card(form: str, add_key: str, edit_key: str, fields: list, on_submit) -> rx.Component:
    return card(
        rx.heading(rx.cond(S.editing == form, tr(edit_key), tr(add_key)), as_="h3", size="4"),
        rx.form(rx.vstack(*fields, _form_buttons(form, add_key), spacing="3", width="100%"),
                on_submit=on_submit, width="100%", key=S.draft_key),  # emptied (remounted) only once saved
        id=f"{form}-form")


def _grid(*children) -> rx.Component:
    return rx.grid(*children, columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%")


# --- visit types ----------------------------------------------------------------------------------


def _visit_type(row) -> rx.Component:
    active = row["active"] == "yes"
    return _row(row["name"], [row["summary"]], [
        _row_button("clinic_setup.edit", S.edit("visit_type", row["id"]), row["name"]),
        rx.cond(active, _row_button("clinic_setup.retire", S.set_visit_type_active(row["id"], False), row["name"],
                                    "red"),
                _row_button("clinic_setup.restore", S.set_visit_type_active(row["id"], True), row["name"])),
    ], retired=~active)


def _types_tab() -> rx.Component:
    return rx.vstack(
        bare_list(S.visit_types, _visit_type, tr("clinic_setup.tab.types")),
        _form_card("visit_type", "clinic_setup.add_type", "clinic_setup.edit_type", [
            _grid(text_field(tr("clinic_setup.field.name"), "name", default_value=_draft("name"),
                             max_length=clinic_setup.LIMITS["name"]),
                  text_field(tr("clinic_setup.field.name_es"), "name_es", required=False,
                             default_value=_draft("name_es"), max_length=clinic_setup.LIMITS["name_es"]),
                  text_field(tr("clinic_setup.field.duration"), "duration_minutes", type="number",
                             default_value=_draft("duration_minutes"), min=clinic_setup.GRID_MINUTES,
                             max=clinic_setup.MAX_DURATION, step=clinic_setup.GRID_MINUTES,
                             hint=tr("clinic_setup.hint.five_minutes")),
                  text_field(tr("clinic_setup.field.buffer"), "buffer_minutes", type="number", required=False,
                             default_value=_draft("buffer_minutes"), min=0, max=clinic_setup.MAX_BUFFER,
                             step=clinic_setup.GRID_MINUTES, hint=tr("clinic_setup.hint.buffer")),
                  _select("clinic_setup.field.mode", "mode", [_option("clinic_setup.mode.in_person", "in_person"),
                                                              _option("clinic_setup.mode.video", "video")],
                          _draft("mode")),
                  _select("clinic_setup.field.kind", "patient_kind",
                          [_option(f"clinic_setup.kind.{k}", k) for k in ("any", "new", "established")],
                          _draft("patient_kind"))),
            _checkbox("clinic_setup.field.online", "online_bookable",
                      rx.cond(S.editing == "visit_type", S.draft["online_bookable"].to(str) == "yes", True)),
            _grid(text_field(tr("clinic_setup.field.prep_note"), "prep_note", required=False,
                             default_value=_draft("prep_note"), max_length=clinic_setup.LIMITS["prep_note"]),
                  text_field(tr("clinic_setup.field.prep_note_es"), "prep_note_es", required=False,
                             default_value=_draft("prep_note_es"), max_length=clinic_setup.LIMITS["prep_note_es"])),
        ], S.save_visit_type),
        spacing="4", width="100%")


# --- working hours --------------------------------------------------------------------------------


def _weekday(value) -> rx.Component:
    return rx.match(value, *[(str(d), tr(f"clinic_setup.weekday.{d}")) for d in WEEKDAYS], value)


def _hours_row(row) -> rx.Component:
    when = rx.text(_weekday(row["weekday"]), " ", row["starts"], "–", row["ends"])
    return _row(row["clinician"], [when, row["location"]], [
        _row_button("clinic_setup.edit", S.edit("hours", row["id"]), row["clinician"]),
        _row_button("clinic_setup.remove", S.remove_hours(row["id"]), row["clinician"], "red"),
    ])


def _clinician_options(everyone_key: str | None = None) -> list:
    return [*([_option(everyone_key, "")] if everyone_key else []),
            rx.foreach(S.clinicians, lambda c: rx.el.option(c["name"], value=c["id"]))]


def _hours_tab() -> rx.Component:
    return rx.vstack(
        rx.text(tr("clinic_setup.hours_hint"), " ", S.zone_note, size="2", color=rx.color("gray", 11)),
        bare_list(S.hours, _hours_row, tr("clinic_setup.tab.hours")),
        _form_card("hours", "clinic_setup.add_hours", "clinic_setup.edit_hours", [
            _grid(_select("clinic_setup.field.clinician", "clinician_id", _clinician_options(), _draft("clinician_id")),
                  _select("clinic_setup.field.location", "location_id",
                          [rx.foreach(S.locations, lambda loc: rx.cond(
                              loc["active"] == "yes", rx.el.option(loc["name"], value=loc["id"])))],
                          _draft("location_id")),
                  _select("clinic_setup.field.weekday", "weekday",
                          [_option(f"clinic_setup.weekday.{d}", str(d)) for d in WEEKDAYS], _draft("weekday")),
                  rx.box(),
                  text_field(tr("clinic_setup.field.starts"), "starts", type="time", step=300,
                             default_value=_draft("starts")),
                  text_field(tr("clinic_setup.field.ends"), "ends", type="time", step=300,
                             default_value=_draft("ends"))),
        ], S.save_hours),
        spacing="4", width="100%")


# --- time off ------------------------------------------------------------------------------------


def _exception(row) -> rx.Component:
    who = rx.cond(row["who"] != "", row["who"], tr("clinic_setup.whole_clinic"))
    return _row(row["label"], [who, rx.text(row["starts"], " – ", row["ends"])], [
        _row_button("clinic_setup.remove", S.remove_exception(row["id"]), row["label"], "red"),
    ])


def _time_off_tab() -> rx.Component:
    return rx.vstack(
        rx.text(tr("clinic_setup.time_off_hint"), " ", S.zone_note, size="2", color=rx.color("gray", 11)),
        rx.cond(S.exceptions.length() > 0, bare_list(S.exceptions, _exception, tr("clinic_setup.tab.time_off")),
                rx.text(tr("clinic_setup.no_time_off"), size="3")),
        card(
            rx.heading(tr("clinic_setup.add_time_off"), as_="h3", size="4"),
            rx.form(rx.vstack(
                _grid(text_field(tr("clinic_setup.field.label"), "label", max_length=clinic_setup.LIMITS["label"],
                                 hint=tr("clinic_setup.hint.label")),
                      _select("clinic_setup.field.who", "clinician_id",
                              _clinician_options("clinic_setup.whole_clinic")),
                      text_field(tr("clinic_setup.field.first_day"), "first_day", type="date"),
                      text_field(tr("clinic_setup.field.last_day"), "last_day", type="date"),
                      text_field(tr("clinic_setup.field.from_time"), "starts", type="time", step=300, required=False,
                                 hint=tr("clinic_setup.hint.all_day")),
                      text_field(tr("clinic_setup.field.to_time"), "ends", type="time", step=300, required=False,
                                 hint=tr("clinic_setup.hint.all_day"))),
                submit_button(tr("clinic_setup.add_time_off")),
                spacing="3", width="100%"), on_submit=S.add_exception, width="100%", key=S.draft_key),
            id="time-off-form"),
        spacing="4", width="100%")


# --- locations -----------------------------------------------------------------------------------


def _location(row) -> rx.Component:
    active = row["active"] == "yes"
    return _row(row["name"], [row["address"], row["phone"]], [
        _row_button("clinic_setup.edit", S.edit("location", row["id"]), row["name"]),
        rx.cond(active, _row_button("clinic_setup.retire", S.set_location_active(row["id"], False), row["name"], "red"),
                _row_button("clinic_setup.restore", S.set_location_active(row["id"], True), row["name"])),
    ], retired=~active)


def _locations_tab() -> rx.Component:
    return rx.vstack(
        bare_list(S.locations, _location, tr("clinic_setup.tab.locations")),
        _form_card("location", "clinic_setup.add_location", "clinic_setup.edit_location", [
            _grid(text_field(tr("clinic_setup.field.name"), "name", default_value=_draft("name"),
                             max_length=clinic_setup.LIMITS["name"]),
                  text_field(tr("clinic_setup.field.phone"), "phone", type="tel", required=False,
                             default_value=_draft("phone"), max_length=clinic_setup.LIMITS["phone"])),
            text_field(tr("clinic_setup.field.address"), "address", required=False, default_value=_draft("address"),
                       max_length=clinic_setup.LIMITS["address"]),
            text_field(tr("clinic_setup.field.directions"), "directions", required=False,
                       default_value=_draft("directions"), max_length=clinic_setup.LIMITS["directions"],
                       hint=tr("clinic_setup.hint.directions")),
        ], S.save_location),
        spacing="4", width="100%")


# --- time zone ----------------------------------------------------------------------------------


def _zone_options() -> list:
    """Built once when the page compiles (about 600 names), so no state carries the list."""
    common = [z for z in clinic_setup.zone_choices() if z in clinic_setup.COMMON_ZONES]
    others = [z for z in clinic_setup.zone_choices() if z not in clinic_setup.COMMON_ZONES]
    return [
        rx.el.optgroup(*[rx.el.option(tr(f"clinic_setup.zone.{ZONE_WORDS[z]}") + f" ({z})", value=z) for z in common],
                       label=tr("clinic_setup.zone_common")),
        rx.el.optgroup(*[rx.el.option(z, value=z) for z in others], label=tr("clinic_setup.zone_all")),
    ]


def _zone_tab() -> rx.Component:
    return card(
        rx.heading(tr("clinic_setup.zone_heading"), as_="h3", size="4"),
        rx.text(tr("clinic_setup.zone_hint"), size="3"),
        rx.form(rx.vstack(
            _select("clinic_setup.field.time_zone", "time_zone", _zone_options(), S.time_zone),
            submit_button(tr("clinic_setup.zone_save")),
            spacing="3", width="100%"), on_submit=S.save_time_zone, width="100%", key=S.time_zone),  # shows the saved zone
        id="zone-form")


# --- visits inside new time off --------------------------------------------------------------------


def _booked_visit(row) -> rx.Component:
    return rx.el.li(rx.text(rx.text.strong(row["patient"]), " · ", row["when"], " · ", row["clinician"], size="3"))


def _booked_warning() -> rx.Component:
    return rx.cond(S.booked.length() > 0, rx.callout.root(
        rx.callout.icon(rx.icon("triangle-alert", aria_hidden="true")),
        rx.vstack(rx.callout.text(S.booked_note),
                  rx.el.ul(rx.foreach(S.booked, _booked_visit), padding_left="20px", margin="0"),
                  spacing="2", width="100%"),
        color_scheme="amber", high_contrast=True, role="alert", width="100%", id="booked-in-time-off"))


TAB_BODIES = {"types": _types_tab, "hours": _hours_tab, "time_off": _time_off_tab, "locations": _locations_tab,
              "zone": _zone_tab}


@staff_page("/console/setup", on_load=[ClinicSetupState.opened])
def clinic_setup_page() -> rx.Component:
    return rx.vstack(
        page_header(tr("clinic_setup.title"), tr("clinic_setup.subtitle")),
        error_message(S.error),
        success(S.notice),
        _booked_warning(),
        rx.cond(S.loaded, rx.tabs.root(
            rx.tabs.list(*[rx.tabs.trigger(tr(f"clinic_setup.tab.{tab}"), value=tab, min_height=TOUCH_TARGET,
                                           font_size="16px") for tab in TABS],
                         flex_wrap="wrap", aria_label=tr("clinic_setup.title")),  # five tabs fit no phone row
            *[rx.tabs.content(rx.box(TAB_BODIES[tab](), padding_top="16px"), value=tab) for tab in TABS],
            value=S.tab, on_change=S.choose_tab, width="100%"),
            loading_block(tr("status.loading"))),
        spacing="4", width="100%", max_width="960px",
    )
