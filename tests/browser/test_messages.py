"""Secure messaging in real Chromium, patient and nurse at once: the patient writes with a photo, the
nurse takes the message, adds an internal note and answers; the answer appears live in the patient's
open conversation and the unread badge moves; the note reaches no frame the patient's browser gets;
the notice email (a real SMTP server) holds no message text; the photo goes only to the thread's
people; HTML in a message is shown as text; every page passes axe at phone and desktop sizes."""

from __future__ import annotations

import io
import re
from pathlib import Path

import httpx
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import expect
from sqlmodel import select

from portal_app import db
from portal_app.models.message import MessagePool, MessageThread
from portal_app.models.people import Patient, User
from tests.browser.test_accessibility import _check
from tests.support.browser import DESKTOP, PHONE, FrameRecorder, demo_cookie, sign_in

SIGN_IN_WAIT = 20_000  # ms
LIVE = 15_000  # ms: a change appears on an open page within this
SCREENS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"
NOTE = "INTERNAL-7731 check the x-ray before calling"
PAYLOAD = 'My left knee is swollen <b>since</b> Sunday <script>window.pwned = 1</script>'
ANSWER = "Please rest the knee and use ice twice a day."


def _axe(page, name: str) -> None:
    page.wait_for_timeout(300)
    size = page.viewport_size["width"]
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENS / f"{name}-{size}.png", full_page=True)
    serious = [f"{v['id']} ({v['impact']}): {v['help']} -> {[(n['target'], n['failureSummary']) for n in v['nodes']]}"
               for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, f"{name} at {size}:\n" + "\n".join(serious)


def _photo(path: Path) -> Path:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return path


def _tab_badge(page):
    return page.locator("nav").get_by_role("link", name=re.compile("Messages|Mensajes")).locator(".rt-Badge")


def test_a_message_with_a_photo_is_answered_live_and_the_note_stays_with_staff(mail_portal, open_context, smtp,
                                                                                tmp_path):
    url = mail_portal.url
    patient = open_context(PHONE).new_page()
    frames = FrameRecorder(patient)
    sign_in(patient, url, "sam.oduya")
    expect(patient).to_have_url(re.compile(r"/home/?$"), timeout=SIGN_IN_WAIT)
    patient.goto(f"{url}/messages")
    expect(patient.get_by_text("No messages yet")).to_be_visible(timeout=SIGN_IN_WAIT)
    expect(patient.get_by_text("Call 911 or go to the emergency room.")).to_be_visible()
    _axe(patient, "messages")
    patient.get_by_role("link", name="New message").click()
    expect(patient.get_by_role("heading", name="What is your message about?")).to_be_visible(timeout=SIGN_IN_WAIT)
    _axe(patient, "messages-new")
    patient.get_by_role("button", name=re.compile("A question for my clinician")).click()
    expect(patient.get_by_role("heading", name="Write your message")).to_be_visible(timeout=SIGN_IN_WAIT)
    expect(patient.locator(".reply-promise")).to_contain_text("Expect an answer by")
    patient.get_by_label("Your message", exact=True).fill(PAYLOAD)
    patient.locator("#new-file").set_input_files(str(_photo(tmp_path / "knee.jpg")))
    expect(patient.locator(".pending-file")).to_contain_text("knee.jpg", timeout=SIGN_IN_WAIT)
    _axe(patient, "messages-write")
    patient.get_by_role("button", name="Next").click()
    expect(patient.get_by_role("heading", name="Check and send")).to_be_visible(timeout=SIGN_IN_WAIT)
    expect(patient.get_by_text(PAYLOAD)).to_be_visible()  # the HTML is shown as the text it is
    patient.get_by_role("button", name="Send message").click()
    expect(patient.get_by_role("heading", name="Your message was sent")).to_be_visible(timeout=SIGN_IN_WAIT)
    patient.get_by_role("link", name="See my message").click()
    thread = patient.locator("li.message")
    expect(thread.first).to_contain_text(PAYLOAD, timeout=SIGN_IN_WAIT)
    expect(thread.first.locator("img")).to_have_count(1)
    assert patient.evaluate("window.pwned") is None
    _axe(patient, "messages-thread")

    nurse = open_context(DESKTOP).new_page()
    sign_in(nurse, url, "rn.baptiste")
    expect(nurse).to_have_url(re.compile(r"/console/?$"), timeout=SIGN_IN_WAIT)
    nurse.goto(f"{url}/console/messages")
    nurse.get_by_role("button", name="Nobody has it").click()
    row = nurse.locator("li.queue-item").filter(has_text="Sam Oduya")
    expect(row).to_contain_text("My left knee is swollen", timeout=SIGN_IN_WAIT)
    _axe(nurse, "console-messages")
    row.get_by_role("button", name=re.compile("Open")).click()
    nurse.get_by_role("button", name="Take it").click()
    expect(nurse.get_by_text("You have this message now.")).to_be_visible(timeout=SIGN_IN_WAIT)
    nurse.get_by_label("New note").fill(NOTE)
    nurse.get_by_role("button", name="Add note").click()
    expect(nurse.locator(".internal-note")).to_contain_text(NOTE, timeout=SIGN_IN_WAIT)
    photo = nurse.locator("li.message img").first
    expect(photo).to_be_visible()
    photo_url = url + photo.get_attribute("src").replace("?inline=1", "")
    _axe(nurse, "console-message-thread")
    nurse.get_by_label("Your answer (the patient reads this)").fill(ANSWER)
    leaflet = tmp_path / "knee-exercises.pdf"
    leaflet.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n")
    nurse.locator("#staff-file").set_input_files(str(leaflet))
    expect(nurse.locator(".pending-file")).to_contain_text("knee-exercises.pdf", timeout=SIGN_IN_WAIT)
    nurse.get_by_role("button", name="Send answer").click()
    expect(nurse.get_by_text("Answer sent. The patient has been told.")).to_be_visible(timeout=SIGN_IN_WAIT)

    answer = thread.filter(has_text=ANSWER)
    expect(answer).to_contain_text("Marie Baptiste, RN", timeout=LIVE)  # live, no reload
    expect(answer.get_by_role("link", name=re.compile("knee-exercises.pdf"))).to_be_visible()

    # A second answer while the patient is on the inbox: the badge and the row move live.
    patient.get_by_role("link", name="All messages").click()
    expect(patient.locator("li.message-thread")).to_have_count(1, timeout=SIGN_IN_WAIT)
    expect(_tab_badge(patient)).to_have_count(0)
    nurse.get_by_label("Your answer (the patient reads this)").fill("Also keep it raised when you sit.")
    nurse.get_by_role("button", name="Send answer").click()
    expect(_tab_badge(patient)).to_have_text("1", timeout=LIVE)
    expect(patient.locator("li.message-thread")).to_contain_text("1 new", timeout=LIVE)
    patient.locator("li.message-thread").click()
    expect(thread.last).to_contain_text("Also keep it raised", timeout=SIGN_IN_WAIT)
    expect(_tab_badge(patient)).to_have_count(0, timeout=LIVE)

    assert NOTE not in frames.text() and "INTERNAL-7731" not in frames.text()
    assert ANSWER in frames.text()  # the recorder did see the patient's frames

    mail = smtp.wait_for("sam.oduya@example.com", "New message from your care team")
    body = mail.get_content()
    assert "new message from your care team" in body.lower()
    for word in ("knee", "ice", "rest", "raised", "INTERNAL"):
        assert word not in body and word not in mail["Subject"]

    # Another patient asking for this thread by its address gets "not found", and no frame of theirs holds it.
    thread_url = patient.url
    walter = open_context(PHONE).new_page()
    walter_frames = FrameRecorder(walter)
    sign_in(walter, url, "walter.pimm")
    expect(walter).to_have_url(re.compile(r"/home/?$"), timeout=SIGN_IN_WAIT)
    walter.goto(thread_url)
    expect(walter.get_by_role("alert")).to_contain_text("We could not find that conversation.", timeout=SIGN_IN_WAIT)
    for text in ("knee", "Please rest", "INTERNAL-7731", "Sam Oduya"):
        assert text not in walter_frames.text()

    # The photo: the thread's people only; another patient and a stranger get 404.
    assert httpx.get(photo_url, cookies=demo_cookie(url, "rn.baptiste"), timeout=30).status_code == 200
    own = httpx.get(photo_url, cookies=demo_cookie(url, "sam.oduya"), timeout=30)
    assert own.status_code == 200 and own.content[:3] == b"\xff\xd8\xff"
    assert own.headers["content-disposition"].startswith("attachment")
    assert httpx.get(photo_url, cookies=demo_cookie(url, "walter.pimm"), timeout=30).status_code == 404
    assert httpx.get(photo_url, cookies=demo_cookie(url, "desk.tanaka"), timeout=30).status_code == 404
    assert httpx.get(photo_url, timeout=30).status_code == 404


def test_urgent_words_bring_the_stronger_notice_and_the_message_still_goes(mail_portal, open_context):
    url = mail_portal.url
    patient = open_context(DESKTOP).new_page()
    sign_in(patient, url, "walter.pimm")
    expect(patient).to_have_url(re.compile(r"/home/?$"), timeout=SIGN_IN_WAIT)
    patient.goto(f"{url}/messages/new?topic=clinical")
    expect(patient.get_by_role("heading", name="Write your message")).to_be_visible(timeout=SIGN_IN_WAIT)
    patient.get_by_label("Your message", exact=True).fill("I have chest pain when I climb the stairs")
    patient.get_by_role("button", name="Next").click()
    expect(patient.get_by_role("alert")).to_contain_text("This may be an emergency", timeout=SIGN_IN_WAIT)
    expect(patient.get_by_role("link", name="Call 911")).to_have_attribute("href", "tel:911")
    _axe(patient, "messages-urgent")
    patient.get_by_role("button", name="Send message").click()
    expect(patient.get_by_role("heading", name="Your message was sent")).to_be_visible(timeout=SIGN_IN_WAIT)

    nurse = open_context(PHONE).new_page()
    sign_in(nurse, url, "rn.baptiste")
    expect(nurse).to_have_url(re.compile(r"/console/?$"), timeout=SIGN_IN_WAIT)
    nurse.goto(f"{url}/console/messages")
    row = nurse.locator("li.queue-item").filter(has_text="chest pain")
    expect(row).to_contain_text("Urgent words", timeout=SIGN_IN_WAIT)
    _axe(nurse, "console-messages")
    nurse.get_by_role("button", name="Late").click()  # Walter's demo question is past its promised time
    expect(nurse.locator("li.queue-item").filter(has_text="ankles")).to_contain_text("Late", timeout=SIGN_IN_WAIT)


def test_the_front_desk_sees_no_clinical_message(mail_portal, open_context):
    url = mail_portal.url
    desk = open_context(DESKTOP).new_page()
    sign_in(desk, url, "desk.tanaka")
    expect(desk).to_have_url(re.compile(r"/console/?$"), timeout=SIGN_IN_WAIT)
    desk.goto(f"{url}/console/messages")
    expect(desk.get_by_text("No messages in this list right now.")).to_be_visible(timeout=SIGN_IN_WAIT)
    expect(desk.locator("#pool-choice option")).to_have_count(3)  # all, front desk, billing
    expect(desk.locator("#pool-choice")).not_to_contain_text("Care team")
    desk.get_by_role("button", name="Write to a patient").click()
    expect(desk.locator("#start-topic option")).to_have_count(2)  # an appointment, a bill: her teams' topics
    desk.get_by_label("Patient's record number (MRN)").fill("MG-100201")
    desk.locator("#start-topic").select_option("appointment")
    desk.locator("#start-body").fill("Your visit on Friday has moved to 10 am.")
    desk.get_by_role("button", name="Send to the patient").click()
    expect(desk.get_by_text("Sent. The patient has been told they have a message.")).to_be_visible(
        timeout=SIGN_IN_WAIT)
    expect(desk.locator("main h2")).to_contain_text("Rosa Delgado")
    _axe(desk, "console-message-started")


def test_a_draft_is_kept_when_the_page_closes_and_search_finds_the_message(mail_portal, open_context):
    url = mail_portal.url
    context = open_context(PHONE)
    page = context.new_page()
    sign_in(page, url, "nadia.farouk")
    expect(page).to_have_url(re.compile(r"/home/?$"), timeout=SIGN_IN_WAIT)
    page.goto(f"{url}/messages/new?topic=billing")
    expect(page.locator(".reply-promise")).to_contain_text("billing office", timeout=SIGN_IN_WAIT)
    page.get_by_label("Your message", exact=True).press_sequentially("Question about the invoice from October")
    page.wait_for_timeout(4000)  # the draft is kept a moment after typing stops
    page.close()

    page = context.new_page()
    page.goto(f"{url}/messages/new")
    expect(page.get_by_text("We kept what you were writing last time.")).to_be_visible(timeout=SIGN_IN_WAIT)
    expect(page.get_by_label("Your message", exact=True)).to_have_value("Question about the invoice from October")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_role("heading", name="Your message was sent")).to_be_visible(timeout=SIGN_IN_WAIT)
    page.goto(f"{url}/messages/new")
    expect(page.get_by_role("heading", name="What is your message about?")).to_be_visible(timeout=SIGN_IN_WAIT)
    expect(page.get_by_text("We kept what you were writing last time.")).to_have_count(0)  # sent: no draft left

    page.goto(f"{url}/messages")
    page.get_by_label("Search my messages").fill("INVOICE")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("li.message-thread")).to_contain_text("Question about the invoice", timeout=SIGN_IN_WAIT)
    page.get_by_label("Search my messages").fill("zebra")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No message has these words.")).to_be_visible(timeout=SIGN_IN_WAIT)
    _axe(page, "messages-search")


def test_a_mislabelled_or_oversized_file_is_refused_with_a_clear_message(mail_portal, open_context, tmp_path):
    url = mail_portal.url
    page = open_context(PHONE).new_page()
    sign_in(page, url, "walter.pimm")
    expect(page).to_have_url(re.compile(r"/home/?$"), timeout=SIGN_IN_WAIT)
    page.goto(f"{url}/messages/new?topic=result")
    expect(page.get_by_role("heading", name="Write your message")).to_be_visible(timeout=SIGN_IN_WAIT)
    fake = tmp_path / "lab-results.jpg"
    fake.write_text("<html><script>alert(1)</script></html>")  # named like a photo, it is not one
    page.locator("#new-file").set_input_files(str(fake))
    expect(page.get_by_role("alert")).to_contain_text("This kind of file cannot be added", timeout=SIGN_IN_WAIT)
    huge = tmp_path / "scan.pdf"
    huge.write_bytes(b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024) + b"\n%%EOF")
    page.locator("#new-file").set_input_files(str(huge))
    expect(page.get_by_role("alert")).to_contain_text("This file is too big. Choose one under 10 MB.",
                                                      timeout=SIGN_IN_WAIT)
    expect(page.locator(".pending-file")).to_have_count(0)


def test_the_admin_puts_people_on_teams_and_adds_a_ready_made_reply(mail_portal, open_context):
    url = mail_portal.url
    admin = open_context(DESKTOP).new_page()
    sign_in(admin, url, "admin.hughes")
    expect(admin).to_have_url(re.compile(r"/console/?$"), timeout=SIGN_IN_WAIT)
    admin.goto(f"{url}/console/message-teams")
    care = admin.locator("li.message-pool").filter(has=admin.get_by_role("heading", name="Care team"))
    expect(care).to_contain_text("Marie Baptiste", timeout=SIGN_IN_WAIT)
    expect(care.locator("select option")).to_have_count(0)  # every clinician and nurse is on it; never the desk
    billing = admin.locator("li.message-pool").filter(has=admin.get_by_role("heading", name="Billing"))
    billing.get_by_label("Add someone to this team").select_option(label="Marie Baptiste")
    billing.get_by_role("button", name="Add").click()
    expect(billing).to_contain_text("Marie Baptiste", timeout=SIGN_IN_WAIT)
    admin.locator("#canned-pool").select_option(label="Billing")
    admin.get_by_label("Short name").fill("Payment plan")
    admin.get_by_label("Reply", exact=True).fill("We can set up a payment plan for you.")
    admin.get_by_role("button", name="Add reply").click()
    expect(admin.get_by_text("We can set up a payment plan for you.")).to_be_visible(timeout=SIGN_IN_WAIT)
    _axe(admin, "console-message-teams")


def test_a_link_in_a_message_is_plain_clickable_and_marked_as_leaving_the_portal(mail_portal, open_context):
    url = mail_portal.url
    page = open_context(PHONE, locale="es-US").new_page()
    sign_in(page, url, "rosa.delgado")
    expect(page).to_have_url(re.compile(r"/home/?$"), timeout=SIGN_IN_WAIT)
    expect(_tab_badge(page)).to_be_visible(timeout=SIGN_IN_WAIT)  # the nurse's answer (at least) is unread
    unread = int(_tab_badge(page).inner_text())
    page.goto(f"{url}/messages")
    page.locator("li.message-thread").filter(has_text="ibuprofeno").click()
    link = page.get_by_role("link", name=re.compile("medlineplus.gov"))
    expect(link).to_contain_text("enlace externo", timeout=SIGN_IN_WAIT)
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", re.compile("noopener"))
    if unread == 1:
        expect(_tab_badge(page)).to_have_count(0, timeout=LIVE)
    else:  # another test's message to Rosa is still unread
        expect(_tab_badge(page)).to_have_text(str(unread - 1), timeout=LIVE)


LETTER = "Here is the letter about your blood test. Please read it before your visit."


def test_a_nurse_writing_first_adds_a_file_and_only_the_patient_side_can_open_it(mail_portal, open_context,
                                                                                  tmp_path):
    url = mail_portal.url
    nurse = open_context(DESKTOP).new_page()
    sign_in(nurse, url, "rn.baptiste")
    expect(nurse).to_have_url(re.compile(r"/console/?$"), timeout=SIGN_IN_WAIT)
    nurse.goto(f"{url}/console/messages")
    nurse.get_by_role("button", name="Write to a patient").click()
    nurse.get_by_label("Patient's record number (MRN)").fill("MG-100203")  # Nadia Farouk
    nurse.locator("#start-topic").select_option("result")
    nurse.locator("#start-body").fill(LETTER)
    letter = tmp_path / "blood-test-letter.pdf"
    letter.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n")
    nurse.locator("#start-file").set_input_files(str(letter))
    expect(nurse.locator(".pending-file")).to_contain_text("blood-test-letter.pdf", timeout=SIGN_IN_WAIT)
    _check(nurse, "console-message-start-file", "1280")
    nurse.get_by_role("button", name="Send to the patient").click()
    expect(nurse.get_by_text("Sent. The patient has been told they have a message.")).to_be_visible(
        timeout=SIGN_IN_WAIT)
    first = nurse.locator("li.message").first
    expect(first).to_contain_text(LETTER)
    expect(first.get_by_role("link", name=re.compile("blood-test-letter.pdf"))).to_be_visible()
    expect(nurse.locator(".pending-file")).to_have_count(0)  # sent with the message, not waiting for the next

    patient = open_context(PHONE).new_page()
    sign_in(patient, url, "nadia.farouk")
    expect(patient).to_have_url(re.compile(r"/home/?$"), timeout=SIGN_IN_WAIT)
    patient.goto(f"{url}/messages")
    patient.locator("li.message-thread").filter(has_text="Here is the letter about your blood test").click()
    opened = patient.locator("li.message").first
    expect(opened).to_contain_text("Marie Baptiste, RN", timeout=SIGN_IN_WAIT)
    link = opened.get_by_role("link", name=re.compile("blood-test-letter.pdf"))
    expect(link).to_be_visible()
    _check(patient, "messages-thread-staff-file", "390")

    file_url = url + link.get_attribute("href")
    own = httpx.get(file_url, cookies=demo_cookie(url, "nadia.farouk"), timeout=30)
    assert own.status_code == 200 and own.content == letter.read_bytes()
    assert httpx.get(file_url, cookies=demo_cookie(url, "walter.pimm"), timeout=30).status_code == 404
    assert httpx.get(file_url, cookies=demo_cookie(url, "desk.tanaka"), timeout=30).status_code == 404
    assert httpx.get(file_url, timeout=30).status_code == 404


def _restrict(database: str, username: str, restricted: bool) -> int:
    """Mark a demo patient's chart restricted (or not); returns how many of their care-team threads
    need an answer (the nurse's default view)."""
    with db.transaction(database) as session:
        chart = session.exec(select(Patient).join(User, User.patient_id == Patient.id)
                             .where(User.username == username)).one()
        chart.restricted = restricted
        session.add(chart)
        return len(session.exec(select(MessageThread).join(MessagePool, MessagePool.id == MessageThread.pool_id)
                                .where(MessageThread.patient_id == chart.id, MessageThread.status == "open",
                                       MessagePool.code == "care_team")).all())


def test_the_queue_says_how_many_threads_restricted_charts_hide_and_shows_none_of_them(mail_portal, open_context):
    url, database = mail_portal.url, mail_portal.env["PORTAL_DATABASE_URL"]
    nurse = open_context(PHONE).new_page()
    sign_in(nurse, url, "rn.baptiste")
    expect(nurse).to_have_url(re.compile(r"/console/?$"), timeout=SIGN_IN_WAIT)
    walter = nurse.locator("li.queue-item").filter(has_text="Walter Pimm")
    hidden = nurse.locator(".queue-hidden")
    try:
        waiting = _restrict(database, "walter.pimm", True)  # his demo question, and any another test sent
        assert waiting >= 1
        nurse.goto(f"{url}/console/messages")
        expect(hidden).to_have_text(f"Threads hidden (restricted charts): {waiting}. Open a restricted chart "
                                    "with emergency access to see its messages.", timeout=SIGN_IN_WAIT)
        expect(walter).to_have_count(0)
        assert "Walter" not in hidden.inner_text()
        _check(nurse, "console-messages-hidden", "390")
    finally:
        _restrict(database, "walter.pimm", False)
    nurse.reload()  # no chart restricted: no line, and his threads are back in the list
    expect(walter.first).to_be_visible(timeout=SIGN_IN_WAIT)
    expect(hidden).to_have_count(0)
