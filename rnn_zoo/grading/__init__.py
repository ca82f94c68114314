r"""A grader that names the student's mistake.

    from rnn_zoo.grading import check_cell, check_function
    report = check_cell(StudentGRUCell, "gru")     # a Keras cell, against the slides' equations
    report = check_function(rnn_cell_forward, "rnn_cell_forward")   # the course's NumPy functions
    report.passed, report.mistakes, print(report), report.assert_passed()

``check_function`` needs only NumPy: importing this package imports neither Keras nor a backend
(``check_cell`` imports Keras when it is called).  ``CATALOGUE`` lists the mistake keys.
"""

from rnn_zoo.grading.catalogue import CATALOGUE
from rnn_zoo.grading.functions import FUNCTIONS, check_function
from rnn_zoo.grading.report import Report


def check_cell(cell, family, *, reset_after=False, seed=0):
    from rnn_zoo.grading.cells import check_cell as check

    return check(cell, family, reset_after=reset_after, seed=seed)


check_cell.__doc__ = """Grade a student's Keras cell against the slides' ``family`` cell (see
:func:`rnn_zoo.grading.cells.check_cell`; Keras is imported on the first call)."""

__all__ = ["CATALOGUE", "FUNCTIONS", "Report", "check_cell", "check_function"]
