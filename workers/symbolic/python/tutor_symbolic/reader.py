"""Recognises what a problem asks: the words around the math decide the rule module.

A request is ``{"text": ..., "math": [{"latex": ..., "json": MathJSON}, ...]}``: ``text`` is the
problem with each LaTeX span replaced by ``⟦k⟧``. Anything the patterns below do not match exactly
is declined (it goes to the model): precision matters more than coverage.
"""
import re

from .steps import NotRecognised, BadInput, ParseFailure, step
from .parse import NUMBER as NUM, from_mathjson, parse_plain_relations, letters_as_variables, CONSTANT_LETTERS
from . import rules

V = r'(?P<v>[a-z])'
M = r'(?P<m>.+?)'
SOLVE_WORDS = r'(?:solve|find|determine)'

# Sentences about the answer's form: stripped, some remembered.
FORM = [
    (r'express your answer as a common fraction', 'fraction'),
    (r'express your answer as an improper fraction', 'fraction'),
    (r'express your answer in simplest (?:radical |fractional )?form', None),
    (r'express your answer in simplest form', None),
    (r'(?:enter|express|give|write) your answer (?:using|in) interval notation', 'interval'),
    (r'express your answer as an integer', None),
    (r'express your answer in radians', None),
    (r'express your answer as an ordered pair,? (?:\(x, ?y\)|⟦\d+⟧)?', None),
    (r'express your answer as an integer from -?\d+ to -?\d+', None),
    (r'enter all the (?:integer |real )?(?:roots|solutions), separated by commas', None),
    (r'express your answer in terms of (?:\\pi|π|⟦\d+⟧)', None),
    (r'\(do not use a calculator!?\)', None),
    (r'in your head', None),
    (r'in simplest radical form', None),
    (r'(?:express|give|write) (?:your answer|the result|it) as a decimal', 'decimal'),
]
UNSUPPORTED_FORM = re.compile(r'(?<!terminating )(?<!as a )decimal|nearest|base|mixed number|scientific|degrees|in terms of|dollars|cents', re.I)

METHODS = [(r'\s*(?:by|using) factoring', 'factoring'), (r'\s*(?:by|using) (?:the )?quadratic formula', 'formula'),
           (r'\s*by completing the square', 'square')]

AGG = r'(?P<agg>largest|greatest|smallest|least|positive|negative|sum of (?:all )?(?:of )?(?:the )?|product of (?:all )?(?:of )?(?:the )?)'

NTH = r'(?:(?P<nth>second|third|fourth|2nd|3rd|4th) )?'
WRT = rf'(?: (?:with respect to|wrt|w\.r\.t\.) {V})?'

# The core wordings, tried in order after the rule modules' own (rules.PATTERNS); the first match wins.
CORE_PATTERNS = [
    ('derivative', rf'^(?:find |compute |what is |calculate |give |determine )?(?:the )?{NTH}derivative of {M}{WRT}$'),
    ('derivative', rf'^differentiate {M}{WRT}$'),
    ('derivative', rf'^d/d{V}\s*{M}$'),
    ('integral', rf'^(?:find |compute |evaluate |calculate )?(?:the )?(?:integral of|integrate|antiderivative of|indefinite integral of) {M}(?:\s*d(?P<v>[a-z]))?(?: from (?P<a>\S+) to (?P<b>\S+))?$'),
    ('limit', rf'^(?:find |compute |evaluate )?(?:the )?lim(?:it)?\s*(?:as )?{V}\s*(?:->|→|approaches|goes to|tends to)\s*(?P<a>\S+)\s*(?:of )?{M}$'),
    ('limit', rf'^(?:find |compute |evaluate )?(?:the )?limit of {M} as {V} (?:->|→|approaches|goes to|tends to) (?P<a>\S+)$'),
    ('gcd', r'^(?:find |compute |what is |determine |calculate |give )?(?:the )?(?:gcd|hcf|gcf|(?:greatest|highest|largest) common (?:divisor|factor))\s*(?:of\s*)?\(?(?P<nums>\d[\d,\s]*(?:,?\s*and\s*\d+)?)\)?$'),
    ('lcm', r'^(?:find |compute |what is |determine |calculate |give )?(?:the )?(?:lcm|(?:least|lowest|smallest) common multiple)\s*(?:of\s*)?\(?(?P<nums>\d[\d,\s]*(?:,?\s*and\s*\d+)?)\)?$'),
    ('prime-factors', r'^(?:find |write |what is |give )?(?:the )?prime factori[sz]ation of (?P<n>\d+)$'),
    ('prime-factors', r'^(?:factor|factori[sz]e) (?P<n>\d+)(?: into primes)?$'),
    ('divisor-count', r'^how many (?:positive )?(?:whole-number |integer )?(?:divisors|factors) does (?P<n>\d+) have$'),
    ('divisors', r'^(?:find |list |what are )?(?:all )?(?:the )?(?:positive )?divisors of (?P<n>\d+)$'),
    ('remainder', r'^(?:what is |find |determine |compute |calculate |give )?(?:the )?remainder (?:when |of )(?P<a>.+?) (?:is )?divided by (?P<b>\d+)$'),
    ('remainder', r'^(?:determine |find |what is )?the remainder of (?P<a>\d+) \(mod (?P<b>\d+)\)$'),
    ('remainder', r'^(?:compute |evaluate |what is )?(?P<a>\d+) mod (?P<b>\d+)$'),
    ('combination', r'^(?:compute |evaluate |find |what is )?(?:c|ncr|binom|choose)\s*\(\s*(?P<n>\d+)\s*,\s*(?P<k>\d+)\s*\)$'),
    ('combination', r'^(?:compute |evaluate |find |what is )?(?P<n>\d+)\s*(?:c|choose)\s*(?P<k>\d+)$'),
    ('combination', r'^in how many ways can (?P<k>\d+) (?P<what>[a-z ]+?) be (?:selected|chosen) from (?:a group of )?(?P<n>\d+) (?P=what)$'),
    ('permutation', r'^(?:compute |evaluate |find |what is )?(?:p|npr)\s*\(\s*(?P<n>\d+)\s*,\s*(?P<k>\d+)\s*\)$'),
    ('permutation', r'^(?:compute |evaluate |find |what is )?(?P<n>\d+)\s*p\s*(?P<k>\d+)$'),
    ('arrangements', r'^(?:determine |find |compute )?(?:the )?(?:number of ways|how many ways(?: are there| can you| can we)?) to arrange the letters (?:of|in) the word (?P<w>[a-z]+)$'),
    ('factor', rf'^(?:factor|factori[sz]e)(?: completely| fully)?(?: the expression| the polynomial| the following)?\s*:?\s*{M}$'),
    ('expand', rf'^expand(?: and simplify)?(?: completely| fully)?(?: the expression| the following)?\s*:?\s*{M}$'),
    ('partial-fractions', rf'^(?:decompose |write |express )?{M} (?:into|as|in) partial fractions$'),
    ('partial-fractions', rf'^(?:find the )?partial fractions?(?: decomposition)?(?: of|:)\s*{M}$'),
    ('collect', rf'^collect (?:the )?(?:like )?terms (?:in|of) {M}$'),
    ('simplify', rf'^simplify(?: completely| fully)?(?: the expression| the following(?: expression)?(?: in [a-z])?)?\s*:?\s*{M}$'),
    ('solve-agg', rf'^(?:find |what is |determine )?the {AGG}\s*(?:possible |real )?(?:values?|solutions?|roots?) of {V} (?:that satisf(?:y|ies)|such that|in|for which|satisfying) (?:the equation |the inequality )?{M}$'),
    ('solve-agg', rf'^in the equation {M},? what is the {AGG}\s*(?:possible |real )?(?:values?|solutions?|roots?) of {V}$'),
    ('solve-agg', rf'^if {M}, (?:find |what is )?the {AGG}\s*(?:possible )?(?:values?|solutions?) of {V}$'),
    ('solve', rf'^solve(?: for {V})?(?: the (?:following )?(?:equation|inequality|system(?: of equations)?)(?: for (?P<v2>[a-z]))?)?\s*(?:[:,]|in)?\s*{M}(?: for (?P<v3>[a-z]))?$'),
    ('solve', rf'^(?!if ){M}[.,;]?\s*solve for {V}$'),
    ('solve', rf'^(?:let|suppose|given|if) {M}[.,;]\s*(?:what is|calculate|find|determine|give|solve for) {V}$'),
    ('solve', rf'^what is {V} in {M}$'),
    ('solve', rf'^(?:find|determine|calculate) {V},? (?:such that|so that|given that|if|where) {M}$'),
    ('solve', rf'^{SOLVE_WORDS} (?:all |both )?(?:the )?(?:(?:real )?values? of {V} (?:that satisf(?:y|ies)|such that|for which|satisfying)|solutions? (?:of|to)|roots of|zeros of)(?: the equation| the inequality)?\s*{M}$'),
    ('solve', rf'^(?:what is |find |determine )?(?:the )?(?:value|values|solution) of {V} (?:in|for|if|that satisf(?:y|ies)|such that|satisfying) (?:the equation )?{M}$'),
    ('solve', rf'^if {M},? (?:then )?(?:what is|find|what are) (?:the )?(?:value of |all possible values of |possible values of )?{V}(?: equal to)?$'),
    ('solve', rf'^if {M},? (?:then )?(?:find|what is|solve for|determine) (?:the )?(?:value of |all possible values of )?{V}$'),
    ('solve', rf'^{SOLVE_WORDS} {V}(?:,)? if {M}$'),
    ('solve', rf'^if {M},? solve for {V}$'),
    ('solve-agg', rf'^solve for the {AGG}\s*(?:possible |real )?values? of {V} (?:such that|that satisf(?:y|ies)|in|for which) {M}$'),
    ('solve', rf'^for what (?:real )?values? of {V} (?:is|does) (?:it true that )?{M}(?: satisfied| true| hold)?$'),
    ('functions', r'^(?:let|if|given|suppose) (?P<defs>⟦\d+⟧(?:,? (?:and )?⟦\d+⟧)*)[.,]? (?:then )?(?:what is|find|compute|evaluate|calculate)(?: the value of)? (?P<t>⟦\d+⟧)$'),
    ('solve-then', rf'^if {M},? (?:then )?what is (?:the value of )?(?P<t>⟦\d+⟧)$'),
    ('percent-of', r'^(?:what is |find |compute |calculate |work out )?(?P<p>\d+(?:\.\d+)?) ?(?:%|percent) of (?P<n>\d+(?:\.\d+)?)$'),
    ('evaluate', rf'^express {M} as an integer$'),
    ('evaluate', rf'^what is {M} in simplest (?:radical )?form$'),
    ('decimal', rf'^(?:write|convert|express) {M} (?:as|to) a (?:terminating )?decimal$'),
    ('decimal', rf'^what is {M} expressed as a decimal$'),
    ('add-to', r'^add (?P<a>-?\d+(?:\.\d+)?) to (?P<b>-?\d+(?:\.\d+)?)$'),
    ('units-digit', rf'^(?:find|what is) the units digit of {M}$'),
    ('substitute', rf'^what is the value of {M},? when (?P<v>[a-z]) ?= ?(?P<val>{NUM})$'),
    ('substitute', rf'^(?:evaluate|find the value of|calculate|compute|find) {M},? (?:when|for|at|if|given) (?P<v>[a-z]) ?= ?(?P<val>{NUM})$'),
    ('evaluate', rf'^(?:compute|evaluate|calculate|find|what is|work out|determine|give)(?: the value of| the result of)?\s*:?\s*{M}$'),
    ('evaluate', rf'^(?:what is )?{M} (?:equal to|equals?)$'),
]

_PLACE = re.compile(r'⟦(\d+)⟧')
FUNCTION_NAMES = {'sqrt', 'sin', 'cos', 'tan', 'cot', 'sec', 'csc', 'log', 'exp', 'abs', 'pi', 'arcsin', 'arccos', 'arctan',
                  'asin', 'acos', 'atan', 'floor', 'ceil', 'ceiling', 'gcd', 'lcm', 'cbrt', 'factorial', 'sinh', 'cosh', 'tanh'}


# Intents whose math has an unknown or a variable: there a lone i or e is the variable, not a constant.
VARIABLE_INTENTS = {'derivative', 'integral', 'limit', 'solve', 'solve-agg', 'solve-then', 'factor', 'expand', 'simplify',
                    'collect', 'partial-fractions', 'function-value', 'literal'}
_LETTER = re.compile(r'(?<![A-Za-z])([A-Za-z])(?![A-Za-z])')


def _json_letters(node, out):
    if isinstance(node, str):
        if re.fullmatch(r'[A-Za-z]', node):
            out.add(node)
    elif isinstance(node, list):
        for child in node[1:]:
            _json_letters(child, out)
    elif isinstance(node, dict) and 'sym' in node:
        _json_letters(node['sym'], out)


# Named groups that hold words (compared by the handlers in lower case), not math.
WORD_GROUPS = {'what', 'by', 'shape', 'kind', 'which', 'dir', 'from', 'rel', 'nth', 'agg', 'w'}


class Problem:
    """A recognised problem: the intent, the pattern's named groups, the LaTeX spans, the answer form asked for."""

    def __init__(self, intent, groups, math, form, method, text):
        groups = {k: (v.lower() if k in WORD_GROUPS else v) for k, v in groups.items()}
        self.intent, self.groups, self.math, self.form, self.method, self.text = intent, groups, math, form, method, text
        self.variables = self._variables()

    def letters(self):
        """The single letters of the problem's math: the pattern's math groups and the LaTeX spans."""
        found = set()
        math_text = ' '.join(v for k, v in self.groups.items() if k not in ('v', 'v2', 'v3', 'nth', 'agg', 'w'))
        for m in _LETTER.finditer(_PLACE.sub(' ', math_text)):
            found.add(m.group(1))
        for k in _PLACE.findall(math_text):
            _json_letters(self.math[int(k)]['json'], found)
        return found

    def _variables(self):
        """Letters read as variables: the one named ("for i", "with respect to e"), and a lone i or e where the
        intent has an unknown and no other letter is in the math."""
        named = {self.groups[k] for k in ('v', 'v2', 'v3') if self.groups.get(k)}
        if self.intent not in VARIABLE_INTENTS:
            return named & set(CONSTANT_LETTERS)
        math_letters = self.letters()
        constants = math_letters & {'i', 'e'}
        if named & {'i', 'e'}:
            other = math_letters - named - {'i', 'e'}
            for c in named & {'i', 'e'}:
                if c == 'e' and re.search(r'e\s*(?:\*\*|\^)\s*\(?\s*[a-df-z]', self.text):
                    raise BadInput('The letter e is used both as the variable and as Euler\'s number; rename the variable.')
            return named
        if constants and not math_letters - constants:
            return constants
        return named & set(CONSTANT_LETTERS)

    def reading(self):
        return letters_as_variables(self.variables)

    def notes(self):
        """A step that says how a letter that is usually a constant was read."""
        return [step('read-letter', f'Here ${c}$ is a variable, not {CONSTANT_LETTERS[c]}.', '') for c in sorted(self.variables & set(CONSTANT_LETTERS))]

    def segment(self, key):
        return segment(self.groups[key], self.math)

    def segment_text(self, text):
        return segment(text, self.math)


def _integer(node):
    if isinstance(node, int) and not isinstance(node, bool):
        return str(node)
    if isinstance(node, list) and len(node) == 2 and node[0] == 'Negate' and isinstance(node[1], int) and not isinstance(node[1], bool):
        return f'-{node[1]}'
    return None


def _point(node):
    """(a, b) with integer coordinates, as MathJSON writes it: ["Delimiter", ["Sequence", a, b], ...] or ["Pair", a, b]."""
    if isinstance(node, list) and node and node[0] == 'Delimiter' and len(node) >= 2 and isinstance(node[1], list) and node[1][:1] == ['Sequence']:
        items = node[1][1:]
    elif isinstance(node, list) and node and node[0] in ('Pair', 'Tuple'):
        items = node[1:]
    else:
        return None
    coords = [_integer(c) for c in items]
    if len(coords) == 2 and all(c is not None for c in coords):
        return f'({coords[0]}, {coords[1]})'
    return None


def _inline(text, math):
    """Single letters and integers written as LaTeX join the words ('Solve for $x$' -> 'Solve for x')."""
    def repl(m):
        node = math[int(m.group(1))]['json']
        if isinstance(node, str) and re.fullmatch(r'[a-zA-Z]', node):
            return node
        if isinstance(node, int) and not isinstance(node, bool):
            return str(node)
        if isinstance(node, dict) and re.fullmatch(r'\d+', str(node.get('num', ''))):
            return str(node['num'])
        if isinstance(node, list) and len(node) == 3 and node[0] == 'Equal' and isinstance(node[1], str) and re.fullmatch(r'[a-zA-Z]', node[1]) \
                and isinstance(node[2], int) and not isinstance(node[2], bool):
            return f'{node[1]} = {node[2]}'  # "when $x = 4$"
        if isinstance(node, list) and len(node) == 2 and node[0] == 'Negate' and isinstance(node[1], int):
            return f'-{node[1]}'
        point = _point(node)
        if point:
            return point  # "between $(-5,5)$ and $(3,7)$" reads as plain text points
        return m.group(0)
    return _PLACE.sub(repl, text)


def segment(s, math):
    """A piece of the problem as math: one LaTeX span, or plain text."""
    s = _strip_end(s)
    m = re.fullmatch(r'⟦(\d+)⟧', s)
    if m:
        item = math[int(m.group(1))]
        return from_mathjson(item['json'], item.get('latex', ''))
    spans = _PLACE.findall(s)
    if spans:
        pieces = re.split(r'\s*(?:,|and|;)\s*', s)
        if all(re.fullmatch(r'⟦\d+⟧', p) for p in pieces if p):
            return [segment(p, math) for p in pieces if p]
        raise NotRecognised('math mixed with words in one place')
    words = [w for w in re.findall(r'[A-Za-z]{3,}', s) if w.lower() not in FUNCTION_NAMES and w.lower() != 'and']
    if words:
        raise NotRecognised('words the rules do not read')
    parts = [p for p in re.split(r'\s*(?:;|,\s*and\s|\band\b|,)\s*', s) if p.strip()]
    if len(parts) > 1 and all('=' in p for p in parts):
        out = []
        for p in parts:
            out.extend(parse_plain_relations(p))
        return out
    return parse_plain_relations(s)


def _strip_end(text):
    """Closing punctuation off, but not the ! of a factorial ("What is 6!?")."""
    text = re.sub(r'[\s.?,;:]+$', '', text.strip())
    if text.endswith('!') and not re.search(r'[\d)]!$', text):
        text = text.rstrip('!').strip()
    return text


def read(request):
    """The problem's intent: the first wording of the rule modules, then of the core list, that matches it all."""
    math = request.get('math') or []
    text = request.get('text', '')
    if not isinstance(text, str):
        raise ParseFailure('The problem is not text.', '', 0)
    text = _inline(text.replace('\n', ' '), math)
    text = re.sub(r'\s+', ' ', text).strip()
    text = re.sub(r'\s+([,.;:?!])', r'\1', text)
    form = set()
    for pattern, flag in FORM:
        if re.search(pattern, text, re.I):
            text = re.sub(r'\s*' + pattern + r'\s*[.!]?', ' ', text, flags=re.I).strip()
            if flag:
                form.add(flag)
    method = None
    for pattern, name in METHODS:
        if re.search(pattern, text, re.I):
            text = re.sub(pattern, '', text, flags=re.I).strip()
            method = name
    text = _strip_end(text)
    if not text:
        raise ParseFailure('There is no problem to read.', '', 0)
    for intent, pattern in rules.PATTERNS:
        m = pattern.match(text)
        if m:
            return Problem(intent, {k: v for k, v in m.groupdict().items() if v is not None}, math, form, method, text)
    if UNSUPPORTED_FORM.search(_PLACE.sub(' ', text)):
        raise NotRecognised('an answer form the rules do not give')
    for intent, pattern in CORE_PATTERNS:
        m = re.match(pattern, text, re.I)
        if m:
            return Problem(intent, {k: v for k, v in m.groupdict().items() if v is not None}, math, form, method, text)
    if _PLACE.fullmatch(text) or not re.search(r'[a-zA-Z]{4,}', _PLACE.sub('', text).replace('sqrt', '')):
        return Problem('bare', {'m': text}, math, form, method, text)
    raise NotRecognised('the words around the math are not a pattern the rules know')
