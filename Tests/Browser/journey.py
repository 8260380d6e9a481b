"""A client's and a technician's journey in a real Chromium (headless, Selenium), as a person
clicks it: `python3 journey.py BASE_URL SCREENSHOT_DIR CLIENT_PASSWORD TECH_PASSWORD`.

Run by Tests/EndToEndTests/BrowserTests.swift against lighttpd; exits non-zero, naming the step,
when something a person would see is wrong. Saves screenshots of the main pages at desktop and
phone width into SCREENSHOT_DIR.
"""
import os
import sqlite3
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.select import Select

from browsing import audit, browser, check, login, setup, shoot, wait

BASE, SHOTS, CLIENT_PASSWORD, TECH_PASSWORD, DATABASE = sys.argv[1:6]
setup(BASE, SHOTS)

client = browser()
try:
    client.get(BASE + "/")
    check("Soporte" in client.title, "the home page opens")
    shoot(client, "home")
    # The KB search box, as a person uses it.
    client.get(BASE + "/kb/")
    box = client.find_element(By.ID, "q")
    box.send_keys("nomina")
    box.submit()
    wait(client, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, "ol.results li a")))
    check(client.find_elements(By.CSS_SELECTOR, "ol.results mark"), "KB search finds and marks 'nomina'")
    client.find_element(By.CSS_SELECTOR, "ol.results li a").click()
    shoot(client, "kb-article")

    login(client, "ana", CLIENT_PASSWORD)
    client.get(BASE + "/cgi-bin/belenus/tickets/new")
    shoot(client, "new-ticket")
    client.find_element(By.ID, "n-title").send_keys("La nómina no timbra desde el navegador")
    Select(client.find_element(By.ID, "n-product")).select_by_visible_text("Nómina")
    versions = [o.text for o in client.find_elements(By.CSS_SELECTOR, "#n-version optgroup:not([disabled]) option")]
    check(versions == ["2024.1", "2025.1"], "the version list shows the chosen product's versions: %s" % versions)
    Select(client.find_element(By.ID, "n-version")).select_by_value("2025.1")
    # A file over the limit is refused in the page before anything is sent.
    big = os.path.join(SHOTS, "captura-grande.png")
    with open(big, "wb") as f:
        f.write(b"\x89PNG" + b"\0" * (1536 * 1024))
    client.find_element(By.ID, "n-file").send_keys(big)
    warning = client.execute_script("return document.getElementById('n-file').validationMessage")
    check("captura-grande.png" in warning, "a 1.5 MB file is refused before sending: %r" % warning)
    client.find_element(By.ID, "n-file").clear()
    client.find_element(By.ID, "n-body").send_keys("Al timbrar aparece **CFDI40102**.")
    attachment = os.path.join(SHOTS, "captura.txt")
    with open(attachment, "w") as f:
        f.write("error CFDI40102\n")
    client.find_element(By.ID, "n-file").send_keys(attachment)
    client.find_element(By.CSS_SELECTOR, "main form.card button[type=submit]").click()
    wait(client, 10).until(EC.url_matches(r".*/tickets/\d+$"))
    number = client.current_url.rsplit("/", 1)[1]
    check("La nómina no timbra desde el navegador" in client.page_source, "the new ticket's page shows its title")
    check(client.find_element(By.CSS_SELECTOR, ".sla .label").text == "A tiempo", "the SLA badge says 'A tiempo'")
    check(client.find_elements(By.LINK_TEXT, "captura.txt"), "the attachment is listed")
    shoot(client, "ticket-client")
    # Link mode (ticket_pages = "link"): the ticket's static page at /t/TOKEN/ has its forms'
    # csrf fields empty; the page script fills them from the belenus_csrf cookie, and a comment
    # sent from there goes through.
    with sqlite3.connect("file:%s?mode=ro" % DATABASE, uri=True) as db:
        token = db.execute("SELECT page_token FROM tickets WHERE number = ?", (int(number),)).fetchone()[0]
    client.get(BASE + "/t/%s/" % token)
    audit(client, "ticket-link")
    try:
        wait(client, 10).until(lambda d: "Ana Pérez" in d.find_element(By.CSS_SELECTOR, "header.top").text)
    except Exception:
        check(False, "the link page's header names the signed-in client: %s" % client.find_element(By.CSS_SELECTOR, "header.top").text)
    cookie = client.get_cookie("belenus_csrf")["value"]
    filled = [i.get_attribute("value") for i in client.find_elements(By.CSS_SELECTOR, "input[name=csrf]")]
    check(filled and all(value == cookie for value in filled), "the link page's script fills every csrf field from the cookie")
    client.find_element(By.ID, "c-body").send_keys("Lo escribo desde la página del enlace.")
    client.find_element(By.CSS_SELECTOR, "form[action$='/comments'] button").click()
    try:
        wait(client, 10).until(EC.url_matches(r".*/cgi-bin/belenus/tickets/%s$" % number))
    except Exception:
        check(False, "the comment from the link page lands on the ticket: at %s: %s" % (client.current_url, client.find_element(By.TAG_NAME, "main").text[:400]))
    check("Lo escribo desde la página del enlace." in client.find_element(By.CSS_SELECTOR, "ol.history").text,
          "a comment sent from the link page is on the ticket")
    client.get(BASE + "/cgi-bin/belenus/tickets")
    shoot(client, "ticket-list")
    # Diagrama 2: the manual's columns; FILTRO's lists filter; a number goes to its ticket.
    headers = [th.text for th in client.find_elements(By.CSS_SELECTOR, "table.tickets thead th")]
    check(headers[:3] == ["No. Ticket", "Situación del ticket", "Estatus"] and len(headers) == 10, "the list has the ten columns: %s" % headers)
    check("Ana Pérez · Acme S.A." in client.find_element(By.CSS_SELECTOR, "table.tickets tbody").text, "who registered it, by name")
    Select(client.find_element(By.ID, "f-product")).select_by_visible_text("Bancos")
    client.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    wait(client, 10).until(EC.url_contains("product=Bancos"))
    check(not client.find_elements(By.CSS_SELECTOR, "table.tickets tbody tr"), "filtering by another product leaves no row")
    client.find_element(By.LINK_TEXT, "Ver todos los tickets").click()
    wait(client, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, "table.tickets tbody tr")))
    box = client.find_element(By.ID, "go-number")
    box.send_keys(number)
    box.send_keys(Keys.ENTER)
    wait(client, 10).until(EC.url_matches(r".*/tickets/%s$" % number))
    check(True, "the header's box goes to ticket #%s" % number)

    tech = browser()
    try:
        login(tech, "tech1", TECH_PASSWORD)
        tech.get(BASE + "/cgi-bin/belenus/tickets/" + number)
        shoot(tech, "ticket-tech")
        check(" UTC" not in tech.find_element(By.TAG_NAME, "body").text, "no date on the ticket's page says UTC: the site is in Mexico City")
        # The deadline in 40 seconds: the page script turns the badge red when it passes. The
        # site is in Mexico City: the field holds its local clock time (a datetime-local input,
        # whose picker works in minutes; the seconds are set as its value and the form sent).
        field = tech.find_element(By.ID, "u-due")
        check(field.get_attribute("type") == "datetime-local", "the deadline is a datetime-local field")
        shown = datetime.strptime(field.get_attribute("value"), "%Y-%m-%dT%H:%M").replace(tzinfo=ZoneInfo("America/Mexico_City"))
        check(abs(shown - (datetime.now(timezone.utc) + timedelta(hours=72))) < timedelta(minutes=10),
              "the deadline field shows the local time of the ticket's deadline (72 h from now)")
        due = (datetime.now(timezone.utc) + timedelta(seconds=40)).astimezone(ZoneInfo("America/Mexico_City")).strftime("%Y-%m-%dT%H:%M:%S")
        tech.execute_script("arguments[0].value = arguments[1]; arguments[0].form.submit()", field, due)
        wait(tech, 10).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".sla .label"), "Próximo a vencer"))
        check(True, "a deadline 40 s away shows 'Próximo a vencer'")
        wait(tech, 80).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".sla .label"), "Retrasado"))
        check("sla-overdue" in tech.find_element(By.CSS_SELECTOR, ".sla").get_attribute("class"),
              "the badge turns to 'Retrasado' (red) in the page, without a reload")
        tech.get(BASE + "/cgi-bin/belenus/dashboard")
        check(tech.find_elements(By.CSS_SELECTOR, "svg.weekly rect.opened"), "the dashboard draws its charts")
        check("Panel de soporte" in tech.title, "the dashboard opens for the technician")
        shoot(tech, "dashboard")
        check(tech.find_element(By.CSS_SELECTOR, "a.sla-overdue").find_element(By.XPATH, "../../td").text == "1",
              "the dashboard counts the overdue ticket")
        tech.get(BASE + "/cgi-bin/belenus/tickets/" + number)
        tech.find_element(By.ID, "s-body").send_keys("Renueve el sello digital.")
        tech.find_element(By.CSS_SELECTOR, "form[action$='/comments'] button").click()
        wait(tech, 10).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "ol.history"), "Renueve el sello digital."))
        tech.find_element(By.ID, "x-body").send_keys("Se renovó el sello.")
        tech.find_element(By.CSS_SELECTOR, "form[action$='/close'] button").click()
        wait(tech, 10).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".badges"), "Cerrado por el técnico"))
        check(True, "the technician answers and closes")
    finally:
        tech.quit()

    client.get(BASE + "/cgi-bin/belenus/tickets/" + number)
    client.find_element(By.CSS_SELECTOR, "form[action$='/approve'] button").click()
    wait(client, 10).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".badges"), "Cerrado con VoBo del cliente"))
    check(True, "the client gives VoBo")
    client.get(BASE + "/cgi-bin/belenus/tickets")
    check("✓" in client.find_element(By.CSS_SELECTOR, "table.tickets tbody").text, "the list marks the VoBo")
    shoot(client, "ticket-list-vobo")
finally:
    client.quit()
print("journey complete", flush=True)
