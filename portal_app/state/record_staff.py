"""The staff side of the record: the EHR file upload (/console/import) and a chart's record seen by
staff (/console/record?patient=), with a result typed in by hand.

Each handler re-checks the staff session; the services check the role and the chart, validate what
the page sends back, and audit. The chart id lives in a backend-only variable, taken from the
address only when the page opens.
"""

from __future__ import annotations

from datetime import date

import reflex as rx

from portal_app.services import access, files, lab_guide, record, record_staff
from portal_app.services.errors import ServiceError
from portal_app.state import medication_text as mt
from portal_app.state.calls import run_service
from portal_app.state.health import GroupRow, group_row, record_lists
from portal_app.state.language import LanguageState
from portal_app.state.medications import _form_text
from portal_app.state.session import redirect_home, require_actor
from portal_app.state.uploads import upload_outcome

UPLOAD_PURPOSE = record_staff.UPLOAD_PURPOSE
UPLOAD_LIMIT = files.PURPOSES[UPLOAD_PURPOSE].max_bytes


class FhirImportState(rx.State):
    may_import: bool = False
    importing: bool = False
    file_name: str = ""
    error: str = ""  # the upload failed, or the file was refused (then nothing changed)
    refused: str = ""  # the importer's reason for refusing the whole file
    done: bool = False
    counts: list[dict[str, str]] = []  # kind, imported, updated, unchanged
    skipped: list[dict[str, str]] = []  # reason, how many
    charts: str = ""  # "2 charts (1 new)"

    async def _staff(self):
        actor = await require_actor(self, staff=True)
        if actor is None:
            self.reset()
        return actor

    @rx.event
    async def opened(self):
        actor = await self._staff()
        if actor is None:
            return redirect_home(None)
        self.reset()
        self.may_import = access.allowed(actor, "record.import")
        return None

    @rx.event
    async def uploaded(self, answer: dict):
        actor = await self._staff()
        if actor is None:
            yield redirect_home(None)
            return
        self.done, self.refused, self.counts, self.skipped = False, "", [], []
        view, self.error = await upload_outcome(actor, answer, record_staff.UPLOAD_PURPOSE,
                                                (await self.get_state(LanguageState))._t)
        if view is None:
            return
        self.file_name, self.importing = view.name, True
        yield
        try:
            report = await run_service(record_staff.import_upload, actor, view.token)
        except ServiceError as refused:
            self.error, self.importing = await mt.refusal(self, refused), False
            return
        self.importing, self.done = False, True
        if not report.ok:
            self.refused = report.error
            return
        kinds = sorted(set(report.imported) | set(report.updated) | set(report.unchanged))
        self.counts = [{"kind": k, "imported": str(report.imported[k]), "updated": str(report.updated[k]),
                        "unchanged": str(report.unchanged[k])} for k in kinds]
        reasons: dict[str, int] = {}
        for _label, reason in report.skipped:
            reasons[reason] = reasons.get(reason, 0) + 1
        self.skipped = [{"reason": reason, "count": str(n)} for reason, n in
                        sorted(reasons.items(), key=lambda pair: -pair[1])]
        self.charts = await mt.text(self, "recstaff.import.charts", count=len(report.patients),
                                    new=report.created_patients)


def _taken_on(form: object) -> date | None:
    text = _form_text(form, "taken_on")
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


class StaffRecordState(rx.State):
    # whose chart
    heading: str = ""
    mrn: str = ""
    born: str = ""
    # the record's sections (the names the patient's page uses, so its sections render here too)
    problems: list[dict[str, str]] = []
    resolved: list[dict[str, str]] = []
    allergies: list[dict[str, str]] = []
    immunizations: list[dict[str, str]] = []
    vitals: list[dict[str, str]] = []
    visits: list[dict[str, str]] = []
    procedures: list[dict[str, str]] = []
    documents: list[dict[str, str]] = []
    other: list[dict[str, str]] = []
    care_team: list[dict[str, str]] = []
    groups: list[GroupRow] = []
    # entering a result
    may_enter: bool = False
    tests: list[dict[str, str]] = []  # loinc, name, unit
    unit: str = ""  # the chosen test's usual unit, offered in the unit field
    chosen: str = ""
    entry_error: str = ""
    notice: str = ""
    form_key: int = 0
    loaded: bool = False
    error: str = ""
    _patient_id: int | None = None

    async def _staff(self):
        actor = await require_actor(self, staff=True)
        if actor is None:
            self.reset()
        return actor

    async def _load(self, actor) -> None:
        lang = await mt.language(self)
        pid = self._patient_id
        try:
            # The record first: the front desk and admins are refused here and see nothing of the chart.
            view = await run_service(record.health_record, actor, pid)
            groups = await run_service(record.chart_results, actor, pid)
            chart = await run_service(record_staff.chart_heading, actor, pid)
        except ServiceError as refused:
            self.reset()
            self.error, self.loaded = await mt.refusal(self, refused), True
            return
        for name, rows in record_lists(view, lang).items():
            setattr(self, name, rows)
        self.groups = [group_row(g, lang) for g in groups]
        self.heading, self.mrn, self.born = chart.name, chart.mrn, mt.day(chart.birth_date, lang)
        self.may_enter = (await run_service(access.check_patient_access, actor, pid, "results.enter")).allowed
        self.tests = [{"loinc": t.loinc, "name": t.name, "unit": t.unit} for t in lab_guide.tests_with_units(lang)]
        self.loaded = True

    @rx.event
    async def opened(self):
        actor = await self._staff()
        if actor is None:
            return redirect_home(None)
        self.reset()
        self._patient_id = mt.digits(self.router.url.query_parameters.get("patient", ""))
        if self._patient_id is None:
            self.error, self.loaded = await mt.text(self, "error.not_found"), True
            return None
        await self._load(actor)
        return None

    @rx.event
    async def choose_test(self, loinc: str):
        """The test picked in the form: its usual unit fills the unit field (which stays editable)."""
        if await self._staff() is None:
            return redirect_home(None)
        test = lab_guide.lab_test(loinc)
        self.chosen, self.unit = (test.loinc, test.unit) if test else ("", "")
        return None

    @rx.event
    async def enter_result(self, form: dict):
        actor = await self._staff()
        if actor is None:
            return redirect_home(None)
        if self._patient_id is None:
            return None
        try:
            await run_service(record_staff.enter_result, actor, self._patient_id, loinc=_form_text(form, "loinc"),
                              value=_form_text(form, "value"), unit=_form_text(form, "unit"),
                              low=_form_text(form, "low"), high=_form_text(form, "high"), taken_on=_taken_on(form))
        except ServiceError as refused:
            self.entry_error, self.notice = await mt.refusal(self, refused), ""
            return None
        self.entry_error, self.notice = "", await mt.text(self, "recstaff.entry.saved")
        self.form_key += 1
        self.chosen = self.unit = ""
        await self._load(actor)
        return None
