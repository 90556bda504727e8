#!/usr/bin/env python3
"""Send an OCP API request signed with an AK/SK pair (OCP-ACCESS-KEY-HMACSHA1).

    python3 scripts/ocp_sign.py DELETE http://127.0.0.1:8080/api/v2/obproxy/clusters/1/obproxies/2
    OCP_AK=myid OCP_SK=mysecret python3 scripts/ocp_sign.py GET http://127.0.0.1:8080/api/v2/info

OCP_AK and OCP_SK name the pair (by default the pair of OCP's documentation, which the mock
accepts unless started with its own `--access-key`). Prints the HTTP status on stderr and the
body on stdout; exits 1 on a non-2xx answer. Standard library only.
"""
import argparse
import base64
import email.utils
import hashlib
import hmac
import os
import sys
import urllib.error
import urllib.parse
import urllib.request


def arguments():
    """The command line: METHOD URL [BODY]."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("method", help="the HTTP method, e.g. GET or DELETE")
    parser.add_argument("url", help="the whole URL, query included")
    parser.add_argument("body", nargs="?", default="", help="a JSON body to send")
    return parser.parse_args()


def string_to_sign(method, body, content_type, date, host, ocp_headers, path, query):
    """The seven parts of OCP's documentation, joined by newlines."""
    md5 = hashlib.md5(body).hexdigest().upper() if body else ""
    headers = "\n".join(f"{k}:{v}" for k, v in sorted(ocp_headers.items()))
    grouped = {}
    for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
        grouped.setdefault(key, []).append(value)
    enc = lambda s: urllib.parse.quote(s, safe="")  # RFC 3986: only A-Z a-z 0-9 - . _ ~ stay
    pairs = [f"{enc(k)}={','.join(enc(v) for v in vs)}" for k, vs in sorted(grouped.items())]
    resource = path + ("?" + "&".join(pairs) if pairs else "")
    return "\n".join([method.upper(), md5, content_type, date, host, headers, resource])


def main():
    args = arguments()
    method, url, body = args.method, args.url, args.body.encode()
    ak = os.environ.get("OCP_AK", "cqammmxBpfGjFlto")
    sk = os.environ.get("OCP_SK", "2fc0c299cc94c6be266f2ceece765d4d")
    parts = urllib.parse.urlsplit(url)
    content_type = "application/json"
    date = email.utils.formatdate(usegmt=True)
    ocp_headers = {"x-ocp-origin": "ocp_sign.py"}
    message = string_to_sign(method, body, content_type, date, parts.netloc, ocp_headers,
                             parts.path, parts.query)
    digest = hmac.new(sk.encode(), message.encode(), hashlib.sha1).digest()
    headers = {
        "Content-Type": content_type,
        "Date": date,
        "Authorization": f"OCP-ACCESS-KEY-HMACSHA1 {ak}:{base64.b64encode(digest).decode()}",
        **ocp_headers,
    }
    req = urllib.request.Request(url, data=body or None, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req) as resp:
            status, text = resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        status, text = err.code, err.read().decode()
    print(status, file=sys.stderr)
    print(text)
    sys.exit(0 if 200 <= status < 300 else 1)


if __name__ == "__main__":
    main()
