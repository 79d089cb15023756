"""Arithmetic said in words ("Sum 0.3 and -12.", "What is 7 less than -2?", "Divide 12 by -4."), a value of a
function given in plain text ("Let f(o) = -o**2 + 3*o - 1. What is f(-10)?") and decimals as fractions."""
import sympy as sp

from .steps import Decline, Solution, step, tex
from .rules import rule
from .parse import NUMBER, parse_plain
from . import arithmetic

N = r'(?P<{}>-?\(?' + NUMBER + r'\)?)'
A, B = N.format('a'), N.format('b')

# (operation, wording): a and b in the order of the operation (a op b).
WORDINGS = [
    ('add', rf'^(?:sum|add|put together|total of|add together|find the sum of|what is the sum of|calculate the sum of|the sum of) {A} and {B}$'),
    ('add', rf'^(?:what is |calculate |work out |find )?{A} plus {B}$'),
    ('add', rf'^(?:what is |calculate )?the total of {A} and {B}$'),
    ('add', rf'^increase {A} by {B}$'),
    ('subtract', rf'^(?:what is |calculate |work out )?{A} (?:minus|take away) {B}$'),
    ('subtract-from', rf'^subtract {B} from {A}$'),
    ('subtract-from', rf'^(?:what is |calculate )?{B} less than {A}$'),
    ('subtract', rf'^(?:what is |calculate |find )?the difference between {A} and {B}$'),
    ('subtract', rf'^(?:take|take away) {B} from {A}$'),
    ('add-to', rf'^(?:what is |calculate )?{B} more than {A}$'),
    ('multiply', rf'^(?:multiply|product of|what is the product of|calculate the product of|find the product of) {A} (?:and|by) {B}$'),
    ('multiply', rf'^(?:what is |calculate |work out )?{A} (?:times|multiplied by) {B}$'),
    ('divide', rf'^(?:divide) {A} by {B}$'),
    ('divide', rf'^(?:what is |calculate |work out )?{A} divided by {B}$'),
    ('divide', rf'^(?:what is |calculate |find )?the quotient of {A} and {B}$'),
]
NAMES = {'add': 'Add', 'add-to': 'Add', 'subtract': 'Subtract', 'subtract-from': 'Subtract', 'multiply': 'Multiply', 'divide': 'Divide'}


def _num(text):
    return sp.Rational(text.strip().strip('()'))


def _operation(op, a, b):
    if op in ('add', 'add-to'):
        return sp.Add(a, b, evaluate=False)
    if op in ('subtract', 'subtract-from'):
        return sp.Add(a, sp.Mul(-1, b, evaluate=False), evaluate=False) if b >= 0 else sp.Add(a, -b, evaluate=False)
    if op == 'multiply':
        return sp.Mul(a, b, evaluate=False)
    if b == 0:
        from .steps import BadInput
        raise BadInput('A number cannot be divided by 0.')
    return sp.Mul(a, sp.Pow(b, -1, evaluate=False), evaluate=False)


def _words(intent):
    def handler(p):
        from .core import number_answer, read_step
        op = intent.split(':', 1)[1]
        a, b = _num(p.groups['a']), _num(p.groups['b'])
        expr = _operation(op, a, b)
        sentence = {'subtract-from': f'"{p.groups["b"]} less than {p.groups["a"]}" and "subtract {p.groups["b"]} from {p.groups["a"]}" mean ${sp.latex(a)} - ({sp.latex(b)})$.',
                    'subtract': 'Subtract the second number from the first.',
                    'add-to': 'Add.'}.get(op, f'{NAMES[op]} the two numbers.')
        steps, value = arithmetic.evaluate(expr)
        if not steps:
            steps = [step(op.split('-')[0], f'{NAMES[op]}.', value)]
        return Solution('arithmetic', tex(expr), [read_step(sentence, expr)] + steps, number_answer(value, p.text, p.form))
    return handler


for _op, _pattern in WORDINGS:
    _intent = f'words:{_op}:{WORDINGS.index((_op, _pattern))}'
    rule(_intent, _pattern)(_words(_intent.rsplit(':', 1)[0]))


@rule('decimal-to-fraction', r'^(?:write|express|convert|give|change) (?P<d>-?\d*\.\d+) (?:as|to|into) an? (?:common |simplified |reduced )?fraction(?: in (?:its )?(?:lowest|simplest) (?:terms|form))?$',
      r'^what is (?P<d>-?\d*\.\d+) (?:as|written as) an? (?:common )?fraction(?: in (?:its )?(?:lowest|simplest) (?:terms|form))?$')
def decimal_to_fraction(p):
    text = p.groups['d']
    places = len(text.split('.')[1])
    value = sp.Rational(text)
    digits = text.replace('-', '').replace('.', '').lstrip('0') or '0'
    sign = '-' if text.startswith('-') else ''
    over = f'{sign}\\frac{{{digits}}}{{{10 ** places}}}'
    g = sp.gcd(int(digits), 10 ** places)
    steps = [step('place-value', f'{places} decimal place{"s" if places > 1 else ""}: write it over $10^{{{places}}} = {10 ** places}$.', over),
             step('lowest-terms', f'Divide the top and the bottom by their greatest common divisor, {g}.', sp.latex(value))]
    return Solution('fraction', text, steps, sp.latex(value))


@rule('function-value', r'^(?:let|suppose|given|if) (?P<f>[a-z])\((?P<v>[a-z])\) = (?P<m>[^.;]+?)[.,;]? (?:what is|calculate|determine|give|find|evaluate|compute|what\'s) (?P=f)\((?P<val>[^)]+)\)$')
def function_value(p):
    from .core import number_answer, read_step, expression
    f = expression(p.segment('m'))
    v = sp.Symbol(p.groups['v'])
    val = parse_plain(p.groups['val'])
    if f.free_symbols - {v} or val.free_symbols:
        raise Decline('other letters besides the function\'s variable')
    replaced = arithmetic.replace_unevaluated(f, v, val)
    steps, value = arithmetic.evaluate(replaced)
    name = f"{p.groups['f']}({p.groups['val']})"
    return Solution('functions', f"{p.groups['f']}({tex(v)}) = {tex(f)}", [read_step(f'Substitute ${tex(v)} = {sp.latex(val)}$ to find ${name}$.', replaced)] + steps, number_answer(value, p.text, p.form))
