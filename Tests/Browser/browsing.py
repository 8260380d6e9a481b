"""What the Chromium journeys share: a headless Chromium, a step that names itself, the WCAG and
axe-core audit of a page, screenshots at desktop and phone width, and the keyboard-only login.
`setup(BASE, SHOTS)` first."""
import os
import signal
import sys
import time

from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.support.ui import WebDriverWait

BASE = SHOTS = None


def setup(base, shots):
    """The site's address and the screenshots' folder; the signals a test runner blocked, unblocked."""
    global BASE, SHOTS
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    BASE, SHOTS = base, shots
    os.makedirs(SHOTS, exist_ok=True)


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=es"):
        options.add_argument(arg)
    service = webdriver.ChromeService(executable_path="/usr/bin/chromedriver")
    return webdriver.Chrome(options=options, service=service)


def check(condition, step):
    if not condition:
        print("FAILED: " + step, flush=True)
        sys.exit(1)
    print("ok: " + step, flush=True)


# What WCAG asks of every page, measured on what Chromium computed: `lang` on <html>, a label on
# every form control, and text contrast of at least 4.5:1 (3:1 for large text) against the
# background it is drawn on.
AUDIT_JS = r"""
const problems = [];
if (!document.documentElement.lang) problems.push('<html> has no lang');
for (const el of document.querySelectorAll('input, select, textarea')) {
  if (el.type === 'hidden') continue;
  const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
  if (!named) problems.push('no label: ' + (el.id || el.name));
}
const rgba = s => { const m = (s.match(/[\d.]+/g) || []).map(Number); return m.length >= 3 ? m : null; };
const lum = c => { const v = c.slice(0, 3).map(x => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
                   return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
const background = el => { for (let e = el; e; e = e.parentElement) {
  const c = rgba(getComputedStyle(e).backgroundColor); if (c && (c.length < 4 || c[3] > 0)) return c; } return [255, 255, 255]; };
let checked = 0;
for (const el of document.querySelectorAll('body *')) {
  const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
  if (!own || !el.getClientRects().length) continue;
  const style = getComputedStyle(el);
  if (style.visibility === 'hidden' || style.display === 'none') continue;
  if (el.closest('.visually-hidden, .skip, svg title, option')) continue;
  const ink = rgba(el instanceof SVGElement ? style.fill : style.color);
  if (!ink) continue;
  const a = lum(ink), b = lum(background(el.closest('svg') || el));
  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
  const needed = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
  checked++;
  if (ratio < needed) problems.push('contrast ' + ratio.toFixed(2) + ' < ' + needed + ': ' + el.tagName.toLowerCase()
    + (el.className && typeof el.className === 'string' ? '.' + el.className : '') + ' "' + el.textContent.trim().slice(0, 30) + '"');
}
if (checked < 5) problems.push('only ' + checked + ' text elements found');
return problems;
"""


def audit(driver, name):
    problems = driver.execute_script(AUDIT_JS)
    check(not problems, "%s: lang, labels and contrast (WCAG AA) %s" % (name, "; ".join(problems[:8])))
    # axe-core, the engine of the browsers' own accessibility tools (bundled by
    # axe-selenium-python): no violation of any of its rules on the page as it is shown.
    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    found = ["%s (%s, %d nodes: %s)" % (v["id"], v["impact"], len(v["nodes"]), v["nodes"][0]["target"]) for v in results["violations"]]
    version = driver.execute_script("return window.axe && axe.version")
    check(not found, "%s: axe-core %s finds no violation %s" % (name, version, "; ".join(found)))


def shoot(driver, name):
    audit(driver, name)
    for width, height, label in ((1280, 900, "desktop"), (390, 844, "phone")):
        driver.set_window_size(width, height)
        time.sleep(0.2)
        path = os.path.join(SHOTS, "%s-%s.png" % (name, label))
        driver.save_screenshot(path)
    driver.set_window_size(1280, 900)


def wait(driver, seconds):
    """A wait that looks again when the page it was reading is replaced under it: after a form's
    POST the page reloads, and Chromium may then answer for a node of the old one with "Node with
    given id does not belong to the document", a WebDriverException that WebDriverWait does not
    ignore by itself (seen once in CI, on the badge after the technician's close)."""
    return WebDriverWait(driver, seconds, ignored_exceptions=(StaleElementReferenceException, WebDriverException))


def login(driver, user, password):
    """With the keyboard only: Tab from the top of the page to the user field (its focus ring
    showing), type, Tab, type, Enter."""
    driver.get(BASE + "/login/")
    audit(driver, "login")
    for _ in range(20):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        if driver.switch_to.active_element.get_attribute("id") == "login":
            break
    focused = driver.switch_to.active_element
    check(focused.get_attribute("id") == "login", "Tab reaches the user field")
    check(focused.value_of_css_property("outline-style") != "none", "the focused field shows a focus ring")
    ActionChains(driver).send_keys(user, Keys.TAB, password, Keys.ENTER).perform()
    wait(driver, 10).until(EC.url_contains("/cgi-bin/belenus/tickets"))




def audit_widths(driver, name):
    """The audit at desktop width, then at a phone's (390 × 844)."""
    audit(driver, name + " (desktop)")
    driver.set_window_size(390, 844)
    time.sleep(0.2)
    audit(driver, name + " (phone)")
    driver.set_window_size(1280, 900)
