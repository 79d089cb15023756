"""The dispatcher: a recognised problem goes to exactly one rule module."""
import re

import sympy as sp

from .steps import Decline, ParseFailure, Solution, step, tex
from .parse import Relation, Calculus, parse_plain
from .reader import read, segment
from . import (answer, arithmetic, functions, algebra, counting, derivatives, equations, integrals, limits, numbers,
               inequalities, systems, linear, quadratic, polynomial, rational, radical, absolute, exponential)

EQUATION_MODULES = {'linear': linear, 'quadratic': quadratic, 'polynomial': polynomial, 'rational': rational,
                    'radical': radical, 'absolute-value': absolute, 'exponential': exponential}


def _relations(obj):
    if isinstance(obj, Relation):
        return [obj]
    if isinstance(obj, list) and obj and all(isinstance(o, Relation) for o in obj):
        return obj
    if isinstance(obj, list) and all(isinstance(o, (Relation, list)) for o in obj):
        flat = []
        for o in obj:
            flat.extend(_relations(o))
        return flat
    return None


def _variable(relations, given):
    if given:
        return sp.Symbol(given)
    free = set().union(*[r.free_symbols() for r in relations])
    if len(free) != 1:
        raise Decline('more than one unknown and no variable named')
    return free.pop()


def _problem_tex(relations):
    return r' \\ '.join(r.latex() for r in relations)


def _read_step(text, latex_):
    return step('read', text, latex_)


def solve_relations(relations, var_name, method=None, agg=None):
    """Equations, inequalities and systems."""
    if len(relations) >= 2 and all(r.op == '=' for r in relations):
        steps = [_read_step('Solve the system of equations.', _problem_tex(relations))]
        s, values, variables = systems.solve(relations)
        steps += s
        if values is None:
            words = 'The system has no solution.' if variables == 'none' else 'The system has infinitely many solutions.'
            return Solution('system', _problem_tex(relations), steps, r'\text{no solution}' if variables == 'none' else r'\text{infinitely many solutions}', words)
        return Solution('system', _problem_tex(relations), steps, answer.pair(values) if len(values) > 1 else answer.value(values[0]))
    var = _variable(relations, var_name)
    if any(r.op != '=' for r in relations):
        if agg:
            raise Decline('an aggregate over an inequality')
        steps = [_read_step(f'Solve the inequality for ${tex(var)}$.', _problem_tex(relations))]
        s, text, words = inequalities.solve(relations, var)
        return Solution('inequality', _problem_tex(relations), steps + s, text, words)
    if len(relations) != 1:
        raise Decline('several relations')
    rel = relations[0]
    if rel.free_symbols() - {var}:
        raise Decline('other letters besides the unknown')
    if not rel.free_symbols():
        raise Decline('no unknown in the equation')
    kind = equations.kind_of(rel, var)
    module = EQUATION_MODULES[kind]
    steps = [_read_step(f'Solve for ${tex(var)}$ ({kind.replace("-", " ")} equation).', rel.latex())]
    s, kept, special = module.solve(rel, var, method) if kind == 'quadratic' else module.solve(rel, var)
    steps += s
    if special == 'all':
        return Solution(kind, rel.latex(), steps, r'\text{all real numbers}', 'Every real number is a solution.')
    if special == 'none' or (not kept and not special):
        return Solution(kind, rel.latex(), steps, r'\text{no solution}', 'The equation has no solution.')
    if isinstance(special, tuple) and special[0] == 'complex':
        if not kept:
            cr = special[1]
            return Solution(kind, rel.latex(), steps, ', '.join(sp.latex(c) for c in cr),
                            'There are no real solutions; the complex solutions are ' + ', '.join(f'${sp.latex(c)}$' for c in cr) + '.')
    truth = sp.solveset(sp.Eq(rel.lhs.doit(), rel.rhs.doit()), var, domain=sp.S.Reals)
    if isinstance(truth, sp.FiniteSet) and set(truth) != set(kept):
        if not all(any(sp.simplify(a - b) == 0 for b in truth) for a in kept) or len(truth) != len(kept):
            raise Decline('the rule steps and an independent check disagree')
    values = sorted(kept, key=lambda v: float(v))
    if agg:
        a = agg.strip().split(' ')[0]
        pick = {'largest': max, 'greatest': max, 'smallest': min, 'least': min}
        if a in pick:
            chosen = pick[a](values, key=float)
        elif a == 'positive':
            pos = [v for v in values if v > 0]
            if len(pos) != 1:
                raise Decline('not exactly one positive solution')
            chosen = pos[0]
        elif a == 'negative':
            neg = [v for v in values if v < 0]
            if len(neg) != 1:
                raise Decline('not exactly one negative solution')
            chosen = neg[0]
        elif a == 'sum':
            chosen = sp.Add(*values)
        elif a == 'product':
            chosen = sp.Mul(*values)
        else:
            raise Decline('an aggregate the rules do not know')
        steps.append(step('aggregate', f'The {agg.strip()} of the solutions: ${sp.latex(sp.nsimplify(chosen))}$.', sp.nsimplify(chosen)))
        return Solution(kind, rel.latex(), steps, answer.value(chosen))
    return Solution(kind, rel.latex(), steps, answer.solutions(values))


def _decimal(value, source):
    """A rational with a terminating decimal, written as a decimal."""
    value = sp.nsimplify(value)
    if not value.is_Rational:
        raise Decline('not a rational number')
    den = int(value.q)
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        raise Decline('the decimal does not end')
    places = max(twos, fives)
    text = f'{sp.Abs(value.p) * 10 ** places // value.q}'
    if places:
        text = text.rjust(places + 1, '0')
        text = text[:-places] + '.' + text[-places:]
    return ('-' if value < 0 else '') + text


def _substitute(f, v, val):
    """f with v replaced by val, unevaluated, so the arithmetic steps start from the substituted expression."""
    if f == v:
        return val
    if f.is_Atom:
        return f
    args = [_substitute(a, v, val) for a in f.args]
    try:
        return f.func(*args, evaluate=False)
    except TypeError:
        return f.func(*args)


def _ints(text):
    return [int(n) for n in re.findall(r'\d+', text)]


def _expr(obj):
    if isinstance(obj, (Relation, list, Calculus)) or obj is None:
        raise Decline('expected an expression')
    return obj


def solve_problem(request):
    p = read(request)
    g = p.groups
    math = request.get('math') or []
    if p.intent == 'derivative':
        obj = segment(g['m'], math)
        if isinstance(obj, Relation) and obj.op == '=' and not obj.lhs.has(*(obj.rhs.free_symbols or {sp.Symbol('x')})):
            obj = obj.rhs  # y = f(x) or f(x) = ...
        f = _expr(obj)
        x = sp.Symbol(g['v']) if g.get('v') else (list(f.free_symbols)[0] if len(f.free_symbols) == 1 else sp.Symbol('x'))
        steps, result = derivatives.solve(f, x)
        return Solution('derivative', f'\\frac{{d}}{{d{tex(x)}}}\\left({tex(f)}\\right)', steps, sp.latex(result))
    if p.intent == 'integral':
        m = g['m']
        dm = re.search(r'\s*d([a-z])$', m.strip())
        v = g.get('v')
        if dm and not v:
            v, m = dm.group(1), m.strip()[:dm.start()]
        f = _expr(segment(m, math))
        x = sp.Symbol(v) if v else (list(f.free_symbols)[0] if len(f.free_symbols) == 1 else sp.Symbol('x'))
        bounds = (parse_plain(g['a']), parse_plain(g['b'])) if g.get('a') else None
        steps, result = integrals.solve(f, x, bounds)
        return Solution('integral', steps[0]['latex'], steps, result)
    if p.intent == 'limit':
        f = _expr(segment(g['m'], math))
        a = parse_plain(g['a'].replace('∞', 'oo').replace('infinity', 'oo').replace('inf', 'oo')) if g['a'] not in ('∞', 'infinity', 'oo', 'inf') else sp.oo
        steps, value = limits.solve(f, sp.Symbol(g['v']), a)
        return Solution('limit', steps[0]['latex'], steps, answer.value(value))
    if p.intent in ('gcd', 'lcm'):
        values = _ints(g['nums'])
        if len(values) < 2:
            raise Decline('fewer than two numbers')
        steps, value = (numbers.gcd if p.intent == 'gcd' else numbers.lcm)(values)
        return Solution(p.intent, f'\\{p.intent}({", ".join(map(str, values))})', steps, sp.latex(value))
    if p.intent == 'prime-factors':
        steps, text = numbers.prime_factors(int(g['n']))
        return Solution('prime-factors', g['n'], steps, text)
    if p.intent == 'divisor-count':
        steps, value = numbers.divisor_count(int(g['n']))
        return Solution('divisors', g['n'], steps, sp.latex(value))
    if p.intent == 'divisors':
        steps, text = numbers.divisors(int(g['n']))
        return Solution('divisors', g['n'], steps, text)
    if p.intent == 'remainder':
        a = _expr(segment(g['a'], math))
        if a.free_symbols:
            raise Decline('a remainder of a polynomial')
        b = int(g['b'])
        steps, value = numbers.remainder(a, b)
        return Solution('remainder', f'{tex(a)} \\bmod {b}', steps, sp.latex(value))
    if p.intent in ('combination', 'permutation'):
        n, k = int(g['n']), int(g['k'])
        if k > n:
            raise Decline('k larger than n')
        steps, value = (counting.combinations if p.intent == 'combination' else counting.permutations)(n, k)
        return Solution(p.intent, f'\\binom{{{n}}}{{{k}}}' if p.intent == 'combination' else f'P({n}, {k})', steps, sp.latex(value))
    if p.intent == 'percent-of':
        pct, n = sp.Rational(g['p']), sp.Rational(g['n'])
        expr = sp.Mul(sp.Mul(pct, sp.Pow(100, -1, evaluate=False), evaluate=False), n, evaluate=False)
        steps, value = arithmetic.evaluate(expr)
        return Solution('arithmetic', f"{g['p']}\\% \\text{{ of }} {g['n']}", [_read_step(f"{g['p']}% means {g['p']} out of 100: multiply {g['n']} by $\\frac{{{g['p']}}}{{100}}$.", expr)] + steps, answer.value(value))
    if p.intent == 'add-to':
        a, b = sp.Rational(g['a']), sp.Rational(g['b'])
        steps, value = arithmetic.evaluate(sp.Add(b, a, evaluate=False))
        return Solution('arithmetic', f"{g['b']} + {g['a']}", [_read_step('Add, lining up the decimal points.', sp.Add(b, a, evaluate=False))] + steps, _decimal(value, g['a'] + g['b']))
    if p.intent == 'decimal':
        f = _expr(segment(g['m'], math))
        if f.free_symbols:
            raise Decline('letters in a number to convert')
        steps, value = arithmetic.evaluate(f)
        text = _decimal(value, '.')
        steps.append(step('decimal', 'Write the fraction as a decimal: its denominator has only the prime factors 2 and 5, so the decimal ends.', text))
        return Solution('arithmetic', tex(f), [_read_step('Convert to a decimal.', f)] + steps, text)
    if p.intent == 'units-digit':
        f = _expr(segment(g['m'], math))
        if f.free_symbols:
            raise Decline('letters in a units-digit problem')
        steps, value = numbers.remainder(f, 10)
        steps.insert(0, step('units-digit', 'The units digit is the remainder on division by 10.', f'{tex(f)} \\bmod 10'))
        return Solution('remainder', tex(f), steps, sp.latex(value))
    if p.intent == 'substitute':
        f = _expr(segment(g['m'], math))
        v, val = sp.Symbol(g['v']), sp.Integer(int(g['val']))
        if f.free_symbols - {v}:
            raise Decline('other letters besides the one substituted')
        replaced = f.xreplace({v: sp.UnevaluatedExpr(val)}) if False else _substitute(f, v, val)
        steps, value = arithmetic.evaluate(replaced)
        return Solution('arithmetic', tex(f), [_read_step(f'Substitute ${tex(v)} = {sp.latex(val)}$.', replaced)] + steps, answer.value(value))
    if p.intent == 'functions':
        defs = [math[int(k)]['json'] for k in re.findall(r'⟦(\d+)⟧', g['defs'])]
        target = math[int(re.fullmatch(r'⟦(\d+)⟧', g['t']).group(1))]['json']
        steps, value = functions.solve(defs, target)
        if 'fraction' in p.form and not value.is_Rational:
            raise Decline('asked for a fraction, the value is not rational')
        return Solution('functions', steps[0]['latex'], steps, answer.value(value))
    if p.intent == 'arrangements':
        steps, value = counting.arrangements(g['w'])
        return Solution('arrangements', g['w'].upper(), steps, sp.latex(value))
    if p.intent in ('factor', 'expand', 'simplify', 'partial-fractions'):
        obj = segment(g['m'], math)
        f = _expr(obj)
        if p.intent == 'factor' and f.is_Integer:
            steps, text = numbers.prime_factors(int(f))
            return Solution('prime-factors', sp.latex(f), steps, text)
        if not f.free_symbols:
            if p.intent != 'simplify':
                raise Decline('nothing to ' + p.intent)
            steps, value = arithmetic.evaluate(f)
            return Solution('arithmetic', tex(f), [_read_step('Simplify.', f)] + steps, answer.value(value))
        if p.intent == 'partial-fractions':
            if len(f.free_symbols) != 1:
                raise Decline('several letters')
            steps, result = algebra.partial_fractions(f, list(f.free_symbols)[0])
        else:
            steps, result = getattr(algebra, p.intent)(f)
        if sp.simplify(result - f.doit()) != 0:
            raise Decline('the rule steps and the check disagree')
        return Solution(p.intent, tex(f), [_read_step(p.intent.capitalize().replace('-', ' ') + '.', f)] + steps, sp.latex(result))
    if p.intent in ('solve', 'solve-agg', 'solve-then'):
        obj = segment(g['m'], math)
        rels = _relations(obj)
        if rels is None:
            raise Decline('nothing to solve')
        var = g.get('v') or g.get('v2') or g.get('v3')
        if p.intent == 'solve-then':
            target = _expr(segment(g['t'], math))
            sol = solve_relations(rels, None)
            if sol.kind in ('system', 'inequality') or ',' in sol.answer or sol.answer_words:
                raise Decline('not a single solution to substitute')
            v = _variable(rels, None)
            value = sp.nsimplify(sp.sympify(sp.parse_expr(sp.srepr(sp.Rational(0))))) if False else None
            root = sp.solve(sp.Eq(rels[0].lhs, rels[0].rhs), v)
            if len(root) != 1 or target.free_symbols - {v}:
                raise Decline('not a single solution to substitute')
            result = sp.simplify(target.subs(v, root[0]))
            sol.steps.append(step('substitute', f'Substitute ${tex(v)} = {sp.latex(root[0])}$ into ${tex(target)}$.', f'{tex(target)} = {sp.latex(result)}'))
            sol.answer = answer.value(result)
            return sol
        return solve_relations(rels, var, p.method, g.get('agg'))
    if p.intent in ('evaluate', 'bare'):
        obj = segment(g['m'], math)
        rels = _relations(obj)
        if rels is not None:
            if p.intent == 'bare':
                return solve_relations(rels, None, p.method)
            raise Decline('a relation to evaluate')
        if isinstance(obj, Calculus):
            return _calculus(obj)
        f = _expr(obj)
        if isinstance(f, (sp.Tuple, sp.FiniteSet)):
            raise Decline('a list to evaluate')
        if f.free_symbols:
            if p.intent == 'bare':
                raise Decline('an expression without a question')
            raise Decline('an expression with letters to evaluate')
        steps, value = arithmetic.evaluate(f)
        if 'fraction' in p.form and not value.is_Rational:
            raise Decline('asked for a fraction, the value is not rational')
        if 'decimal' in p.form:
            text = _decimal(value, '.')
            return Solution('arithmetic', tex(f), [_read_step('Evaluate, following the order of operations.', f)] + steps, text)
        return Solution('arithmetic', tex(f), [_read_step('Evaluate, following the order of operations.', f)] + steps, answer.value(value))
    raise Decline('no rule module for this problem')


def _calculus(c):
    if c.head == 'D':
        f, x = c.parts()
        steps, result = derivatives.solve(f, x or sp.Symbol('x'))
        return Solution('derivative', steps[0]['latex'], steps, sp.latex(result))
    if c.head == 'Integrate':
        f, x, bounds = c.parts()
        x = x or (list(f.free_symbols)[0] if len(f.free_symbols) == 1 else sp.Symbol('x'))
        steps, result = integrals.solve(f, x, bounds)
        return Solution('integral', steps[0]['latex'], steps, result)
    f, x, a = c.parts()
    steps, value = limits.solve(f, x, a)
    return Solution('limit', steps[0]['latex'], steps, answer.value(value))
