"""The registry of rules: which handler answers which intent, and the wordings that name each intent.

A rule module declares what it answers with ``@rule(intent, pattern, ...)`` on one handler:

    @rule('slope', r'^(?:find |what is )?the slope of the line (?:through|passing through) (?P<p>.+?) and (?P<q>.+?)$')
    def slope(p: Problem) -> Solution: ...

Every handler takes the recognised ``Problem`` (reader.Problem: intent, the pattern's named groups, the LaTeX
spans, the answer form asked for) and returns a ``steps.Solution``, or raises ``Decline`` / ``BadInput``
(steps.py). Patterns are matched case-insensitively against the whole problem, in the order the modules are
listed in ``MODULES``, before the core wordings of reader.py; the first match wins.
"""
import importlib
import re

HANDLERS = {}
PATTERNS = []  # (intent, compiled pattern), in registration order

# The rule modules with their own wordings, in the order their patterns are tried.
MODULES = ('numbers', 'comparison', 'bases', 'probability', 'geometry', 'coordinates', 'percent', 'trigonometric', 'polynomial',
           'wording', 'literal', 'core')


def rule(intent, *patterns):
    def register(handler):
        if intent in HANDLERS:
            raise ValueError(f'two handlers for {intent}')
        HANDLERS[intent] = handler
        PATTERNS.extend((intent, re.compile(p, re.I)) for p in patterns)
        return handler
    return register


def load():
    for name in MODULES:
        importlib.import_module(f'{__package__}.{name}')
