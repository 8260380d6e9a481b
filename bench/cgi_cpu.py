#!/usr/bin/env python3
"""The CPU of one CGI request, whole processes, for builds of the gateway compared in turn.

    python3 bench/cgi_cpu.py --site /var/tmp/belenus-bench/site-10000-2000 DIR [DIR...]

Each DIR holds a `belenus-gateway` and its `belenus-gateway-full` (a copy of .build/release from
one commit). The requests go round the builds (A, B, A, B…), so that a machine that slows down
slows them all; each request's CPU is its process's user and system time (`getrusage` of the
children), front door and whole gateway together. `--comments` (the default) posts a comment to a
random open ticket, `--views` asks for a ticket's page. docs/scaling.md has the figures.
"""
import argparse, os, random, resource, statistics, subprocess, sys, tempfile, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("builds", nargs="+", help="folders, each with belenus-gateway and belenus-gateway-full")
    parser.add_argument("--site", required=True, help="a bench site (bench.py makes them under /var/tmp/belenus-bench)")
    parser.add_argument("--rounds", type=int, default=150)
    parser.add_argument("--views", action="store_true", help="ticket page views instead of comments")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="belenus-cgi-cpu-") as work:
        site = os.path.join(work, "site")
        bench.fresh_copy(args.site, site)
        bench.run([bench.BELENUS, "build", "--site", site])
        cookie, csrf = bench.login(site)
        open_tickets = [row[0] for row in bench.sql(site, "SELECT number FROM tickets WHERE status = 'open'")]
        body = urllib.parse.urlencode({"csrf": csrf, "body": "Comentario de medida"}).encode()

        cpu = {build: [] for build in args.builds}
        for _ in range(args.rounds):
            for build in args.builds:
                number = random.choice(open_tickets)
                if args.views:
                    env, stdin = bench.cgi_env(site, "GET", "/tickets/%d" % number, cookie), b""
                else:
                    stdin = body
                    env = bench.cgi_env(site, "POST", "/tickets/%d/comments" % number, cookie, body, "application/x-www-form-urlencoded")
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                answer = subprocess.run([os.path.join(build, "belenus-gateway")], input=stdin, env=env, capture_output=True).stdout
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                expected = b"Status: 200" if args.views else b"Status: 303"
                if not answer.startswith(expected):
                    sys.exit("%s: %r" % (build, answer[:200]))
                cpu[build].append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
        for build, values in cpu.items():
            values.sort()
            n = len(values)
            print("%-40s median %.2f ms  p25 %.2f  p75 %.2f  mean %.2f  (%d requests)"
                  % (build, values[n // 2], values[n // 4], values[3 * n // 4], statistics.mean(values), n))


if __name__ == "__main__":
    main()
