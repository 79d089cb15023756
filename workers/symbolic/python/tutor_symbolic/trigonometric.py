"""Trigonometric equations a·f(x) + b = c (f = sin, cos, tan) on an interval such as 0 ≤ x < 2π: isolate f(x),
take the reference angle of a special value, list the angles in the interval. Radians; degrees when the interval is in degrees."""
import sympy as sp

from .steps import Decline, BadInput, Solution, step, tex
from .rules import rule
from .parse import parse_plain

FUNCS = (sp.sin, sp.cos, sp.tan)


def _bound(text):
    t = text.strip().replace('π', 'pi').replace('°', '')
    return parse_plain(t)


@rule('trig-equation', r'^solve (?P<m>.+?) (?:for|on|over|in|where|with) (?P<lo>-?[0-9.π pi/*°]+) (?P<lop><=|≤|<) (?P<v>[a-z]|θ|theta) (?P<hip><=|≤|<) (?P<hi>-?[0-9.π pi/*°]+)$',
      r'^solve (?P<m>.+?) (?:for|on|over|in) (?:the interval )?(?P<lb>\[|\()(?P<lo>-?[0-9.π pi/*°]+), ?(?P<hi>-?[0-9.π pi/*°]+)(?P<rb>\]|\))$')
def trig_equation(p):
    from .core import relations_of
    g = p.groups
    degrees = '°' in (g['lo'] + g['hi']) or ('pi' not in (g['lo'] + g['hi']) and 'π' not in (g['lo'] + g['hi']) and _bound(g['hi']) in (180, 360, 720))
    lo, hi = _bound(g['lo']), _bound(g['hi'])
    if degrees:
        lo, hi = lo * sp.pi / 180, hi * sp.pi / 180
    left_open = g.get('lop') == '<' or g.get('lb') == '('
    right_open = g.get('hip') == '<' or g.get('rb') == ')'
    if not lo < hi:
        raise BadInput('The interval is empty: its lower end is not below its upper end.')
    rels = relations_of(p.segment('m'))
    if not rels or len(rels) != 1 or rels[0].op != '=':
        raise Decline('not one trigonometric equation')
    rel = rels[0]
    free = rel.free_symbols()
    if len(free) != 1:
        raise Decline('not one unknown')
    x = next(iter(free))
    e = sp.expand(rel.lhs.doit() - rel.rhs.doit())
    fs = {a for a in sp.preorder_traversal(e) if isinstance(a, FUNCS)}
    if len(fs) != 1 or next(iter(fs)).args[0] != x:
        raise Decline('a trigonometric equation that is not linear in one sin x, cos x or tan x')
    f = next(iter(fs))
    u = sp.Dummy('u')
    linear = e.subs(f, u)
    if linear.has(x) or sp.degree(linear, u) != 1:
        raise Decline('a trigonometric equation that is not linear in one function')
    value = sp.solve(linear, u)[0]
    name = f.func.__name__
    steps = [step('read', f'Solve for ${tex(x)}$ in the interval.', rel.latex()),
             step('isolate', f'Isolate $\\{name} {tex(x)}$.', f'\\{name} {tex(x)} = {sp.latex(value)}')]
    if name in ('sin', 'cos') and abs(value) > 1:
        return Solution('trigonometric', rel.latex(), steps + [step('range', f'$\\{name}$ only takes values from $-1$ to $1$: no solution.', '')],
                        r'\text{no solution}', 'The equation has no solution.')
    inverse = {'sin': sp.asin, 'cos': sp.acos, 'tan': sp.atan}[name](value)
    if inverse.has(sp.asin, sp.acos, sp.atan):
        raise Decline('not a special value of the trigonometric function')
    interval = sp.Interval(lo, hi, left_open, right_open)
    sols = sp.solveset(sp.Eq(f, value), x, domain=interval)
    if not isinstance(sols, sp.FiniteSet):
        raise Decline('the solutions are not a finite list')
    values = sorted(sols, key=lambda v: float(v))
    for v in values:
        if sp.simplify(e.subs(x, v)) != 0:
            raise Decline('a solution does not check')
    quadrant = {'sin': 'sine is positive in quadrants I and II, negative in III and IV',
                'cos': 'cosine is positive in quadrants I and IV, negative in II and III',
                'tan': 'tangent repeats every $\\pi$'}[name]
    steps.append(step('reference-angle', f'The special angle: $\\{"arc" + name}({sp.latex(value)}) = {sp.latex(inverse)}$; {quadrant}.', sp.latex(inverse)))
    shown = [v * 180 / sp.pi for v in values] if degrees else values
    fmt = (lambda v: f'{sp.latex(v)}^\\circ') if degrees else sp.latex
    steps.append(step('angles-in-interval', 'The angles in the interval with this value.', ', '.join(fmt(v) for v in shown)))
    if not values:
        return Solution('trigonometric', rel.latex(), steps, r'\text{no solution}', 'No angle in the interval solves it.')
    return Solution('trigonometric', rel.latex(), steps, ', '.join(sp.latex(v) for v in shown))
