"""Step records and the outcome of a rule module.

A step is a dict (it crosses to JavaScript as JSON), shaped like mathsteps' change records:
``rule`` (a stable name such as ``"product-rule"``), ``text`` (one sentence for the student),
``latex`` (the expression after the step) and ``substeps`` (the same shape, shown collapsed).
"""
import re

from sympy import latex as _latex


def tex(expr):
    """LaTeX of an expression in the order the student wrote it."""
    if isinstance(expr, str):
        return expr
    return _latex(expr, order='none')


def step(rule, text, result='', substeps=None):
    return {'rule': rule, 'text': text, 'latex': tex(result) if result != '' else '', 'substeps': list(substeps or [])}


# What a decline means, read by TypeScript (workers/contracts.ts SymbolicDeclineKind) instead of the sentence:
#   not-recognised           the words are not a wording any rule reads (a word problem, say): no note for the student
#   recognised-not-finished  a rule took the problem but cannot explain this case: the page says so
#   bad-input                the problem as written cannot be answered (a negative length, a base above 36): the sentence says why
DECLINE_KINDS = ('not-recognised', 'recognised-not-finished', 'bad-input')


class Decline(Exception):
    """A rule cannot explain this case: the problem goes to the model. ``reason`` is one sentence."""
    kind = 'recognised-not-finished'

    def __init__(self, reason, kind=None):
        super().__init__(reason)
        self.reason = reason
        if kind is not None:
            assert kind in DECLINE_KINDS, kind
            self.kind = kind


class NotRecognised(Decline):
    """No rule reads these words."""
    kind = 'not-recognised'


class BadInput(Decline):
    """The problem as written has no answer: a length below zero, a digit its base does not have, ..."""
    kind = 'bad-input'


class ParseFailure(Exception):
    """The text does not parse: what was read and where it failed."""

    def __init__(self, message, read='', position=None):
        super().__init__(message)
        self.message = message
        self.read = read
        self.position = position


class Solution:
    def __init__(self, kind, problem, steps, answer, answer_words=None):
        self.kind = kind              # the rule module's problem type, e.g. 'quadratic'
        self.problem = problem        # LaTeX of the problem as read
        self.steps = steps
        self.answer = answer          # LaTeX, in MATH500 form
        self.answer_words = answer_words  # a sentence when the answer is 'no solution' and the like

    def to_dict(self):
        return {'status': 'solved', 'kind': self.kind, 'problem': self.problem, 'steps': self.steps,
                'answer': plain_latex(self.answer), 'answerWords': self.answer_words}


def plain_latex(text):
    """LaTeX without \\left / \\right sizing, as students and MATH500 write answers: \\sin{(x)}, (x - 3)(x + 3)."""
    text = text.replace('\\left(', '(').replace('\\right)', ')').replace('\\left[', '[').replace('\\right]', ']').replace('\\left|', '|').replace('\\right|', '|')
    # x \\cos{(x)} -> x \\cdot \\cos{(x)}: a product with a function stays a product when spaces are dropped.
    return re.sub(r'(?<=[A-Za-z0-9})]) (?=\\(?:sin|cos|tan|cot|sec|csc|log|ln|exp|arcsin|arccos|arctan)\b)', r' \\cdot ', text)
