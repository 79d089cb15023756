"""Handlers of the core wordings (reader.CORE_PATTERNS): equations, calculus, algebra, arithmetic, number theory."""
import re

import sympy as sp

from .steps import Decline, BadInput, Solution, step, tex
from .parse import Relation, Calculus, parse_plain
from .rules import rule
from . import (answer, arithmetic, functions, algebra, counting, derivatives, equations, integrals, limits, numbers,
               inequalities, systems, linear, quadratic, polynomial, rational, radical, absolute, exponential)

EQUATION_MODULES = {'linear': linear, 'quadratic': quadratic, 'polynomial': polynomial, 'rational': rational,
                    'radical': radical, 'absolute-value': absolute, 'exponential': exponential}
ORDINALS = {'second': 2, 'third': 3, 'fourth': 4, '2nd': 2, '3rd': 3, '4th': 4}


def relations_of(obj):
    if isinstance(obj, Relation):
        return [obj]
    if isinstance(obj, list) and obj and all(isinstance(o, Relation) for o in obj):
        return obj
    if isinstance(obj, list) and all(isinstance(o, (Relation, list)) for o in obj):
        flat = []
        for o in obj:
            flat.extend(relations_of(o))
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


def read_step(text, latex_):
    return step('read', text, latex_)


def _pick(values, agg, steps):
    a = agg.strip().split(' ')[0]
    pick = {'largest': max, 'greatest': max, 'smallest': min, 'least': min}
    if a in pick:
        chosen = pick[a](values, key=float)
    elif a in ('positive', 'negative'):
        keep = [v for v in values if (v > 0 if a == 'positive' else v < 0)]
        if len(keep) != 1:
            raise Decline(f'not exactly one {a} solution')
        chosen = keep[0]
    elif a == 'sum':
        chosen = sp.Add(*values)
    elif a == 'product':
        chosen = sp.Mul(*values)
    else:
        raise Decline('an aggregate the rules do not know')
    steps.append(step('aggregate', f'The {agg.strip()} of the solutions: ${sp.latex(sp.nsimplify(chosen))}$.', sp.nsimplify(chosen)))
    return chosen


def solve_relations(relations, var_name, method=None, agg=None):
    """Equations, inequalities and systems; for a system with a variable named, that variable's value."""
    if len(relations) >= 2 and all(r.op == '=' for r in relations):
        steps = [read_step('Solve the system of equations.', _problem_tex(relations))]
        s, values, variables = systems.solve(relations)
        steps += s
        if values is None:
            words = 'The system has no solution.' if variables == 'none' else 'The system has infinitely many solutions.'
            return Solution('system', _problem_tex(relations), steps, r'\text{no solution}' if variables == 'none' else r'\text{infinitely many solutions}', words)
        if var_name:
            asked = sp.Symbol(var_name)
            if asked not in variables:
                raise BadInput(f'The letter {var_name} asked for is not in the equations.')
            value = values[variables.index(asked)]
            steps.append(step('answer', f'The question asks for ${tex(asked)}$: ${tex(asked)} = {sp.latex(value)}$.', f'{tex(asked)} = {sp.latex(value)}'))
            return Solution('system', _problem_tex(relations), steps, answer.value(value))
        return Solution('system', _problem_tex(relations), steps, answer.pair(values) if len(values) > 1 else answer.value(values[0]))
    var = _variable(relations, var_name)
    if not any(r.free_symbols() for r in relations):
        raise BadInput('There is no unknown in the equation.')
    if var not in set().union(*[r.free_symbols() for r in relations]):
        raise BadInput(f'The unknown {var} is not in the equation.')
    if any(r.op != '=' for r in relations):
        if agg:
            raise Decline('an aggregate over an inequality')
        steps = [read_step(f'Solve the inequality for ${tex(var)}$.', _problem_tex(relations))]
        s, text, words = inequalities.solve(relations, var)
        return Solution('inequality', _problem_tex(relations), steps + s, text, words)
    if len(relations) != 1:
        raise Decline('several relations')
    rel = relations[0]
    if rel.free_symbols() - {var}:
        from . import literal
        return literal.solve_for(rel, var)
    kind = equations.kind_of(rel, var)
    module = EQUATION_MODULES[kind]
    steps = [read_step(f'Solve for ${tex(var)}$ ({kind.replace("-", " ")} equation).', rel.latex())]
    s, kept, special = module.solve(rel, var, method) if kind == 'quadratic' else module.solve(rel, var)
    steps += s
    if special == 'all':
        return Solution(kind, rel.latex(), steps, r'\text{all real numbers}', 'Every real number is a solution.')
    if special == 'none' or (not kept and not special):
        return Solution(kind, rel.latex(), steps, r'\text{no solution}', 'The equation has no solution.')
    if isinstance(special, tuple) and special[0] == 'complex' and not kept:
        cr = special[1]
        return Solution(kind, rel.latex(), steps, ', '.join(sp.latex(c) for c in cr),
                        'There are no real solutions; the complex solutions are ' + ', '.join(f'${sp.latex(c)}$' for c in cr) + '.')
    truth = sp.solveset(sp.Eq(rel.lhs.doit(), rel.rhs.doit()), var, domain=sp.S.Reals)
    if isinstance(truth, sp.FiniteSet) and set(truth) != set(kept):
        if not all(any(sp.simplify(a - b) == 0 for b in truth) for a in kept) or len(truth) != len(kept):
            raise Decline('the rule steps and an independent check disagree')
    values = sorted(kept, key=lambda v: float(v))
    if agg:
        return Solution(kind, rel.latex(), steps, answer.value(_pick(values, agg, steps)))
    return Solution(kind, rel.latex(), steps, answer.solutions(values))


def decimal_text(value):
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


def written_in_decimals(text):
    """The problem writes its numbers as decimals (0.3, -50218.3) and no fraction: the answer stays a decimal."""
    return bool(re.search(r'\d\.\d', text)) and not re.search(r'/|\\frac|fraction', text)


def number_answer(value, source_text, form=()):
    """A number in the form asked: a decimal when asked or when the problem is in decimals, else exact."""
    if 'fraction' in form and not value.is_Rational:
        raise Decline('asked for a fraction, the value is not rational')
    if 'decimal' in form or (written_in_decimals(source_text) and value.is_Rational and not value.is_Integer):
        try:
            return decimal_text(value)
        except Decline:
            if 'decimal' in form:
                raise
    return sp.latex(value) if value.is_Rational else tex(value) if value.free_symbols == set() else answer.value(value)


def _ints(text):
    return [int(n) for n in re.findall(r'\d+', text)]


def expression(obj):
    if isinstance(obj, (Relation, list, Calculus)) or obj is None:
        raise Decline('expected an expression')
    return obj


def evaluate_number(f, p, read_text='Evaluate, following the order of operations.'):
    steps, value = arithmetic.evaluate(f)
    return Solution('arithmetic', tex(f), [read_step(read_text, f)] + steps, number_answer(value, p.text, p.form))


@rule('derivative')
def derivative(p):
    g = p.groups
    obj = p.segment('m')
    if isinstance(obj, Relation) and obj.op == '=' and not obj.lhs.has(*(obj.rhs.free_symbols or {sp.Symbol('x')})):
        obj = obj.rhs  # y = f(x) or f(x) = ...
    f = expression(obj)
    order = ORDINALS.get((g.get('nth') or '').lower(), 1)
    if g.get('v'):
        x = sp.Symbol(g['v'])
    elif len(f.free_symbols) == 1:
        x = next(iter(f.free_symbols))
    elif not f.free_symbols:
        x = sp.Symbol('x')
    else:
        raise Decline('several letters and no variable named to differentiate with respect to')
    if f.free_symbols - {x} and not g.get('v'):
        raise Decline('several letters')
    steps, result = derivatives.solve(f, x, order)
    if f.free_symbols - {x}:
        others = ', '.join(f'${tex(s)}$' for s in sorted(f.free_symbols - {x}, key=str))
        steps.insert(1, step('partial', f'A partial derivative: {others} stay constant.', ''))
    prefix = f'\\frac{{d^{{{order}}}}}{{d{tex(x)}^{{{order}}}}}' if order > 1 else f'\\frac{{d}}{{d{tex(x)}}}'
    return Solution('derivative', f'{prefix}\\left({tex(f)}\\right)', steps, sp.latex(result))


@rule('integral')
def integral(p):
    g = p.groups
    m = g['m']
    dm = re.search(r'\s*d([a-z])$', m.strip())
    v = g.get('v')
    if dm and not v:
        v, m = dm.group(1), m.strip()[:dm.start()]
    f = expression(p.segment_text(m))
    x = sp.Symbol(v) if v else (list(f.free_symbols)[0] if len(f.free_symbols) == 1 else sp.Symbol('x'))
    bounds = (parse_plain(g['a']), parse_plain(g['b'])) if g.get('a') else None
    steps, result = integrals.solve(f, x, bounds)
    return Solution('integral', steps[0]['latex'], steps, result)


@rule('limit')
def limit(p):
    g = p.groups
    f = expression(p.segment('m'))
    a = sp.oo if g['a'] in ('∞', 'infinity', 'oo', 'inf') else parse_plain(g['a'].replace('∞', 'oo').replace('infinity', 'oo'))
    steps, value = limits.solve(f, sp.Symbol(g['v']), a)
    return Solution('limit', steps[0]['latex'], steps, answer.value(value))


@rule('gcd')
def gcd(p):
    values = _ints(p.groups['nums'])
    if len(values) < 2:
        raise Decline('fewer than two numbers')
    steps, value = numbers.gcd(values)
    return Solution('gcd', f'\\gcd({", ".join(map(str, values))})', steps, sp.latex(value))


@rule('lcm')
def lcm(p):
    values = _ints(p.groups['nums'])
    if len(values) < 2:
        raise Decline('fewer than two numbers')
    steps, value = numbers.lcm(values)
    return Solution('lcm', f'\\operatorname{{lcm}}({", ".join(map(str, values))})', steps, sp.latex(value))


@rule('prime-factors')
def prime_factors(p):
    steps, text = numbers.prime_factors(int(p.groups['n']))
    return Solution('prime-factors', p.groups['n'], steps, text)


@rule('divisor-count')
def divisor_count(p):
    steps, value = numbers.divisor_count(int(p.groups['n']))
    return Solution('divisors', p.groups['n'], steps, sp.latex(value))


@rule('divisors')
def divisors(p):
    steps, text = numbers.divisors(int(p.groups['n']))
    return Solution('divisors', p.groups['n'], steps, text)


@rule('remainder')
def remainder(p):
    a = expression(p.segment('a'))
    if a.free_symbols:
        raise Decline('a remainder of a polynomial')
    b = int(p.groups['b'])
    if b == 0:
        raise BadInput('A number cannot be divided by 0.')
    steps, value = numbers.remainder(a, b)
    return Solution('remainder', f'{tex(a)} \\bmod {b}', steps, sp.latex(value))


def _arrangements(intent, count, asked, shown):
    """The handler of n things taken k at a time: C(n, k) or P(n, k), counted by ``count``."""
    @rule(intent)
    def handler(p):
        n, k = int(p.groups['n']), int(p.groups['k'])
        if k > n:
            raise BadInput(f'There are no ways to {asked.format(k=k)} only {n}.')
        steps, value = count(n, k)
        return Solution(intent, shown.format(n=n, k=k), steps, sp.latex(value))
    return handler


combination = _arrangements('combination', counting.combinations, 'choose {k} from', '\\binom{{{n}}}{{{k}}}')
permutation = _arrangements('permutation', counting.permutations, 'arrange {k} of', 'P({n}, {k})')


@rule('percent-of')
def percent_of(p):
    g = p.groups
    pct, n = sp.Rational(g['p']), sp.Rational(g['n'])
    expr = sp.Mul(sp.Mul(pct, sp.Pow(100, -1, evaluate=False), evaluate=False), n, evaluate=False)
    steps, value = arithmetic.evaluate(expr)
    first = read_step(f"{g['p']}% means {g['p']} out of 100: multiply {g['n']} by $\\frac{{{g['p']}}}{{100}}$.", expr)
    from .percent import _answer
    return Solution('arithmetic', f"{g['p']}\\% \\text{{ of }} {g['n']}", [first] + steps, _answer(value, p))


@rule('add-to')
def add_to(p):
    g = p.groups
    a, b = sp.Rational(g['a']), sp.Rational(g['b'])
    expr = sp.Add(b, a, evaluate=False)
    steps, value = arithmetic.evaluate(expr)
    return Solution('arithmetic', f"{g['b']} + {g['a']}", [read_step('Add, lining up the decimal points.', expr)] + steps, number_answer(value, p.text, p.form))


@rule('decimal')
def decimal(p):
    f = expression(p.segment('m'))
    if f.free_symbols:
        raise Decline('letters in a number to convert')
    steps, value = arithmetic.evaluate(f)
    text = decimal_text(value)
    steps.append(step('decimal', 'Write the fraction as a decimal: its denominator has only the prime factors 2 and 5, so the decimal ends.', text))
    return Solution('arithmetic', tex(f), [read_step('Convert to a decimal.', f)] + steps, text)


@rule('units-digit')
def units_digit(p):
    f = expression(p.segment('m'))
    if f.free_symbols:
        raise Decline('letters in a units-digit problem')
    steps, value = numbers.remainder(f, 10)
    steps.insert(0, step('units-digit', 'The units digit is the remainder on division by 10.', f'{tex(f)} \\bmod 10'))
    return Solution('remainder', tex(f), steps, sp.latex(value))


@rule('substitute')
def substitute_value(p):
    g = p.groups
    f = expression(p.segment('m'))
    v, val = sp.Symbol(g['v']), parse_plain(g['val'])
    if f.free_symbols - {v}:
        raise Decline('other letters besides the one substituted')
    replaced = arithmetic.replace_unevaluated(f, v, val)
    steps, value = arithmetic.evaluate(replaced)
    return Solution('arithmetic', tex(f), [read_step(f'Substitute ${tex(v)} = {sp.latex(val)}$.', replaced)] + steps, number_answer(value, p.text, p.form))


@rule('functions')
def function_values(p):
    math = p.math
    defs = [math[int(k)]['json'] for k in re.findall(r'⟦(\d+)⟧', p.groups['defs'])]
    target = math[int(re.fullmatch(r'⟦(\d+)⟧', p.groups['t']).group(1))]['json']
    if not any(functions.definition(d) for d in defs):  # "If 3x + 2(1 + x) = 17, what is 6x + 5?"
        rels = relations_of(p.segment('defs'))
        if rels is None:
            raise Decline('not a function definition nor an equation')
        return value_after_solving(rels, expression(p.segment('t')))
    steps, value = functions.solve(defs, target)
    if 'fraction' in p.form and not value.is_Rational:
        raise Decline('asked for a fraction, the value is not rational')
    return Solution('functions', steps[0]['latex'], steps, answer.value(value))


@rule('arrangements')
def arrangements(p):
    steps, value = counting.arrangements(p.groups['w'])
    return Solution('arrangements', p.groups['w'].upper(), steps, sp.latex(value))


def _algebra(p):
    f = expression(p.segment('m'))
    intent = p.intent
    if intent == 'factor' and f.is_Integer:
        steps, text = numbers.prime_factors(int(f))
        return Solution('prime-factors', sp.latex(f), steps, text)
    if not f.free_symbols:
        if intent != 'simplify':
            raise Decline('nothing to ' + intent)
        return evaluate_number(f, p, 'Simplify, following the order of operations.')
    if intent == 'partial-fractions':
        if len(f.free_symbols) != 1:
            raise Decline('several letters')
        steps, result = algebra.partial_fractions(f, list(f.free_symbols)[0])
    elif intent == 'collect':
        steps, result = algebra.expand(f)
        if not f.is_polynomial():
            raise Decline('terms that are not a polynomial')
    else:
        steps, result = getattr(algebra, intent)(f)
    if sp.simplify(result - f.doit()) != 0:
        raise Decline('the rule steps and the check disagree')
    title = 'Collect like terms.' if intent == 'collect' else intent.capitalize().replace('-', ' ') + '.'
    return Solution(intent, tex(f), [read_step(title, f)] + steps, sp.latex(result))


for _intent in ('factor', 'expand', 'simplify', 'partial-fractions', 'collect'):
    rule(_intent)(_algebra)


def _solve(p):
    g = p.groups
    rels = relations_of(p.segment('m'))
    if rels is None:
        raise Decline('nothing to solve')
    return solve_relations(rels, g.get('v') or g.get('v2') or g.get('v3'), p.method, g.get('agg'))


rule('solve')(_solve)


@rule('integers-in-solution', r'^(?:what|which) integer (?P<v>[a-z]) satisf(?:ies|y) (?P<m>.+?)$',
      r'^how many integers (?:are in|lie in) the solution set of (?P<m>.+?)$', r'^how many integers (?P<v>[a-z]) satisfy (?P<m>.+?)$')
def integers_in_solution(p):
    """The integers in the solution set of an inequality: the one asked for, or how many."""
    rels = relations_of(p.segment('m'))
    if rels is None or all(r.op == '=' for r in rels):
        raise Decline('not an inequality')
    var = _variable(rels, p.groups.get('v'))
    sol = solve_relations(rels, str(var))
    truth = sp.S.Reals
    for r in rels:
        ops = {'<': sp.Lt, '<=': sp.Le, '>': sp.Gt, '>=': sp.Ge}
        if r.op not in ops:
            raise Decline('a relation that is not an inequality')
        truth = truth & sp.solveset(ops[r.op](r.lhs.doit(), r.rhs.doit()), var, sp.S.Reals)
    inside = sp.Intersection(truth, sp.S.Integers)
    if not isinstance(inside, sp.FiniteSet):
        bounded = sp.Intersection(truth, sp.Interval(-10 ** 6, 10 ** 6))
        if truth.sup in (sp.oo,) or truth.inf in (-sp.oo,):
            raise Decline('infinitely many integers')
        inside = sp.FiniteSet(*[k for k in range(int(sp.floor(bounded.inf)), int(sp.ceiling(bounded.sup)) + 1) if bounded.contains(k) == True])
    values = sorted(int(k) for k in inside)
    sol.steps.append(step('integers', 'The integers in the solution set: ' + (', '.join(map(str, values)) if len(values) <= 20 else f'{values[0]}, ..., {values[-1]}') + '.', ''))
    if p.text.lower().startswith('how many'):
        sol.kind, sol.answer, sol.answer_words = 'integers-in-solution', str(len(values)), None
        return sol
    if len(values) != 1:
        raise Decline('not exactly one integer in the solution set')
    sol.kind, sol.answer, sol.answer_words = 'integers-in-solution', str(values[0]), None
    return sol
rule('solve-agg')(_solve)


@rule('solve-then')
def solve_then(p):
    rels = relations_of(p.segment('m'))
    if rels is None:
        raise Decline('nothing to solve')
    return value_after_solving(rels, expression(p.segment('t')))


def value_after_solving(rels, target):
    """'If 3x + 2(1 + x) = 17, what is 6x + 5?': solve, then the target's value, which must be the same at every solution."""
    if len(rels) != 1 or rels[0].op != '=':
        raise Decline('not one equation to solve first')
    v = _variable(rels, None)
    if target.free_symbols - {v}:
        raise Decline('the expression asked for has other letters')
    rel = rels[0]
    roots = sp.solve(sp.Eq(rel.lhs.doit(), rel.rhs.doit()), v)
    roots = [r for r in roots if r.is_real]
    if not roots:
        raise Decline('no real solution to substitute')
    results = [sp.nsimplify(sp.simplify(target.doit().subs(v, r))) for r in roots]
    if any(sp.simplify(r - results[0]) != 0 for r in results[1:]):
        raise Decline('the value differs from one solution to the other')
    try:
        sol = solve_relations(rels, None)
    except Decline:
        sol = Solution('solve-then', rel.latex(), [read_step(f'Solve for ${tex(v)}$.', rel.latex()),
                                                   step('solutions', 'The real solutions are ' + ', '.join(f'${sp.latex(r)}$' for r in roots) + '.', ', '.join(sp.latex(r) for r in roots))], '')
    for r, value in zip(roots, results):
        sol.steps.append(step('substitute', f'Substitute ${tex(v)} = {sp.latex(r)}$ into ${tex(target)}$.', f'{tex(target)} = {sp.latex(value)}'))
    sol.kind, sol.answer, sol.answer_words = 'solve-then', answer.value(results[0]), None
    return sol


def _evaluate(p):
    obj = p.segment('m')
    rels = relations_of(obj)
    if rels is not None:
        if p.intent == 'bare':
            return solve_relations(rels, None, p.method)
        raise Decline('a relation to evaluate')
    if isinstance(obj, Calculus):
        return _calculus(obj)
    f = expression(obj)
    if isinstance(f, (sp.Tuple, sp.FiniteSet)):
        raise Decline('a list to evaluate')
    if f.free_symbols:
        if p.intent == 'bare':
            raise Decline('an expression without a question')
        raise Decline('an expression with letters to evaluate')
    return evaluate_number(f, p)


rule('evaluate')(_evaluate)
rule('bare')(_evaluate)


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
