# SPDX-License-Identifier: ISC
"""Minimal WSGI app for bench/http.py: "hello\n" as text/plain.

gunicorn loads it as hello_wsgi:app, uwsgi with --wsgi-file (which looks
for `application`).
"""

BODY = b"hello\n"
HEADERS = [("Content-Type", "text/plain"), ("Content-Length", str(len(BODY)))]


def app(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]


application = app
