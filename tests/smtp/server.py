#!/usr/bin/env python3
"""A real SMTP server for the report mail tests (tests/relay_report_mail.rs), on aiosmtpd.

    python3 tests/smtp/server.py --out DIR [--user U --password P]
                                 [--refuse-rcpt "550 5.1.1 ..."] [--refuse-data "554 ..."]

Listens on 127.0.0.1, a free port, and prints `LISTENING <port>` on stdout once it accepts
connections. Every message it accepts is written to DIR as `<n>.eml` (the bytes as received,
CRLF line ends) with `<n>.json` beside it (envelope sender, recipients, the authenticated user),
each written to a temporary name first and renamed, so a reader never sees half a message.
With --user/--password it offers AUTH PLAIN and LOGIN without TLS (loopback only) and accepts
only that pair; with --refuse-rcpt or --refuse-data it answers RCPT TO or DATA with that reply.
It runs until it is killed.
"""

import argparse
import asyncio
import json
import logging
import os
import sys
import warnings

# AUTH without TLS is what these tests want (loopback only): keep aiosmtpd quiet about it.
warnings.filterwarnings("ignore")
logging.getLogger("mail.log").setLevel(logging.ERROR)

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
except ImportError:
    sys.stderr.write(
        "aiosmtpd is not installed: python3 -m pip install aiosmtpd==1.4.6 "
        "(.ci/run installs it)\n"
    )
    sys.exit(3)


class Handler:
    def __init__(self, out, refuse_rcpt, refuse_data):
        self.out = out
        self.refuse_rcpt = refuse_rcpt
        self.refuse_data = refuse_data
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_data:
            return self.refuse_data
        self.count += 1
        base = os.path.join(self.out, str(self.count))
        meta = {
            "mailFrom": envelope.mail_from,
            "rcptTos": envelope.rcpt_tos,
            "authUser": (session.auth_data.login.decode()
                         if isinstance(session.auth_data, LoginPassword) else None),
        }
        for suffix, data in ((".json", json.dumps(meta).encode()),
                             (".eml", envelope.original_content)):
            with open(base + suffix + ".tmp", "wb") as f:
                f.write(data)
            os.replace(base + suffix + ".tmp", base + suffix)
        return f"250 2.0.0 Ok: queued as TEST{self.count}"


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == user
              and auth_data.password.decode() == password)
        return AuthResult(success=ok, auth_data=auth_data if ok else None)
    return check


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--refuse-rcpt")
    parser.add_argument("--refuse-data")
    args = parser.parse_args()
    handler = Handler(args.out, args.refuse_rcpt, args.refuse_data)

    def factory():
        if args.user:
            return SMTP(handler, hostname="smtp.test", auth_require_tls=False,
                        auth_required=True, authenticator=authenticator(args.user, args.password))
        return SMTP(handler, hostname="smtp.test")

    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, host="127.0.0.1", port=0)
    port = server.sockets[0].getsockname()[1]
    print(f"LISTENING {port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
