"""Reading a problem: plain text through sympy's parse_expr, LaTeX through MathJSON.

Plain text: ``parse_expr`` with ``standard_transformations + implicit_multiplication_application
+ convert_xor`` (and ``rationalize``, so 0.7 is 7/10 exactly), ``evaluate=False`` so the
student's own form survives into step 1.

LaTeX arrives already parsed: the page parses it with Compute Engine's LaTeX parser into
MathJSON (see ../README.md for why the LaTeX parse happens in JavaScript) and this module
turns the MathJSON tree into an unevaluated sympy expression.
"""
import ast
import re
from fractions import Fraction

import sympy as sp
from sympy.parsing.sympy_parser import (parse_expr, standard_transformations, implicit_multiplication_application,
                                        convert_xor, rationalize)

from .steps import ParseFailure, Decline

# sympy 1.11's evaluate=False transformer builds ast.Num / ast.NameConstant, which Python 3.14 removed.
for _old in ('Num', 'NameConstant', 'Str'):
    if not hasattr(ast, _old):
        setattr(ast, _old, ast.Constant)

TRANSFORMS = standard_transformations + (implicit_multiplication_application, convert_xor, rationalize)


class Relation:
    """An equation or inequality as written: op is one of = < <= > >= !=."""

    def __init__(self, op, lhs, rhs):
        self.op, self.lhs, self.rhs = op, lhs, rhs

    def free_symbols(self):
        return self.lhs.free_symbols | self.rhs.free_symbols

    def latex(self):
        from .steps import tex
        return f'{tex(self.lhs)} {OP_TEX[self.op]} {tex(self.rhs)}'


# A number as a problem writes it: signed integer, decimal or fraction (3, -0.5, 2/3).
NUMBER = r'-?\d+(?:\.\d+)?(?:/\d+)?'

OP_TEX = {'=': '=', '<': '<', '<=': r'\le', '>': '>', '>=': r'\ge', '!=': r'\ne'}

# ---------------------------------------------------------------- plain text

_LOCALS = {'factorial': sp.factorial, 'e': sp.E, 'E': sp.E, 'pi': sp.pi, 'i': sp.I, 'ln': sp.log, 'arcsin': sp.asin, 'arccos': sp.acos,
           'arctan': sp.atan, 'sqrt': sp.sqrt, 'abs': sp.Abs, 'log': sp.log, 'exp': sp.exp, 'cbrt': sp.cbrt,
           'floor': sp.floor, 'ceil': sp.ceiling, 'ceiling': sp.ceiling}
for _name in 'abcdfghjklmnopqrstuvwxyz':
    _LOCALS.setdefault(_name, sp.Symbol(_name))
for _name in ('beta', 'gamma', 'zeta', 'lambda'):  # letters sympy would read as functions
    _LOCALS[_name] = sp.Symbol(_name)
_LOCALS['N'] = sp.Symbol('N')
_LOCALS['S'] = sp.Symbol('S')
_LOCALS['Q'] = sp.Symbol('Q')
_LOCALS['C'] = sp.Symbol('C')
_LOCALS['O'] = sp.Symbol('O')
_LOCALS['I'] = sp.Symbol('I')

# Letters the problem uses as variables (the unknown, the letter asked for, "with respect to i"): read as
# symbols even where they would otherwise be constants (i as the imaginary unit, e as Euler's number).
_AS_VARIABLES = set()


class letters_as_variables:
    """``with letters_as_variables({'i'}): ...`` reads i as a variable inside the block."""

    def __init__(self, letters):
        self.letters = set(letters)

    def __enter__(self):
        self.saved = set(_AS_VARIABLES)
        _AS_VARIABLES.update(self.letters)

    def __exit__(self, *exc):
        _AS_VARIABLES.clear()
        _AS_VARIABLES.update(self.saved)


CONSTANT_LETTERS = {'i': 'the imaginary unit', 'e': "Euler's number", 'E': "Euler's number"}

_ALLOWED = re.compile(r"^[0-9A-Za-z_+\-*/^().,!|\s=<>≤≥·×÷√π%']*$")


def _abs_bars(text):
    """|x - 1| -> Abs(x - 1): bars pair up left to right, an opening bar follows an operator or starts."""
    out, depth = [], 0
    for i, ch in enumerate(text):
        if ch != '|':
            out.append(ch)
            continue
        before = ''.join(out).rstrip()
        opening = depth == 0 or (before == '' or before[-1] in '+-*/^(,=<>')
        if opening:
            out.append('Abs(')
            depth += 1
        else:
            out.append(')')
            depth -= 1
    if depth:
        raise ParseFailure('An absolute-value bar | is not closed.', text, text.rfind('|'))
    return ''.join(out)


def parse_plain(text):
    """An expression in plain text, unevaluated."""
    src = text.strip().rstrip('.?!').strip() if not text.strip().endswith('!') or re.search(r'\d!$', text.strip()) is None else text.strip()
    src = src.replace('·', '*').replace('×', '*').replace('÷', '/').replace('√', 'sqrt').replace('π', 'pi').replace('−', '-')
    if not src:
        raise ParseFailure('There is no expression to read.', text, 0)
    if not _ALLOWED.match(src):
        bad = next(i for i, ch in enumerate(src) if not _ALLOWED.match(ch))
        raise ParseFailure(f'Could not read the character "{src[bad]}".', src, bad)
    src = re.sub(r'(\d+(?:\.\d+)?)\s*%', r'(\1/100)', src)
    src = re.sub(r'(\d+)\s*!', r'factorial(\1)', src)  # Python 3.12+ tokenizes '!' so that sympy 1.11's factorial_notation misses it
    src = _abs_bars(src)
    if src.count('(') != src.count(')'):
        where = len(src) if src.count('(') > src.count(')') else src.index(')')
        raise ParseFailure('The brackets do not match.', src, where)
    try:
        names = dict(_LOCALS)
        names.update({v: sp.Symbol(v) for v in _AS_VARIABLES})
        expr = parse_expr(src, local_dict=names, transformations=TRANSFORMS, evaluate=False)
    except ParseFailure:
        raise
    except SyntaxError as error:
        offset = (error.offset or 1) - 1
        raise ParseFailure('Could not read this as math.', src, max(0, min(offset, len(src))))
    except Exception as error:  # sympy's tokenizer raises TokenError, TypeError, ... on odd input
        raise ParseFailure(f'Could not read this as math ({type(error).__name__}).', src, None)
    if isinstance(expr, (tuple, sp.Tuple)):
        return sp.Tuple(*[_tidy(e) for e in expr])
    if not isinstance(expr, sp.Basic):
        raise ParseFailure('Could not read this as math.', src, None)
    return _tidy(expr)


def _tidy(expr):
    """Drop the 1 * that parse_expr writes in front of 1/b, so 1/2 shows as \\frac{1}{2}."""
    if not isinstance(expr, sp.Basic) or expr.is_Atom:
        return expr
    args = [_tidy(a) for a in expr.args]
    if expr.is_Mul:
        args = [a for a in args if a != 1] or [sp.Integer(1)]
        if len(args) == 1:
            return args[0]
        return sp.Mul(*args, evaluate=False)
    if expr.is_Add:
        return sp.Add(*args, evaluate=False)
    if expr.is_Pow:
        return sp.Pow(*args, evaluate=False)
    try:
        return expr.func(*args, evaluate=False)
    except TypeError:
        return expr.func(*args)


_REL = re.compile(r'(<=|>=|!=|≤|≥|≠|=|<|>)')
_REL_NORM = {'≤': '<=', '≥': '>=', '≠': '!=', '=<': '<=', '=>': '>='}


def parse_plain_relations(text):
    """'a = b', 'a < b < c' or an expression; returns a list of Relations or an expression."""
    src = text.replace('==', '=').replace('=<', '<=').replace('=>', '>=')
    parts = _REL.split(src)
    if len(parts) == 1:
        return parse_plain(src)
    sides = [parse_plain(p) for p in parts[0::2]]
    ops = [_REL_NORM.get(o, o) for o in parts[1::2]]
    return [Relation(op, sides[i], sides[i + 1]) for i, op in enumerate(ops)]


# ---------------------------------------------------------------- MathJSON (from LaTeX)

_SYMBOLS = {'Pi': sp.pi, 'ExponentialE': sp.E, 'e': sp.E, 'ImaginaryUnit': sp.I, 'i': sp.I,
            'PositiveInfinity': sp.oo, 'NegativeInfinity': -sp.oo, 'Half': sp.Rational(1, 2)}
_GREEK = {'alpha', 'beta', 'gamma', 'delta', 'theta', 'lambda', 'mu', 'phi', 'omega', 'sigma', 'tau', 'rho', 'epsilon'}

_FUNCS1 = {'Sin': sp.sin, 'Cos': sp.cos, 'Tan': sp.tan, 'Cot': sp.cot, 'Sec': sp.sec, 'Csc': sp.csc,
           'Arcsin': sp.asin, 'Arccos': sp.acos, 'Arctan': sp.atan, 'Ln': sp.log, 'Exp': sp.exp,
           'Floor': sp.floor, 'Ceil': sp.ceiling, 'Abs': sp.Abs, 'Factorial': sp.factorial,
           'Sinh': sp.sinh, 'Cosh': sp.cosh, 'Tanh': sp.tanh}
REL_HEADS = {'Equal': '=', 'Less': '<', 'LessEqual': '<=', 'Greater': '>', 'GreaterEqual': '>=', 'NotEqual': '!='}


def _number(text):
    text = str(text)
    m = re.fullmatch(r'(-?\d*)\.(\d*)\((\d+)\)', text)
    if m:  # 0.(3): a repeating decimal
        whole, fixed, rep = m.group(1) or '0', m.group(2), m.group(3)
        sign = -1 if whole.startswith('-') else 1
        base = Fraction(f'{whole.lstrip("-") or 0}.{fixed or 0}')
        period = Fraction(int(rep), (10 ** len(rep) - 1) * 10 ** len(fixed))
        value = sign * (base + period)
        return sp.Rational(value.numerator, value.denominator)
    try:
        value = Fraction(text)
    except ValueError:
        raise ParseFailure(f'Could not read the number {text}.', text, None)
    return sp.Rational(value.numerator, value.denominator)


def _find_error(node):
    if isinstance(node, dict):
        if 'fn' in node:
            return _find_error(node['fn']) or (node.get('sourceOffsets') if _find_error(node['fn']) is not None else None)
        return None
    if isinstance(node, list):
        if node and node[0] == 'Error':
            return node
        for child in node[1:]:
            found = _find_error(child)
            if found is not None:
                return found
    return None


def _error_offset(node):
    """The source offset of the first Error node, when MathJSON recorded one."""
    if isinstance(node, dict):
        if 'fn' in node and isinstance(node['fn'], list) and node['fn'] and node['fn'][0] == 'Error':
            offsets = node.get('sourceOffsets')
            return offsets[0] if offsets else None
        return _error_offset(node.get('fn'))
    if isinstance(node, list):
        for child in node[1:]:
            found = _error_offset(child)
            if found is not None:
                return found
    return None


def _error_text(node):
    err = _find_error(node)
    if err is None:
        return None
    def plain(x):
        if isinstance(x, dict):
            return x.get('str', x.get('fn', ''))
        if isinstance(x, list):
            return ' '.join(str(plain(y)) for y in x[1:])
        return str(x)
    return plain(err)


def from_mathjson(node, latex_source=''):
    """Unevaluated sympy from a MathJSON tree; relations come back as Relation objects (or lists)."""
    if _find_error(node) is not None or (isinstance(node, dict) and 'fn' in node and _find_error(node['fn']) is not None):
        where = _error_offset(node)
        detail = _error_text(node) or ''
        detail = detail.replace("'", '').replace('unexpected-command', 'a command it does not know').replace(
            'unexpected-operator', 'an operator with nothing after it').replace('expected-closing-delimiter', 'a bracket that is not closed')
        raise ParseFailure(f'Could not read the LaTeX: {detail}.', latex_source, where)
    return _convert(node)


def _sym(name):
    if name in _AS_VARIABLES:
        return sp.Symbol(name)
    if name in _SYMBOLS:
        return _SYMBOLS[name]
    if re.fullmatch(r'[A-Za-z]', name) or name in _GREEK or re.fullmatch(r'[A-Za-z]_\d', name):
        return sp.Symbol(name)
    raise Decline(f'the symbol "{name}" is not something the rules know')


def _mul(args):
    args = [a for a in args]
    return args[0] if len(args) == 1 else sp.Mul(*args, evaluate=False)


def _convert(node):
    if isinstance(node, bool):
        raise Decline('a truth value is not an expression')
    if isinstance(node, int):
        return sp.Integer(node)
    if isinstance(node, float):
        return _number(repr(node))
    if isinstance(node, str):
        return _sym(node)
    if isinstance(node, dict):
        if 'num' in node:
            return _number(node['num'])
        if 'sym' in node:
            return _sym(node['sym'])
        if 'fn' in node:
            return _convert(node['fn'])
        raise Decline('text inside the math is not an expression')
    head, args = node[0], node[1:]
    c = _convert
    if head in REL_HEADS:
        if len(args) == 3:  # a < b < c
            a, b, cc = c(args[0]), c(args[1]), c(args[2])
            return [Relation(REL_HEADS[head], a, b), Relation(REL_HEADS[head], b, cc)]
        if len(args) != 2:
            raise Decline('a chained relation')
        lhs, rhs = args
        left = c(lhs)
        if isinstance(left, Relation):  # a < b < c parses as Less(Less(a,b),c) in some versions
            return [left, Relation(REL_HEADS[head], left.rhs, c(rhs))]
        return Relation(REL_HEADS[head], left, c(rhs))
    if head == 'Add':
        return sp.Add(*[c(a) for a in args], evaluate=False)
    if head == 'Subtract':
        first, *rest = [c(a) for a in args]
        return sp.Add(first, *[sp.Mul(-1, r, evaluate=False) for r in rest], evaluate=False)
    if head == 'Negate':
        inner = c(args[0])
        if inner.is_Number:
            return -inner
        return sp.Mul(-1, inner, evaluate=False)
    if head in ('Multiply', 'InvisibleOperator'):
        parts = [c(a) for a in args]
        if head == 'InvisibleOperator' and len(parts) == 2 and parts[0].is_Integer and _is_fraction(args[1]):
            return sp.Add(parts[0], parts[1], evaluate=False)  # 4\frac{5}{8}: a mixed number
        return _mul(parts)
    if head == 'Divide':
        num, den = c(args[0]), c(args[1])
        if num == 1:
            return sp.Pow(den, -1, evaluate=False)
        return sp.Mul(num, sp.Pow(den, -1, evaluate=False), evaluate=False)
    if head == 'Rational':
        return sp.Mul(c(args[0]), sp.Pow(c(args[1]), -1, evaluate=False), evaluate=False)
    if head == 'Power':
        return sp.Pow(c(args[0]), c(args[1]), evaluate=False)
    if head == 'Square':
        return sp.Pow(c(args[0]), 2, evaluate=False)
    if head == 'Sqrt':
        return sp.Pow(c(args[0]), sp.Rational(1, 2), evaluate=False)
    if head == 'Root':
        return sp.Pow(c(args[0]), sp.Pow(c(args[1]), -1), evaluate=False)
    if head == 'Binomial':
        return sp.binomial(c(args[0]), c(args[1]), evaluate=False)
    if head in ('Log',):
        if len(args) == 2:
            return sp.log(c(args[0]), c(args[1]), evaluate=False)
        return sp.log(c(args[0]), 10, evaluate=False)
    if head == 'Lb':
        return sp.log(c(args[0]), 2, evaluate=False)
    if head == 'Lg':
        return sp.log(c(args[0]), 10, evaluate=False)
    if head in _FUNCS1 and len(args) == 1:
        return _FUNCS1[head](c(args[0]), evaluate=False)
    if head == 'Degrees':
        return sp.Mul(c(args[0]), sp.pi / 180, evaluate=False)
    if head == 'Delimiter':
        inner = args[0] if args else ['Sequence']
        if isinstance(inner, list) and inner and inner[0] == 'Sequence':
            items = [c(a) for a in inner[1:]]
            if len(items) == 1:
                return items[0]
            return sp.Tuple(*items)
        return c(inner)
    if head in ('Sequence', 'Tuple', 'Pair', 'Triple', 'List'):
        items = [c(a) for a in args]
        if len(items) == 1:
            return items[0]
        if head == 'Sequence' and any(isinstance(i, Relation) for i in items):
            return items
        return sp.Tuple(*items)
    if head == 'Set':
        return sp.FiniteSet(*[c(a) for a in args])
    if head in ('D', 'Integrate', 'Limit'):
        return Calculus(head, args)
    if head == 'GCD':
        return sp.Function('gcd')(*[c(a) for a in args])
    if head == 'LCM':
        return sp.Function('lcm')(*[c(a) for a in args])
    if head == 'Mod':
        return sp.Mod(c(args[0]), c(args[1]), evaluate=False)
    raise Decline(f'the rules do not know "{head}"')


def _is_fraction(node):
    return isinstance(node, list) and node and node[0] in ('Divide', 'Rational') and all(isinstance(a, int) for a in node[1:])


class Calculus:
    """A derivative, integral or limit read from LaTeX: its pieces, still MathJSON for the variable parts."""

    def __init__(self, head, args):
        self.head = head
        self.args = args

    def parts(self):
        if self.head == 'D':
            return _convert(self.args[0]), _sym(self.args[1]) if len(self.args) > 1 and isinstance(self.args[1], str) else None
        if self.head == 'Integrate':
            body = _convert(self.args[0])
            if len(self.args) < 2:
                return body, None, None
            spec = self.args[1]
            if isinstance(spec, str):
                return body, _sym(spec), None
            if isinstance(spec, list) and spec[0] in ('Tuple', 'Triple') and len(spec) == 4:
                return body, _sym(spec[1]), (_convert(spec[2]), _convert(spec[3]))
            raise Decline('the integral\'s limits are not read')
        if self.head == 'Limit':
            fn, point = self.args[0], self.args[1]
            if isinstance(fn, list) and fn[0] == 'Function' and len(fn) == 3:
                return _convert(fn[1]), _sym(fn[2]), _convert(point)
            raise Decline('the limit is not read')
        raise Decline('unknown calculus form')
