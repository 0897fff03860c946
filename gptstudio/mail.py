"""The console email backend of local development, readable.

Django's console backend prints the message as it would travel: a body line longer than 76
characters is quoted-printable encoded, which breaks it with "=" and a newline. A confirmation or
invitation link copied from the terminal then fails. This backend prints the headers and each text
part decoded, so every link stays on one line, whole.
"""

from __future__ import annotations

from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend


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
