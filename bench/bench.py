#!/usr/bin/env python3
"""Belenus benchmarks, side by side with Hugo and cmark in one run (`make bench`).

usage: bench/bench.py [--tickets 10000] [--kb 2000] [--runs 3] [--work DIR] [--doc docs/performance.md]
                      [--gateway-runs 100] [--load-seconds 20] [--load-clients 8] [--skip-hugo] [--database-only]

Needs the release binaries (.build/release/belenus, belenus-gateway), ../shared/bench/ beside the
repository, hugo (Debian) and cc with libcmark-dev. Every figure is a median with its spread
(min–max) over --runs runs; peak memory is the largest resident set of the process measured.
The report is printed and written into --doc between the `bench:begin`/`bench:end` markers.
"""
import argparse
import http.client
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import socket
import sys
import threading
import time
import urllib.parse

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(REPO), "shared", "bench")
BELENUS = os.path.join(REPO, ".build", "release", "belenus")
GATEWAY = os.path.join(REPO, ".build", "release", "belenus-gateway")


def say(text):
    print(text, flush=True)


def run(cmd, cwd=None, stdin=None):
    """Runs cmd and returns its output; stops the benchmark naming the command if it fails."""
    p = subprocess.run(cmd, cwd=cwd, input=stdin, capture_output=True)
    if p.returncode != 0:
        sys.exit("bench: %s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr.decode(errors="replace")[-2000:]))
    return p.stdout.decode(errors="replace")


def timed(cmd, **kw):
    """Runs cmd under /usr/bin/time for its own peak RSS: (seconds, MiB, stdout)."""
    fmt = "BENCH_RSS_KB=%M"
    start = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", fmt] + cmd, capture_output=True, **kw)
    elapsed = time.perf_counter() - start
    err = p.stderr.decode(errors="replace")
    if p.returncode != 0:
        sys.exit("bench: %s failed (%d): %s" % (" ".join(cmd), p.returncode, err[-2000:]))
    kb = int(re.findall(r"BENCH_RSS_KB=(\d+)", err)[-1])
    return elapsed, kb / 1024, p.stdout.decode(errors="replace")


def summary(values, unit="s", digits=2):
    """"1.23 s (1.20–1.31)": median and spread."""
    med = statistics.median(values)
    fmt = "%%.%df" % digits
    unit = " " + unit if unit else ""
    if len(values) == 1:
        return (fmt % med) + unit
    return "%s%s (%s–%s)" % (fmt % med, unit, fmt % min(values), fmt % max(values))


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def count_files(root):
    n = 0
    for _, _, files in os.walk(root):
        n += len(files)
    return n


def html_pages(root):
    return sum(1 for _, _, files in os.walk(root) for name in files if name.endswith(".html"))


def snapshot(root):
    """Path -> (mtime_ns, size) of every file under root."""
    result = {}
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            st = os.stat(path)
            result[path] = (st.st_mtime_ns, st.st_size)
    return result


def changed(before, after):
    return sum(1 for path, stamp in after.items() if before.get(path) != stamp)


# -- The corpus and the sites ---------------------------------------------------------------

def corpus(work, tickets, kb):
    out = os.path.join(work, "corpus-%d-%d" % (tickets, kb))
    if not os.path.exists(os.path.join(out, "tickets.jsonl")):
        say("corpus: generating %d tickets, %d KB articles" % (tickets, kb))
        run([sys.executable, os.path.join(SHARED, "gen_corpus.py"), "--tickets", str(tickets), "--kb", str(kb),
             "--seed", "1", "--out", out])
    return out


def base_site(work, corpus_dir, label):
    """A site with the corpus imported (kept between runs: the import is measured once)."""
    site = os.path.join(work, "site-" + label)
    marker = os.path.join(site, ".imported")
    figures = {}
    if not os.path.exists(marker):
        shutil.rmtree(site, ignore_errors=True)
        run([BELENUS, "init", site])
        for name in os.listdir(os.path.join(corpus_dir, "kb")):
            shutil.copy(os.path.join(corpus_dir, "kb", name), os.path.join(site, "content", "kb", name))
        say("import: %s" % label)
        # The WAL's largest size while the import runs (it commits a batch at a time).
        wal, largest, done = os.path.join(site, "var", "belenus.sqlite3-wal"), [0], threading.Event()
        def watch():
            while not done.wait(0.5):
                largest[0] = max(largest[0], os.path.getsize(wal) if os.path.exists(wal) else 0)
        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            seconds, mib, _ = timed([BELENUS, "import", "--site", site, os.path.join(corpus_dir, "tickets.jsonl")])
        finally:
            done.set()
            watcher.join()
        figures = {"import_s": seconds, "import_mib": mib, "wal_mib": largest[0] / 2**20}
        run([BELENUS, "user", "add", "benchtech", "--name", "Bench Tech", "--email", "bench@soporte.example",
             "--role", "tech", "--site", site], stdin=b"clave-de-bench-1")
        with open(os.path.join(site, ".imported"), "w") as f:
            json.dump(figures, f)
    else:
        with open(marker) as f:
            figures = json.load(f)
    return site, figures


def sql(site, statement, *args):
    """Runs one statement on the site's database; returns its rows."""
    db = sqlite3.connect(os.path.join(site, "var", "belenus.sqlite3"))
    try:
        rows = db.execute(statement, args).fetchall()
        db.commit()
        return rows
    finally:
        db.close()


def fresh_copy(base, target):
    """The base site without any output, at target (on disk or tmpfs)."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(base, target, ignore=shutil.ignore_patterns("output"))
    os.makedirs(os.path.join(target, "output"), exist_ok=True)
    # The theme of this checkout, not the one the base site was made with.
    shutil.rmtree(os.path.join(target, "site-templates"))
    shutil.copytree(os.path.join(REPO, "site-templates"), os.path.join(target, "site-templates"))
    # The build state must not claim pages that are not there.
    sql(target, "DELETE FROM pages")


# -- Belenus builds ------------------------------------------------------------------------

def belenus_build(base, where, i):
    """One full build of a fresh copy of the base site at `where`, then a rebuild with nothing
    changed and one after a ticket changed in the database."""
    site = os.path.join(where, "belenus-bench-site")
    fresh_copy(base, site)
    run(["sync"])
    full, mib, _ = timed([BELENUS, "build", "--site", site])
    files = count_files(os.path.join(site, "output"))
    pages = html_pages(os.path.join(site, "output"))
    nochange, _, _ = timed([BELENUS, "build", "--site", site])
    number = 1 + (i * 7919) % 1000
    sql(site, "UPDATE tickets SET title = title || ' (bench)', revision = revision + 1 WHERE number = ?", number)
    onechange, _, _ = timed([BELENUS, "build", "--site", site])
    say("  belenus build (%s) run %d: full %.2f s, %d HTML pages (%d files), %.0f MiB; no change %.2f s; one ticket changed %.2f s"
        % (where, i + 1, full, pages, files, mib, nochange, onechange))
    shutil.rmtree(site, ignore_errors=True)
    return {"full": full, "rss": mib, "pages": pages, "files": files, "nochange": nochange, "onechange": onechange}


def hugo_build(site, where, i):
    """One cold Hugo build (no `public/`, no `resources/`) of the corpus's Hugo site."""
    shutil.rmtree(os.path.join(site, "public"), ignore_errors=True)
    shutil.rmtree(os.path.join(site, "resources"), ignore_errors=True)
    run(["sync"])
    seconds, mib, _ = timed(["hugo", "--quiet"], cwd=site)
    pages = html_pages(os.path.join(site, "public"))
    say("  hugo (%s) run %d: %.2f s, %d pages, %.0f MiB" % (where, i + 1, seconds, pages, mib))
    return {"full": seconds, "rss": mib, "pages": pages}


def builds_in_turn(base, corpus_dir, where, runs, hugo):
    """Belenus's and Hugo's builds at `where`, one of each in turn: this machine's speed moves by
    a quarter within minutes, and a ratio of runs made minutes apart carried that drift."""
    hugo_site = os.path.join(where, "hugo-bench-site")
    if hugo:
        shutil.rmtree(hugo_site, ignore_errors=True)
        run([sys.executable, os.path.join(SHARED, "hugo_site.py"), "--corpus", corpus_dir, "--out", hugo_site])
    ours, theirs = [], []
    for i in range(runs):
        ours.append(belenus_build(base, where, i))
        if hugo:
            theirs.append(hugo_build(hugo_site, where, i))
    shutil.rmtree(hugo_site, ignore_errors=True)
    gather = lambda runs_, key: [r[key] for r in runs_]
    belenus = {k: gather(ours, k) for k in ("full", "rss", "nochange", "onechange")}
    belenus.update(pages=ours[-1]["pages"], files=ours[-1]["files"])
    if not hugo:
        return belenus, None
    return belenus, {"full": gather(theirs, "full"), "rss": gather(theirs, "rss"), "pages": theirs[-1]["pages"],
                     "version": run(["hugo", "version"]).strip()}


def cmark_time(corpus_dir, work, runs):
    tool = os.path.join(work, "cmark_bench")
    if not os.path.exists(tool):
        run(["cc", "-O2", os.path.join(SHARED, "cmark_bench.c"), "-lcmark", "-o", tool])
    md = os.path.join(work, "md-" + os.path.basename(corpus_dir))
    if not os.path.exists(os.path.join(md, "pages.nul")):
        run([sys.executable, os.path.join(SHARED, "extract_md.py"), corpus_dir, md])
    out = run([tool, os.path.join(md, "pages.nul"), str(runs)])
    times = [float(x) for x in re.findall(r"run \d+: ([\d.]+) s", out)]
    say("  cmark only: %s" % ", ".join("%.3f s" % t for t in times))
    # On two cores: two processes at once, each rendering the whole set once; the set's time on
    # two cores is half their wall time (issue 35's floor for a build of these pages).
    two = []
    for _ in range(runs):
        start = time.perf_counter()
        both = [subprocess.Popen([tool, os.path.join(md, "pages.nul"), "1"], stdout=subprocess.DEVNULL) for _ in range(2)]
        if any(p.wait() != 0 for p in both):
            sys.exit("bench: %s failed on two cores" % tool)
        two.append((time.perf_counter() - start) / 2)
    say("  cmark on two cores: %s" % ", ".join("%.3f s" % t for t in two))
    return {"times": times, "two_cores": two, "header": out.splitlines()[0]}


# -- The gateway -----------------------------------------------------------------------------

def cgi_env(site, method, path, cookie="", body=b"", content_type="", query=""):
    """The CGI environment a web server gives the gateway for one request."""
    return {"PATH": "/usr/bin:/bin", "BELENUS_SITE": site, "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": method,
            "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8080",
            "HTTP_HOST": "127.0.0.1:8080", "REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_COOKIE": cookie, "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": content_type}


def cgi(site, method, path, cookie="", body=b"", content_type="", query=""):
    env = cgi_env(site, method, path, cookie, body, content_type, query)
    start = time.perf_counter()
    p = subprocess.run([GATEWAY], input=body, env=env, capture_output=True)
    return time.perf_counter() - start, p.stdout.decode(errors="replace")


def login(site, user="benchtech", password="clave-de-bench-1"):
    """`user`'s session on `site` (the bench technician's by default), through the gateway:
    (cookie, csrf)."""
    form = urllib.parse.urlencode({"login": user, "password": password}).encode()
    _, answer = cgi(site, "POST", "/login", body=form, content_type="application/x-www-form-urlencoded")
    session, csrf = (re.search(r"belenus_%s=([0-9a-f]{64})" % name, answer) for name in ("session", "csrf"))
    if not session or not csrf:
        sys.exit("bench: %s could not sign in: %s" % (user, answer[:300]))
    return "belenus_session=%s; belenus_csrf=%s" % (session.group(1), csrf.group(1)), csrf.group(1)


def gateway(base, where, runs, tickets, repo):
    site = os.path.join(where, "belenus-bench-gateway")
    fresh_copy(base, site)
    run([BELENUS, "build", "--site", site])
    cookie, csrf = login(site)
    open_to_comments = [n for (n,) in sql(site, "SELECT number FROM tickets WHERE status != 'approved'")]
    rng = random.Random(1)
    gets, posts, rewritten, fossil = [], [], [], []
    for _ in range(runs):  # ours and Fossil's in turn: one run, one machine state
        seconds, answer = cgi(site, "GET", "/tickets/%d" % rng.randint(1, tickets), cookie)
        assert answer.startswith("Status: 200") or "200" in answer.split("\n", 1)[0], answer[:200]
        gets.append(seconds)
        fossil += fossil_views(repo, 1)
    perf = perf_page_view(site, cookie, rng.randint(1, tickets), repo)
    output = os.path.join(site, "output")
    for i in range(runs):
        number = rng.choice(open_to_comments)  # an approved ticket takes no more changes
        body = urllib.parse.urlencode({"csrf": csrf, "body": "Comentario de prueba %d." % i}).encode()
        before = snapshot(output)
        seconds, answer = cgi(site, "POST", "/tickets/%d/comments" % number, cookie, body, "application/x-www-form-urlencoded")
        if "303" not in answer.split("\n", 1)[0]:
            sys.exit("bench: comment on %d: %s" % (number, answer[:300]))
        rewritten.append(changed(before, snapshot(output)))
        posts.append(seconds)
    searches = ticket_searches(site, cookie, runs)
    shutil.rmtree(site, ignore_errors=True)
    say("  gateway: GET /tickets/N median %.1f ms (Fossil's /tktview %.1f ms); comment median %.1f ms, %s files rewritten"
        % (statistics.median(gets) * 1000, statistics.median(fossil) * 1000, statistics.median(posts) * 1000, sorted(set(rewritten))))
    return {"get": gets, "fossil": fossil, "post": posts, "rewritten": rewritten, "searches": searches, "perf": perf}


# -- Fossil's ticket page, side by side ----------------------------------------------------

FOSSIL_TICKETS = 300


def fossil_repo(work):
    """A Fossil repository of FOSSIL_TICKETS tickets, each a title, a body and five comments of
    the corpus's sizes, made once and kept beside the corpora. Fossil's ticket page reads one
    ticket by its id, so the count changes little: what is compared is the work of one view."""
    repo = os.path.join(work, "fossil-%d.fossil" % FOSSIL_TICKETS)
    if os.path.exists(repo):
        return repo
    say("fossil: %d tickets" % FOSSIL_TICKETS)
    env = dict(os.environ, USER="bench")
    partial = repo + ".partial"
    if os.path.exists(partial):
        os.remove(partial)
    subprocess.run(["fossil", "init", partial], env=env, capture_output=True, check=True)
    rng = random.Random(1)
    words = "timbrado nómina cálculo factura póliza cierre ejercicio certificado servidor reporte".split()
    text = lambda n: " ".join(rng.choice(words) for _ in range(n)).capitalize() + "."
    for i in range(FOSSIL_TICKETS):
        out = subprocess.run(["fossil", "ticket", "add", "title", "Ticket %d: %s" % (i + 1, text(6)), "status", "Open",
                              "type", "Code_Defect", "comment", text(220), "-R", partial],
                             env=env, capture_output=True, text=True, check=True).stdout
        uuid = re.search(r"succeeded for ([0-9a-f]{40})", out).group(1)
        for _ in range(5):
            subprocess.run(["fossil", "ticket", "change", uuid, "+icomment", text(120), "-R", partial],
                           env=env, capture_output=True, check=True)
    os.rename(partial, repo)
    return repo


def fossil_views(repo, runs):
    """`fossil cgi` answering `GET /tktview/ID` for random tickets, anonymous (its default
    "nobody" may read tickets): the whole process, as our gateway's page view is timed."""
    script = repo + ".cgi"
    with open(script, "w") as f:
        f.write("repository: %s\n" % repo)
    db = sqlite3.connect(repo)
    uuids = [u for (u,) in db.execute("SELECT tkt_uuid FROM ticket ORDER BY tkt_uuid")]
    db.close()
    rng = random.Random(2)
    times = []
    for _ in range(runs):
        env = {"PATH": "/usr/bin:/bin", "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET",
               "PATH_INFO": "/tktview/" + rng.choice(uuids), "SCRIPT_NAME": "", "QUERY_STRING": "",
               "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8080", "HTTP_HOST": "127.0.0.1:8080",
               "REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1"}
        start = time.perf_counter()
        p = subprocess.run(["fossil", "cgi", script], env=env, capture_output=True)
        times.append(time.perf_counter() - start)
        head = p.stdout[:200].decode(errors="replace")
        assert head.startswith("Status: 200") and b"Ticket " in p.stdout, head
    return times


def perf_page_view(site, cookie, number, repo, repeat=30):
    """`perf stat -r 30` of one page view by each program, whole process: CPU time (task-clock) and
    page faults, with each binary's size: the front door (`belenus-gateway`, what the web server
    runs), the whole gateway run directly (`belenus-gateway-full`, which answered page views
    before the front door), and Fossil's ticket page. None without perf."""
    if not shutil.which("perf"):
        return None
    ours = cgi_env(site, "GET", "/tickets/%d" % number, cookie)
    db = sqlite3.connect(repo)
    uuid = db.execute("SELECT tkt_uuid FROM ticket ORDER BY tkt_uuid LIMIT 1").fetchone()[0]
    db.close()
    theirs = {"PATH": "/usr/bin:/bin", "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET", "PATH_INFO": "/tktview/" + uuid,
              "SCRIPT_NAME": "", "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8080",
              "HTTP_HOST": "127.0.0.1:8080", "REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1"}
    fossil = shutil.which("fossil")
    programs = [("front door `belenus-gateway`", [GATEWAY], ours, GATEWAY),
                ("whole gateway `belenus-gateway-full`", [GATEWAY + "-full"], ours, GATEWAY + "-full"),
                ("Fossil `fossil cgi`", [fossil, "cgi", repo + ".cgi"], theirs, fossil)]
    result = {}
    for label, command, env, binary in programs:
        p = subprocess.run(["perf", "stat", "-x,", "-e", "task-clock,page-faults", "-r", str(repeat)] + command,
                           env=env, capture_output=True, text=True)
        values = {}
        for line in p.stderr.splitlines():
            fields = line.split(",")
            if len(fields) > 2 and fields[2] in ("task-clock", "page-faults"):
                values[fields[2]] = float(fields[0])
        result[label] = (values.get("task-clock", 0.0), values.get("page-faults", 0.0), os.path.getsize(binary) / 2**20)
    say("  page view, perf stat: " + "; ".join("%s %.2f ms CPU, %.0f faults, %.0f MiB" % ((k,) + v) for k, v in result.items()))
    return result


def perf_row(perf):
    if not perf:
        return "| page view, `perf stat -r 30` | (no perf on this machine) |"
    return "| page view, `perf stat -r 30`: CPU (task-clock), page faults, binary | %s |" % "; ".join(
        "%s %.2f ms, %.0f faults, %.0f MiB" % ((k,) + v) for k, v in perf.items())


def link_order(binary, order):
    """How many of the functions `Tools/<order>` lists `binary` has: the linker places those
    first (Package.swift, `linkOrder`); a list older than the code names functions that no longer
    exist (`make link-order` writes it again)."""
    listed = set(open(os.path.join(REPO, "Tools", order)).read().split())
    out = subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True).stdout
    return len(listed & {f[2] for f in (line.split() for line in out.splitlines()) if len(f) == 3}), len(listed)


def fossil_version():
    out = subprocess.run(["fossil", "version"], capture_output=True, text=True).stdout
    m = re.search(r"version (\S+)", out)
    return m.group(1) if m else "?"


def ticket_searches(site, cookie, runs):
    """`GET /tickets?q=` (issue 15): a rare term (a five-digit number from a comment: an error
    code or a folio, what people search a help desk for) and a word of the corpus's vocabulary,
    which is in most tickets (its words are drawn uniformly from 400)."""
    body = sql(site, "SELECT body FROM events WHERE body GLOB '*[0-9][0-9][0-9][0-9][0-9]*' ORDER BY id LIMIT 1")
    rare = re.search(r"\b\d{5}\b", body[0][0]).group(0) if body and re.search(r"\b\d{5}\b", body[0][0]) else "48213"
    # A client's search is always of their company: the company with the most tickets.
    org = sql(site, "SELECT org FROM tickets GROUP BY org ORDER BY count(*) DESC LIMIT 1")[0][0]
    found = {}
    for label, query in (("a rare term (%s)" % rare, {"q": rare}), ("a common word (timbrado)", {"q": "timbrado"}),
                         ("a common word in one company's tickets", {"q": "timbrado", "org": org})):
        times = []
        for _ in range(max(5, runs // 4)):
            seconds, answer = cgi(site, "GET", "/tickets", cookie, query=urllib.parse.urlencode(query))
            assert " 200 " in answer.split("\n", 1)[0], answer[:200]
            times.append(seconds)
        found[label] = times
        say("  gateway: GET /tickets?q= %s median %.1f ms" % (label, statistics.median(times) * 1000))
    return found


def database_only(base, runs, tickets, repo):
    """At a scale where a full build does not fit this machine's time or tmpfs (1M tickets): the
    gateway on the imported site itself (it keeps the comments), its output and page records
    cleared first. A ticket page is rendered on the spot at its first GET (timed apart from the
    GETs after it)."""
    site = base
    # Each run starts from no output, as the first did (the comments of earlier runs stay).
    shutil.rmtree(os.path.join(site, "output"), ignore_errors=True)
    os.makedirs(os.path.join(site, "output"))
    sql(site, "DELETE FROM pages")
    cookie, csrf = login(site)
    rng = random.Random(1)
    open_to_comments = [n for (n,) in sql(site, "SELECT number FROM tickets WHERE status != 'approved' ORDER BY random() LIMIT 1000")]

    def comment(number, i):
        body = urllib.parse.urlencode({"csrf": csrf, "body": "Comentario de escala %d." % i}).encode()
        seconds, answer = cgi(site, "POST", "/tickets/%d/comments" % number, cookie, body, "application/x-www-form-urlencoded")
        if "303" not in answer.split("\n", 1)[0]:
            sys.exit("bench: comment on %d: %s" % (number, answer[:300]))
        return seconds

    # No build wrote the list buckets: the first change in each list renders all of its buckets.
    # One comment per company does it for every list (timed as a whole), before anything is timed.
    started = time.perf_counter()
    for i, (number,) in enumerate(sql(site, "SELECT MIN(number) FROM tickets WHERE status != 'approved' GROUP BY org")):
        comment(number, -1 - i)
    warm_up = time.perf_counter() - started
    first, again, fossil = [], [], []
    for _ in range(runs):
        number = rng.randint(1, tickets)
        seconds, answer = cgi(site, "GET", "/tickets/%d" % number, cookie)
        assert " 200 " in answer.split("\n", 1)[0], answer[:200]
        first.append(seconds)
        again.append(cgi(site, "GET", "/tickets/%d" % number, cookie)[0])
        fossil.extend(fossil_views(repo, 1))
    perf = perf_page_view(site, cookie, number, repo)
    lists = [cgi(site, "GET", "/tickets", cookie)[0] for _ in range(runs // 4 or 1)]
    dashboards = [cgi(site, "GET", "/dashboard", cookie)[0] for _ in range(runs // 4 or 1)]
    searches = ticket_searches(site, cookie, runs)
    posts = [comment(rng.choice(open_to_comments), i) for i in range(runs)]
    size = sum(os.path.getsize(os.path.join(site, "var", f)) for f in os.listdir(os.path.join(site, "var")) if f.startswith("belenus.sqlite3"))
    say("  gateway at scale: first GET %.1f ms, then %.1f ms; GET /tickets %.1f ms; GET /dashboard %.1f ms; "
        "every list's buckets rendered by a first comment per company: %.1f s; comments then %.1f ms; database %.0f MiB"
        % (statistics.median(first) * 1000, statistics.median(again) * 1000, statistics.median(lists) * 1000,
           statistics.median(dashboards) * 1000, warm_up, statistics.median(posts) * 1000, size / 2**20))
    return {"first": first, "again": again, "fossil": fossil, "lists": lists, "dashboards": dashboards, "searches": searches, "warm_up": warm_up, "post": posts,
            "db_mib": size / 2**20, "perf": perf}


def scale_report(args, imported, scale):
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    return "\n".join([
        "Run on %s: %s, %d cores, Linux %s. Corpus: `gen_corpus.py --tickets %d --kb %d --seed 1`; no full build "
        "(the gateway on the imported site, no generated output)." % (time.strftime("%Y-%m-%d"), cpu, os.cpu_count(),
                                                                       platform.release(), args.tickets, args.kb),
        "",
        "| Belenus | figure |",
        "|---|---|",
        "| import (JSONL into SQLite, 10,000 tickets a transaction) | %.0f s, %.0f MiB peak; %s; database and WAL %.0f MiB |"
        % (imported.get("import_s", 0), imported.get("import_mib", 0), largest_wal(imported), scale["db_mib"]),
        "| `GET /tickets/N`, first (page rendered on the spot) | %s |" % ms(scale["first"]),
        "| `GET /tickets/N`, again (the page file) | %s |" % ms(scale["again"]),
        "| Fossil %s `fossil cgi` `GET /tktview/ID` (%d tickets), in turn with the line above | %s; ours / Fossil's = %.2f |"
        % (fossil_version(), FOSSIL_TICKETS, ms(scale["fossil"]), statistics.median(scale["again"]) / statistics.median(scale["fossil"])),
        perf_row(scale["perf"]),
        "| `GET /tickets` (first list page, from SQL) | %s |" % ms(scale["lists"]),
        "| `GET /dashboard` (open tickets' counts kept, schema v8) | %s |" % ms(scale["dashboards"]),
    ] + ["| `GET /tickets?q=`, %s | %s |" % (label, ms(times)) for label, times in scale["searches"].items()] + [
        "| every list bucket rendered (no build wrote them): a first comment in each company, all together | %.1f s |" % scale["warm_up"],
        "| comment `POST /tickets/N/comments`, end to end with regeneration | %s |" % ms(scale["post"]),
    ])


# -- Load through lighttpd -------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def create_cost(folder, count=200):
    """Microseconds to create an empty file in `folder`, the median of `count` (each removed
    after). On ext4 without a journal (this machine's disk) it depends on what was deleted
    nearby in the last minutes: the allocator steps over each inode freed then, and a comment
    creates a file (docs/scaling.md, "Replaced pages"). The load's figure carries it."""
    os.makedirs(folder, exist_ok=True)
    times = []
    for i in range(count):
        path = os.path.join(folder, "create-cost-%d" % i)
        start = time.perf_counter()
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        times.append(time.perf_counter() - start)
        os.unlink(path)
    return statistics.median(times) * 1e6


def load(base, where, seconds, clients, comments=1 / 3):
    """`clients` threads for `seconds`, each logged in with its own session, through lighttpd with
    docs/hosting/lighttpd.conf: a share `comments` of comment POSTs (a third by default), the rest
    GET /tickets/N. Afterwards every comment answered 303 must be in the database and on its
    ticket's page."""
    site = os.path.join(where, "belenus-bench-load")
    fresh_copy(base, site)
    run([BELENUS, "build", "--site", site])
    run_dir = os.path.join(where, "belenus-bench-lighttpd")
    shutil.rmtree(run_dir, ignore_errors=True)
    os.makedirs(run_dir)
    port = free_port()
    conf = open(os.path.join(REPO, "docs", "hosting", "lighttpd.conf"), encoding="utf-8").read()
    for key, value in (("@PORT@", str(port)), ("@SITE@", site), ("@RUN@", run_dir), ("@GATEWAY@", GATEWAY)):
        conf = conf.replace(key, value)
    conf_path = os.path.join(run_dir, "lighttpd.conf")
    open(conf_path, "w").write(conf)
    server = subprocess.Popen(["lighttpd", "-D", "-f", conf_path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        open_tickets = [n for (n,) in sql(site, "SELECT number FROM tickets WHERE status != 'approved'")]
        creating = create_cost(os.path.join(site, "output", ".tmp"))
        results = []  # (kind, seconds, status, number, text)
        lock = threading.Lock()
        deadline = time.monotonic() + seconds

        def request(method, path, headers, body=None):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            start = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            answer = conn.getresponse()
            data = answer.read()
            elapsed = time.perf_counter() - start
            conn.close()
            return elapsed, answer.status, data

        def sign_in():
            form = urllib.parse.urlencode({"login": "benchtech", "password": "clave-de-bench-1"})
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("POST", "/cgi-bin/belenus/login", body=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
            answer = conn.getresponse()
            answer.read()
            cookies = "; ".join(c.split(";", 1)[0] for c in answer.msg.get_all("Set-Cookie") or [])
            conn.close()
            return cookies, re.search(r"belenus_csrf=([0-9a-f]{64})", cookies).group(1)

        # One after another, before the clock starts: simultaneous attempts on one account are
        # held to 5 at a time (issue 29), and a login is not what this measures.
        sessions = [sign_in() for _ in range(clients)]

        def client(i):
            rng = random.Random(i)
            cookies, csrf = sessions[i]
            n = 0
            while time.monotonic() < deadline:
                number = rng.choice(open_tickets)
                if rng.random() >= comments:
                    elapsed, status, _ = request("GET", "/cgi-bin/belenus/tickets/%d" % number, {"Cookie": cookies})
                    kind, text = "get", None
                else:
                    n += 1
                    text = "Carga %d-%d: sigue fallando." % (i, n)
                    body = urllib.parse.urlencode({"csrf": csrf, "body": text})
                    elapsed, status, _ = request("POST", "/cgi-bin/belenus/tickets/%d/comments" % number, {
                        "Cookie": cookies, "Content-Type": "application/x-www-form-urlencoded"}, body)
                    kind = "post"
                with lock:
                    results.append((kind, elapsed, status, number, text))

        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait()
    accepted = [(n, text) for (kind, _, status, n, text) in results if kind == "post" and status == 303]
    stored = set(row[0] for row in sql(site, "SELECT body FROM events WHERE kind = 'comment' AND body LIKE 'Carga %'"))
    missing_db = [text for (_, text) in accepted if text not in stored]
    missing_page = [text for (n, text) in accepted
                    if text not in open(os.path.join(site, "output", "private", "tickets", str(n), "index.html"), encoding="utf-8").read()]
    errors = {}
    for (kind, _, status, _, _) in results:
        if status not in (200, 303):
            errors[status] = errors.get(status, 0) + 1
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(run_dir, ignore_errors=True)
    gets = [e for (kind, e, status, _, _) in results if kind == "get" and status == 200]
    posts = [e for (kind, e, status, _, _) in results if kind == "post" and status == 303]
    say("  load: %d requests in %.1f s (%d clients): %.1f/s; GET p99 %.0f ms, comment p99 %.0f ms; errors %s; "
        "accepted comments missing from the database: %d, from their page: %d; a file created in %.0f µs before it"
        % (len(results), wall, clients, len(results) / wall, percentile(gets, 99) * 1000 if gets else 0,
           percentile(posts, 99) * 1000 if posts else 0, errors or "none", len(missing_db), len(missing_page), creating))
    if missing_db or missing_page:
        sys.exit("bench: accepted comments were lost: %s" % (missing_db + missing_page)[:5])
    return {"requests": len(results), "wall": wall, "clients": clients, "gets": gets, "posts": posts,
            "errors": errors, "missing": len(missing_db) + len(missing_page), "seconds": seconds, "create_us": creating}


def write_ceiling(base, where, seconds):
    """Comments only, through lighttpd, 8, 16, 32… clients until the comments' p99 passes 1 s:
    how many comments a second one site takes (SQLite's one writer, the build lock, the CPU),
    nothing lost (`load` checks every accepted comment)."""
    rows = []
    clients = 8
    while clients <= 512:
        loaded = load(base, where, seconds, clients, comments=1.0)
        posts = loaded["posts"]
        rows.append("| %d | %.1f | %.0f ms (p99 %.0f) | %s | %d |" % (
            clients, len(posts) / loaded["wall"], statistics.median(posts) * 1000, percentile(posts, 99) * 1000,
            ", ".join("%d× %s" % (n, status) for status, n in sorted(loaded["errors"].items())) or "none", loaded["missing"]))
        if percentile(posts, 99) > 1.0:
            break
        clients *= 2
    return "\n".join([
        "Comments only (`make bench-writes`), through lighttpd, %d s a step, on a copy of the %s base site;" % (seconds, os.path.basename(base)),
        "each client posts its next comment when the last is answered. Run on %s." % time.strftime("%Y-%m-%d"),
        "",
        "| clients | comments/s | a comment | errors | accepted, then missing |",
        "|---|---|---|---|---|",
    ] + rows)


# -- The report ------------------------------------------------------------------------------

def largest_wal(imported):
    """The import's largest WAL, if the kept site's import measured it."""
    if "wal_mib" not in imported:
        return "WAL not measured (the kept site was imported by an earlier bench)"
    return "WAL at most %.0f MiB" % imported["wal_mib"]


def ms(values):
    return "%.1f ms (p99 %.1f)" % (statistics.median(values) * 1000, percentile(values, 99) * 1000)


def report(args, imported, disk, shm, hugo_disk, hugo_shm, cmark, gw, loaded):
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    mem = int(next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal"))) // 1024 // 1024
    lines = [
        "Run on %s: %s, %d cores, %d GiB, Linux %s; %s; %s." % (time.strftime("%Y-%m-%d"), cpu, os.cpu_count(), mem,
                                                                platform.release(), cmark["header"], hugo_disk["version"] if hugo_disk else "no Hugo"),
        "Corpus: `gen_corpus.py --tickets %d --kb %d --seed 1`. %d runs each; median (min–max)." % (args.tickets, args.kb, args.runs),
        "",
        "| | Belenus | Hugo | ratio |",
        "|---|---|---|---|",
    ]

    def rate(result):
        return [result["pages"] / t for t in result["full"]]

    for label, b, h in (("disk", disk, hugo_disk), ("tmpfs", shm, hugo_shm)):
        row = "| full build, %s | %s, %d HTML pages (%d files), %s pages/s, %.0f MiB peak |" % (
            label, summary(b["full"]), b["pages"], b["files"], summary(rate(b), "", 0), max(b["rss"]))
        if h:
            ratio = statistics.median(rate(b)) / statistics.median(rate(h))
            row += " %s, %d HTML pages, %s pages/s, %.0f MiB peak | %.1f× Hugo's pages/s |" % (
                summary(h["full"]), h["pages"], summary(rate(h), "", 0), max(h["rss"]), ratio)
        else:
            row += " – | – |"
        lines.append(row)
    cm = statistics.median(cmark["times"])
    lines += [
        "| cmark alone on the same Markdown (one process, in memory) | | | %s; Belenus tmpfs build = %.1f× cmark |"
        % (summary(cmark["times"], digits=3), statistics.median(shm["full"]) / cm),
        "| cmark on two cores (two such processes at once, each the whole set: half their wall time) | | | %s; "
        "Belenus tmpfs build = %.1f× cmark on two cores |"
        % (summary(cmark["two_cores"], digits=3), statistics.median(shm["full"]) / statistics.median(cmark["two_cores"])),
        "",
        "| Belenus | figure |",
        "|---|---|",
        "| import (JSONL into SQLite, 10,000 tickets a transaction) | %.1f s, %.0f MiB peak, %s |"
        % (imported.get("import_s", 0), imported.get("import_mib", 0), largest_wal(imported)),
        "| rebuild, nothing changed (disk) | %s |" % summary(disk["nochange"]),
        "| rebuild, one ticket changed (disk) | %s |" % summary(disk["onechange"]),
        "| gateway `GET /tickets/N` (whole CGI process) | %s; %d of the %d functions of `Tools/front-door.order` "
        "in the binary |" % ((ms(gw["get"]),) + link_order(GATEWAY, "front-door.order")),
        "| Fossil %s `fossil cgi` `GET /tktview/ID` (whole process, %d tickets of 5 comments), in turn with the line above "
        "| %s; ours / Fossil's = %.2f |" % (fossil_version(), FOSSIL_TICKETS, ms(gw["fossil"]),
                                            statistics.median(gw["get"]) / statistics.median(gw["fossil"])),
        perf_row(gw["perf"]),
    ] + [
        "| gateway `GET /tickets?q=`, %s, words in titles, bodies, comments, solutions (FTS5) | %s |" % (label, ms(times))
        for label, times in gw["searches"].items()
    ] + [
        "| gateway comment `POST /tickets/N/comments`, end to end with regeneration | %s; files rewritten: %s; %d of the "
        "%d functions of `Tools/whole-gateway.order` in the whole gateway |"
        % ((ms(gw["post"]), ", ".join("%d× %d" % (gw["rewritten"].count(n), n) for n in sorted(set(gw["rewritten"]))))
           + link_order(GATEWAY + "-full", "whole-gateway.order")),
        "| load through lighttpd (`docs/hosting/lighttpd.conf`): %d clients for %d s, ⅔ `GET /tickets/N`, ⅓ comments "
        "| %d requests, %.1f requests/s; GET %s, comment %s; errors: %s; accepted comments missing from the database "
        "or their page: %d; a file created in the site's output in %.0f µs before it (median of 200: the file system's "
        "state, scaling.md \"Replaced pages\") |" % (
            loaded["clients"], loaded["seconds"], loaded["requests"], loaded["requests"] / loaded["wall"],
            ms(loaded["gets"]), ms(loaded["posts"]),
            ", ".join("%d× %s" % (c, s) for s, c in sorted(loaded["errors"].items())) or "none",
            loaded["missing"], loaded["create_us"]),
    ]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tickets", type=int, default=10000)
    ap.add_argument("--kb", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--gateway-runs", type=int, default=100)
    ap.add_argument("--load-seconds", type=int, default=20)
    ap.add_argument("--load-clients", type=int, default=8)
    ap.add_argument("--work", default="/var/tmp/belenus-bench", help="corpus, sites and disk builds (on disk)")
    ap.add_argument("--tmpfs", default="/dev/shm", help="where the tmpfs builds go")
    ap.add_argument("--doc", default=os.path.join(REPO, "docs", "performance.md"))
    ap.add_argument("--skip-hugo", action="store_true")
    ap.add_argument("--writes", action="store_true",
                    help="only the write ceiling: comments alone through lighttpd, more clients until their p99 passes 1 s")
    ap.add_argument("--database-only", action="store_true",
                    help="no builds, Hugo, cmark or load: import, then the gateway on the imported site (1M tickets)")
    args = ap.parse_args()
    for tool in (BELENUS, GATEWAY):
        if not os.path.exists(tool):
            sys.exit("bench: %s is missing: run `swift build -c release` (make bench does)" % tool)
    os.makedirs(args.work, exist_ok=True)
    label = "%d-%d" % (args.tickets, args.kb)
    corpus_dir = corpus(args.work, args.tickets, args.kb)
    base, imported = base_site(args.work, corpus_dir, label)
    # The kept base was imported by some earlier binary: this one's migrations are applied to it
    # once here, so that no timed build or request below pays for them (v5 fills the ticket
    # search index: 1.8 s at 10k tickets).
    run([BELENUS, "user", "list", "--site", base])
    if args.writes:
        say("write ceiling")
        write_section(args, "writes-" + label, write_ceiling(base, args.work, args.load_seconds))
        return
    if args.database_only:
        say("gateway at scale")
        write_section(args, label, scale_report(args, imported, database_only(base, args.gateway_runs, args.tickets, fossil_repo(args.work))))
        return
    say("builds, Belenus's and Hugo's in turn")
    disk, hugo_disk = builds_in_turn(base, corpus_dir, args.work, args.runs, not args.skip_hugo)
    shm, hugo_shm = builds_in_turn(base, corpus_dir, args.tmpfs, args.runs, not args.skip_hugo)
    say("cmark")
    cmark = cmark_time(corpus_dir, args.work, args.runs)
    say("gateway")
    gw = gateway(base, args.work, args.gateway_runs, args.tickets, fossil_repo(args.work))
    say("load")
    loaded = load(base, args.work, args.load_seconds, args.load_clients)
    text = report(args, imported, disk, shm, hugo_disk, hugo_shm, cmark, gw, loaded)
    write_section(args, label, text)


def write_section(args, label, text):
    print("\n" + text)
    if args.doc:
        section = "<!-- bench:begin %s -->\n%s\n<!-- bench:end %s -->" % (label, text, label)
        doc = open(args.doc, encoding="utf-8").read() if os.path.exists(args.doc) else "# Performance\n"
        pattern = re.compile(r"<!-- bench:begin %s -->.*?<!-- bench:end %s -->" % (label, label), re.S)
        doc = pattern.sub(lambda _: section, doc) if pattern.search(doc) else doc.rstrip("\n") + "\n\n" + section + "\n"
        with open(args.doc, "w", encoding="utf-8") as f:
            f.write(doc)
        say("\nwritten to %s" % args.doc)


if __name__ == "__main__":
    main()
