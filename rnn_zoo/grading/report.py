"""What the grader tells the student: :class:`Report`."""

import dataclasses
import re

from rnn_zoo.grading.catalogue import CATALOGUE


@dataclasses.dataclass
class Report:
    """The result of grading one function or cell.

    ``passed`` is True when every check passed; ``mistakes`` lists the catalogue keys that fit
    what the student did, most likely first (empty when passed, and when no known mistake fits);
    ``str(report)`` is the message for the student.
    """

    subject: str
    passed: bool
    mistakes: list = dataclasses.field(default_factory=list)
    lines: list = dataclasses.field(default_factory=list)

    def __bool__(self):
        return self.passed

    def __str__(self):
        if self.passed:
            head = f"{self.subject}: correct."
        else:
            head = f"{self.subject} is not right yet."
        body = [head, *self.lines]
        if self.mistakes:
            keys = ", ".join(self.mistakes)
            body.append(f"Known mistake{'s' if len(self.mistakes) > 1 else ''}: {keys} "
                        f"({'; '.join(CATALOGUE[k] for k in self.mistakes)}).")
        return "\n".join(body)

    def assert_passed(self):
        """Raise ``AssertionError`` with the student's message unless the check passed."""
        if not self.passed:
            raise AssertionError(str(self))
        return self


def failed(subject, *lines, mistakes=()):
    return Report(subject, False, list(dict.fromkeys(mistakes)), list(lines))


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _message(error):
    """The exception's own message, without the wrapping Keras adds around a layer's error."""
    lines = [line.strip() for line in ANSI.sub("", str(error)).splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].startswith("Exception encountered when calling"):
        return lines[1]
    return lines[0] if lines else ""


def describe_exception(error):
    """One line on an exception raised by the student's code."""
    text = _message(error)[:300]
    if isinstance(error, NotImplementedError):
        return f"it is not written yet (NotImplementedError: {text})"
    hint = ""
    if any(s in text.lower() for s in ("shape", "size-incompatible", "broadcast", "dimension")):
        hint = (" Check each weight's orientation (W_? is (n_a, n_a + n_x) and multiplies the "
                "column [a<t-1>; x<t>]) and the order of the concatenation.")
    return f"it raised {type(error).__name__}: {text}.{hint}"
