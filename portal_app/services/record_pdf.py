"""The patient's record as a readable PDF (fpdf2): the same sections and released results as the
pages, for a date range, in the reader's language, with large type. The reads go through
``services/record.py`` (access checked there); the download itself is audited here.
"""

from __future__ import annotations

from fpdf import FPDF
from sqlmodel import Session

from portal_app import clock, i18n, localtime
from portal_app.models.people import Patient
from portal_app.services import audit, record
from portal_app.services.access import Actor

# The PDF's built-in fonts cover Latin-1 only (Spanish included); a few signs the pages use are not in it.
PLAIN = str.maketrans({"–": "-", "—": "-", "≤": "<=", "≥": ">=", "’": "'", "“": '"', "”": '"', "…": "...",
                       "\u200b": ""})
SECTIONS = (("problems_active", "rec.problems"), ("problems_resolved", "rec.problems_resolved"),
            ("allergies", "rec.allergies"), ("immunizations", "rec.immunizations"), ("vitals", "rec.vitals"),
            ("visits", "rec.visits"), ("procedures", "rec.procedures"), ("documents", "rec.documents"),
            ("care_team", "rec.care_team"), ("other", "rec.other"))


def _latin(text: str) -> str:
    return text.translate(PLAIN).encode("latin-1", errors="replace").decode("latin-1")


class _Document(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(format="Letter")
        self.footer_text = footer_text
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 18, 18)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("Helvetica", size=9)
        self.cell(0, 6, _latin(f"{self.footer_text} - {self.page_no()}"), align="C")

    def heading(self, text: str) -> None:
        self.ln(3)
        self.set_font("Helvetica", "B", 15)
        self.multi_cell(0, 8, _latin(text), new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(180, 180, 180)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(1)

    def line_item(self, main: str, detail: str = "") -> None:
        self.set_font("Helvetica", "B", 12)
        self.multi_cell(0, 6.5, _latin(main), new_x="LMARGIN", new_y="NEXT")
        if detail:
            self.set_font("Helvetica", size=11)
            self.multi_cell(0, 6, _latin(detail), new_x="LMARGIN", new_y="NEXT")
        self.ln(1)


def record_pdf(session: Session, actor: Actor, patient_id: int, since: object = None, until: object = None,
               language: str = "en") -> bytes:
    """The record (and released results) between the dates, as PDF bytes, for a download."""
    pdf = render(session, actor, patient_id, since, until, language)
    audit.record(session, actor, "download", "record", patient_id=patient_id, detail="record PDF")
    return pdf


def render(session: Session, actor: Actor, patient_id: int, since: object = None, until: object = None,
           language: str = "en") -> bytes:
    """The PDF itself; the caller audits what is done with it (a download, an emailed copy)."""
    view = record.health_record(session, actor, patient_id, since, until)
    found = record.results(session, actor, patient_id, since, until)
    lang = language if language in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    patient = session.get(Patient, patient_id)

    def day(value) -> str:
        return localtime.format_day(value, lang, "medium") if value else ""

    pdf = _Document(f"{patient.given_name} {patient.family_name}")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 20)
    pdf.multi_cell(0, 10, _latin(i18n.t("rec.title", lang)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 7, _latin(f"{patient.given_name} {patient.family_name} · {day(patient.birth_date)} · "
                                f"{patient.mrn}").replace("·", "-"), new_x="LMARGIN", new_y="NEXT")
    period = " - ".join(day(d) for d in (since, until) if d) if (since or until) else ""
    pdf.multi_cell(0, 7, _latin(f"{day(clock.now().date())}{'  (' + period + ')' if period else ''}"),
                   new_x="LMARGIN", new_y="NEXT")
    for field, key in SECTIONS:
        entries = getattr(view, field)
        if not entries:
            continue
        pdf.heading(i18n.t(key, lang))
        for entry in entries:
            details = [day(entry.when), entry.detail]
            if field == "documents":
                details = [day(entry.when), entry.detail, entry.extra]
            elif field in ("visits", "care_team"):
                details.append(entry.extra)
            pdf.line_item(entry.name, " · ".join(d for d in details if d).replace(" · ", " - "))
    pdf.heading(i18n.t("rec.results_title", lang))
    if found.pending:
        pdf.line_item(i18n.t("rec.pending_heading", lang), ", ".join(day(p.appears_on) for p in found.pending))
    for group in found.groups:
        pdf.set_font("Helvetica", "B", 13)
        pdf.multi_cell(0, 7, _latin(f"{group.name} - {day(group.when.date())}"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=11)
        for value in group.values:
            usual = f"{i18n.t('rec.range', lang)}: {value.range}" if value.range else ""
            flag = i18n.t(f"rec.flag.{value.flag}", lang)
            pdf.multi_cell(0, 6, _latin(" - ".join(p for p in (value.name, f"{value.value} {value.unit}".strip(), usual,
                                                             flag) if p)), new_x="LMARGIN", new_y="NEXT")
        for text in (group.conclusion, group.narrative):
            if text:
                pdf.multi_cell(0, 6, _latin(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    return bytes(pdf.output())
