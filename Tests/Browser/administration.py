"""An administrator's day in a real Chromium (issue 31): `python3 administration.py BASE_URL
SCREENSHOT_DIR ADMIN_PASSWORD BOB_PASSWORD SITE`.

An administrator invites a client, whose invitation mail's link sets a password; the client logs
in; the administrator disables them and their open session's next request goes to the login
page; a technician is disabled and their open tickets go to a colleague; a client resets a
forgotten password from the link in the mail and their old session no longer works. Every
administration and account page passes the WCAG checks and axe-core at desktop and phone width,
and at 390 px the list's first ticket is on the first screen. Run by BrowserTests against
lighttpd; exits non-zero naming the step.
"""
import email
import glob
import os
import re
import sqlite3
import sys

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.select import Select

from browsing import audit_widths, browser, check, login, setup, wait

BASE, SHOTS, ADMIN_PASSWORD, BOB_PASSWORD, SITE = sys.argv[1:6]
setup(BASE, SHOTS)
GATEWAY = BASE + "/cgi-bin/belenus"


def mail_link(to):
    """The password link of the newest mail to `to` in the file transport's spool."""
    for path in sorted(glob.glob(os.path.join(SITE, "var", "mail", "sent", "*.eml")), key=os.path.getmtime, reverse=True):
        with open(path, "rb") as f:
            message = email.message_from_bytes(f.read())
        if to in message["To"]:
            body = message.get_payload(decode=True).decode("utf-8")
            found = re.search(r"https?://\S+/password/reset\?token=[0-9a-f]{64}", body)
            if found:
                return found.group(0).replace("http://127.0.0.1:8080", BASE)
    check(False, "a mail with a password link reached %s" % to)


def database(sql, *arguments):
    with sqlite3.connect("file:%s?mode=ro" % os.path.join(SITE, "var", "belenus.sqlite3"), uri=True) as db:
        return db.execute(sql, arguments).fetchone()


def header_names(driver, name):
    """Whether the page's header comes to name `name` within 10 s (belenus.js fills it in on the
    pages the generator wrote for everyone)."""
    try:
        wait(driver, 10).until(lambda d: name in d.find_element(By.CSS_SELECTOR, "header.top").text)
        return True
    except Exception:
        return False


def signed_out(driver):
    """The next request of a session that ended lands on the login page."""
    driver.get(GATEWAY + "/tickets")
    return "/login" in driver.current_url


admin = browser()
client = browser()
try:
    login(admin, "admin1", ADMIN_PASSWORD)
    check("Admin Uno" in admin.find_element(By.CSS_SELECTOR, "header.top").text, "the header names the signed-in person")
    # The pages written once for everyone name the person too, and link an administrator's
    # Administración.
    admin.get(BASE + "/kb/")
    check(header_names(admin, "Admin Uno"), "the knowledge base's header names the signed-in administrator")
    admin.find_element(By.LINK_TEXT, "Administración").click()
    wait(admin, 10).until(EC.url_matches(r".*/admin$"))
    audit_widths(admin, "admin")

    # An invitation: the administrator never types the password.
    admin.get(GATEWAY + "/admin/users")
    audit_widths(admin, "admin-users")
    admin.find_element(By.ID, "u-login").send_keys("carla")
    admin.find_element(By.ID, "u-name").send_keys("Carla Díaz")
    admin.find_element(By.ID, "u-email").send_keys("carla@acme.mx")
    Select(admin.find_element(By.ID, "u-role")).select_by_value("client")
    Select(admin.find_element(By.ID, "u-org")).select_by_visible_text("Acme S.A.")
    admin.find_element(By.CSS_SELECTOR, "form[method=post][action$='/admin/users'] button").click()
    wait(admin, 10).until(EC.url_matches(r".*/admin/users/carla$"))
    check("Carla Díaz" in admin.find_element(By.TAG_NAME, "h1").text, "the invitation lands on Carla's page")
    audit_widths(admin, "admin-user")

    client.get(mail_link("carla@acme.mx"))
    check("Carla Díaz" in client.page_source, "the invitation's link opens Carla's form")
    audit_widths(client, "password-reset")
    client.find_element(By.ID, "password").send_keys("clave-de-carla")
    client.find_element(By.ID, "password2").send_keys("clave-de-carla")
    client.find_element(By.CSS_SELECTOR, "form[action$='/password/reset'] button").click()
    wait(client, 10).until(EC.url_contains("/login"))
    login(client, "carla", "clave-de-carla")
    check(not signed_out(client), "the invited client logs in with the password they chose")
    client.get(BASE + "/kb/")
    check(header_names(client, "Carla Díaz"), "the knowledge base's header names the signed-in client")
    check(not client.find_element(By.CSS_SELECTOR, "a[data-viewer-admin]").is_displayed(), "a client is not offered Administración")

    # Disabled: the open session's next request goes to the login page.
    admin.get(GATEWAY + "/admin/users/carla")
    admin.find_element(By.CSS_SELECTOR, "form input[name=active][value=false]").find_element(By.XPATH, "..").find_element(By.TAG_NAME, "button").click()
    wait(admin, 10).until(EC.url_contains("saved=1"))
    check(signed_out(client), "a disabled client's open session goes to the login page")

    # A technician leaves: their open tickets go to the colleague the form names.
    number = database("SELECT number FROM tickets WHERE responsible = 'tech1' AND status = 'open'")[0]
    admin.get(GATEWAY + "/admin/users/tech1")
    Select(admin.find_element(By.ID, "e-to")).select_by_visible_text("Téc Dos")
    admin.find_element(By.ID, "e-to").find_element(By.XPATH, "..").find_element(By.TAG_NAME, "button").click()
    wait(admin, 10).until(EC.url_contains("saved=1"))
    check(database("SELECT responsible FROM tickets WHERE number = ?", number)[0] == "tech2", "ticket #%d went to Téc Dos" % number)
    admin.get(GATEWAY + "/tickets/%d" % number)
    check("Téc Dos" in admin.find_element(By.TAG_NAME, "main").text, "the ticket's page names the colleague")
    check(header_names(admin, "Admin Uno"), "a ticket's generated page names the signed-in person")

    # A forgotten password: the link in the mail, and the old session ends.
    old = browser()
    try:
        login(old, "bob", BOB_PASSWORD)
        client.get(BASE + "/login/")
        client.find_element(By.PARTIAL_LINK_TEXT, "Olvidó").click()
        wait(client, 10).until(EC.url_contains("/password/forgot"))
        audit_widths(client, "password-forgot")
        client.find_element(By.ID, "email").send_keys("bob@beta.mx")
        client.find_element(By.CSS_SELECTOR, "form[action$='/password/forgot'] button").click()
        wait(client, 10).until(EC.url_contains("sent=1"))
        check(client.find_elements(By.CSS_SELECTOR, "[role=status]"), "the forgot form says a mail is on its way")
        client.get(mail_link("bob@beta.mx"))
        client.find_element(By.ID, "password").send_keys("clave-nueva-de-bob")
        client.find_element(By.ID, "password2").send_keys("clave-nueva-de-bob")
        client.find_element(By.CSS_SELECTOR, "form[action$='/password/reset'] button").click()
        wait(client, 10).until(EC.url_contains("/login"))
        login(client, "bob", "clave-nueva-de-bob")
        check(not signed_out(client), "bob logs in with the new password")
        check(signed_out(old), "bob's old session no longer works")
    finally:
        old.quit()

    admin.get(GATEWAY + "/account")
    audit_widths(admin, "account")
    for page in ("orgs", "products", "calendars", "audit"):
        admin.get(GATEWAY + "/admin/" + page)
        audit_widths(admin, "admin-" + page)
    check("user.disable" in admin.find_element(By.TAG_NAME, "main").text, "the audit log shows the changes")

    # The list at a phone's width: the tickets first, FILTRO folded.
    admin.set_window_size(390, 844)
    admin.get(GATEWAY + "/tickets")
    top = admin.execute_script("var r = document.querySelector('table.tickets tbody tr'); return r && r.getBoundingClientRect().top")
    height = admin.execute_script("return window.innerHeight")
    check(top is not None and top < height, "at 390 px the first ticket is on the first screen (top %s of %s)" % (top, height))
    check(not admin.execute_script("return document.querySelector('details.filter-fold').open"), "FILTRO is folded on a phone")
    admin.get(GATEWAY + "/tickets?product=Bancos")
    check(admin.execute_script("return document.querySelector('details.filter-fold').open"), "FILTRO is open when a filter is set")
    admin.set_window_size(1280, 900)
finally:
    admin.quit()
    client.quit()
print("administration complete", flush=True)
