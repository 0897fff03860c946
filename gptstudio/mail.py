"""Outgoing mail: sent after commit from a Celery task (`mail_send_after_commit`), and the console
email backend of local development, readable.

Django's console backend prints the message as it would travel: a body line longer than 76
characters is quoted-printable encoded, which breaks it with "=" and a newline. A confirmation or
invitation link copied from the terminal then fails. This backend prints the headers and each text
part decoded, so every link stays on one line, whole.
"""

from __future__ import annotations

from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend

from gptstudio.queueing import enqueue_after_commit


class EmailBackend(ConsoleEmailBackend):
    def write_message(self, message):
        msg = message.message()
        for name, value in msg.items():
            self.stream.write(f"{name}: {value}\n")
        for part in msg.walk():
            if part.get_content_maintype() != "text" or part.is_attachment():
                continue
            if part is not msg:
                self.stream.write(f"\n[{part.get_content_type()}]")
            self.stream.write(f"\n{part.get_content()}\n")
        self.stream.write("-" * 79)
        self.stream.write("\n")


SEND_MAIL_TASK = "gptstudio.send_mail"


def mail_send_after_commit(*, subject: str, body: str, recipients: list[str]) -> None:
    """Send a plain-text message from a Celery task once the current transaction commits.

    The request that asks for it does no mail work, so how long it takes tells nothing (the API's
    member add answers the same whether or not the user exists), and a rolled-back change sends
    nothing. Queued by the task's registered name (gptstudio.queueing).
    Without a broker (the embedded default) the task runs in-process after the commit."""
    enqueue_after_commit(SEND_MAIL_TASK, subject=subject, body=body, recipients=recipients)
